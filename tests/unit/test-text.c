/*
 * test-text.c: unit tests for text.c: UTF-8 validation (RFC 3629 §4),
 * UUIDs in canonical form, local redirect targets (no open redirect),
 * URI path normalisation (RFC 3986 §5.2.4, §6.2.2) and bounded decimal
 * integers.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

/* text_utf8_valid() on a string literal, its length from sizeof. */
#define UTF8(s)	text_utf8_valid((s), sizeof(s) - 1)

static void
test_utf8(void)
{
	tap_ok(UTF8(""), "utf8: the empty string is valid");
	tap_ok(UTF8("alice"), "utf8: ASCII is valid");
	tap_ok(UTF8("a\tb"), "utf8: a tab is allowed");
	tap_ok(UTF8("caf\xc3\xa9"), "utf8: a 2-byte sequence (U+00E9) is "
	    "valid");
	tap_ok(UTF8("\xe2\x82\xac"), "utf8: a 3-byte sequence (U+20AC) is "
	    "valid");
	tap_ok(UTF8("\xf0\x9f\x98\x80"), "utf8: a 4-byte sequence (U+1F600) "
	    "is valid");
	tap_ok(UTF8("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf"
	    "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
	    "utf8: the first and last code point of each length are valid");
	tap_ok(UTF8("\xee\x80\x80"), "utf8: a private-use code point "
	    "(U+E000, just after the surrogates) is valid");

	tap_ok(!UTF8("\xc0\xaf"), "utf8: overlong 2-byte \"/\" (C0 AF) is "
	    "refused");
	tap_ok(!UTF8("\xc1\xbf"), "utf8: overlong 2-byte (C1 BF) is refused");
	tap_ok(!UTF8("\xe0\x80\xaf"), "utf8: overlong 3-byte \"/\" is refused");
	tap_ok(!UTF8("\xe0\x9f\xbf"), "utf8: overlong 3-byte U+07FF is "
	    "refused");
	tap_ok(!UTF8("\xf0\x80\x80\xaf"), "utf8: overlong 4-byte \"/\" is "
	    "refused");
	tap_ok(!UTF8("\xf0\x8f\xbf\xbf"), "utf8: overlong 4-byte U+FFFF is "
	    "refused");
	tap_ok(!UTF8("\xc0\x80"), "utf8: overlong NUL (C0 80) is refused");
	tap_ok(!UTF8("\xed\xa0\x80"), "utf8: the surrogate U+D800 is refused");
	tap_ok(!UTF8("\xed\xbf\xbf"), "utf8: the surrogate U+DFFF is refused");
	tap_ok(!UTF8("\xed\xa0\xbd\xed\xb8\x80"), "utf8: a CESU-8 surrogate "
	    "pair is refused");
	tap_ok(!UTF8("\xf4\x90\x80\x80"), "utf8: U+110000 (above U+10FFFF) "
	    "is refused");
	tap_ok(!UTF8("\xf5\x80\x80\x80"), "utf8: lead byte F5 is refused");
	tap_ok(!UTF8("\xf8\x88\x80\x80\x80"), "utf8: a 5-byte form is "
	    "refused");
	tap_ok(!UTF8("\xff"), "utf8: byte FF is refused");
	tap_ok(!UTF8("\x80"), "utf8: a lone continuation byte is refused");
	tap_ok(!UTF8("a\xc3"), "utf8: a 2-byte sequence truncated at the "
	    "end is refused");
	tap_ok(!UTF8("\xe2\x82"), "utf8: a 3-byte sequence truncated at the "
	    "end is refused");
	tap_ok(!UTF8("\xf0\x9f\x98"), "utf8: a 4-byte sequence truncated at "
	    "the end is refused");
	tap_ok(!UTF8("\xe2\x82" "a"), "utf8: a sequence cut by an ASCII byte "
	    "is refused");
	tap_ok(!text_utf8_valid("caf\xc3\xa9", 4), "utf8: the length given, "
	    "not the NUL, ends the string (cut sequence refused)");
	tap_ok(!UTF8("a\0b"), "utf8: an embedded NUL is refused");
	tap_ok(!UTF8("a\nb"), "utf8: a newline is refused");
	tap_ok(!UTF8("a\rb"), "utf8: a carriage return is refused");
	tap_ok(!UTF8("\x1b[31m"), "utf8: an escape (terminal control) is "
	    "refused");
	tap_ok(!UTF8("a\x7f"), "utf8: DEL is refused");
}

static void
test_uuid(void)
{
	tap_ok(text_is_uuid("0b0e6c1e-5b8f-4d4e-9a3c-2f1d6e7a8b9c"),
	    "uuid: canonical lower case is accepted");
	tap_ok(text_is_uuid("00000000-0000-0000-0000-000000000000"),
	    "uuid: the nil UUID is accepted");
	tap_ok(!text_is_uuid("0B0E6C1E-5B8F-4D4E-9A3C-2F1D6E7A8B9C"),
	    "uuid: upper case is refused");
	tap_ok(!text_is_uuid("0b0e6c1e-5b8f-4d4e-9a3c-2f1d6e7a8b9"),
	    "uuid: 35 characters are refused");
	tap_ok(!text_is_uuid("0b0e6c1e-5b8f-4d4e-9a3c-2f1d6e7a8b9c0"),
	    "uuid: 37 characters are refused");
	tap_ok(!text_is_uuid("0b0e6c1e5b8f-4d4e-9a3c-2f1d6e7a8b9c0"),
	    "uuid: a dash out of place is refused");
	tap_ok(!text_is_uuid("{b0e6c1e-5b8f-4d4e-9a3c-2f1d6e7a8b9}"),
	    "uuid: braces are refused");
	tap_ok(!text_is_uuid("0b0e6c1g-5b8f-4d4e-9a3c-2f1d6e7a8b9c"),
	    "uuid: a non-hex letter is refused");
	tap_ok(!text_is_uuid("0b0e6c1e 5b8f-4d4e-9a3c-2f1d6e7a8b9c"),
	    "uuid: a space for a dash is refused");
	tap_ok(!text_is_uuid(""), "uuid: the empty string is refused");
	tap_ok(!text_is_uuid(NULL), "uuid: NULL is refused");
}

static void
test_local_path(void)
{
	char	*s;

	tap_ok(text_local_path("/"), "path: \"/\" is local");
	tap_ok(text_local_path("/auth/me"), "path: \"/auth/me\" is local");
	tap_ok(text_local_path("/app?x=1&y=%2F#frag"),
	    "path: a path with query and fragment is local");
	tap_ok(text_local_path("/%2F%2Fevil.example"),
	    "path: \"/%2F%2Fevil.example\" (escaped slashes) is local");
	tap_ok(text_local_path("/caf\xc3\xa9"),
	    "path: a path with UTF-8 bytes is local");
	tap_ok(!text_local_path("//evil.example"),
	    "path: \"//evil.example\" (network-path reference) is refused");
	tap_ok(!text_local_path("/\\evil.example"),
	    "path: \"/\\evil.example\" is refused");
	tap_ok(!text_local_path("\\\\evil.example"),
	    "path: \"\\\\evil.example\" is refused");
	tap_ok(!text_local_path("http://evil.example/"),
	    "path: an absolute URL is refused");
	tap_ok(!text_local_path("https:/evil.example"),
	    "path: a scheme without slashes is refused");
	tap_ok(!text_local_path("javascript:alert(1)"),
	    "path: a javascript: URL is refused");
	tap_ok(!text_local_path("evil.example"),
	    "path: a relative reference is refused");
	tap_ok(!text_local_path(" /x"), "path: a leading space is refused");
	tap_ok(!text_local_path("/x y"), "path: a space is refused");
	tap_ok(!text_local_path("/x\\y"), "path: a backslash is refused");
	tap_ok(!text_local_path("/\t/evil.example"),
	    "path: a tab (browsers strip it: \"//\") is refused");
	tap_ok(!text_local_path("/\n/evil.example"),
	    "path: a newline is refused");
	tap_ok(!text_local_path("/x\r\nSet-Cookie: a=b"),
	    "path: CR LF (header injection) is refused");
	tap_ok(!text_local_path("/x\x7f"), "path: DEL is refused");
	tap_ok(!text_local_path(""), "path: the empty string is refused");
	tap_ok(!text_local_path(NULL), "path: NULL is refused");

	if ((s = malloc(4096)) == NULL)
		abort();
	s[0] = '/';
	memset(s + 1, 'a', 2047);
	s[2048] = '\0';
	tap_ok(text_local_path(s), "path: 2048 bytes are local");
	s[2048] = 'a';
	s[2049] = '\0';
	tap_ok(!text_local_path(s), "path: 2049 bytes are refused");
	free(s);
}

static void
test_local_or_root(void)
{
	tap_ok(strcmp(text_local_or_root("/app/x?a=1"), "/app/x?a=1") == 0,
	    "text_local_or_root keeps a local path");
	tap_ok(strcmp(text_local_or_root("//evil.example"), "/") == 0,
	    "text_local_or_root replaces another host by /");
	tap_ok(strcmp(text_local_or_root(NULL), "/") == 0,
	    "text_local_or_root replaces NULL by /");
}

/* Returns 1 if in normalises to want (JA_OK). */
static int
norm_is(const char *in, const char *want)
{
	char	 out[256];

	return text_path_normalize(in, out, sizeof(out)) == JA_OK &&
	    strcmp(out, want) == 0;
}

static void
test_path_normalize(void)
{
	char	 out[8], *big, *bigout;

	tap_ok(norm_is("/", "/"), "norm: / stays /");
	tap_ok(norm_is("/app/x", "/app/x"), "norm: a plain path is kept");
	tap_ok(norm_is("/app/x/", "/app/x/"), "norm: a trailing slash is kept");
	tap_ok(norm_is("/auth/../app/x", "/app/x"),
	    "norm: /auth/../app/x is /app/x");
	tap_ok(norm_is("/auth/./login", "/auth/login"),
	    "norm: a . segment is removed");
	tap_ok(norm_is("/a/b/c/./../../g", "/a/g"),
	    "norm: RFC 3986 §5.2.4 example /a/b/c/./../../g is /a/g");
	tap_ok(norm_is("/mid/content=5/../6", "/mid/6"),
	    "norm: RFC 3986 §5.2.4 example mid/content=5/../6 is /mid/6");
	tap_ok(norm_is("/a/b/..", "/a/"), "norm: a final .. leaves a "
	    "directory (trailing slash)");
	tap_ok(norm_is("/a/b/.", "/a/b/"), "norm: a final . leaves a "
	    "directory (trailing slash)");
	tap_ok(norm_is("/..", "/"), "norm: .. at the root stays at the root");
	tap_ok(norm_is("/../../auth/login", "/auth/login"),
	    "norm: .. above the root cannot climb out");
	tap_ok(norm_is("/auth/%2e%2e/app/x", "/app/x"),
	    "norm: percent-encoded dots (lower case) are dot segments");
	tap_ok(norm_is("/auth/%2E%2e/app/x", "/app/x"),
	    "norm: percent-encoded dots (mixed case) are dot segments");
	tap_ok(norm_is("/auth/.%2e/app/x", "/app/x"),
	    "norm: a half-encoded .. is a dot segment");
	tap_ok(norm_is("/%61pp/x", "/app/x"),
	    "norm: an encoded unreserved letter is decoded (§6.2.2.2)");
	tap_ok(norm_is("/a%2fb/../c", "/c"),
	    "norm: an encoded slash stays inside its segment");
	tap_ok(norm_is("/a%2fb", "/a%2Fb"),
	    "norm: other escapes stay encoded, hex in upper case (§6.2.2.1)");
	tap_ok(norm_is("/a%20b", "/a%20b"), "norm: an encoded space stays "
	    "encoded");
	tap_ok(norm_is("//auth//login", "/auth/login"),
	    "norm: doubled slashes are merged, as the web servers do");
	tap_ok(norm_is("/auth//../app/x", "/app/x"),
	    "norm: slashes are merged before .. is applied");
	tap_ok(norm_is("/auth/../app/x?next=/auth/../y#f", "/app/x"),
	    "norm: the query and fragment are not part of the path");
	tap_ok(norm_is("/a/..b/c.", "/a/..b/c."),
	    "norm: segments that only start or end with dots are kept");
	tap_ok(text_path_normalize("app/x", out, sizeof(out)) == JA_EINVAL,
	    "norm: a path not starting with / is refused");
	tap_ok(text_path_normalize("http://h/x", out, sizeof(out)) ==
	    JA_EINVAL, "norm: an absolute URI is refused");
	tap_ok(text_path_normalize(NULL, out, sizeof(out)) == JA_EINVAL,
	    "norm: NULL is refused");
	tap_ok(text_path_normalize("/a%2", out, sizeof(out)) == JA_EINVAL,
	    "norm: a truncated escape is refused");
	tap_ok(text_path_normalize("/a%zz", out, sizeof(out)) == JA_EINVAL,
	    "norm: an escape with non-hex digits is refused");
	tap_ok(text_path_normalize("/abcdefgh", out, sizeof(out)) ==
	    JA_ETOOBIG, "norm: a path longer than the buffer is refused");
	tap_ok(text_path_normalize("/abc", out, sizeof(out)) == JA_OK &&
	    strcmp(out, "/abc") == 0, "norm: a path that fits is written");
	if ((big = malloc(4097)) == NULL || (bigout = malloc(4097)) == NULL)
		abort();
	memset(big, '/', 4096);
	big[4096] = '\0';
	tap_ok(text_path_normalize(big, bigout, 4097) == JA_OK &&
	    strcmp(bigout, "/") == 0, "norm: 4096 slashes are /");
	free(bigout);
	memcpy(big, "/..", 3);
	memset(big + 3, '.', 4093);
	tap_ok(text_path_normalize(big, out, sizeof(out)) == JA_ETOOBIG,
	    "norm: a long segment of dots is refused by size, not cut");
	free(big);
}

static void
test_parse_long(void)
{
	long	 v = 7;
	char	 buf[64];

	tap_ok(text_parse_long("42", 0, 100, &v) == JA_OK && v == 42,
	    "long: \"42\" parses");
	tap_ok(text_parse_long("-5", -10, 10, &v) == JA_OK && v == -5,
	    "long: a negative number parses");
	tap_ok(text_parse_long("+5", 0, 10, &v) == JA_OK && v == 5,
	    "long: a leading plus parses");
	tap_ok(text_parse_long("007", 0, 10, &v) == JA_OK && v == 7,
	    "long: leading zeros parse as decimal, not octal");
	tap_ok(text_parse_long("10", 10, 20, &v) == JA_OK && v == 10,
	    "long: the minimum is inside the bounds");
	tap_ok(text_parse_long("20", 10, 20, &v) == JA_OK && v == 20,
	    "long: the maximum is inside the bounds");
	v = 7;
	tap_ok(text_parse_long("9", 10, 20, &v) == JA_ETOOBIG && v == 7,
	    "long: below the minimum is out of range, *out untouched");
	tap_ok(text_parse_long("21", 10, 20, &v) == JA_ETOOBIG,
	    "long: above the maximum is out of range");
	snprintf(buf, sizeof(buf), "%ld", LONG_MAX);
	tap_ok(text_parse_long(buf, LONG_MIN, LONG_MAX, &v) == JA_OK &&
	    v == LONG_MAX, "long: LONG_MAX parses");
	tap_ok(text_parse_long("9223372036854775808", LONG_MIN, LONG_MAX,
	    &v) == JA_ETOOBIG, "long: LONG_MAX + 1 (overflow) is out of "
	    "range");
	tap_ok(text_parse_long("-9223372036854775809", LONG_MIN, LONG_MAX,
	    &v) == JA_ETOOBIG, "long: LONG_MIN - 1 (underflow) is out of "
	    "range");
	tap_ok(text_parse_long("99999999999999999999999", 0, 100, &v) ==
	    JA_ETOOBIG, "long: a huge number is out of range, not wrapped");
	tap_ok(text_parse_long("", 0, 10, &v) == JA_EINVAL,
	    "long: the empty string is refused");
	tap_ok(text_parse_long(NULL, 0, 10, &v) == JA_EINVAL,
	    "long: NULL is refused");
	tap_ok(text_parse_long(" 5", 0, 10, &v) == JA_EINVAL,
	    "long: a leading space is refused");
	tap_ok(text_parse_long("5 ", 0, 10, &v) == JA_EINVAL,
	    "long: a trailing space is refused");
	tap_ok(text_parse_long("5x", 0, 10, &v) == JA_EINVAL,
	    "long: trailing junk is refused");
	tap_ok(text_parse_long("0x10", 0, 100, &v) == JA_EINVAL,
	    "long: hexadecimal is refused");
	tap_ok(text_parse_long("1e3", 0, 10000, &v) == JA_EINVAL,
	    "long: an exponent is refused");
	tap_ok(text_parse_long("1.5", 0, 10, &v) == JA_EINVAL,
	    "long: a fraction is refused");
	tap_ok(text_parse_long("-", -10, 10, &v) == JA_EINVAL,
	    "long: a sign alone is refused");
	tap_ok(text_parse_long("+-5", -10, 10, &v) == JA_EINVAL,
	    "long: two signs are refused");
	tap_ok(text_parse_long("--5", -10, 10, &v) == JA_EINVAL,
	    "long: a double minus is refused");
}

/* Full decoding for otp_paths: every escape, but never a "/", "\\", NUL. */
static void
test_path_decode(void)
{
	char	 out[64];

	tap_ok(text_path_decode("/my%20docs/x", out, sizeof(out)) == JA_OK &&
	    strcmp(out, "/my docs/x") == 0, "decode: %20 is a space");
	tap_ok(text_path_decode("/%c3%A9", out, sizeof(out)) == JA_OK &&
	    strcmp(out, "/\303\251") == 0, "decode: either hex case");
	tap_ok(text_path_decode("/app%2Fadmin/x", out, sizeof(out)) ==
	    JA_EINVAL, "decode: an encoded / is refused (unknown path)");
	tap_ok(text_path_decode("/app%2fadmin", out, sizeof(out)) ==
	    JA_EINVAL, "decode: an encoded / in lower case too");
	tap_ok(text_path_decode("/a%5Cb", out, sizeof(out)) == JA_EINVAL,
	    "decode: an encoded \\ is refused");
	tap_ok(text_path_decode("/a%00b", out, sizeof(out)) == JA_EINVAL,
	    "decode: an encoded NUL is refused");
	tap_ok(text_path_decode("/a%2", out, sizeof(out)) == JA_EINVAL,
	    "decode: a malformed escape is refused");
	tap_ok(text_path_decode("/abcdefgh", out, 5) == JA_ETOOBIG,
	    "decode: a short buffer is JA_ETOOBIG");
	tap_ok(text_path_in_list("/private/my docs", "/private/my docs/x") &&
	    text_path_normalize("/private/my%20docs/x", out, sizeof(out)) ==
	    JA_OK && text_path_decode(out, out, sizeof(out)) == JA_OK &&
	    text_path_in_list("/private/my docs", out),
	    "decode: a request for /private/my%20docs/x is under the decoded "
	    "entry");
}

static void
test_path_in_list(void)
{
	tap_ok(text_path_in_list("/app/admin", "/app/admin"),
	    "path list: the prefix itself is in");
	tap_ok(text_path_in_list("/app/admin", "/app/admin/x"),
	    "path list: a path below the prefix is in");
	tap_ok(!text_path_in_list("/app/admin", "/app/administer"),
	    "path list: a longer name is not below the prefix");
	tap_ok(!text_path_in_list("/app/admin", "/app"),
	    "path list: the parent is not in");
	tap_ok(text_path_in_list("/a, /app/", "/app/x"),
	    "path list: the second entry, spaces around, counts");
	tap_ok(text_path_in_list("/app/", "/app/"),
	    "path list: a prefix ending in a slash takes itself");
	tap_ok(!text_path_in_list("/app/", "/app"),
	    "path list: a prefix ending in a slash does not take the name "
	    "without it");
	tap_ok(text_path_in_list("/", "/anything"),
	    "path list: / takes everything");
	tap_ok(!text_path_in_list(",, ,", "/app"),
	    "path list: empty entries take nothing");
	tap_ok(!text_path_in_list(NULL, "/app") &&
	    !text_path_in_list("/app", NULL),
	    "path list: no list or no path is not in");
}

static void
test_in_list(void)
{
	tap_ok(text_in_list("127.0.0.1 ::1", "::1", 3),
	    "in_list: the second word of a space-separated list");
	tap_ok(text_in_list("a,b\tc", "c", 1),
	    "in_list: commas and tabs separate too");
	tap_ok(!text_in_list("127.0.0.10", "127.0.0.1", 9),
	    "in_list: a prefix of a word is not the word");
	tap_ok(!text_in_list(NULL, "x", 1), "in_list: a NULL list holds nothing");
	tap_ok(!text_in_list("x  y", "", 0),
	    "in_list: the empty word is never in it");
}

static void
test_event_escape(void)
{
	char	 out[300], big[200];

	event_escape(out, sizeof(out), "alice");
	tap_ok(strcmp(out, "alice") == 0, "event_escape: plain text stays");
	event_escape(out, sizeof(out), "a b=c\"d\\e\n");
	tap_ok(strcmp(out, "a\\x20b\\x3dc\\x22d\\x5ce\\x0a") == 0,
	    "event_escape: space, =, quote, backslash, newline as \\xHH");
	event_escape(out, sizeof(out), "\xc3\xa9");
	tap_ok(strcmp(out, "\\xc3\\xa9") == 0,
	    "event_escape: bytes outside ASCII as \\xHH");
	event_escape(out, sizeof(out), NULL);
	tap_ok(strcmp(out, "-") == 0, "event_escape: NULL is -");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	event_escape(out, sizeof(out), big);
	tap_ok(strlen(out) == 64, "event_escape: cut at 64 bytes of input");
	event_escape(out, 4, "a b c");
	tap_ok(strcmp(out, "a") == 0,
	    "event_escape: an escape that does not fit is left out whole");
}

int
main(void)
{
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	test_utf8();
	test_uuid();
	test_local_path();
	test_local_or_root();
	test_path_normalize();
	test_parse_long();
	test_path_decode();
	test_path_in_list();
	test_in_list();
	test_event_escape();
	return tap_done();
}
