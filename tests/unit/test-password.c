/*
 * test-password.c: unit tests for password.c, argon2id password hashes
 * through libsodium.  The cost is OWASP's minimum (2 passes, 19 MiB:
 * pwhash_opslimit 2, pwhash_memlimit 19456 KiB), the least the config
 * accepts, to keep the tests quick.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

static struct config	 cfg;

int
main(void)
{
	char	 h[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX], small[64];
	int	 rc;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	memset(&cfg, 0, sizeof(cfg));
	cfg.pwhash_opslimit = 2;
	cfg.pwhash_memlimit = 19456;

	rc = password_hash(&cfg, "correct horse", h, sizeof(h));
	tap_ok(rc == JA_OK, "password_hash hashes a password");
	tap_ok(strncmp(h, "$argon2id$", 10) == 0,
	    "the hash is an argon2id string (\"$argon2id$\")");
	tap_ok(strstr(h, "$m=19456,t=2,p=1$") != NULL,
	    "the hash records the configured cost (m=19456, t=2, p=1)");
	tap_ok(strlen(h) < PASSWORD_HASH_MAX,
	    "the hash fits PASSWORD_HASH_MAX");
	tap_ok(password_verify(&cfg, h, "correct horse") == JA_OK,
	    "the right password verifies");
	tap_ok(password_verify(&cfg, h, "correct horsf") == JA_EAUTH,
	    "a wrong password fails");
	tap_ok(password_verify(&cfg, h, "") == JA_EAUTH,
	    "the empty password fails");
	tap_ok(password_verify(&cfg, h, "correct horse ") == JA_EAUTH,
	    "the password with a trailing space fails");
	tap_ok(password_verify(&cfg, NULL, "correct horse") == JA_EAUTH,
	    "a NULL hash (unknown user) fails");
	tap_ok(password_verify(&cfg, NULL, "") == JA_EAUTH,
	    "a NULL hash fails for the empty password too");
	tap_ok(password_verify(&cfg, "$argon2id$garbage", "x") == JA_EAUTH,
	    "a malformed hash fails");
	tap_ok(password_verify(&cfg, "", "") == JA_EAUTH,
	    "an empty hash fails");

	rc = password_hash(&cfg, "correct horse", h2, sizeof(h2));
	tap_ok(rc == JA_OK && strcmp(h, h2) != 0,
	    "two hashes of one password differ (random salt)");
	tap_ok(password_verify(&cfg, h2, "correct horse") == JA_OK,
	    "the second hash verifies too");

	rc = password_hash(&cfg, "p\xc3\xa4ss", h2, sizeof(h2));
	tap_ok(rc == JA_OK && password_verify(&cfg, h2, "p\xc3\xa4ss") ==
	    JA_OK && password_verify(&cfg, h2, "pass") == JA_EAUTH,
	    "a UTF-8 password verifies byte for byte");

	tap_ok(password_hash(&cfg, "x", small, sizeof(small)) == JA_ETOOBIG,
	    "password_hash refuses a buffer under crypto_pwhash_STRBYTES");
	return tap_done();
}
