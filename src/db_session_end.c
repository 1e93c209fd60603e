/*
 * db_session_end.c: ending sessions and listing the live ones: logout
 * (with the access token's jti in the revocation table), the account's
 * and authctl's revocations, each with its audit row in the same
 * statement, and the list of a user's live sessions.  The sessions
 * themselves, their refresh chains and their checks are db_session.c's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <libpq-fe.h>

#include "jwtauth.h"

/*
 * Logout (scope local, others or global) of the user's sessions, with
 * the access token's jti (if any) revoked until its exp, and an audit
 * row, in one statement: all of it happens or none.
 */
static const struct db_stmt session_logout = {
	"session_logout",
	"WITH ended AS (UPDATE sessions SET revoked_at = now(), "
	"revoke_reason = 'logout_' || $3 WHERE user_id = $2 AND "
	"revoked_at IS NULL AND CASE $3 WHEN 'local' THEN id = $1 "
	"WHEN 'others' THEN id <> $1 ELSE true END RETURNING id), "
	"jti AS (INSERT INTO revoked_tokens (jti, session_id, expires_at) "
	"SELECT $4::text, $1, to_timestamp($5::bigint) WHERE $4::text IS "
	"NOT NULL AND $3 <> 'others' ON CONFLICT DO NOTHING RETURNING 1), "
	"a AS (INSERT INTO audit (event, user_id, session_id, ip, "
	"user_agent, detail) VALUES ('logout', $2, $1, $6, $7, $3 || ': ' || "
	"(SELECT count(*) FROM ended) || ' session(s) ended')) "
	"SELECT count(*) FROM ended",
	7, DB_REVOKES
};

/* Ends sessions of a user by admin or account action, with audit. */
static const struct db_stmt session_revoke_user = {
	"session_revoke_user",
	"WITH ended AS (UPDATE sessions SET revoked_at = now(), "
	"revoke_reason = $2 FROM users u WHERE u.username = $1 AND "
	"sessions.user_id = u.id AND sessions.revoked_at IS NULL "
	"RETURNING sessions.id), "
	"a AS (INSERT INTO audit (event, user_id, username, detail) "
	"SELECT 'revoke', id, username, $2 || ': ' || "
	"(SELECT count(*) FROM ended) || ' session(s) ended' "
	"FROM users WHERE username = $1) "
	"SELECT count(*) FROM ended",
	2, DB_REVOKES
};

static const struct db_stmt session_revoke_sid = {
	"session_revoke_sid",
	"WITH ended AS (UPDATE sessions SET revoked_at = now(), "
	"revoke_reason = 'admin' WHERE id = $1 AND revoked_at IS NULL "
	"RETURNING id, user_id), "
	"a AS (INSERT INTO audit (event, user_id, session_id, detail) "
	"SELECT 'revoke', user_id, id, 'admin' FROM ended) "
	"SELECT count(*) FROM ended",
	1, DB_REVOKES
};

static const struct db_stmt session_list = {
	"session_list",
	"SELECT s.id, to_char(s.created_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	"to_char(s.last_used_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(s.user_agent, ''), "
	"coalesce(s.ip, ''), s.remembered::text FROM sessions s JOIN users u "
	"ON u.id = s.user_id WHERE (u.id::text = $1 OR u.username = $1) "
	"AND s.revoked_at IS NULL AND s.expires_at > now() "
	"AND s.last_used_at + make_interval(secs => CASE WHEN s.remembered "
	"THEN $2::integer ELSE least($2::integer, $3::integer) END) > now() "
	"ORDER BY s.created_at",
	3, DB_RETRY
};

/*
 * Logs out: scope "local" ends session sid, "others" every other session
 * of user_id, "global" all of them; jti (may be NULL) of the access
 * token presented goes into the revocation table until exp (not for
 * "others", which keeps this session).  Writes an audit row with req.
 * Returns JA_OK or JA_EDB.
 */
int
db_session_logout(struct db *db, const char *sid, const char *user_id,
    const char *scope, const char *jti, int64_t exp,
    const struct request *req)
{
	char		 e[32], ua[LOG_UA_MAX], ip[LOG_IP_MAX];
	const char	*params[7];
	PGresult	*res;

	snprintf(e, sizeof(e), "%lld", (long long)exp);
	log_client(req, ua, ip);
	params[0] = sid;
	params[1] = user_id;
	params[2] = scope;
	params[3] = jti;
	params[4] = e;
	params[5] = ip;
	params[6] = ua;
	if ((res = db_exec(db, &session_logout, params)) == NULL)
		return JA_EDB;
	PQclear(res);
	event_log("logout", req, NULL, sid, "uid", user_id, "scope", scope);
	return JA_OK;
}

/* Runs a revoke statement; *count gets the number of sessions ended. */
static int
session_revoke_run(struct db *db, const struct db_stmt *st,
    const char *const *params, long *count)
{
	PGresult	*res;

	if ((res = db_exec(db, st, params)) == NULL)
		return JA_EDB;
	*count = PQntuples(res) == 1 ? strtol(PQgetvalue(res, 0, 0), NULL,
	    10) : 0;
	PQclear(res);
	return JA_OK;
}

/*
 * Ends every session of username for reason ("password", "lock",
 * "admin"), audited.  Returns JA_OK with the count in *count, or JA_EDB.
 */
int
db_session_revoke_user(struct db *db, const char *username,
    const char *reason, long *count)
{
	const char	*params[2] = { username, reason };

	return session_revoke_run(db, &session_revoke_user, params, count);
}

/* Ends session sid (a UUID), audited.  Returns JA_OK or JA_EDB. */
int
db_session_revoke_sid(struct db *db, const char *sid, long *count)
{
	const char	*params[1] = { sid };

	*count = 0;
	if (!text_is_uuid(sid))
		return JA_OK;
	return session_revoke_run(db, &session_revoke_sid, params, count);
}

/*
 * Calls fn(id, created, last_used, user_agent, ip, remembered ("true"
 * or "false"), arg) for each live session of who (a user id or a username), oldest first.
 */
int
db_session_list(struct db *db, const struct config *cfg, const char *who,
    void (*fn)(const char *const *, void *), void *arg)
{
	char		 idle[32], idle_short[32];
	const char	*params[3] = { who, idle, idle_short };

	snprintf(idle, sizeof(idle), "%ld", cfg->session_idle_timeout);
	snprintf(idle_short, sizeof(idle_short), "%ld",
	    cfg->session_idle_timeout_short);
	return db_rows(db_exec(db, &session_list, params), 6, fn, arg);
}
