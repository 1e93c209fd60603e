/*
 * test-b64.c: unit tests for b64.c, base64url without padding (RFC 4648
 * §5, as JWS uses it: RFC 7515 §2), decoded strictly: one text for one
 * byte string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

/* Decodes the literal s; returns the error code, the bytes in out. */
static int
dec(const char *s, unsigned char *out, size_t outmax, size_t *outlen)
{
	return b64url_decode(out, outmax, outlen, s, strlen(s));
}

/* Returns 1 if the literal s decodes to exactly the len bytes of want. */
static int
dec_is(const char *s, const char *want, size_t len)
{
	unsigned char	 out[64];
	size_t		 n = 99;

	return dec(s, out, sizeof(out), &n) == JA_OK && n == len &&
	    memcmp(out, want, len) == 0;
}

static void
test_vectors(void)
{
	char	 s[16];

	/* RFC 4648 §10, without the padding. */
	tap_ok(b64url_encode(s, sizeof(s), (const unsigned char *)"", 0) ==
	    JA_OK && strcmp(s, "") == 0, "encode: \"\" is \"\"");
	tap_ok(b64url_encode(s, sizeof(s), (const unsigned char *)"f", 1) ==
	    JA_OK && strcmp(s, "Zg") == 0, "encode: \"f\" is \"Zg\"");
	tap_ok(b64url_encode(s, sizeof(s), (const unsigned char *)"fo", 2) ==
	    JA_OK && strcmp(s, "Zm8") == 0, "encode: \"fo\" is \"Zm8\"");
	tap_ok(b64url_encode(s, sizeof(s), (const unsigned char *)"foobar",
	    6) == JA_OK && strcmp(s, "Zm9vYmFy") == 0,
	    "encode: \"foobar\" is \"Zm9vYmFy\"");
	tap_ok(b64url_encode(s, sizeof(s), (const unsigned char *)"\xfb\xff",
	    2) == JA_OK && strcmp(s, "-_8") == 0,
	    "encode: uses \"-\" and \"_\", the URL-safe alphabet");

	tap_ok(dec_is("", "", 0), "decode: \"\" is no bytes");
	tap_ok(dec_is("Zg", "f", 1), "decode: \"Zg\" is \"f\"");
	tap_ok(dec_is("Zm8", "fo", 2), "decode: \"Zm8\" is \"fo\"");
	tap_ok(dec_is("Zm9v", "foo", 3), "decode: \"Zm9v\" is \"foo\"");
	tap_ok(dec_is("Zm9vYmFy", "foobar", 6),
	    "decode: \"Zm9vYmFy\" is \"foobar\"");
	tap_ok(dec_is("-_8", "\xfb\xff", 2), "decode: \"-_8\" is FB FF");
}

static void
test_round_trip(void)
{
	unsigned char	 raw[64], back[64];
	char		 text[128];
	size_t		 len, n;
	int		 bad = 0;

	for (len = 0; len <= sizeof(raw); len++) {
		randombytes_buf(raw, len);
		if (b64url_encode(text, sizeof(text), raw, len) != JA_OK ||
		    strlen(text) != (len * 4 + 2) / 3 ||
		    b64url_decode(back, sizeof(back), &n, text,
		    strlen(text)) != JA_OK || n != len ||
		    memcmp(raw, back, len) != 0)
			bad++;
	}
	tap_ok(bad == 0, "round trip: 0 to 64 random bytes encode to "
	    "ceil(4n/3) characters and decode back");
}

