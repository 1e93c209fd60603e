/*
 * db_purge.c: keeps the revocation table and the session tables small.
 * A row goes once the token it stands for could no longer be accepted
 * anyway: a revoked jti after its exp plus the leeway; a session ended
 * or past its absolute end, together with its refresh tokens (a missing
 * session is a rejection, so this never lets a token through); refresh
 * tokens past their own expiry; audit rows past audit_max_age; login
 * throttle counts past throttle_window; mailed links past their
 * expiry; accounts signed up and not verified within PENDING_MAX; known
 * browsers not seen for audit_max_age.  Each
 * call deletes at most one batch of each, so serving is never held up.
 */
#include <stdio.h>
#include <stdlib.h>

#include <libpq-fe.h>

#include "jwtauth.h"

static const struct db_stmt purge_revoked = {
	"purge_revoked",
	"DELETE FROM revoked_tokens WHERE jti = ANY(ARRAY("
	"SELECT jti FROM revoked_tokens WHERE expires_at < "
	"now() - make_interval(secs => $1::integer) LIMIT $2::integer))",
	2, 0
};

/*
 * Not DB_REVOKES although its DELETE notifies: it removes only sessions
 * already revoked or past their end, whose tokens are refused anyway, and
 * a purge batch must not cost every process a round trip.
 */
static const struct db_stmt purge_sessions = {
	"purge_sessions",
	"DELETE FROM sessions WHERE id = ANY(ARRAY("
	"SELECT id FROM sessions WHERE revoked_at < "
	"now() - make_interval(secs => $1::integer) UNION ALL "
	"SELECT id FROM sessions WHERE expires_at < "
	"now() - make_interval(secs => $1::integer) LIMIT $2::integer))",
	2, 0
};

static const struct db_stmt purge_refresh = {
	"purge_refresh",
	"DELETE FROM refresh_tokens WHERE token_hash = ANY(ARRAY("
	"SELECT token_hash FROM refresh_tokens WHERE expires_at < "
	"now() - make_interval(secs => $1::integer) LIMIT $2::integer))",
	2, 0
};

static const struct db_stmt purge_audit = {
	"purge_audit",
	"DELETE FROM audit WHERE id = ANY(ARRAY("
	"SELECT id FROM audit WHERE at < "
	"now() - make_interval(secs => $1::integer) LIMIT $2::integer))",
	2, 0
};

/* Throttle counts past their window (throttle.c) and not blocked. */
static const struct db_stmt purge_throttle = {
	"purge_throttle",
	"DELETE FROM throttle WHERE (kind, key) IN ("
	"SELECT kind, key FROM throttle WHERE last_failure < "
	"now() - make_interval(secs => $1::integer) AND "
	"(blocked_until IS NULL OR blocked_until < now()) LIMIT $2::integer)",
	2, 0
};

/* Mailed links past their expiry (db_reset.c; a used one is gone). */
static const struct db_stmt purge_account_tokens = {
	"purge_account_tokens",
	"DELETE FROM account_tokens WHERE token_hash IN ("
	"SELECT token_hash FROM account_tokens WHERE expires_at < "
	"now() - make_interval(secs => $1::integer) LIMIT $2::integer)",
	2, 0
};

/*
 * Accounts signed up and never verified (db_signup.c), with their links.
 * The outer condition again: a row verified while the statement waited
 * for its lock is seen as it is then, the subquery's answer is not.
 */
static const struct db_stmt purge_pending = {
	"purge_pending",
	"DELETE FROM users WHERE id IN ("
	"SELECT id FROM users WHERE pending_since < "
	"now() - make_interval(secs => $1::integer) LIMIT $2::integer) "
	"AND pending_since < now() - make_interval(secs => $1::integer)",
	2, 0
};

/* Browsers a user has not signed in from for audit_max_age (db_known.c). */
static const struct db_stmt purge_known = {
	"purge_known",
	"DELETE FROM known_browsers WHERE (user_id, browser_hash) IN ("
	"SELECT user_id, browser_hash FROM known_browsers WHERE last_seen < "
	"now() - make_interval(secs => $1::integer) LIMIT $2::integer)",
	2, 0
};

static int
purge_one(struct db *db, const struct db_stmt *st, long secs, long batch,
    long *deleted)
{
	char		 s[32], b[32];
	const char	*params[2] = { s, b };
	PGresult	*res;

	snprintf(s, sizeof(s), "%ld", secs);
	snprintf(b, sizeof(b), "%ld", batch);
	if ((res = db_exec(db, st, params)) == NULL)
		return JA_EDB;
	*deleted += strtol(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return JA_OK;
}

/*
 * Deletes up to cfg->purge_batch rows of each kind that can go; adds
 * the number deleted to *deleted.  Returns JA_OK or JA_EDB.
 */
int
db_purge(struct db *db, const struct config *cfg, long *deleted)
{
	long	 grace = cfg->leeway + cfg->access_ttl;

	if (purge_one(db, &purge_revoked, cfg->leeway, cfg->purge_batch,
	    deleted) != JA_OK ||
	    purge_one(db, &purge_sessions, grace, cfg->purge_batch,
	    deleted) != JA_OK ||
	    purge_one(db, &purge_refresh, cfg->leeway, cfg->purge_batch,
	    deleted) != JA_OK ||
	    purge_one(db, &purge_audit, cfg->audit_max_age, cfg->purge_batch,
	    deleted) != JA_OK ||
	    purge_one(db, &purge_throttle, cfg->throttle_window,
	    cfg->purge_batch, deleted) != JA_OK ||
	    purge_one(db, &purge_account_tokens, 0, cfg->purge_batch,
	    deleted) != JA_OK ||
	    purge_one(db, &purge_pending, PENDING_MAX, cfg->purge_batch,
	    deleted) != JA_OK ||
	    purge_one(db, &purge_known, cfg->audit_max_age, cfg->purge_batch,
	    deleted) != JA_OK)
		return JA_EDB;
	return JA_OK;
}
