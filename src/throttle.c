/*
 * throttle.c: the login throttle.  Failed sign-ins (a wrong password, an
 * unknown or locked user, a wrong current password at a password change)
 * are counted in PostgreSQL, which every process and every web server
 * shares, per account (the user name as typed, whether it exists or not)
 * and per client address (proxy.c).  From throttle_user_max failures of
 * an account, or throttle_ip_max of an address, each further failure
 * blocks new attempts of that account or address for 1, 2, 4 ...
 * seconds, at most throttle_max_delay: guessing slows to a crawl, while
 * an attacker who knows a user name can keep its owner out of a new
 * sign-in for no more than throttle_max_delay at a time.  Sessions that
 * are already signed in are never affected.  A count is forgotten
 * throttle_window seconds after its last failure; a successful sign-in
 * clears its account's count (not its address's: one good account must
 * not buy an address more guesses).
 *
 * Every guess is counted before it is checked (throttle_take), in one
 * statement per key that the row lock orders, and given back
 * (throttle_refund) when it turns out right: guesses sent at once are
 * counted one by one, so of any number sent together no more than
 * throttle_user_max are checked before the first block, and one per
 * block after it.  This runs before any password hashing, so a
 * throttled guess costs one indexed query.  The answer is 429 with
 * Retry-After (RFC 6585 §4), the same for every account, known or not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "jwtauth.h"

/* "options:" and a client address (struct request's client). */
#define THROTTLE_OPTIONS_KEY	96

/* The longer of the blocks of this account and this address, if any. */
static const struct db_stmt throttle_blocked = {
	"throttle_blocked",
	"SELECT ceil(extract(epoch FROM max(blocked_until) - now()))::bigint "
	"FROM throttle WHERE ((kind = 'user' AND key = $1) OR "
	"(kind = 'ip' AND key = $2)) AND blocked_until > now() "
	"AND last_failure > now() - make_interval(secs => $3::integer) "
	"HAVING max(blocked_until) IS NOT NULL",
	3, DB_RETRY
};

/*
 * A failure counted before the attempt it stands for (throttle_take):
 * one statement, so attempts at once are counted one by one (the row
 * lock orders them); none is counted, and no row comes back, while
 * (kind, key) is blocked.  The count restarts when the last failure is
 * older than the window; from max on, each count starts a block of
 * 2^(count - max) seconds, at most max_delay.  The first statement of a
 * sign-in, so sent again on a new connection when the old one was lost
 * (a database restart): if the lost one had counted, the attempt counts
 * twice, erring on the throttle's side.
 */
static const struct db_stmt throttle_take_one = {
	"throttle_take_one",
	"INSERT INTO throttle AS t (kind, key, failures, blocked_until) "
	"VALUES ($1, $2, 1, CASE WHEN 1 >= $4::integer THEN now() + "
	"make_interval(secs => 1) END) "
	"ON CONFLICT (kind, key) DO UPDATE SET failures = CASE WHEN "
	"t.last_failure > now() - make_interval(secs => $3::integer) "
	"THEN least(t.failures + 1, 1000000) ELSE 1 END, "
	"last_failure = now(), blocked_until = CASE WHEN (CASE WHEN "
	"t.last_failure > now() - make_interval(secs => $3::integer) "
	"THEN least(t.failures + 1, 1000000) ELSE 1 END) >= $4::integer "
	"THEN now() + make_interval(secs => least(power(2, least((CASE WHEN "
	"t.last_failure > now() - make_interval(secs => $3::integer) "
	"THEN least(t.failures + 1, 1000000) ELSE 1 END) - $4::integer, "
	"30)), $5::integer)::integer) ELSE t.blocked_until END "
	"WHERE t.blocked_until IS NULL OR t.blocked_until <= now() OR "
	"t.last_failure <= now() - make_interval(secs => $3::integer) "
	"RETURNING failures",
	5, DB_RETRY
};

/*
 * A failure counted ahead that was none: one less, unblocked below max;
 * a count that comes to nothing is no row (the table holds failures,
 * not every sign-in).  The two parts take disjoint rows.
 */
static const struct db_stmt throttle_refund_one = {
	"throttle_refund_one",
	"WITH gone AS (DELETE FROM throttle WHERE kind = $1 AND key = $2 "
	"AND failures <= 1) "
	"UPDATE throttle SET failures = failures - 1, "
	"blocked_until = CASE WHEN failures - 1 < $3::integer THEN NULL "
	"ELSE blocked_until END WHERE kind = $1 AND key = $2 AND failures > 1",
	3, 0
};

