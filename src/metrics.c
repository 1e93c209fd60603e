/*
 * metrics.c: counters of what the service did, shared by all of its
 * processes.  A web server runs many FastCGI processes and a scrape of
 * GET BASE/metrics reaches one of them at random, so per-process
 * counters would be wrong: the counters live in one POSIX shared memory
 * object (shm_open(3), in /dev/shm) of the user the service runs as,
 * named after that user and the config file's real path, mode 0600, and
 * every process adds to them with atomic operations.  They start at zero
 * when the machine boots (Prometheus takes a counter reset in its
 * stride).  Without shared memory the counters are off and the route
 * answers 503; nothing else changes.  route_metrics.c prints them.
 *
 * The object also holds the host's revocation count: a process that has
 * committed a statement that may end access tokens adds one
 * (metrics_revoked, from db.c and db_tx.c), and a process that checks
 * from its revocation cache first asks the database for what has been
 * notified when the count moved (revcache.c).  authctl, run as another user
 * (root), adds to the service's object (metrics_attach) and never makes
 * one.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jwtauth.h"

/* "jwtmetr" and the layout's version, 4 (4: revring.owner). */
#define METRICS_MAGIC	0x6a77746d65747204ULL
/* The same with version 0: one process is zeroing the counters. */
#define METRICS_INIT	0x6a77746d65747200ULL
/* How long others wait for it (10 ms steps) before taking over. */
#define METRICS_WAIT	100

struct metrics_shm {
	uint64_t	 magic;
	uint64_t	 kid_hash;	/* key_id the last start used */
	uint64_t	 revoked;	/* revoking commits (metrics_revoked) */
	uint64_t	 count[METRIC_COUNT];
	struct revring	 ring;		/* revring.c */
};

static struct metrics_shm	*metrics_shm;
static int			 metrics_fdesc = -1;	/* pwslot.c's locks */

/* Both, in metrics_stash()'s box. */
struct metrics_state {
	struct metrics_shm	*shm;
	int			 fdesc;
};

/* The name, help and label of every counter, in enum metric order. */
const struct metrics_desc metrics_descs[METRIC_COUNT] = {
	{ "jwtauth_logins_total", "Login attempts by result.",
	    "result=\"ok\"" },
	{ "jwtauth_logins_total", NULL, "result=\"failed\"" },
	{ "jwtauth_logins_total", NULL, "result=\"throttled\"" },
	{ "jwtauth_logins_total", NULL, "result=\"busy\"" },
	{ "jwtauth_refreshes_total", "Refresh attempts by result.",
	    "result=\"ok\"" },
	{ "jwtauth_refreshes_total", NULL, "result=\"refused\"" },
	{ "jwtauth_refreshes_total", NULL, "result=\"reuse\"" },
	{ "jwtauth_logouts_total", "Logouts.", NULL },
	{ "jwtauth_refusals_total",
	    "Requests refused by the access check, by reason.",
	    "reason=\"no_token\"" },
	{ "jwtauth_refusals_total", NULL, "reason=\"malformed\"" },
	{ "jwtauth_refusals_total", NULL, "reason=\"invalid\"" },
	{ "jwtauth_refusals_total", NULL, "reason=\"revoked\"" },
	{ "jwtauth_refusals_total", NULL, "reason=\"unavailable\"" },
	{ "jwtauth_token_cache_total",
	    "Access token verifications by the per-process token cache.",
	    "result=\"hit\"" },
	{ "jwtauth_token_cache_total", NULL, "result=\"miss\"" },
	{ "jwtauth_revocation_cache_total",
	    "Revocation checks answered by the cache (hit) or the database "
	    "(miss).", "result=\"hit\"" },
	{ "jwtauth_revocation_cache_total", NULL, "result=\"miss\"" },
	{ "jwtauth_revocation_cache_reloads_total",
	    "Full reloads of a process's revocation cache.", NULL },
	{ "jwtauth_password_hashing_total",
	    "Password hashing slots asked for, by result.",
	    "result=\"granted\"" },
	{ "jwtauth_password_hashing_total", NULL, "result=\"busy\"" },
	{ "jwtauth_mails_total", "Mails handed to mail_command or mail_dir, "
	    "by result.", "result=\"sent\"" },
	{ "jwtauth_mails_total", NULL, "result=\"failed\"" },
};

