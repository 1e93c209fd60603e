/*
 * test-cookie.c: unit tests for cookie.c: cookie_get() reading one
 * cookie out of a Cookie header (RFC 6265bis §5.7), and cookie_name()
 * with its "__Host-" and "__Secure-" prefixes over HTTPS (§4.1.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

#define AT	"jwtauth_at"

/* Returns 1 if cookie name in header has value want. */
static int
value_is(const char *header, const char *name, const char *want)
{
	char	 out[256];

	return cookie_get(header, name, out, sizeof(out)) == JA_OK &&
	    strcmp(out, want) == 0;
}

static int
absent(const char *header, const char *name)
{
	char	 out[256];

	return cookie_get(header, name, out, sizeof(out)) == JA_ENOTFOUND;
}

static void
test_get(void)
{
	tap_ok(value_is(AT "=abc", AT, "abc"), "a lone cookie is found");
	tap_ok(value_is("a=1; " AT "=abc; b=2", AT, "abc"),
	    "a cookie among several is found");
	tap_ok(value_is("a=1; b=2; " AT "=abc", AT, "abc"),
	    "the last cookie of the header is found");
	tap_ok(value_is("a=1;" AT "=abc;b=2", AT, "abc"),
	    "cookies separated by \";\" without a space are found");
	tap_ok(value_is("a=1;   " AT "=abc", AT, "abc"),
	    "several spaces after \";\" are skipped");
	tap_ok(value_is(AT "=abc   ; b=2", AT, "abc"),
	    "spaces after a value are trimmed");
	tap_ok(value_is(AT "=\"abc\"", AT, "abc"),
	    "a quoted value loses its quotes");
	tap_ok(value_is(AT "=\"abc", AT, "\"abc"),
	    "a lone opening quote is kept");
	tap_ok(value_is(AT "=\"\"", AT, ""), "a quoted empty value is empty");
	tap_ok(value_is(AT "=", AT, ""), "an empty value is found, empty");
	tap_ok(value_is(AT "=a=b", AT, "a=b"),
	    "a value holding \"=\" is kept whole");
	tap_ok(value_is(AT "=first; " AT "=second", AT, "first"),
	    "of two cookies of the name, the first is returned");
}

static void
test_names(void)
{
	tap_ok(absent("x" AT "=evil", AT),
	    "\"xjwtauth_at\" is not \"jwtauth_at\"");
	tap_ok(value_is("x" AT "=evil; " AT "=good", AT, "good"),
	    "a longer name ending in the name does not shadow it");
	tap_ok(absent(AT "x=evil", AT),
	    "\"jwtauth_atx\" is not \"jwtauth_at\"");
	tap_ok(absent("__Host-" AT "=abc", AT),
	    "\"__Host-jwtauth_at\" is not \"jwtauth_at\"");
	tap_ok(value_is(AT "=plain; __Host-" AT "=host", "__Host-" AT, "host"),
	    "the __Host- cookie is found by its full name");
	tap_ok(absent("JWTAUTH_AT=abc", AT), "names are case-sensitive");
	tap_ok(absent("a=" AT "; b=2", AT),
	    "a value equal to the name is not a match");
	tap_ok(absent(AT, AT), "the name without \"=\" is not a cookie");
	tap_ok(absent(AT "; b=2", AT),
	    "the name without \"=\" before another cookie is not a cookie");
}

static void
test_missing(void)
{
	tap_ok(absent(NULL, AT), "a NULL header has no cookie");
	tap_ok(absent("", AT), "the empty header has no cookie");
	tap_ok(absent(";;; ;", AT), "a header of separators has no cookie");
	tap_ok(absent("a=1; b=2", AT), "an absent cookie is not found");
}

static void
test_size(void)
{
	char	 out[4], big[8192];

	tap_ok(cookie_get(AT "=abc", AT, out, sizeof(out)) == JA_OK &&
	    strcmp(out, "abc") == 0,
	    "a value of outlen - 1 bytes fits");
	tap_ok(cookie_get(AT "=abcd", AT, out, sizeof(out)) == JA_ETOOBIG,
	    "a value of outlen bytes is too long");
	tap_ok(cookie_get(AT "=\"abcd\"", AT, out, sizeof(out)) ==
	    JA_ETOOBIG, "a quoted value too long is too long");
	memcpy(big, AT "=", sizeof(AT));
	memset(big + sizeof(AT), 'A', sizeof(big) - sizeof(AT) - 1);
	big[sizeof(big) - 1] = '\0';
	tap_ok(cookie_get(big, AT, out, sizeof(out)) == JA_ETOOBIG,
	    "an 8 KB value is too long for a small buffer");
}

static void
test_cookie_name(void)
{
	struct request	 r;

	memset(&r, 0, sizeof(r));
	tap_ok(strcmp(cookie_name(&r, COOKIE_ACCESS), "jwtauth_at") == 0 &&
	    strcmp(cookie_name(&r, COOKIE_REFRESH), "jwtauth_rt") == 0 &&
	    strcmp(cookie_name(&r, COOKIE_CSRF), "jwtauth_csrf") == 0,
	    "over plain HTTP the cookie names carry no prefix");
	r.https = 1;
	tap_ok(strcmp(cookie_name(&r, COOKIE_ACCESS), "__Host-jwtauth_at") ==
	    0, "over HTTPS the access cookie is __Host-");
	tap_ok(strcmp(cookie_name(&r, COOKIE_REFRESH),
	    "__Secure-jwtauth_rt") == 0,
	    "over HTTPS the refresh cookie is __Secure-");
	tap_ok(strcmp(cookie_name(&r, COOKIE_CSRF), "__Host-jwtauth_csrf") ==
	    0, "over HTTPS the CSRF cookie is __Host-");
}

int
main(void)
{
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	test_get();
	test_names();
	test_missing();
	test_size();
	test_cookie_name();
	return tap_done();
}
