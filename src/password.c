/*
 * password.c: password hashing with argon2id through libsodium, at or
 * above OWASP's minimum (19 MiB, 2 passes, 1 lane).  A login for an
 * unknown user verifies against a dummy hash of the same cost, so it
 * takes as long and answers the same as a wrong password.
 */
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

static char	password_dummy[crypto_pwhash_STRBYTES];

/*
 * Hashes pw into out (outlen >= crypto_pwhash_STRBYTES) with the cost in
 * cfg.  Returns JA_OK, JA_ETOOBIG for a short buffer, JA_ENOMEM when
 * argon2 cannot get its memory.
 */
int
password_hash(const struct config *cfg, const char *pw, char *out,
    size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return JA_ETOOBIG;
	if (crypto_pwhash_str_alg(out, pw, strlen(pw),
	    (unsigned long long)cfg->pwhash_opslimit,
	    (size_t)cfg->pwhash_memlimit * 1024,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return JA_ENOMEM;
	return JA_OK;
}

/*
 * Makes the dummy hash of the configured cost, once per process.  The
 * login route calls it before it looks the user up, so the first login
 * of a process costs the same whether the user exists or not.
 */
void
password_prepare(const struct config *cfg)
{
	char	 junk[JA_RT_LEN + 1];

	if (password_dummy[0] != '\0')
		return;
	if (random_b64url(junk, sizeof(junk), 32) != JA_OK ||
	    password_hash(cfg, junk, password_dummy,
	    sizeof(password_dummy)) != JA_OK)
		password_dummy[0] = '\0';
	sodium_memzero(junk, sizeof(junk));
}

/*
 * Checks pw against hash (constant time inside libsodium).  With hash
 * NULL (unknown user) it checks against the dummy hash of the
 * configured cost and fails.  Returns JA_OK or JA_EAUTH.
 */
int
password_verify(const struct config *cfg, const char *hash, const char *pw)
{
	if (hash == NULL) {
		password_prepare(cfg);
		if (password_dummy[0] != '\0' &&
		    crypto_pwhash_str_verify(password_dummy, pw,
		    strlen(pw)) == 0)
			log_msg("dummy password hash matched");
		return JA_EAUTH;
	}
	if (crypto_pwhash_str_verify(hash, pw, strlen(pw)) != 0)
		return JA_EAUTH;
	return JA_OK;
}
