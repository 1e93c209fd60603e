/*
 * test-bearer.c: unit tests for bearer.c, request_bearer(): the token
 * of an "Authorization: Bearer TOKEN" header (RFC 6750 §2.1:
 * credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive,
 * RFC 9110 §11.1).
 */
#include <stdint.h>
#include <string.h>

#include "jwtauth.h"
#include "tap.h"

#define TOK	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"

/* request_bearer() on header (NULL: none) into out of outlen bytes. */
static int
bearer(const char *header, char *out, size_t outlen)
{
	struct request	 r;

	memset(&r, 0, sizeof(r));
	r.authorization = (char *)(uintptr_t)header;
	return request_bearer(&r, out, outlen);
}

/* Returns 1 if header yields the token want. */
static int
token_is(const char *header, const char *want)
{
	char	 out[JA_TOKEN_MAX + 1];

	return bearer(header, out, sizeof(out)) == JA_OK &&
	    strcmp(out, want) == 0;
}

/* Returns 1 if header is refused with rc. */
static int
refused(const char *header, int rc)
{
	char	 out[JA_TOKEN_MAX + 1];

	return bearer(header, out, sizeof(out)) == rc;
}

static void
test_accepted(void)
{
	tap_ok(token_is("Bearer " TOK, TOK),
	    "the token of \"Bearer TOKEN\" is copied whole");
	tap_ok(token_is("bearer " TOK, TOK),
	    "the scheme in lower case is accepted");
	tap_ok(token_is("BEARER " TOK, TOK),
	    "the scheme in upper case is accepted");
	tap_ok(token_is("bEaReR " TOK, TOK),
	    "the scheme in mixed case is accepted");
	tap_ok(token_is("Bearer    " TOK, TOK),
	    "several spaces after the scheme are skipped (1*SP)");
	tap_ok(token_is("Bearer " TOK "   ", TOK),
	    "spaces after the token are trimmed");
	tap_ok(token_is("Bearer aZ09-._~+/==", "aZ09-._~+/=="),
	    "every b64token character and trailing \"=\" are kept");
	tap_ok(token_is("Bearer x", "x"), "a one-character token is found");
}

static void
test_refused(void)
{
	tap_ok(refused(NULL, JA_ENOTFOUND),
	    "no Authorization header: not found");
	tap_ok(refused("", JA_EINVAL), "an empty Authorization is malformed");
	tap_ok(refused("Basic YWxpY2U6c2VjcmV0", JA_EINVAL),
	    "another scheme (Basic) is malformed, not ignored");
	tap_ok(refused("Bearer", JA_EINVAL),
	    "the scheme alone, without a space, is malformed");
	tap_ok(refused("Bearer ", JA_EINVAL),
	    "the scheme and one space, no token, is malformed");
	tap_ok(refused("Bearer     ", JA_EINVAL),
	    "the scheme and only spaces is malformed");
	tap_ok(refused("Bearer" TOK, JA_EINVAL),
	    "a token glued to the scheme is malformed");
	tap_ok(refused("Bearer\t" TOK, JA_EINVAL),
	    "a tab is not the space that ends the scheme");
	tap_ok(refused(" Bearer " TOK, JA_EINVAL),
	    "a space before the scheme is malformed");
	tap_ok(refused("Bearerx " TOK, JA_EINVAL),
	    "a longer scheme starting with Bearer is malformed");
	tap_ok(refused("Beare " TOK, JA_EINVAL),
	    "a shorter scheme is malformed");
}

static void
test_size(void)
{
	char	 out[9], big[JA_TOKEN_MAX + 64];

	memset(out, 'X', sizeof(out));
	tap_ok(bearer("Bearer 12345678", out, sizeof(out)) == JA_OK &&
	    strcmp(out, "12345678") == 0, "a token of outlen - 1 bytes fits");
	memset(out, 'X', sizeof(out));
	tap_ok(bearer("Bearer 123456789", out, sizeof(out)) == JA_ETOOBIG,
	    "a token of outlen bytes is too big");
	tap_ok(memcmp(out, "XXXXXXXXX", sizeof(out)) == 0,
	    "a token too big is not copied, not even in part");
	tap_ok(bearer("Bearer 12345678   ", out, sizeof(out)) == JA_OK &&
	    strcmp(out, "12345678") == 0,
	    "trailing spaces do not count towards the size");
	memcpy(big, "Bearer ", 7);
	memset(big + 7, 'A', sizeof(big) - 8);
	big[sizeof(big) - 1] = '\0';
	tap_ok(refused(big, JA_ETOOBIG),
	    "a token over JA_TOKEN_MAX is too big for the caller's buffer");
}

int
main(void)
{
	test_accepted();
	test_refused();
	test_size();
	return tap_done();
}
