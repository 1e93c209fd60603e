/*
 * revring.c: the host's revocation ring, in the shared memory object of
 * metrics.c.  One listener per host and deployment (jwtauth.fcgi -l,
 * listen.c) holds the only LISTEN connection and copies each
 * notification into a ring of the last REVRING_SIZE; every process
 * reads the ring before each decision (revcache.c).  A LISTEN cannot go
 * through a transaction pool (PgBouncer, pool_mode = transaction), and
 * one listening connection per host instead of per process keeps the
 * number of PostgreSQL backends independent of the number of processes.
 *
 * The ring has one writer (the listener holds a byte-range lock,
 * REVRING_LOCK, for as long as it runs).  It writes an entry, then
 * publishes seq (release); a reader copies entry i and then checks that
 * seq has not come REVRING_SIZE past i (the entry was overwritten while
 * copied): a reader that fell behind stops trusting its cache.
 *
 * A listener is live while it says so (live), beats at least every
 * second (beat_ms, CLOCK_MONOTONIC milliseconds, the same clock for
 * every process of the host) and is not dead.  Not dead, without a
 * system call on the check's path: owner is a robust futex word
 * (set_robust_list(2), the kernel's robust-futex ABI) that holds the
 * listener's thread id; when the listener dies, however it dies, the
 * kernel sets FUTEX_OWNER_DIED and clears the id in it as the process
 * exits, before its locks are dropped and before it can be reaped.  A
 * listener that could not register the word (owner 0) is checked the
 * older way: its pid holds the listener's lock (F_GETLK, one system
 * call a check; the kernel drops the lock when the process dies).
 * Each listener that
 * starts listening, and each that stops, adds one to epoch: a process
 * whose cache was loaded under another epoch reloads it.  synced is the
 * host's revocation count (metrics_revoked) up to which the ring is
 * complete: a process that finds the count past it checks that request
 * against the database.
 */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/futex.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jwtauth.h"

#define REVRING_STALE	2000	/* ms without a beat: the listener is gone */
#define REVRING_RESPAWN	1000	/* ms between two attempts to start one */

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t
revring_now_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The listener's lock: a write lock on the byte at REVRING_LOCK. */
static void
revring_lock_byte(struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = F_WRLCK;
	fl->l_whence = SEEK_SET;
	fl->l_start = REVRING_LOCK;
	fl->l_len = 1;
}

/*
 * 1 when the process pid holds the listener's lock on the object's
 * descriptor fd (F_GETLK; a dead process holds none, even before it is
 * reaped), else 0.
 */
static int
revring_holds(int fd, uint64_t pid)
{
	struct flock	 fl;

	revring_lock_byte(&fl);
	if (fd == -1 || fcntl(fd, F_GETLK, &fl) != 0)
		return 0;
	return fl.l_type != F_UNLCK && (uint64_t)fl.l_pid == pid;
}

/*
 * 1 when a listener is live (see above: it says so, its beat is fresh,
 * and the kernel has not marked it dead: its owner word holds its pid,
 * or, with no word, its pid holds the listener's lock), else 0.
 */
int
revring_live(const struct revring *r)
{
	uint64_t	 pid, beat;
	uint32_t	 owner;

	if (__atomic_load_n(&r->live, __ATOMIC_ACQUIRE) == 0)
		return 0;
	pid = __atomic_load_n(&r->pid, __ATOMIC_RELAXED);
	beat = __atomic_load_n(&r->beat_ms, __ATOMIC_RELAXED);
	if (pid == 0 || revring_now_ms() - beat > REVRING_STALE)
		return 0;
	owner = __atomic_load_n(&r->owner, __ATOMIC_ACQUIRE);
	if (owner != 0)
		return (owner & FUTEX_OWNER_DIED) == 0 &&
		    (owner & FUTEX_TID_MASK) == pid;
	return revring_holds(metrics_fd(), pid);
}

/* The listener epoch now (see above). */
uint64_t
revring_epoch(const struct revring *r)
{
	return __atomic_load_n(&r->epoch, __ATOMIC_ACQUIRE);
}

/* The number of entries written so far. */
uint64_t
revring_seq(const struct revring *r)
{
	return __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);
}

/* The revocation count up to which the ring is complete. */
uint64_t
revring_synced(const struct revring *r)
{
	return __atomic_load_n(&r->synced, __ATOMIC_ACQUIRE);
}

/*
 * Calls fn(payload, arg) for each entry from *seen to the end and moves
 * *seen past them.  Returns 0, or -1 when entries were lost (the reader
 * fell behind the ring): the caller reloads.
 */
int
revring_read(const struct revring *r, uint64_t *seen,
    void (*fn)(const char *, void *), void *arg)
{
	char		 msg[REVRING_MSG];
	uint64_t	 seq = revring_seq(r), i;

	if (seq < *seen || seq - *seen > REVRING_SIZE)
		return -1;
	for (i = *seen; i < seq; i++) {
		memcpy(msg, r->msg[i % REVRING_SIZE], sizeof(msg));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (revring_seq(r) - i >= REVRING_SIZE)
			return -1;
		msg[sizeof(msg) - 1] = '\0';
		fn(msg, arg);
	}
	*seen = seq;
	return 0;
}

/*
 * The listener's side: appends payload.  Returns 0, or -1 when it does
 * not fit an entry (the caller forces every reader to reload).
 */
