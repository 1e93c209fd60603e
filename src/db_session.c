/*
 * db_session.c: sessions and their refresh tokens: creation, rotation
 * with reuse detection, and the check of a session behind an access
 * token.  Ending and listing sessions is db_session_end.c's.
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
	"user_agent, ip, mfa) VALUES ($1, $2, decode($3, 'hex'), "
	"now() + make_interval(secs => $8::integer), $5, $6, $10) "
	"RETURNING id, expires_at) "
	"INSERT INTO refresh_tokens (token_hash, session_id, generation, "
	"expires_at, secret_id) SELECT decode($7, 'hex'), s.id, 0, "
	"least(s.expires_at, now() + make_interval(secs => $4::integer)), $9 "
	"FROM s RETURNING extract(epoch FROM expires_at - now())::bigint",
	10, 0
};

static const struct db_stmt session_lock_token = {
	"session_lock_token",
	"SELECT r.session_id, r.generation, r.used_at IS NOT NULL, "
	"coalesce(extract(epoch FROM now() - r.used_at), 0)::bigint, "
	"r.expires_at > now(), s.revoked_at IS NULL, "
	"encode(s.seed, 'hex'), s.user_id, u.username, u.locked, "
	"CASE WHEN s.expires_at <= now() THEN 'max_age' "
	"WHEN s.last_used_at + make_interval(secs => $2::integer) <= now() "
	"THEN 'idle' END, s.mfa "
	"FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id "
	"JOIN users u ON u.id = s.user_id "
	"WHERE r.token_hash = decode($1, 'hex') FOR UPDATE OF r",
	2, 0
};

static const struct db_stmt session_rotate = {
	"session_rotate",
	"WITH used AS (UPDATE refresh_tokens SET used_at = now() "
	"WHERE token_hash = decode($1, 'hex') AND used_at IS NULL "
	"RETURNING session_id), "
	"child AS (INSERT INTO refresh_tokens (token_hash, session_id, "
	"generation, expires_at, secret_id) SELECT decode($2, 'hex'), "
	"used.session_id, $3::integer, least(s.expires_at, now() + "
	"make_interval(secs => $4::integer)), $5 FROM used JOIN sessions s "
	"ON s.id = used.session_id RETURNING session_id, expires_at) "
	"UPDATE sessions SET last_used_at = now() "
	"FROM child WHERE sessions.id = child.session_id "
	"RETURNING extract(epoch FROM child.expires_at - now())::bigint",
	5, 0
};

static const struct db_stmt session_child = {
	"session_child",
	"SELECT used_at IS NULL AND expires_at > now(), "
	"extract(epoch FROM expires_at - now())::bigint, "
	"coalesce(secret_id, '') FROM refresh_tokens WHERE session_id = $1 AND generation = "
	"$2::integer",
	2, 0
};

static const struct db_stmt session_revoke = {
	"session_revoke",
	"UPDATE sessions SET revoked_at = now(), revoke_reason = $2 "
	"WHERE id = $1 AND revoked_at IS NULL",
	2, DB_REVOKES
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
static const char *
session_secret_id(const struct config *cfg)
{
	return cfg->secret_id[0] != '\0' ? cfg->secret_id : NULL;
}

/*
 * Starts a session for user u, logged in through request req (with a
 * second factor when otp is non-zero: RFC 8176 amr): a new
 * session id, seed and refresh token of generation 0.  On JA_OK, s holds
 * the session and rt (rtlen > JA_RT_LEN) the refresh token.  Returns
 * JA_EDB on failure, with nothing written.
 */
