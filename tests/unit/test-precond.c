/*
 * test-precond.c: unit tests for precond.c: entity-tag lists with the
 * strong and weak comparisons (RFC 9110 §8.8.3.2), the three forms of
 * HTTP-date (§5.6.7) and single byte ranges (§14.1.1, §14.2).
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"
#include "tap.h"

#define TAG	"\"1a-5f0.0\""

static void
test_etag(void)
{
	tap_ok(precond_etag_match(TAG, TAG, 0, 1), "etag: the same tag, "
	    "strong");
	tap_ok(precond_etag_match("\"x\", " TAG, TAG, 0, 0),
	    "etag: found in a list");
	tap_ok(!precond_etag_match("\"x\", \"y\"", TAG, 0, 0),
	    "etag: absent from a list");
	tap_ok(precond_etag_match("*", TAG, 0, 1), "etag: * matches");
	tap_ok(precond_etag_match("W/" TAG, TAG, 0, 0),
	    "etag: weak comparison ignores W/ (If-None-Match)");
	tap_ok(!precond_etag_match("W/" TAG, TAG, 0, 1),
	    "etag: strong comparison refuses the client's W/ (If-Range)");
	tap_ok(!precond_etag_match(TAG, TAG, 1, 1),
	    "etag: strong comparison refuses our weak tag");
	tap_ok(precond_etag_match(TAG, TAG, 1, 0),
	    "etag: weak comparison takes our weak tag");
	tap_ok(!precond_etag_match("\"1a-5f0.0", TAG, 0, 0),
	    "etag: an unterminated tag matches nothing");
	tap_ok(!precond_etag_match("1a-5f0.0", TAG, 0, 0),
	    "etag: an unquoted tag matches nothing");
	tap_ok(!precond_etag_match("\"1a\"", TAG, 0, 0),
	    "etag: a prefix of our tag does not match");
}

static void
test_date(void)
{
	char	 out[PRECOND_DATE_LEN];
	time_t	 t;

	tap_ok(precond_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t) ==
	    JA_OK && t == 784111777, "date: IMF-fixdate");
	tap_ok(precond_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t) ==
	    JA_OK && t == 784111777, "date: RFC 850");
	tap_ok(precond_date_parse("Sun Nov  6 08:49:37 1994", &t) == JA_OK &&
	    t == 784111777, "date: asctime");
	tap_ok(precond_date_parse("yesterday", &t) == JA_EINVAL,
	    "date: not a date");
	tap_ok(precond_date_parse("Sun, 06 Nov 1994 08:49:37 GMT junk", &t)
	    == JA_EINVAL, "date: trailing bytes");
	tap_ok(precond_date_parse("", &t) == JA_EINVAL, "date: empty");
	precond_date_format(784111777, out, sizeof(out));
	tap_ok(strcmp(out, "Sun, 06 Nov 1994 08:49:37 GMT") == 0,
	    "date: formatted as IMF-fixdate");
}

/* 1 when v on a file of size bytes gives first..last. */
static int
range(const char *v, int64_t size, int64_t first, int64_t last)
{
	int64_t	 a, b;

	return precond_range_parse(v, size, &a, &b) == JA_OK && a == first &&
	    b == last;
}

static void
test_range(void)
{
	int64_t	 a, b;

	tap_ok(range("bytes=0-9", 100, 0, 9), "range: first-last");
	tap_ok(range("bytes=10-", 100, 10, 99), "range: first-");
	tap_ok(range("bytes=-10", 100, 90, 99), "range: suffix");
	tap_ok(range("bytes=-500", 100, 0, 99), "range: a suffix over the "
	    "size is the whole file");
	tap_ok(range("bytes=90-500", 100, 90, 99), "range: last clipped");
	tap_ok(range("Bytes=1-1", 100, 1, 1), "range: the unit is "
	    "case-insensitive");
	tap_ok(precond_range_parse("bytes=100-", 100, &a, &b) == JA_ETOOBIG,
	    "range: first at the end is unsatisfiable");
	tap_ok(precond_range_parse("bytes=-0", 100, &a, &b) == JA_ETOOBIG,
	    "range: an empty suffix is unsatisfiable");
	tap_ok(precond_range_parse("bytes=0-0", 0, &a, &b) == JA_ETOOBIG,
	    "range: nothing in an empty file");
	tap_ok(precond_range_parse("bytes=5-1", 100, &a, &b) == JA_EINVAL,
	    "range: last before first is invalid, ignored");
	tap_ok(precond_range_parse("bytes=0-1,5-6", 100, &a, &b) ==
	    JA_EINVAL, "range: several ranges are ignored");
	tap_ok(precond_range_parse("items=0-1", 100, &a, &b) == JA_EINVAL,
	    "range: another unit is ignored");
	tap_ok(precond_range_parse("bytes=x-1", 100, &a, &b) == JA_EINVAL,
	    "range: not a number");
	tap_ok(precond_range_parse("bytes=99999999999999999999-", 100, &a,
	    &b) == JA_EINVAL, "range: an overflowing number");
	tap_ok(precond_range_parse("bytes=-", 100, &a, &b) == JA_EINVAL,
	    "range: no number at all");
}

int
main(void)
{
	test_etag();
	test_date();
	test_range();
	return tap_done();
}
