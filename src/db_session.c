/*
 * db_session.c: sessions and their refresh tokens: creation, and the
 * check of a session behind an access token.  Rotation with reuse
 * detection is db_session_rotate.c's; ending and listing sessions is
 * db_session_end.c's.
 *
 * A session is one login; its refresh tokens form a chain of
 * generations, each derived from the session's seed (refresh.c) and
 * stored only as SHA-256.  Rotation is serialised by a row lock on the
 * presented token, so concurrent refreshes of one token yield exactly
 * one child (RFC 6749 §10.4, RFC 9700 §4.14.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "jwtauth.h"

static const struct db_stmt session_create = {
	"session_create",
	"WITH s AS (INSERT INTO sessions (id, user_id, seed, expires_at, "
	"user_agent, ip, mfa, remembered, passkey, pwd_passkey) VALUES ($1, "
	"$2, decode($3, 'hex'), "
	"now() + make_interval(secs => $8::integer), $5, $6, $10, $11, $12, "
	"$13) "
	"RETURNING id, expires_at) "
	"INSERT INTO refresh_tokens (token_hash, session_id, generation, "
	"expires_at, secret_id) SELECT decode($7, 'hex'), s.id, 0, "
	"least(s.expires_at, now() + make_interval(secs => $4::integer)), $9 "
	"FROM s RETURNING extract(epoch FROM expires_at - now())::bigint",
	13, 0
};

/* The check on every protected request: one round trip. */
static const struct db_stmt session_check = {
	"session_check",
	"SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id "
	"WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL "
	"AND s.expires_at > now() AND NOT u.locked AND NOT EXISTS "
	"(SELECT 1 FROM revoked_tokens WHERE jti = $3)",
	3, DB_RETRY
};

static const struct db_stmt session_by_refresh = {
	"session_by_refresh",
	"SELECT r.session_id, s.user_id FROM refresh_tokens r "
	"JOIN sessions s ON s.id = r.session_id "
	"WHERE r.token_hash = decode($1, 'hex') AND r.used_at IS NULL "
	"AND r.expires_at > now() AND s.revoked_at IS NULL",
	1, DB_RETRY
};

/*
 * The version of the current secret, stored beside each refresh token
 * it derives (secret.c), or NULL (SQL NULL) when it has none.
 */
const char *
db_session_secret_id(const struct config *cfg)
{
	return cfg->secret_id[0] != '\0' ? cfg->secret_id : NULL;
}

/*
 * Starts a session for user u, logged in through request req (with a
 * second factor when otp has AMR_MFA, with a passkey when it has AMR_HWK,
 * after a password when it has AMR_PWD as well: RFC 8176 amr;
 * remembered, "Keep me signed in", when remember is non-zero): a new
 * session id, seed and refresh token of generation 0.  On JA_OK, s holds
 * the session and rt (rtlen > JA_RT_LEN) the refresh token.  Returns
 * JA_EDB on failure, with nothing written.
 */
int
db_session_create(struct db *db, const struct config *cfg,
    const struct user *u, const struct request *req, int otp, int remember,
    struct session *s, char *rt, size_t rtlen)
{
	unsigned char	 seed[REFRESH_SEED_LEN];
	char		 seedhex[REFRESH_SEED_LEN * 2 + 1], hash[65];
	char		 ttl[32], maxage[32];
	char		 ua[LOG_UA_MAX], ip[LOG_IP_MAX];
	const char	*params[13];
	PGresult	*res;
	int		 rc = JA_EDB;

	memset(s, 0, sizeof(*s));
	random_uuid(s->id);
	snprintf(s->user_id, sizeof(s->user_id), "%s", u->id);
	snprintf(s->username, sizeof(s->username), "%s", u->username);
	randombytes_buf(seed, sizeof(seed));
	sodium_bin2hex(seedhex, sizeof(seedhex), seed, sizeof(seed));
	if (refresh_derive(cfg, seed, s->id, 0, rt, rtlen) != JA_OK ||
	    refresh_hash(rt, hash, sizeof(hash)) != JA_OK) {
		rc = JA_EINVAL;
		goto out;
	}
	snprintf(ttl, sizeof(ttl), "%ld", cfg->refresh_ttl);
	log_client(req, ua, ip);
	params[0] = s->id;
	params[1] = u->id;
	params[2] = seedhex;
	params[3] = ttl;
	params[4] = ua;
	params[5] = ip;
	params[6] = hash;
	snprintf(maxage, sizeof(maxage), "%ld", cfg->session_max_age);
	params[7] = maxage;
	params[8] = db_session_secret_id(cfg);
	params[9] = (otp & AMR_MFA) ? "true" : "false";
	params[10] = remember ? "true" : "false";
	params[11] = (otp & AMR_HWK) ? "true" : "false";
	params[12] = (otp & AMR_PWD) ? "true" : "false";
	s->otp = otp & (AMR_MFA | AMR_HWK | AMR_PWD);
	s->remembered = remember != 0;
	if ((res = db_exec(db, &session_create, params)) == NULL)
		goto out;
	if (PQntuples(res) == 1) {
		s->refresh_expires_in = strtol(PQgetvalue(res, 0, 0), NULL,
		    10);
		rc = JA_OK;
	}
	PQclear(res);
out:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(seedhex, sizeof(seedhex));
	if (rc != JA_OK)
		sodium_memzero(rt, rtlen);
	return rc;
}

/*
 * The revocation check of a verified access token: its session is live,
 * its user not locked, and its jti not in the revocation table.
 * Returns JA_OK, JA_EAUTH, or JA_EDB (the caller then fails closed).
 */
int
db_session_check(struct db *db, const struct claims *c)
{
	const char	*params[3] = { c->sid, c->sub, c->jti };
	PGresult	*res;
	int		 rc;

	if ((res = db_exec(db, &session_check, params)) == NULL)
		return JA_EDB;
	rc = PQntuples(res) == 1 ? JA_OK : JA_EAUTH;
	PQclear(res);
	return rc;
}

/*
 * Finds the live session of refresh token token: its id into sid and
 * its user into user_id (JA_UUID_LEN + 1 bytes each).  Returns JA_OK,
 * JA_ENOTFOUND, or JA_EDB.
 */
int
db_session_from_refresh(struct db *db, const char *token, char *sid,
    char *user_id)
{
	char		 hash[65];
	const char	*params[1] = { hash };
	PGresult	*res;
	int		 rc = JA_ENOTFOUND;

	if (!refresh_shape_ok(token) ||
	    refresh_hash(token, hash, sizeof(hash)) != JA_OK)
		return JA_ENOTFOUND;
	if ((res = db_exec(db, &session_by_refresh, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1) {
		snprintf(sid, JA_UUID_LEN + 1, "%s", PQgetvalue(res, 0, 0));
		snprintf(user_id, JA_UUID_LEN + 1, "%s",
		    PQgetvalue(res, 0, 1));
		rc = JA_OK;
	}
	PQclear(res);
	return rc;
}