static void
test_strict(void)
{
	unsigned char	 out[64];
	size_t		 n;

	tap_ok(dec("Zg==", out, sizeof(out), &n) == JA_EINVAL,
	    "decode: \"=\" padding is refused");
	tap_ok(dec("Zg=", out, sizeof(out), &n) == JA_EINVAL,
	    "decode: partial \"=\" padding is refused");
	tap_ok(dec("Zm+v", out, sizeof(out), &n) == JA_EINVAL,
	    "decode: \"+\" (standard alphabet) is refused");
	tap_ok(dec("Zm/v", out, sizeof(out), &n) == JA_EINVAL,
	    "decode: \"/\" (standard alphabet) is refused");
	tap_ok(dec("Zm9!v", out, sizeof(out), &n) == JA_EINVAL,
	    "decode: \"!\" is refused, not skipped");
	tap_ok(dec("Zm9 v", out, sizeof(out), &n) == JA_EINVAL,
	    "decode: a space is refused, not skipped");
	tap_ok(dec("Zm9v\n", out, sizeof(out), &n) == JA_EINVAL,
	    "decode: a trailing newline is refused");
	tap_ok(dec("Zh", out, sizeof(out), &n) == JA_EINVAL,
	    "decode: non-zero trailing bits (\"Zh\" for \"Zg\") are refused");
	tap_ok(dec("Zm9", out, sizeof(out), &n) == JA_EINVAL,
	    "decode: non-zero trailing bits (\"Zm9\" for \"Zm8\") are "
	    "refused");
	tap_ok(dec("Z", out, sizeof(out), &n) == JA_EINVAL,
	    "decode: one character (length % 4 == 1) is refused");
	tap_ok(dec("Zm9vY", out, sizeof(out), &n) == JA_EINVAL,
	    "decode: five characters (length % 4 == 1) are refused");
	tap_ok(b64url_decode(out, sizeof(out), &n, "Zm\0v", 4) == JA_EINVAL,
	    "decode: an embedded NUL is refused");
	tap_ok(b64url_decode(out, sizeof(out), &n, "Zm9v\xc3\xa9", 6) ==
	    JA_EINVAL, "decode: a non-ASCII byte is refused");
}

static void
test_sizes(void)
{
	unsigned char	 out[8];
	char		 text[8];
	size_t		 n;

	tap_ok(dec("Zm9vYmFy", out, 6, &n) == JA_OK && n == 6,
	    "decode: a buffer of exactly the decoded size is enough");
	tap_ok(dec("Zm9vYmFy", out, 5, &n) == JA_ETOOBIG,
	    "decode: a buffer one byte short is too small");
	tap_ok(dec("Zm8", out, 1, &n) == JA_ETOOBIG,
	    "decode: a buffer too small for a partial group is too small");
	tap_ok(dec("", out, 0, &n) == JA_OK && n == 0,
	    "decode: nothing fits in a buffer of 0 bytes");
	tap_ok(b64url_encode(text, 4, (const unsigned char *)"foo", 3) ==
	    JA_ETOOBIG, "encode: no room for the NUL is too small");
	tap_ok(b64url_encode(text, 5, (const unsigned char *)"foo", 3) ==
	    JA_OK && strcmp(text, "Zm9v") == 0,
	    "encode: room for the text and the NUL is enough");
}

static void
test_alphabet(void)
{
	tap_ok(b64url_is_alphabet("AZaz09-_", 8),
	    "alphabet: A-Z a-z 0-9 - _ are in");
	tap_ok(b64url_is_alphabet("", 0), "alphabet: nothing is in");
	tap_ok(!b64url_is_alphabet("+", 1), "alphabet: \"+\" is out");
	tap_ok(!b64url_is_alphabet("/", 1), "alphabet: \"/\" is out");
	tap_ok(!b64url_is_alphabet("=", 1), "alphabet: \"=\" is out");
	tap_ok(!b64url_is_alphabet(".", 1), "alphabet: \".\" is out");
	tap_ok(!b64url_is_alphabet("a\0b", 3), "alphabet: NUL is out");
	tap_ok(!b64url_is_alphabet("\xc3\x81", 2),
	    "alphabet: a non-ASCII letter is out");
}

int
main(void)
{
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	test_vectors();
	test_round_trip();
	test_strict();
	test_sizes();
	test_alphabet();
	return tap_done();
}
