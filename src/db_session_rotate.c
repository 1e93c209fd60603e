/*
 * db_session_rotate.c: the rotation of a refresh token (RFC 6749 §6,
 * §10.4; RFC 9700 §4.14.2).  The presented token's row is locked, so
 * that concurrent refreshes of one token yield exactly one child; a
 * token used within refresh_grace seconds gets the same child again, a
 * token used before that is taken as stolen and ends its session; a
 * session past session_max_age or idle too long ends here.  Creating
 * and checking sessions is db_session.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "jwtauth.h"

static const struct db_stmt session_lock_token = {
	"session_lock_token",
	"SELECT r.session_id, r.generation, r.used_at IS NOT NULL, "
	"coalesce(extract(epoch FROM now() - r.used_at), 0)::bigint, "
	"r.expires_at > now(), s.revoked_at IS NULL, "
	"encode(s.seed, 'hex'), s.user_id, u.username, u.locked, "
	"CASE WHEN s.expires_at <= now() THEN 'max_age' "
	"WHEN s.last_used_at + make_interval(secs => CASE WHEN s.remembered "
	"THEN $2::integer ELSE least($2::integer, $3::integer) END) <= now() "
	"THEN 'idle' END, s.mfa, s.remembered, s.passkey, s.pwd_passkey "
	"FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id "
	"JOIN users u ON u.id = s.user_id "
	"WHERE r.token_hash = decode($1, 'hex') FOR UPDATE OF r",
	3, 0
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

/* What the row lock of a presented refresh token found. */
struct rotate_found {
	unsigned char	 seed[REFRESH_SEED_LEN];	/* the session's */
	long		 gen;		/* the token's generation */
	long		 used_ago;	/* seconds since it was used */
	int		 used;		/* rotated before */
	int		 live;		/* unexpired, session open, user not
					 * locked */
	int		 open_session;	/* not revoked */
	char		 ended[16];	/* "max_age", "idle", or "" */
};

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
 * idle for session_idle_timeout (session_idle_timeout_short when not
 * remembered) ends here too.  Returns JA_OK with s
 * filled, JA_EAUTH for any invalid, expired, reused or revoked token, or
 * JA_EDB.  req (may be NULL) is for the audit row.
 */

/*
 * Locks the row of the refresh token whose SHA-256 is hash (FOR UPDATE:
 * concurrent rotations of one token wait for each other) and reads its
 * state into f, its session's id, user and second factor into s.
 * Returns JA_OK, JA_EAUTH when there is no such token, or JA_EDB.
 */
static int
rotate_lock(struct db *db, const struct config *cfg, const char *hash,
    struct rotate_found *f, struct session *s)
{
	char		 idle[32], idle_short[32];
	const char	*params[3] = { hash, idle, idle_short };
	const char	*seedhex;
	PGresult	*res;
	size_t		 seedlen;
	int		 rc = JA_EDB;

