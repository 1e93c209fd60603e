/*
 * db_session.c: sessions, their refresh tokens and the revocation table.
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
	"user_agent, ip) VALUES ($1, $2, decode($3, 'hex'), "
	"now() + make_interval(secs => $4::integer), $5, $6) "
	"RETURNING id, expires_at) "
	"INSERT INTO refresh_tokens (token_hash, session_id, generation, "
	"expires_at) SELECT decode($7, 'hex'), s.id, 0, s.expires_at FROM s "
	"RETURNING extract(epoch FROM expires_at - now())::bigint",
	7, 0
};

static const struct db_stmt session_lock_token = {
	"session_lock_token",
	"SELECT r.session_id, r.generation, r.used_at IS NOT NULL, "
	"coalesce(extract(epoch FROM now() - r.used_at), 0)::bigint, "
	"r.expires_at > now(), s.revoked_at IS NULL, "
	"encode(s.seed, 'hex'), s.user_id, u.username, u.locked "
	"FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id "
	"JOIN users u ON u.id = s.user_id "
	"WHERE r.token_hash = decode($1, 'hex') FOR UPDATE OF r",
	1, 0
};

static const struct db_stmt session_rotate = {
	"session_rotate",
	"WITH used AS (UPDATE refresh_tokens SET used_at = now() "
	"WHERE token_hash = decode($1, 'hex') AND used_at IS NULL "
	"RETURNING session_id), "
	"child AS (INSERT INTO refresh_tokens (token_hash, session_id, "
	"generation, expires_at) SELECT decode($2, 'hex'), session_id, "
	"$3::integer, now() + make_interval(secs => $4::integer) FROM used "
	"RETURNING session_id, expires_at) "
	"UPDATE sessions SET last_used_at = now(), "
	"expires_at = greatest(sessions.expires_at, child.expires_at) "
	"FROM child WHERE sessions.id = child.session_id "
	"RETURNING extract(epoch FROM child.expires_at - now())::bigint",
	4, 0
};

static const struct db_stmt session_child = {
	"session_child",
	"SELECT used_at IS NULL AND expires_at > now(), "
	"extract(epoch FROM expires_at - now())::bigint "
	"FROM refresh_tokens WHERE session_id = $1 AND generation = "
	"$2::integer",
	2, 0
};

static const struct db_stmt session_revoke = {
	"session_revoke",
	"UPDATE sessions SET revoked_at = now() WHERE id = $1 "
	"AND revoked_at IS NULL",
	1, 0
};

/* The check on every protected request: one round trip. */
static const struct db_stmt session_check = {
	"session_check",
	"SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id "
	"WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL "
	"AND NOT u.locked AND NOT EXISTS "
	"(SELECT 1 FROM revoked_tokens WHERE jti = $3)",
	3, 1
};

static const struct db_stmt session_end = {
	"session_end",
	"WITH s AS (UPDATE sessions SET revoked_at = now() WHERE id = $1 "
	"AND revoked_at IS NULL RETURNING id) "
	"INSERT INTO revoked_tokens (jti, session_id, expires_at) "
	"VALUES ($2, $1, to_timestamp($3::bigint)) ON CONFLICT DO NOTHING",
	3, 0
};

static const struct db_stmt session_end_by_refresh = {
	"session_end_by_refresh",
	"UPDATE sessions SET revoked_at = now() WHERE id = "
	"(SELECT session_id FROM refresh_tokens WHERE token_hash = "
	"decode($1, 'hex') AND used_at IS NULL AND expires_at > now()) "
	"AND revoked_at IS NULL",
	1, 0
};

/* Copies a request header value for storage: printable ASCII, bounded. */
static void
session_clean(char *dst, size_t len, const char *src)
{
	log_escape(dst, len, src != NULL ? src : "");
}

/*
 * Starts a session for user u, logged in through request req: a new
 * session id, seed and refresh token of generation 0.  On JA_OK, s holds
 * the session and rt (rtlen > JA_RT_LEN) the refresh token.  Returns
 * JA_EDB on failure, with nothing written.
 */
