/*
 * pwslot.c: at most pwhash_concurrency argon2id computations at once on
 * this host, across every process (they share no memory): each holds one
 * of that many PostgreSQL advisory locks (pg_try_advisory_lock) while it
 * hashes.  A lock is tied to the database connection, so a process that
 * dies frees its slot.  When every slot is taken the caller answers 503
 * with Retry-After at once (answer.c, OUT_BUSY): a flood of logins queues
 * nowhere and cannot take every CPU from the checks of protected pages,
 * which run in processes of their own (main.c, -r).
 *
 * The lock key is (PWSLOT_CLASS ^ a hash of the host name, slot), so
 * several web servers on one database each get their own slots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "jwtauth.h"

#define PWSLOT_CLASS	0x6a770000	/* "jw" in the high half */

static const struct db_stmt pwslot_take = {
	"pwslot_take",
	"SELECT s FROM generate_series(0, $2::integer - 1) s "
	"WHERE pg_try_advisory_lock($1::integer, s) LIMIT 1",
	2, DB_RETRY
};

static const struct db_stmt pwslot_give = {
	"pwslot_give",
	"SELECT pg_advisory_unlock($1::integer, $2::integer)",
	2, 0
};

/* The first half of the lock key: this host's, the same every call. */
static const char *
pwslot_class(void)
{
	static char	 key[16];
	char		 host[256];
	uint32_t	 h = 2166136261u;	/* FNV-1a */
	size_t		 i;

	if (key[0] != '\0')
		return key;
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	for (i = 0; host[i] != '\0'; i++)
		h = (h ^ (unsigned char)host[i]) * 16777619u;
	snprintf(key, sizeof(key), "%d", (int)(PWSLOT_CLASS ^ (h & 0xffff)));
	return key;
}

/*
 * Takes a hashing slot.  Returns JA_OK with it in *slot (give it back
 * with pwslot_leave), JA_EBUSY when all pwhash_concurrency slots are
 * taken, or JA_EDB.
 */
int
pwslot_enter(struct db *db, const struct config *cfg, int *slot)
{
	char		 n[16];
	const char	*params[2];
	PGresult	*res;
	int		 rc = JA_EBUSY;

	*slot = -1;
	snprintf(n, sizeof(n), "%ld", cfg->pwhash_concurrency);
	params[0] = pwslot_class();
	params[1] = n;
	if ((res = db_exec(db, &pwslot_take, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1) {
		*slot = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
		rc = JA_OK;
	}
	metrics_count(rc == JA_OK ? METRIC_PWHASH_GRANTED :
	    METRIC_PWHASH_BUSY);
	PQclear(res);
	return rc;
}

/*
 * Gives slot back (nothing when it is -1).  A failure is only logged:
 * the lock goes with the connection in any case.
 */
void
pwslot_leave(struct db *db, int slot)
{
	char		 n[16];
	const char	*params[2];
	PGresult	*res;

	if (slot < 0)
		return;
	snprintf(n, sizeof(n), "%d", slot);
	params[0] = pwslot_class();
	params[1] = n;
	if ((res = db_exec(db, &pwslot_give, params)) == NULL)
		log_msg("password hashing slot %d not released", slot);
	PQclear(res);
}
