/*
 * pwslot.c: at most pwhash_concurrency argon2id computations at once on
 * this host, across every process of the deployment: each holds one of
 * that many byte-range locks (fcntl(2) F_SETLK, one byte per slot past
 * PWSLOT_BASE) on the deployment's shared memory object (metrics.c,
 * metrics_fd) while it hashes.  The kernel drops a process's locks when
 * it dies, so a crash frees its slot; nothing is held in the database,
 * so this works through a transaction pool (PgBouncer), where a
 * session-level advisory lock would not.  When every slot is taken the
 * caller answers 503 with Retry-After at once (answer.c, OUT_BUSY): a
 * flood of logins queues nowhere and cannot take every CPU from the
 * checks of protected pages, which run in processes of their own
 * (main.c, -r).
 *
 * The object is per user and config file, so the slots are shared by
 * every process of one deployment on this host (and several web servers
 * on one database each have their own).  Without the object (shared
 * memory off; logged by metrics_open) there is no limit.
 *
 * A POSIX record lock belongs to the process and is released when the
 * process closes any descriptor of the file: metrics.c keeps its one
 * descriptor open for this.  Forked processes do not inherit the locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "jwtauth.h"

#define PWSLOT_BASE	(1L << 20)	/* byte of slot 0 in the object */

/* Sets (type F_WRLCK) or clears (F_UNLCK) the lock of slot; 0 or -1. */
static int
pwslot_lock(int fd, int slot, short type)
{
	struct flock	 fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = PWSLOT_BASE + slot;
	fl.l_len = 1;
	return fcntl(fd, F_SETLK, &fl);
}

/*
 * Takes a hashing slot.  Returns JA_OK with it in *slot (give it back
 * with pwslot_leave), or JA_EBUSY when all pwhash_concurrency slots are
 * taken.  Without the shared object *slot is -1 and the answer JA_OK.
 * db is not used (kept for the callers' symmetry with the old design).
 */
int
pwslot_enter(struct db *db, const struct config *cfg, int *slot)
{
	int	 fd, i, rc = JA_EBUSY;

	(void)db;
	*slot = -1;
	if ((fd = metrics_fd()) == -1)
		return JA_OK;
	for (i = 0; i < cfg->pwhash_concurrency; i++) {
		if (pwslot_lock(fd, i, F_WRLCK) == 0) {
			*slot = i;
			rc = JA_OK;
			break;
		}
		if (errno != EACCES && errno != EAGAIN) {
			log_msg("password hashing slot: fcntl: %s",
			    strerror(errno));
			break;
		}
	}
	metrics_count(rc == JA_OK ? METRIC_PWHASH_GRANTED :
	    METRIC_PWHASH_BUSY);
	return rc;
}

/* Gives slot back (nothing when it is -1); the process's death would. */
void
pwslot_leave(struct db *db, int slot)
{
	int	 fd;

	(void)db;
	if (slot < 0 || (fd = metrics_fd()) == -1)
		return;
	if (pwslot_lock(fd, slot, F_UNLCK) != 0)
		log_msg("password hashing slot %d not released", slot);
}
