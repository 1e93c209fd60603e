/*
 * test-metrics.c: unit tests for the start of metrics.c's shared
 * counters: a new object starts at zero; a process that finds another
 * one zeroing it (the METRICS_INIT mark) waits for it instead of
 * zeroing again (which would lose the counts made in between); a mark
 * left by a process that died is taken over.  And the host's revocation
 * count: kept across processes, reached by authctl through
 * metrics_attach(), which never makes or resets an object.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jwtauth.h"
#include "tap.h"

#define MAGIC	0x6a77746d65747204ULL
#define INIT	0x6a77746d65747200ULL

struct shm {
	uint64_t	 magic;
	uint64_t	 kid_hash;
	uint64_t	 revoked;
	uint64_t	 count[METRIC_COUNT];
};

static char	 dir[] = "/tmp/test-metrics.XXXXXX";
static char	 conf[300], shmname[300];

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(void)
{
	struct shm	*s;
	double		 t;
	pid_t		 pid;
	int		 fd, st;

	if (mkdtemp(dir) == NULL)
		return EXIT_FAILURE;
	snprintf(conf, sizeof(conf), "%s/jwtauth.conf", dir);
	if ((fd = open(conf, O_WRONLY | O_CREAT, 0600)) == -1)
		return EXIT_FAILURE;
	close(fd);
	tap_ok(metrics_open(conf, 1) == JA_OK && metrics_get(0) == 0,
	    "a new object starts at zero");
	metrics_count(0);
	metrics_count(0);
	tap_ok(metrics_get(0) == 2, "counts are kept");
	metrics_close();
	metrics_name(conf, shmname, sizeof(shmname));
	if ((fd = shm_open(shmname, O_RDWR, 0)) == -1 || (s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0)) == MAP_FAILED) {
		tap_ok(0, "the object is there, by metrics_name()");
		return tap_done();
	}
	close(fd);
	tap_ok(metrics_open(conf, 1) == JA_OK && metrics_get(0) == 2,
	    "a second process keeps the counts");
	metrics_close();

	/* Another process is zeroing it: wait, then keep what it counted. */
	__atomic_store_n(&s->magic, INIT, __ATOMIC_RELEASE);
	if ((pid = fork()) == 0) {
		usleep(300000);
		memset(s->count, 0, sizeof(s->count));
		__atomic_store_n(&s->magic, MAGIC, __ATOMIC_RELEASE);
		__atomic_add_fetch(&s->count[0], 5, __ATOMIC_RELAXED);
		_exit(0);
	}
	t = now();
	tap_ok(metrics_open(conf, 1) == JA_OK && now() - t >= 0.25,
	    "an object being zeroed by another process is waited for");
	waitpid(pid, &st, 0);
	tap_ok(metrics_get(0) == 5,
	    "and what that process counted after it is kept");
	metrics_close();

	/* A mark left by a process that died is taken over. */
	__atomic_store_n(&s->magic, INIT, __ATOMIC_RELEASE);
	s->count[0] = 9;
	t = now();
	tap_ok(metrics_open(conf, 1) == JA_OK && metrics_get(0) == 0 &&
	    __atomic_load_n(&s->magic, __ATOMIC_ACQUIRE) == MAGIC &&
	    now() - t < 5, "a mark of a dead process is taken over, zeroed");
	metrics_close();

	/* The revocation count. */
	tap_ok(metrics_revocations() == 0,
	    "without an object the revocation count reads 0");
	metrics_revoked();
	tap_ok(metrics_attach(conf, geteuid() + 1) == JA_EIO,
	    "metrics_attach: another user's name finds no object");
	tap_ok(metrics_attach(conf, geteuid()) == JA_OK &&
	    metrics_revocations() == 0,
	    "metrics_attach: maps the service's object");
	metrics_revoked();
	metrics_revoked();
	metrics_close();
	tap_ok(metrics_open(conf, 1) == JA_OK && metrics_revocations() == 2 &&
	    __atomic_load_n(&s->revoked, __ATOMIC_ACQUIRE) == 2,
	    "revocations counted through it are seen by the service's processes");
	metrics_close();
	__atomic_store_n(&s->magic, INIT, __ATOMIC_RELEASE);
	tap_ok(metrics_attach(conf, geteuid()) == JA_EIO &&
	    __atomic_load_n(&s->magic, __ATOMIC_ACQUIRE) == INIT,
	    "metrics_attach refuses an object not ready and leaves it alone");
	__atomic_store_n(&s->magic, MAGIC, __ATOMIC_RELEASE);

	/* What root must not trust: an object others may write, or one
	 * too short for the layout (a read past its end is SIGBUS). */
	if ((fd = shm_open(shmname, O_RDWR, 0)) == -1)
		return EXIT_FAILURE;
	tap_ok(fchmod(fd, 0660) == 0 &&
	    metrics_attach(conf, geteuid()) == JA_EIO,
	    "metrics_attach refuses an object its group may write");
	munmap(s, sizeof(*s));
	tap_ok(fchmod(fd, 0600) == 0 && ftruncate(fd, 8) == 0 &&
	    metrics_attach(conf, geteuid()) == JA_EIO,
	    "metrics_attach refuses an object shorter than the layout");
	close(fd);
	shm_unlink(shmname);
	tap_ok(metrics_attach(conf, geteuid()) == JA_EIO &&
	    shm_open(shmname, O_RDONLY, 0) == -1,
	    "metrics_attach makes no object when there is none");
	unlink(conf);
	rmdir(dir);
	return tap_done();
}