/* FNV-1a, 64 bits: names and ids, nothing secret. */
static uint64_t
metrics_hash(const char *s)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The name of the object of user uid's deployment using cfgpath. */
static void
metrics_name_of(const char *cfgpath, uid_t uid, char *name, size_t len)
{
	char	 real[PATH_MAX];

	if (realpath(cfgpath, real) == NULL)
		snprintf(real, sizeof(real), "%s", cfgpath);
	snprintf(name, len, "/jwtauth-%lu-%016llx", (unsigned long)uid,
	    (unsigned long long)metrics_hash(real));
}

/*
 * The name of the shared memory object of the deployment whose config
 * file is cfgpath, into name (len bytes): per user and config file.
 */
void
metrics_name(const char *cfgpath, char *name, size_t len)
{
	metrics_name_of(cfgpath, geteuid(), name, len);
}

/*
 * Maps the counters of the deployment whose config file is cfgpath,
 * creating them (zero) on first use.  Returns JA_OK, or JA_EIO (the
 * counters are then off), with the reason logged when loud is non-zero
 * (metrics_allow is set: someone will miss them).  An object that is
 * not ours (another user made it first) is refused.
 */
int
metrics_open(const char *cfgpath, int loud)
{
	char		 name[96];
	struct stat	 st;
	uint64_t	 m;
	void		*p;
	int		 fd, i;

	if (metrics_shm != NULL)
		return JA_OK;
	metrics_name(cfgpath, name, sizeof(name));
	fd = shm_open(name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		if (loud)
			log_msg("metrics: shm_open %s: %s; counters and revocation count off",
			    name, strerror(errno));
		return JA_EIO;
	}
	if (fstat(fd, &st) != 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		if (loud)
			log_msg("metrics: %s is not ours alone; counters and revocation count off",
			    name);
		close(fd);
		return JA_EIO;
	}
	/* Same size for every process: the first one's zeros stay. */
	if ((size_t)st.st_size < sizeof(struct metrics_shm) &&
	    ftruncate(fd, sizeof(struct metrics_shm)) != 0) {
		if (loud)
			log_msg("metrics: %s: %s; counters and revocation count off", name,
			    strerror(errno));
		close(fd);
		return JA_EIO;
	}
	p = mmap(NULL, sizeof(struct metrics_shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		if (loud)
			log_msg("metrics: mmap: %s; counters and revocation count off",
			    strerror(errno));
		return JA_EIO;
	}
	metrics_shm = p;
	metrics_fdesc = fd;	/* kept: closing it would drop its locks */
	/*
	 * A new object, or a new layout (an upgrade), starts again from
	 * zero, by one process only: it marks the object METRICS_INIT
	 * (compare and swap) first, and the others wait until it is
	 * done; two resets would lose the counts made in between.  A mark
	 * left by a process that died meanwhile is taken over after about
	 * a second.
	 */
	m = __atomic_load_n(&metrics_shm->magic, __ATOMIC_ACQUIRE);
	for (i = 0; m != METRICS_MAGIC; i++) {
		if (m == METRICS_INIT && i < METRICS_WAIT) {
			(void)usleep(10000);
			m = __atomic_load_n(&metrics_shm->magic,
			    __ATOMIC_ACQUIRE);
			continue;
		}
		if (__atomic_compare_exchange_n(&metrics_shm->magic, &m,
		    METRICS_INIT, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			memset(metrics_shm->count, 0,
			    sizeof(metrics_shm->count));
			metrics_shm->revoked = 0;
			memset(&metrics_shm->ring, 0,
			    sizeof(metrics_shm->ring));
			__atomic_store_n(&metrics_shm->magic, METRICS_MAGIC,
			    __ATOMIC_RELEASE);
			break;
		}
	}
	return JA_OK;
}

/*
 * Maps the existing object of the deployment whose config file is
 * cfgpath as run by user uid (the owner of its key_file), for authctl:
 * never creates or resets it.  Returns JA_OK, or JA_EIO when there is
 * none yet (no process of the service has started), it is not uid's
 * alone, or this user may not open it.
 */
int
metrics_attach(const char *cfgpath, uid_t uid)
{
	char		 name[96];
	struct stat	 st;
	void		*p;
	int		 fd;

	if (metrics_shm != NULL)
		return JA_OK;
	metrics_name_of(cfgpath, uid, name, sizeof(name));
	if ((fd = shm_open(name, O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0)) == -1)
		return JA_EIO;
	if (fstat(fd, &st) != 0 || st.st_uid != uid ||
	    (st.st_mode & 077) != 0 ||
	    (size_t)st.st_size < sizeof(struct metrics_shm)) {
		close(fd);
		return JA_EIO;
	}
	p = mmap(NULL, sizeof(struct metrics_shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return JA_EIO;
	metrics_shm = p;
	if (__atomic_load_n(&metrics_shm->magic, __ATOMIC_ACQUIRE) !=
	    METRICS_MAGIC) {
		metrics_close();
		return JA_EIO;
	}
	return JA_OK;
}

/*
 * Adds one to the host's revocation count: called once a statement that
 * may end access tokens has been committed (or its fate is unknown).
 * Nothing when the object is off.
 */
void
metrics_revoked(void)
{
	if (metrics_shm != NULL)
		__atomic_add_fetch(&metrics_shm->revoked, 1, __ATOMIC_RELEASE);
}

/* The host's revocation count now; 0 when the object is off. */
uint64_t
metrics_revocations(void)
{
	if (metrics_shm == NULL)
		return 0;
	return __atomic_load_n(&metrics_shm->revoked, __ATOMIC_ACQUIRE);
}

/* Adds one to counter m; nothing when the counters are off. */
void
metrics_count(enum metric m)
{
	if (metrics_shm != NULL && (unsigned)m < METRIC_COUNT)
		__atomic_add_fetch(&metrics_shm->count[m], 1,
		    __ATOMIC_RELAXED);
}

/* Counter m now; 0 when the counters are off. */
uint64_t
metrics_get(enum metric m)
{
	if (metrics_shm == NULL || (unsigned)m >= METRIC_COUNT)
		return 0;
	return __atomic_load_n(&metrics_shm->count[m], __ATOMIC_RELAXED);
}

/* 1 when the counters are on (metrics_open succeeded). */
int
metrics_on(void)
{
	return metrics_shm != NULL;
}

/*
 * Notes that this process signs with key kid.  Returns 1 when the
 * processes before it signed with another one (a key rotation: the
 * caller logs it once for all processes), else 0, also when the
 * counters are off or this is the first process since boot.
 */
int
metrics_key_changed(const char *kid)
{
	uint64_t	 h = metrics_hash(kid), old;

	if (metrics_shm == NULL)
		return 0;
	old = __atomic_exchange_n(&metrics_shm->kid_hash, h,
	    __ATOMIC_ACQ_REL);
	return old != 0 && old != h;
}

/* The host's revocation ring (revring.c), or NULL when the object is off. */
struct revring *
metrics_ring(void)
{
	return metrics_shm != NULL ? &metrics_shm->ring : NULL;
}

/*
 * The descriptor of the object, open for as long as it is mapped by
 * metrics_open, for byte-range locks (pwslot.c); -1 when there is none.
 */
int
metrics_fd(void)
{
	return metrics_fdesc;
}

/*
 * Moves the mapped counters out (stash.c), leaving this process with
 * none, as before metrics_open().  Returns the box, or NULL: nothing
 * moved.
 */
void *
metrics_stash(void)
{
	struct metrics_state	 st = { metrics_shm, metrics_fdesc };
	void			*box;

	if ((box = stash_take(&st, sizeof(st))) == NULL)
		return NULL;
	metrics_shm = NULL;
	metrics_fdesc = -1;
	return box;
}

/* Unmaps the counters in place, then moves box's back in (frees box). */
void
metrics_unstash(void *box)
{
	struct metrics_state	 st;

	metrics_close();
	stash_put(&st, box, sizeof(st));
	metrics_shm = st.shm;
	metrics_fdesc = st.fdesc;
}

/*
 * Unmaps the counters (the object stays for the other processes) and
 * closes its descriptor, which releases this process's locks on it.
 */
void
metrics_close(void)
{
	if (metrics_shm != NULL)
		munmap(metrics_shm, sizeof(struct metrics_shm));
	metrics_shm = NULL;
	if (metrics_fdesc != -1)
		close(metrics_fdesc);
	metrics_fdesc = -1;
}