static const struct db_stmt throttle_clear_user = {
	"throttle_clear_user",
	"DELETE FROM throttle WHERE kind = 'user' AND key = $1",
	1, 0
};

/*
 * Is this account or address blocked now?  Returns JA_OK (no),
 * JA_EBUSY with the seconds to wait in *retry (at least 1), or JA_EDB.
 * user may be NULL (only the address is checked).
 */
static int
throttle_check(struct db *db, const struct config *cfg, const char *user,
    const char *ip, long *retry)
{
	char		 window[32];
	const char	*params[3];
	PGresult	*res;
	int		 rc = JA_OK;

	*retry = 0;
	snprintf(window, sizeof(window), "%ld", cfg->throttle_window);
	params[0] = user != NULL ? user : "";
	params[1] = ip != NULL && *ip != '\0' ? ip : "-";
	params[2] = window;
	if ((res = db_exec(db, &throttle_blocked, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1) {
		*retry = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		if (*retry < 1)
			*retry = 1;
		rc = JA_EBUSY;
	}
	PQclear(res);
	return rc;
}

/*
 * Takes one attempt of (kind, key) against max: counts it as a failure
 * first.  Returns 1 if taken (a block began when *began), 0 if blocked,
 * -1 on a database error.
 */
static int
throttle_take_key(struct db *db, const struct config *cfg, const char *kind,
    const char *key, long max, int *began)
{
	char		 window[32], lim[32], delay[32];
	const char	*params[5];
	PGresult	*res;
	long		 n;
	int		 taken;

	snprintf(window, sizeof(window), "%ld", cfg->throttle_window);
	snprintf(lim, sizeof(lim), "%ld", max);
	snprintf(delay, sizeof(delay), "%ld", cfg->throttle_max_delay);
	params[0] = kind;
	params[1] = key;
	params[2] = window;
	params[3] = lim;
	params[4] = delay;
	if ((res = db_exec(db, &throttle_take_one, params)) == NULL)
		return -1;
	taken = PQntuples(res) == 1;
	n = taken ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	if (n == max)
		*began = 1;
	return taken;
}

/*
 * The answer to an attempt of user and ip (either may be NULL) that a
 * block refused: JA_EBUSY with the seconds to wait in *retry (at least
 * 1: the block may have ended since), or JA_EDB.
 */
static int
throttle_busy(struct db *db, const struct config *cfg, const char *user,
    const char *ip, long *retry)
{
	if (throttle_check(db, cfg, user, ip, retry) == JA_EDB)
		return JA_EDB;
	if (*retry < 1)
		*retry = 1;
	return JA_EBUSY;
}

/*
 * For every guess (a password, a second-factor code), whose failure
 * cannot wait for its result or parallel requests would all pass before
 * any failure landed: counts the attempt of user (may be NULL) from ip
 * as a failure before it is made, in one statement per key, or refuses
 * it while blocked.  The caller undoes the count with
 * throttle_refund() when the attempt succeeds, and counts nothing more
 * when it fails.  Returns JA_OK (go on), JA_EBUSY with the seconds to
 * wait in *retry, or JA_EDB.
 */
int
throttle_take(struct db *db, const struct config *cfg, const char *user,
    const char *ip, const struct request *req, long *retry)
{
	int	 began = 0, u = 1, a = 1;

	*retry = 0;
	if (user != NULL && *user != '\0' && (u = throttle_take_key(db, cfg,
	    "user", user, cfg->throttle_user_max, &began)) < 0)
		return JA_EDB;
	if (u == 1 && ip != NULL && *ip != '\0' && (a = throttle_take_key(db,
	    cfg, "ip", ip, cfg->throttle_ip_max, &began)) < 0)
		return JA_EDB;
	if (began) {
		event_log("throttle_block", req, user, NULL, "reason",
		    "too_many_failures", NULL, NULL);
		db_audit(db, "login_throttled", NULL, user, NULL, req, NULL);
	}
	if (u == 1 && a == 1)
		return JA_OK;
	/* The user's attempt was counted but the address's refused. */
	if (u == 1)
		throttle_refund(db, cfg, user, NULL);
	return throttle_busy(db, cfg, user, ip, retry);
}

/*
 * The passkey options that a client's address asks for (route_passkey_
 * login.c): each counted before any work as (ip, "options:ADDRESS")
 * against throttle_ip_max, so that one client cannot fill
 * webauthn_challenges, and apart from the sign-in guesses of that
 * address, so that options asked and never used (a prompt dismissed)
 * block no password sign-in.  Returns JA_OK, JA_EBUSY with the seconds
 * to wait in *retry, or JA_EDB.
 */
int
throttle_options_take(struct db *db, const struct config *cfg,
    const char *ip, long *retry)
{
	char	 key[THROTTLE_OPTIONS_KEY];
	int	 began = 0, rc;

	*retry = 0;
	snprintf(key, sizeof(key), "options:%s", ip != NULL ? ip : "");
	if ((rc = throttle_take_key(db, cfg, "ip", key, cfg->throttle_ip_max,
	    &began)) < 0)
		return JA_EDB;
	if (rc == 1)
		return JA_OK;
	return throttle_busy(db, cfg, NULL, key, retry);
}

/* Gives back the count of throttle_options_take() for ip (a ceremony
 * that succeeded). */
void
throttle_options_refund(struct db *db, const struct config *cfg,
    const char *ip)
{
	char	 key[THROTTLE_OPTIONS_KEY];

	snprintf(key, sizeof(key), "options:%s", ip != NULL ? ip : "");
	throttle_refund(db, cfg, NULL, key);
}

/*
 * Undoes the counts of throttle_take() for user and ip (either may be
 * NULL), lifting a block that count began.
 */
void
throttle_refund(struct db *db, const struct config *cfg, const char *user,
    const char *ip)
{
	char		 lim[32];
	const char	*params[3];
	PGresult	*res;

	if (user != NULL && *user != '\0') {
		snprintf(lim, sizeof(lim), "%ld", cfg->throttle_user_max);
		params[0] = "user";
		params[1] = user;
		params[2] = lim;
		if ((res = db_exec(db, &throttle_refund_one, params)) != NULL)
			PQclear(res);
	}
	if (ip != NULL && *ip != '\0') {
		snprintf(lim, sizeof(lim), "%ld", cfg->throttle_ip_max);
		params[0] = "ip";
		params[1] = ip;
		params[2] = lim;
		if ((res = db_exec(db, &throttle_refund_one, params)) != NULL)
			PQclear(res);
	}
}

/* A successful sign-in of user: its account's count starts again. */
void
throttle_success(struct db *db, const char *user)
{
	const char	*params[1] = { user };
	PGresult	*res;

	if ((res = db_exec(db, &throttle_clear_user, params)) != NULL)
		PQclear(res);
}

static const struct db_stmt throttle_rows = {
	"throttle_rows",
	"SELECT kind, key, failures, to_char(last_failure AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), CASE WHEN blocked_until > now() "
	"THEN ceil(extract(epoch FROM blocked_until - now()))::bigint::text "
	"ELSE '' END FROM throttle WHERE last_failure > now() - "
	"make_interval(secs => $1::integer) ORDER BY kind, key",
	1, DB_RETRY
};

static const struct db_stmt throttle_delete = {
	"throttle_delete",
	"WITH d AS (DELETE FROM throttle WHERE ($1::text IS NULL OR "
	"(kind = $1 AND key = $2)) RETURNING 1) SELECT count(*) FROM d",
	2, 0
};

/*
 * Calls fn(row, arg) for each live count: kind, key, failures, last
 * failure (UTC), seconds blocked ("" when not).  For authctl.
 */
int
throttle_list(struct db *db, const struct config *cfg,
    void (*fn)(const char *const *, void *), void *arg)
{
	char		 window[32];
	const char	*params[1] = { window };

	snprintf(window, sizeof(window), "%ld", cfg->throttle_window);
	return db_rows(db_exec(db, &throttle_rows, params), 5, fn, arg);
}

/*
 * Forgets the count of (kind "user" or "ip", key), or every count when
 * kind is NULL; *count gets the rows removed.  Returns JA_OK or JA_EDB.
 */
int
throttle_clear(struct db *db, const char *kind, const char *key, long *count)
{
	const char	*params[2] = { kind, key };
	PGresult	*res;

	*count = 0;
	if ((res = db_exec(db, &throttle_delete, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1)
		*count = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return JA_OK;
}
