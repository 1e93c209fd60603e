/*
 * test-refresh.c: unit tests for refresh.c, the refresh tokens (RFC 6749
 * §1.5, §10.4): derivation by HMAC-SHA256 from (secret, seed, session
 * id, generation), the SHA-256 the database keeps, and the shape check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

#define SID	"5f3c2b1a-0e9d-4c8b-a7f6-e5d4c3b2a190"
#define SID2	"5f3c2b1a-0e9d-4c8b-a7f6-e5d4c3b2a191"

static struct config	 cfg;
static unsigned char	 seed[REFRESH_SEED_LEN];

/* Derives into a static buffer; "" on error. */
static const char *
derive(const struct config *c, const unsigned char *s, const char *sid,
    long gen)
{
	static char	 out[4][JA_RT_LEN + 1];
	static int	 i;

	i = (i + 1) % 4;
	if (refresh_derive(c, s, sid, gen, out[i], sizeof(out[i])) != JA_OK)
		out[i][0] = '\0';
	return out[i];
}

static void
test_derive(void)
{
	struct config	 other = cfg;
	unsigned char	 seed2[REFRESH_SEED_LEN];
	char		 t[JA_RT_LEN + 1], small[JA_RT_LEN];

	memcpy(t, derive(&cfg, seed, SID, 1), sizeof(t));
	tap_ok(strlen(t) == JA_RT_LEN && b64url_is_alphabet(t, JA_RT_LEN),
	    "a derived token is 43 base64url characters");
	tap_ok(refresh_shape_ok(t), "a derived token has the refresh shape");
	tap_ok(strcmp(t, derive(&cfg, seed, SID, 1)) == 0,
	    "derivation is deterministic for the same inputs");
	tap_ok(strcmp(derive(&cfg, seed, SID, 0),
	    "DpQf3-xfV0vD6KCs5gXa2VkUKM6djz53fHCimJTS8aw") == 0 &&
	    strcmp(derive(&cfg, seed, SID, 1),
	    "KmB3_WAOYWdtzspttSZ64x9Pco9_JI6r7aiZdl9fTRg") == 0,
	    "derivation matches the known answers (changing it logs "
	    "every session out)");
	tap_ok(strcmp(t, derive(&cfg, seed, SID, 2)) != 0,
	    "another generation derives another token");
	tap_ok(strcmp(derive(&cfg, seed, SID, 1),
	    derive(&cfg, seed, SID, 11)) != 0 &&
	    strcmp(derive(&cfg, seed, SID, 1),
	    derive(&cfg, seed, SID, -1)) != 0,
	    "generations 1, 11 and -1 derive distinct tokens");
	tap_ok(strcmp(t, derive(&cfg, seed, SID2, 1)) != 0,
	    "another session id derives another token");
	memcpy(seed2, seed, sizeof(seed2));
	seed2[REFRESH_SEED_LEN - 1] ^= 1;
	tap_ok(strcmp(t, derive(&cfg, seed2, SID, 1)) != 0,
	    "a seed differing in its last bit derives another token");
	other.secret[0] ^= 1;
	tap_ok(strcmp(t, derive(&other, seed, SID, 1)) != 0,
	    "another secret derives another token");
	tap_ok(refresh_derive(&cfg, seed, SID, 1, small, sizeof(small)) ==
	    JA_ETOOBIG, "a buffer without room for the NUL is too small");
}

static void
test_hash(void)
{
	char	 h[65], small[64];

	tap_ok(refresh_hash("abc", h, sizeof(h)) == JA_OK && strcmp(h,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad") == 0,
	    "refresh_hash is hex SHA-256 (FIPS 180-2 vector \"abc\")");
	tap_ok(refresh_hash("", h, sizeof(h)) == JA_OK && strcmp(h,
	    "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855") == 0,
	    "refresh_hash of the empty string is SHA-256 of nothing");
	tap_ok(refresh_hash("abc", small, sizeof(small)) == JA_ETOOBIG,
	    "refresh_hash needs 65 bytes");
}

static void
test_shape(void)
{
	char		 t[JA_RT_LEN + 1], s[JA_RT_LEN + 2];

	memcpy(t, derive(&cfg, seed, SID, 1), sizeof(t));
	tap_ok(refresh_shape_ok("KmB3_WAOYWdtzspttSZ64x9Pco9_JI6r7aiZdl9fTRg"),
	    "shape: 43 base64url characters are a refresh token");
	memcpy(s, t, JA_RT_LEN - 1);
	s[JA_RT_LEN - 1] = '\0';
	tap_ok(!refresh_shape_ok(s), "shape: 42 characters are refused");
	memcpy(s, t, JA_RT_LEN);
	s[JA_RT_LEN] = 'A';
	s[JA_RT_LEN + 1] = '\0';
	tap_ok(!refresh_shape_ok(s), "shape: 44 characters are refused");
	memcpy(s, t, JA_RT_LEN + 1);
	s[5] = '+';
	tap_ok(!refresh_shape_ok(s), "shape: \"+\" is refused");
	s[5] = '=';
	tap_ok(!refresh_shape_ok(s), "shape: \"=\" is refused");
	s[5] = '.';
	tap_ok(!refresh_shape_ok(s), "shape: \".\" (an access token's "
	    "separator) is refused");
	tap_ok(!refresh_shape_ok(""), "shape: the empty string is refused");
	tap_ok(!refresh_shape_ok(NULL), "shape: NULL is refused");
}

int
main(void)
{
	size_t	 i;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	memset(&cfg, 0, sizeof(cfg));
	for (i = 0; i < 32; i++) {
		cfg.secret[i] = (unsigned char)i;
		seed[i] = (unsigned char)(32 + i);
	}
	cfg.secretlen = 32;
	test_derive();
	test_hash();
	test_shape();
	return tap_done();
}
