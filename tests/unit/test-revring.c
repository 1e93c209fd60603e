/*
 * test-revring.c: unit tests for revring.c, the host's revocation ring:
 * entries come out in order and once; a reader that fell more than
 * REVRING_SIZE entries behind is told so (it must reload); a payload too
 * long for an entry is refused; a listener is live only while it says
 * so, beats, and is not dead: its robust futex word holds its pid (the
 * kernel marks the word when it dies, so it is not live even with a
 * fresh beat), or, with no word, it holds the listener's lock (a
 * process that died holds none).
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/futex.h>

#include <fcntl.h>

#include <signal.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jwtauth.h"
#include "tap.h"

static char	 dir[] = "/tmp/test-revring.XXXXXX";
static char	 got[4096];

/* tap_ok named "how: what". */
static void
ok_how(int cond, const char *how, const char *what)
{
	char	 name[200];

	snprintf(name, sizeof(name), "%s: %s", how, what);
	tap_ok(cond, name);
}

static void
collect(const char *payload, void *arg)
{
	(void)arg;
	strncat(got, payload, sizeof(got) - strlen(got) - 2);
	strcat(got, ";");
}

int
main(void)
{
	struct revring	*r;
	char		 conf[300], name[300], big[REVRING_MSG + 8];
	uint64_t	 seen = 0;
	pid_t		 pid;
	uint32_t	 owner;
	int		 i, own, st, up[2], down[2];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(conf, sizeof(conf), "%s/jwtauth.conf", dir);
	fclose(fopen(conf, "w"));
	if (metrics_open(conf, 1) != JA_OK || (r = metrics_ring()) == NULL) {
		tap_ok(0, "the shared object opens");
		return tap_done();
	}
	revring_put(r, "j:a 1");
	revring_put(r, "s:b");
	tap_ok(revring_read(r, &seen, collect, NULL) == 0 &&
	    strcmp(got, "j:a 1;s:b;") == 0 && seen == 2,
	    "entries come out in order");
	got[0] = '\0';
	tap_ok(revring_read(r, &seen, collect, NULL) == 0 && got[0] == '\0',
	    "and once");
	for (i = 0; i < REVRING_SIZE + 1; i++)
		revring_put(r, "u:c");
	tap_ok(revring_read(r, &seen, collect, NULL) == -1,
	    "a reader more than REVRING_SIZE behind is told to reload");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	tap_ok(revring_put(r, big) == -1, "a payload too long is refused");

	tap_ok(!revring_live(r), "no listener: not live");
	/* A listener in another process, with its word (own 1) or not. */
	for (own = 1; own >= 0; own--) {
		const char	*how = own ? "with its word" : "with no word";

		if (pipe(up) != 0 || pipe(down) != 0)
			return 1;
		if ((pid = fork()) == 0) {
			char	 c;

			if (revring_claim(metrics_fd()) != 0 ||
			    (own && revring_own(r) != 0))
				_exit(1);
			/* As revring_own() leaves it when the kernel refuses. */
			if (!own)
				__atomic_store_n(&r->owner, 0,
				    __ATOMIC_RELEASE);
			revring_state(r, 1);
			(void)write(up[1], "y", 1);
			(void)read(down[0], &c, 1);	/* killed meanwhile */
			_exit(0);
		}
		{
			char	 c;

			(void)read(up[0], &c, 1);
		}
		owner = __atomic_load_n(&r->owner, __ATOMIC_ACQUIRE);
		tap_ok(own ? owner == (uint32_t)pid : owner == 0,
		    own ? "a listener's word holds its pid" :
		    "a listener that did not register has no word");
		ok_how(revring_live(r), how, "a listener that says so, "
		    "beats and lives is live");
		ok_how(revring_claim(metrics_fd()) != 0, how,
		    "a second listener finds the lock taken");
		if (own) {
			__atomic_store_n(&r->owner, (uint32_t)pid + 1,
			    __ATOMIC_RELEASE);
			tap_ok(!revring_live(r), "a word that holds another "
			    "id is not this listener's: not live");
			__atomic_store_n(&r->owner, (uint32_t)pid,
			    __ATOMIC_RELEASE);
		}
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		if (own) {
			owner = __atomic_load_n(&r->owner, __ATOMIC_ACQUIRE);
			tap_ok((owner & FUTEX_OWNER_DIED) != 0 &&
			    (owner & FUTEX_TID_MASK) == 0,
			    "the kernel marked the word of the listener "
			    "that died");
		}
		revring_beat(r, 0);	/* fresh beat, live flag still set */
		ok_how(!revring_live(r), how, "a listener that died is not "
		    "live, whatever its beat says");
		ok_how(revring_claim(metrics_fd()) == 0, how,
		    "and its lock can be taken again");
		/* This process holds the lock now: let it go again. */
		{
			struct flock	 fl;

			memset(&fl, 0, sizeof(fl));
			fl.l_type = F_UNLCK;
			fl.l_whence = SEEK_SET;
			fl.l_start = REVRING_LOCK;
			fl.l_len = 1;
			(void)fcntl(metrics_fd(), F_SETLK, &fl);
		}
		close(up[0]);
		close(up[1]);
		close(down[0]);
		close(down[1]);
	}
	metrics_name(conf, name, sizeof(name));
	metrics_close();
	shm_unlink(name);
	unlink(conf);
	rmdir(dir);
	return tap_done();
}