int
db_session_create(struct db *db, const struct config *cfg,
    const struct user *u, const struct request *req, int otp,
    struct session *s, char *rt, size_t rtlen)
{
	unsigned char	 seed[REFRESH_SEED_LEN];
	char		 seedhex[REFRESH_SEED_LEN * 2 + 1], hash[65];
	char		 ttl[32], maxage[32];
	char		 ua[LOG_UA_MAX], ip[LOG_IP_MAX];
	const char	*params[10];
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
	params[8] = session_secret_id(cfg);
	params[9] = otp ? "true" : "false";
	s->otp = otp != 0;
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

/* Revokes session sid for reason (inside the caller's transaction). */
static int
session_revoke_id(struct db *db, const char *sid, const char *reason)
{
	const char	*params[2] = { sid, reason };
	PGresult	*res;

	if ((res = db_exec(db, &session_revoke, params)) == NULL)
		return JA_EDB;
	PQclear(res);
	return JA_OK;
}

/*
 * Inside the grace window, a token already rotated gets its child again
 * (derived, never stored), if that child is still the live one.  The
 * child is derived with the secret that derived it, current or old, by
 * the version stored with it: a rotation of the secret does not change
 * the answer; once that secret is dropped, the grace ends.
 */
static int
session_grace(struct db *db, const struct config *cfg,
    const unsigned char *seed, long gen, struct session *s, char *rt,
    size_t rtlen)
{
	const unsigned char *key;
	const char	*params[2];
	char		 g[32];
	PGresult	*res;
	size_t		 keylen;
	int		 rc = JA_EAUTH;

	snprintf(g, sizeof(g), "%ld", gen + 1);
	params[0] = s->id;
	params[1] = g;
	if ((res = db_exec(db, &session_child, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't' &&
	    secret_find(cfg, PQgetvalue(res, 0, 2), &key, &keylen) == JA_OK &&
	    refresh_derive_with(key, keylen, seed, s->id, gen + 1, rt,
	    rtlen) == JA_OK) {
		s->refresh_expires_in = strtol(PQgetvalue(res, 0, 1), NULL,
		    10);
		rc = JA_OK;
	}
	PQclear(res);
	return rc;
}

/*
 * Rotates refresh token token: marks it used and issues the next
 * generation into rt.  A token rotated less than refresh_grace seconds
 * ago gets the same child again (concurrent tabs, retries).  A token
 * rotated before that is taken as stolen (RFC 9700 §4.14.2): the whole
 * session is revoked and audited.  A session past session_max_age or
 * idle for session_idle_timeout ends here too.  Returns JA_OK with s
 * filled, JA_EAUTH for any invalid, expired, reused or revoked token, or
 * JA_EDB.  req (may be NULL) is for the audit row.
 */
int
db_session_rotate(struct db *db, const struct config *cfg, const char *token,
    const struct request *req, struct session *s, char *rt, size_t rtlen)
{
	unsigned char	 seed[REFRESH_SEED_LEN];
	char		 hash[65], childhash[65], g[32], ttl[32], idle[32];
	char		 ended[16];
	const char	*params[5];
	PGresult	*res = NULL;
	long		 gen, used_ago;
	int		 used, live, open_session, rc = JA_EDB;
	size_t		 seedlen;

	memset(s, 0, sizeof(*s));
	if (!refresh_shape_ok(token))
		return JA_EAUTH;
	if (refresh_hash(token, hash, sizeof(hash)) != JA_OK)
		return JA_EAUTH;
	if (db_begin(db) != JA_OK)
		return JA_EDB;
	params[0] = hash;
	snprintf(idle, sizeof(idle), "%ld", cfg->session_idle_timeout);
	params[1] = idle;
	if ((res = db_exec(db, &session_lock_token, params)) == NULL)
		goto out;
	if (PQntuples(res) != 1) {
		rc = JA_EAUTH;
		goto out;
	}
	snprintf(s->id, sizeof(s->id), "%s", PQgetvalue(res, 0, 0));
	gen = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	used = PQgetvalue(res, 0, 2)[0] == 't';
	used_ago = strtol(PQgetvalue(res, 0, 3), NULL, 10);
	live = PQgetvalue(res, 0, 4)[0] == 't' &&
	    PQgetvalue(res, 0, 5)[0] == 't' &&
	    PQgetvalue(res, 0, 9)[0] != 't';
	if (sodium_hex2bin(seed, sizeof(seed), PQgetvalue(res, 0, 6),
	    strlen(PQgetvalue(res, 0, 6)), NULL, &seedlen, NULL) != 0 ||
	    seedlen != sizeof(seed))
		goto out;
	snprintf(s->user_id, sizeof(s->user_id), "%s",
	    PQgetvalue(res, 0, 7));
	snprintf(s->username, sizeof(s->username), "%s",
	    PQgetvalue(res, 0, 8));
	snprintf(ended, sizeof(ended), "%s", PQgetvalue(res, 0, 10));
	s->otp = PQgetvalue(res, 0, 11)[0] == 't';
	open_session = PQgetvalue(res, 0, 5)[0] == 't';
	PQclear(res);
	res = NULL;

	/* A session past its limits ends, and says why, whether or not
	 * this token also expired with it. */
	if (ended[0] != '\0' && open_session) {
		if (session_revoke_id(db, s->id, ended) != JA_OK)
			goto out;
		db_audit(db, "session_end", s->user_id, s->username, s->id,
		    req, ended);
		event_log("session_end", req, s->username, s->id, "reason",
		    ended, NULL, NULL);
		rc = JA_EAUTH;
		goto out;
	}
	if (!live) {
		rc = JA_EAUTH;
		goto out;
	}
	if (used) {
		if (used_ago < cfg->refresh_grace) {
			rc = session_grace(db, cfg, seed, gen, s, rt, rtlen);
			goto out;
		}
		event_log("refresh_reuse", req, s->username, s->id, "action",
		    "session_revoked", NULL, NULL);
		if (session_revoke_id(db, s->id, "reuse") != JA_OK)
			goto out;
		db_audit(db, "refresh_reuse", s->user_id, s->username, s->id,
		    req, "session revoked");
		rc = JA_EAUTH;
		goto out;
	}
	if (refresh_derive(cfg, seed, s->id, gen + 1, rt, rtlen) != JA_OK ||
	    refresh_hash(rt, childhash, sizeof(childhash)) != JA_OK)
		goto out;
	snprintf(g, sizeof(g), "%ld", gen + 1);
	snprintf(ttl, sizeof(ttl), "%ld", cfg->refresh_ttl);
	params[0] = hash;
	params[1] = childhash;
	params[2] = g;
	params[3] = ttl;
	params[4] = session_secret_id(cfg);
	if ((res = db_exec(db, &session_rotate, params)) == NULL)
		goto out;
	if (PQntuples(res) == 1) {
		s->refresh_expires_in = strtol(PQgetvalue(res, 0, 0), NULL,
		    10);
		rc = JA_OK;
	}
out:
	PQclear(res);
	sodium_memzero(seed, sizeof(seed));
	if (rc == JA_OK || rc == JA_EAUTH) {
		if (db_commit(db) != JA_OK)
			rc = JA_EDB;
	} else
		db_rollback(db);
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