int
db_session_create(struct db *db, const struct config *cfg,
    const struct user *u, const struct request *req, struct session *s,
    char *rt, size_t rtlen)
{
	unsigned char	 seed[REFRESH_SEED_LEN];
	char		 seedhex[REFRESH_SEED_LEN * 2 + 1], hash[65];
	char		 ttl[32], ua[300], ip[64];
	const char	*params[7];
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
	session_clean(ua, sizeof(ua), req ? req->user_agent : NULL);
	session_clean(ip, sizeof(ip), req ? req->remote_addr : NULL);
	params[0] = s->id;
	params[1] = u->id;
	params[2] = seedhex;
	params[3] = ttl;
	params[4] = ua;
	params[5] = ip;
	params[6] = hash;
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

/* Revokes session sid (inside the caller's transaction). */
static int
session_revoke_id(struct db *db, const char *sid)
{
	const char	*params[1] = { sid };
	PGresult	*res;

	if ((res = db_exec(db, &session_revoke, params)) == NULL)
		return JA_EDB;
	PQclear(res);
	return JA_OK;
}

/*
 * Inside the grace window, a token already rotated gets its child again
 * (derived, never stored), if that child is still the live one.
 */
static int
session_grace(struct db *db, const struct config *cfg,
    const unsigned char *seed, long gen, struct session *s, char *rt,
    size_t rtlen)
{
	const char	*params[2];
	char		 g[32];
	PGresult	*res;
	int		 rc = JA_EAUTH;

	snprintf(g, sizeof(g), "%ld", gen + 1);
	params[0] = s->id;
	params[1] = g;
	if ((res = db_exec(db, &session_child, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't' &&
	    refresh_derive(cfg, seed, s->id, gen + 1, rt, rtlen) == JA_OK) {
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
 * session is revoked.  Returns JA_OK with s filled, JA_EAUTH for any
 * invalid, expired, reused or revoked token, or JA_EDB.
 */
int
db_session_rotate(struct db *db, const struct config *cfg, const char *token,
    struct session *s, char *rt, size_t rtlen)
{
	unsigned char	 seed[REFRESH_SEED_LEN];
	char		 hash[65], childhash[65], g[32], ttl[32];
	const char	*params[4];
	PGresult	*res = NULL;
	long		 gen, used_ago;
	int		 used, live, rc = JA_EDB;
	size_t		 seedlen;

	memset(s, 0, sizeof(*s));
	if (!refresh_shape_ok(token))
		return JA_EAUTH;
	if (refresh_hash(token, hash, sizeof(hash)) != JA_OK)
		return JA_EAUTH;
	if (db_begin(db) != JA_OK)
		return JA_EDB;
	params[0] = hash;
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
	PQclear(res);
	res = NULL;

	if (!live) {
		rc = JA_EAUTH;
		goto out;
	}
	if (used) {
		if (used_ago < cfg->refresh_grace) {
			rc = session_grace(db, cfg, seed, gen, s, rt, rtlen);
			goto out;
		}
		log_msg("refresh token reuse: session %s revoked", s->id);
		if (session_revoke_id(db, s->id) != JA_OK)
			goto out;
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
 * Ends the session of access token c and puts its jti in the revocation
 * table until its exp.  Returns JA_OK or JA_EDB.
 */
int
db_session_end(struct db *db, const struct claims *c)
{
	char		 exp[32];
	const char	*params[3] = { c->sid, c->jti, exp };
	PGresult	*res;

	snprintf(exp, sizeof(exp), "%lld", (long long)c->exp);
	if ((res = db_exec(db, &session_end, params)) == NULL)
		return JA_EDB;
	PQclear(res);
	return JA_OK;
}

/*
 * Ends the session whose live refresh token is token.  Returns JA_OK,
 * JA_ENOTFOUND (no live token of that value), or JA_EDB.
 */
int
db_session_end_by_refresh(struct db *db, const char *token)
{
	char		 hash[65];
	const char	*params[1] = { hash };
	PGresult	*res;
	int		 rc;

	if (!refresh_shape_ok(token) ||
	    refresh_hash(token, hash, sizeof(hash)) != JA_OK)
		return JA_ENOTFOUND;
	if ((res = db_exec(db, &session_end_by_refresh, params)) == NULL)
		return JA_EDB;
	rc = strcmp(PQcmdTuples(res), "0") == 0 ? JA_ENOTFOUND : JA_OK;
	PQclear(res);
	return rc;
}