	snprintf(idle, sizeof(idle), "%ld", cfg->session_idle_timeout);
	snprintf(idle_short, sizeof(idle_short), "%ld",
	    cfg->session_idle_timeout_short);
	if ((res = db_exec(db, &session_lock_token, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) != 1) {
		rc = JA_EAUTH;
		goto out;
	}
	snprintf(s->id, sizeof(s->id), "%s", PQgetvalue(res, 0, 0));
	f->gen = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	f->used = PQgetvalue(res, 0, 2)[0] == 't';
	f->used_ago = strtol(PQgetvalue(res, 0, 3), NULL, 10);
	f->live = PQgetvalue(res, 0, 4)[0] == 't' &&
	    PQgetvalue(res, 0, 5)[0] == 't' &&
	    PQgetvalue(res, 0, 9)[0] != 't';
	seedhex = PQgetvalue(res, 0, 6);
	if (sodium_hex2bin(f->seed, sizeof(f->seed), seedhex,
	    strlen(seedhex), NULL, &seedlen, NULL) != 0 ||
	    seedlen != sizeof(f->seed))
		goto out;
	snprintf(s->user_id, sizeof(s->user_id), "%s",
	    PQgetvalue(res, 0, 7));
	snprintf(s->username, sizeof(s->username), "%s",
	    PQgetvalue(res, 0, 8));
	snprintf(f->ended, sizeof(f->ended), "%s", PQgetvalue(res, 0, 10));
	s->otp = (PQgetvalue(res, 0, 11)[0] == 't' ? AMR_MFA : 0) |
	    (PQgetvalue(res, 0, 13)[0] == 't' ? AMR_HWK : 0) |
	    (PQgetvalue(res, 0, 14)[0] == 't' ? AMR_PWD : 0);
	s->remembered = PQgetvalue(res, 0, 12)[0] == 't';
	f->open_session = PQgetvalue(res, 0, 5)[0] == 't';
	rc = JA_OK;
out:
	PQclear(res);
	return rc;
}

/*
 * Ends session s, past session_max_age or idle too long (f->ended says
 * which), audited and logged, whether or not the token presented also
 * expired with it.  Returns JA_EAUTH, or JA_EDB when it could not.
 */
static int
rotate_end_session(struct db *db, const struct rotate_found *f,
    const struct session *s, const struct request *req)
{
	if (session_revoke_id(db, s->id, f->ended) != JA_OK)
		return JA_EDB;
	db_audit(db, "session_end", s->user_id, s->username, s->id, req,
	    f->ended);
	event_log("session_end", req, s->username, s->id, "reason",
	    f->ended, NULL, NULL);
	return JA_EAUTH;
}

/*
 * A token rotated before: less than refresh_grace seconds ago, its
 * child again (session_grace: concurrent tabs, retries); else it is
 * taken as stolen (RFC 9700 §4.14.2) and session s is revoked, audited
 * and logged.  Returns JA_OK with the child in rt, JA_EAUTH, or JA_EDB.
 */
static int
rotate_reused(struct db *db, const struct config *cfg,
    const struct rotate_found *f, struct session *s,
    const struct request *req, char *rt, size_t rtlen)
{
	if (f->used_ago < cfg->refresh_grace)
		return session_grace(db, cfg, f->seed, f->gen, s, rt, rtlen);
	event_log("refresh_reuse", req, s->username, s->id, "action",
	    "session_revoked", NULL, NULL);
	if (session_revoke_id(db, s->id, "reuse") != JA_OK)
		return JA_EDB;
	db_audit(db, "refresh_reuse", s->user_id, s->username, s->id, req,
	    "session revoked");
	return JA_EAUTH;
}

/*
 * Marks the token whose SHA-256 is hash used and stores its child, of
 * generation f->gen + 1, derived into rt (rtlen bytes).  Returns JA_OK
 * with s->refresh_expires_in set, or JA_EDB.
 */
static int
rotate_issue(struct db *db, const struct config *cfg, const char *hash,
    const struct rotate_found *f, struct session *s, char *rt,
    size_t rtlen)
{
	char		 childhash[65], g[32], ttl[32];
	const char	*params[5];
	PGresult	*res;
	int		 rc = JA_EDB;

	if (refresh_derive(cfg, f->seed, s->id, f->gen + 1, rt, rtlen) !=
	    JA_OK || refresh_hash(rt, childhash, sizeof(childhash)) != JA_OK)
		return JA_EDB;
	snprintf(g, sizeof(g), "%ld", f->gen + 1);
	snprintf(ttl, sizeof(ttl), "%ld", cfg->refresh_ttl);
	params[0] = hash;
	params[1] = childhash;
	params[2] = g;
	params[3] = ttl;
	params[4] = db_session_secret_id(cfg);
	if ((res = db_exec(db, &session_rotate, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1) {
		s->refresh_expires_in = strtol(PQgetvalue(res, 0, 0), NULL,
		    10);
		rc = JA_OK;
	}
	PQclear(res);
	return rc;
}

/*
 * Rotates refresh token token: marks it used and issues the next
 * generation into rt, in one transaction: rotate_lock, then one of
 * rotate_end_session, rotate_reused or rotate_issue.  Returns JA_OK
 * with s filled, JA_EAUTH for any invalid, expired, reused or revoked
 * token (what was ended is committed), or JA_EDB (rolled back).  req
 * (may be NULL) is for the audit row.  rt is wiped unless JA_OK.
 */
int
db_session_rotate(struct db *db, const struct config *cfg, const char *token,
    const struct request *req, struct session *s, char *rt, size_t rtlen)
{
	struct rotate_found	 f;
	char			 hash[65];
	int			 rc;

	memset(s, 0, sizeof(*s));
	memset(&f, 0, sizeof(f));
	if (!refresh_shape_ok(token))
		return JA_EAUTH;
	if (refresh_hash(token, hash, sizeof(hash)) != JA_OK)
		return JA_EAUTH;
	if (db_begin(db) != JA_OK)
		return JA_EDB;
	if ((rc = rotate_lock(db, cfg, hash, &f, s)) != JA_OK)
		;	/* no such token, or no answer */
	else if (f.ended[0] != '\0' && f.open_session)
		rc = rotate_end_session(db, &f, s, req);
	else if (!f.live)
		rc = JA_EAUTH;
	else if (f.used)
		rc = rotate_reused(db, cfg, &f, s, req, rt, rtlen);
	else
		rc = rotate_issue(db, cfg, hash, &f, s, rt, rtlen);
	sodium_memzero(&f, sizeof(f));
	if (rc == JA_OK || rc == JA_EAUTH) {
		if (db_commit(db) != JA_OK)
			rc = JA_EDB;
	} else
		db_rollback(db);
	if (rc != JA_OK)
		sodium_memzero(rt, rtlen);
	return rc;
}
