/*
 * test-revring.c: unit tests for revring.c, the host's revocation ring:
 * entries come out in order and once; a reader that fell more than
 * REVRING_SIZE entries behind is told so (it must reload); a payload too
 * long for an entry is refused; a listener is live only while it says
 * so, beats, and holds the listener's lock (a process that died holds
 * none, so it is not live even with a fresh beat).
 */
#include <sys/mman.h>
#include <sys/wait.h>

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
	int		 i, st, up[2], down[2];

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
	/* A listener in another process: live while it holds the lock. */
	if (pipe(up) != 0 || pipe(down) != 0)
		return 1;
	if ((pid = fork()) == 0) {
		char	 c;

		if (revring_claim(metrics_fd()) != 0)
			_exit(1);
		revring_state(r, 1);
		(void)write(up[1], "y", 1);
		(void)read(down[0], &c, 1);	/* killed meanwhile */
		_exit(0);
	}
	{
		char	 c;

		(void)read(up[0], &c, 1);
	}
	tap_ok(revring_live(r), "a listener that says so, beats and holds "
	    "the lock is live");
	tap_ok(revring_claim(metrics_fd()) != 0,
	    "a second listener finds the lock taken");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	revring_beat(r, 0);	/* fresh beat, live flag still set */
	tap_ok(!revring_live(r), "a listener that died is not live, "
	    "whatever its beat says");
	tap_ok(revring_claim(metrics_fd()) == 0,
	    "and its lock can be taken again");
	metrics_name(conf, name, sizeof(name));
	metrics_close();
	shm_unlink(name);
	unlink(conf);
	rmdir(dir);
	return tap_done();
}
