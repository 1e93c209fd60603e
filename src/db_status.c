/*
 * db_status.c: the numbers of authctl status, in one read-only query:
 * users (and how many locked), live sessions (not revoked, not past
 * their absolute end nor idle past session_idle_timeout, or
 * session_idle_timeout_short when not remembered), revoked
 * access tokens not yet expired, and sign-in counts blocked now (user
 * names and addresses).
 */
#include <libpq-fe.h>

#include <stdio.h>

#include "jwtauth.h"

static const struct db_stmt status_counts = {
	"status_counts",
	"SELECT (SELECT count(*) FROM users), "
	"(SELECT count(*) FROM users WHERE locked), "
	"(SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND "
	"expires_at > now() AND last_used_at > now() - "
	"make_interval(secs => CASE WHEN remembered THEN $1::integer ELSE "
	"least($1::integer, $2::integer) END)), "
	"(SELECT count(*) FROM revoked_tokens WHERE expires_at > now()), "
	"(SELECT count(*) FROM throttle WHERE kind = 'user' AND "
	"blocked_until > now()), "
	"(SELECT count(*) FROM throttle WHERE kind = 'ip' AND "
	"blocked_until > now())",
	2, DB_RETRY
};

/*
 * Calls fn(row, arg) once with six counts as text: users, locked users,
 * live sessions, revoked tokens, blocked user names, blocked addresses.
 * Returns JA_OK or JA_EDB.
 */
int
db_status(struct db *db, const struct config *cfg,
    void (*fn)(const char *const *, void *), void *arg)
{
	char		 idle[32], idle_short[32];
	const char	*params[2] = { idle, idle_short };

	snprintf(idle, sizeof(idle), "%ld", cfg->session_idle_timeout);
	snprintf(idle_short, sizeof(idle_short), "%ld",
	    cfg->session_idle_timeout_short);
	return db_rows(db_exec(db, &status_counts, params), 6, fn, arg);
}
