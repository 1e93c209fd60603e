/*
 * reload-cost.c: the in-process cost of making sure, before a request,
 * that the config is the one on disk (reload_check, src/reload.c): one
 * poll(2) where inotify vouches for the files (src/watch_notify.c), else
 * one stat(2) per file the config names and the comparison, when nothing
 * changed, which is every request but the first after a change.
 *
 *   reload-cost CONFIG N    N checks of the deployment of CONFIG
 *
 * Run it as
 *   valgrind --tool=callgrind --collect-atstart=no \
 *       --toggle-collect=bench_reload bench/reload-cost CONFIG 10000
 * and divide the total by N.  callgrind counts the instructions of the
 * process, not those of the kernel inside poll(2) or stat(2): the
 * system calls are counted too, and the CPU time of a check,
 * system time included, is printed (getrusage) to stand for them.
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/* Not static, not inlined: callgrind's --toggle-collect names it. */
int	bench_reload(struct reload *) __attribute__((noinline));

int
bench_reload(struct reload *r)
{
	return reload_check(r);
}

static double
bench_cpu(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int
main(int argc, char *argv[])
{
	struct reload	 r;
	double		 t0;
	long		 n, i;
	int		 rc = 1;

	if (argc != 3 || text_parse_long(argv[2], 1, 100000000, &n) != JA_OK) {
		fprintf(stderr, "usage: reload-cost CONFIG N\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	if (reload_load(&r, argv[1]) != JA_OK) {
		fprintf(stderr, "reload-cost: %s\n", r.err);
		goto out;
	}
	t0 = bench_cpu();
	for (i = 0; i < n; i++)
		if (bench_reload(&r) != JA_OK)
			goto out;
	printf("%zu files watched, %.0f ns of CPU time a check\n",
	    r.watch.n, (bench_cpu() - t0) * 1e9 / (double)n);
	rc = 0;
out:
	reload_free(&r);
	return rc;
}
