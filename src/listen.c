/*
 * listen.c: jwtauth.fcgi -l, the host's revocation listener.  It holds
 * the only LISTEN connection of the deployment on this host (its own,
 * direct to PostgreSQL: listen_database, else database; a LISTEN cannot
 * go through a transaction pool) and copies every notification of the
 * revocation triggers (sql/003_notify.sql) into the ring in shared
 * memory that every process reads before each decision (revring.c,
 * revcache.c).
 *
 * Who starts it: the first process of the service that needs it and
 * finds none live (revcache.c, revring_spawn); a second one finds the
 * lock taken and ends at once.  It ends by itself when its connection
 * is lost (the processes start a new one, which loads afresh) and when
 * no process has read the ring for LISTEN_IDLE ms (the web server was
 * stopped).  While there is none, every process checks each request
 * against the database.
 *
 * The loop: wait up to LISTEN_POLL ms for the connection; when the
 * host's revocation count (metrics_revoked) moved, or a second has
 * passed, make a round trip (PostgreSQL delivers what was notified
 * before it answers), copy what arrived, then publish the count read
 * before the round trip as synced: every revocation counted by then was
 * committed before, so its notification is in the ring.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "jwtauth.h"

#define LISTEN_CHANNEL	"jwtauth_revoke"
#define LISTEN_POLL	20		/* ms between looks at the count */
#define LISTEN_PING	1000		/* ms between round trips when idle */
#define LISTEN_IDLE	60000		/* ms without readers: end */

static volatile sig_atomic_t	 listen_stop;

static void
listen_on_signal(int sig)
{
	(void)sig;
	listen_stop = 1;
}

/* Copies one notification into the ring; one too long forces reloads. */
static void
listen_copy(const char *channel, const char *payload, void *arg)
{
	struct revring	*r = arg;

	if (strcmp(channel, LISTEN_CHANNEL) != 0)
		return;
	if (revring_put(r, payload) != 0) {
		log_msg("revocation listener: a notification too long for "
		    "the ring; every process reloads");
		revring_state(r, 1);
	}
}

/*
 * One round trip on db (see above), what arrived copied into r, then
 * count published as synced.  Returns JA_OK or JA_EDB (connection lost).
 */
static int
listen_sync(struct db *db, struct revring *r, uint64_t count)
{
	if (db_run(db, "SELECT 1") != JA_OK ||
	    db_notifies(db, listen_copy, r) != JA_OK)
		return JA_EDB;
	revring_beat(r, count);
	return JA_OK;
}

/*
 * Waits up to LISTEN_POLL ms for something from the server, then copies
 * what arrived.  Returns JA_OK or JA_EDB (connection lost).
 */
static int
listen_wait(struct db *db, struct revring *r)
{
	struct pollfd	 pfd;

	pfd.fd = db_socket(db);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (pfd.fd < 0)
		return JA_EDB;
	if (poll(&pfd, 1, LISTEN_POLL) < 0 && errno != EINTR)
		return JA_EDB;
	return db_notifies(db, listen_copy, r);
}

/*
 * Runs the listener for cfg until its connection is lost, it has had no
 * readers for LISTEN_IDLE ms, or SIGTERM/SIGINT.  Returns 0 when it
 * ended normally or another listener runs, 1 on a failure (logged).
 */
int
listen_run(const struct config *cfg)
{
	struct revring	*r = metrics_ring();
	struct db	*db = NULL;
	uint64_t	 count, last = 0;
	int		 rc = 1;

	if (r == NULL || metrics_fd() == -1) {
		log_msg("revocation listener: no shared memory; not started");
		return 1;
	}
	if (revring_claim(metrics_fd()) != 0)
		return 0;	/* another listener runs */
	if (revring_own(r) != 0)
		log_msg("revocation listener: set_robust_list: %s; each check "
		    "asks the kernel whether this listener lives",
		    strerror(errno));
	signal(SIGTERM, listen_on_signal);
	signal(SIGINT, listen_on_signal);
	revring_touch(r);
	if (db_open(&db, cfg->listen_database != NULL ?
	    cfg->listen_database : cfg->database) != JA_OK ||
	    db_run(db, "LISTEN " LISTEN_CHANNEL) != JA_OK)
		goto done;
	count = metrics_revocations();
	if (listen_sync(db, r, count) != JA_OK)
		goto done;
	revring_state(r, 1);
	while (!listen_stop && revring_idle_ms(r) < LISTEN_IDLE) {
		if (listen_wait(db, r) != JA_OK)
			goto done;
		count = metrics_revocations();
		if (count != revring_synced(r) ||
		    revring_now_ms() - last >= LISTEN_PING) {
			last = revring_now_ms();
			if (listen_sync(db, r, count) != JA_OK)
				goto done;
		} else
			revring_beat(r, count);
	}
	rc = 0;
done:
	if (rc != 0)
		log_msg("revocation listener: database connection lost; "
		    "processes check the database until a new one runs");
	revring_state(r, 0);
	db_close(db);
	return rc;
}
