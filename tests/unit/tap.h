/*
 * tap.h: a minimal Test Anything Protocol emitter for the unit tests.
 * Each test program prints "ok N - name" / "not ok N - name" lines and a
 * plan at the end ("1..N"), which prove(1) reads.  Header-only on purpose:
 * every unit test is one file plus this one.
 */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <stdlib.h>

static int tap_count;
static int tap_failed;

/* Reports one check: cond true is "ok", false is "not ok"; returns cond. */
static int
tap_ok(int cond, const char *name)
{
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, name);
	fflush(stdout);
	return cond;
}

/* Prints the plan; returns the process exit status (non-zero on failure). */
static int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* TAP_H */