int
revring_put(struct revring *r, const char *payload)
{
	uint64_t	 seq = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);
	size_t		 len = strlen(payload);

	if (len >= REVRING_MSG)
		return -1;
	memcpy(r->msg[seq % REVRING_SIZE], payload, len + 1);
	__atomic_store_n(&r->seq, seq + 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * The listener's side: says it is live (live non-zero) or gone, each
 * time under a new epoch; or, with the same state, just beats.
 */
void
revring_state(struct revring *r, int live)
{
	__atomic_store_n(&r->beat_ms, revring_now_ms(), __ATOMIC_RELAXED);
	__atomic_store_n(&r->pid, live ? (uint64_t)getpid() : 0,
	    __ATOMIC_RELAXED);
	__atomic_add_fetch(&r->epoch, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&r->live, live ? 1 : 0, __ATOMIC_RELEASE);
}

/* The listener's side: publishes a beat and count up to which it is. */
void
revring_beat(struct revring *r, uint64_t synced)
{
	__atomic_store_n(&r->beat_ms, revring_now_ms(), __ATOMIC_RELAXED);
	__atomic_store_n(&r->synced, synced, __ATOMIC_RELEASE);
}

/* A process read the ring now: the listener is still wanted. */
void
revring_touch(struct revring *r)
{
	__atomic_store_n(&r->read_ms, revring_now_ms(), __ATOMIC_RELAXED);
}

/* Milliseconds since a process last read the ring. */
uint64_t
revring_idle_ms(const struct revring *r)
{
	return revring_now_ms() - __atomic_load_n(&r->read_ms,
	    __ATOMIC_RELAXED);
}

/*
 * Takes the listener's lock on the object's descriptor fd (a one-byte
 * fcntl lock that the kernel drops when the process dies).  Returns 0,
 * or -1 when another listener holds it.
 */
int
revring_claim(int fd)
{
	struct flock	 fl;

	revring_lock_byte(&fl);
	return fcntl(fd, F_SETLK, &fl) == 0 ? 0 : -1;
}

/*
 * The listener's side, once it holds the lock (revring_claim): makes
 * r->owner its robust futex word, so that the kernel marks it when this
 * process dies, and writes its id there.  The listener is one thread
 * (its thread id is its pid) and locks no robust mutex of its own: the
 * list registered here replaces the C library's, which it never uses.
 * Returns 0, or -1 (owner stays 0: the readers check the lock).
 */
int
revring_own(struct revring *r)
{
	static struct robust_list_head	 head;
	static struct robust_list	 entry;

	__atomic_store_n(&r->owner, 0, __ATOMIC_RELEASE);
	entry.next = &head.list;
	head.list.next = &entry;
	head.futex_offset = (long)((char *)&r->owner - (char *)&entry);
	head.list_op_pending = NULL;
	if (syscall(SYS_set_robust_list, &head, sizeof(head)) != 0)
		return -1;
	__atomic_store_n(&r->owner, (uint32_t)getpid() & FUTEX_TID_MASK,
	    __ATOMIC_RELEASE);
	return 0;
}

/*
 * Closes every descriptor from fd up, where close_range(2) is not
 * there (Linux before 5.9): up to the soft RLIMIT_NOFILE, no
 * descriptor can be above it.  In the forked child: system calls only.
 */
static void
revring_close_from(int fd)
{
	struct rlimit	 rl;
	rlim_t		 i, end = 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		end = rl.rlim_cur;
	for (i = (rlim_t)fd; i < end; i++)
		(void)close((int)i);
}

/* The program revring_spawn() starts with -l; see revring_program(). */
static const char	*revring_exe = "/proc/self/exe";

/*
 * Names the program that revring_spawn() starts as the listener: this
 * program (the default) is jwtauth.fcgi, but inside another one (the
 * Apache module, mod_jwtauth.c) it is the path of jwtauth.fcgi, or NULL
 * to start none: every check is then made against the database until
 * some other process starts a listener.  path is not copied.
 */
void
revring_program(const char *path)
{
	revring_exe = path;
}

/*
 * Starts a listener for the config file cfgpath (the program of
 * revring_program() with -l, detached: its own session, standard input
 * and output on /dev/null) unless one was tried less than
 * REVRING_RESPAWN ms ago on this host.  Returns 1 when this call
 * started one, else 0.  A second listener finds the lock taken and ends
 * (listen.c).
 */
int
revring_spawn(struct revring *r, const char *cfgpath)
{
	uint64_t	 now = revring_now_ms(), last;
	sigset_t	 none;
	pid_t		 pid;
	int		 fd, st;

	if (revring_exe == NULL)
		return 0;
	last = __atomic_load_n(&r->spawned_ms, __ATOMIC_RELAXED);
	if (last != 0 && now - last < REVRING_RESPAWN)
		return 0;
	if (!__atomic_compare_exchange_n(&r->spawned_ms, &last, now, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return 0;
	if ((pid = fork()) == -1) {
		log_msg("revocation listener: fork: %s", strerror(errno));
		return 0;
	}
	if (pid == 0) {
		/* The middle child: a session of its own, then gone. */
		if (setsid() == -1 || fork() != 0)
			_exit(0);
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			(void)dup2(fd, STDIN_FILENO);
			(void)dup2(fd, STDOUT_FILENO);
			if (fd > STDERR_FILENO)
				(void)close(fd);
		}
		/* Nothing else of the parent's: a web server's listening
		 * sockets and pipes must not live on in the listener, nor
		 * the signals its thread blocked (exec keeps the mask). */
		if (close_range(STDERR_FILENO + 1, ~0U, 0) == -1)
			revring_close_from(STDERR_FILENO + 1);
		(void)sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		(void)execl(revring_exe, "jwtauth.fcgi", "-l", "-c",
		    cfgpath, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		continue;
	return 1;
}

/* Waits up to ms milliseconds for a live listener; 1 when there is one. */
int
revring_wait(const struct revring *r, int ms)
{
	for (; ms > 0; ms -= 10) {
		if (revring_live(r))
			return 1;
		(void)usleep(10000);
	}
	return revring_live(r);
}
