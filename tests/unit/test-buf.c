/*
 * test-buf.c: unit tests for buf.c, the secret buffers above all: a
 * buffer marked secret (the 2FA key, its QR code, the recovery codes)
 * is wiped, whole capacity, when freed, and keeps its mark so that a
 * response body built after buf_free() is wiped too; growing one keeps
 * its content.
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"
#include "tap.h"

/* Returns 1 if the n bytes at p are all zero. */
static int
all_zero(const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

int
main(void)
{
	struct buf	 b;
	char		 want[5000];
	size_t		 i;

	buf_init(&b);
	buf_puts(&b, "JBSWY3DPEHPK3PXP");
	buf_wipe(&b);
	tap_ok(b.len == 0 && b.data != NULL && b.cap > 0 &&
	    all_zero(b.data, b.cap), "wipe: every byte of the capacity is zero");
	buf_free(&b);

	buf_init(&b);
	b.secret = 1;
	for (i = 0; i < sizeof(want) - 1; i++)
		want[i] = (char)('a' + i % 26);
	want[sizeof(want) - 1] = '\0';
	for (i = 0; i < sizeof(want) - 1; i += 100)
		buf_append(&b, want + i, 100 < sizeof(want) - 1 - i ? 100 :
		    sizeof(want) - 1 - i);
	tap_ok(!b.failed && b.len == sizeof(want) - 1 &&
	    strcmp(b.data, want) == 0,
	    "secret: growing through several capacities keeps the content");
	buf_free(&b);
	tap_ok(b.data == NULL && b.len == 0 && b.secret,
	    "secret: buf_free empties it and keeps the mark");
	buf_puts(&b, "again");
	tap_ok(b.secret && strcmp(b.data, "again") == 0,
	    "secret: reused after buf_free, still marked");
	buf_free(&b);
	b.secret = 0;

	buf_puts(&b, "plain");
	buf_free(&b);
	tap_ok(!b.secret && b.data == NULL, "plain: buf_free leaves it unmarked");
	return tap_done();
}
