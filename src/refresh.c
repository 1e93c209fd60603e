/*
 * refresh.c: refresh tokens (RFC 6749 §1.5, §10.4).
 *
 * A refresh token is 256 bits, base64url: HMAC-SHA256 under the server
 * secret of the session's random 256-bit seed, its id and the rotation
 * generation.  So the token of generation g+1 can be derived again from
 * what the database holds plus the server secret, which lets a refresh
 * retried inside the grace window get the same child without any
 * plaintext token stored.  The database keeps only SHA-256 of tokens;
 * tokens carry 256 bits, so a plain hash suffices.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

#define REFRESH_LABEL	"jwtauth refresh v1"

/*
 * Derives the refresh token of session sid at generation gen under the
 * current secret into out (outlen >= JA_RT_LEN + 1).  Returns JA_OK or
 * JA_ETOOBIG.
 */
int
refresh_derive(const struct config *cfg, const unsigned char *seed,
    const char *sid, long gen, char *out, size_t outlen)
{
	return refresh_derive_with(cfg->secret, cfg->secretlen, seed, sid,
	    gen, out, outlen);
}

/*
 * refresh_derive() under secret key (keylen bytes), which may be an old
 * one (secret_find): the grace window re-derives a child with the
 * secret that derived it.
 */
int
refresh_derive_with(const unsigned char *key, size_t keylen,
    const unsigned char *seed, const char *sid, long gen, char *out,
    size_t outlen)
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 mac[crypto_auth_hmacsha256_BYTES];
	char				 g[32];
	int				 rc;

	snprintf(g, sizeof(g), ":%ld", gen);
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)
	    REFRESH_LABEL, sizeof(REFRESH_LABEL));
	crypto_auth_hmacsha256_update(&st, seed, REFRESH_SEED_LEN);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)sid,
	    strlen(sid));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)g,
	    strlen(g));
	crypto_auth_hmacsha256_final(&st, mac);
	rc = b64url_encode(out, outlen, mac, sizeof(mac));
	sodium_memzero(mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
	return rc;
}

/* Returns 1 if token has the exact form of our refresh tokens. */
int
refresh_shape_ok(const char *token)
{
	return token != NULL && strnlen(token, JA_RT_LEN + 1) == JA_RT_LEN &&
	    b64url_is_alphabet(token, JA_RT_LEN);
}

/*
 * Writes the hex SHA-256 of token into out (outlen >= 65), the form in
 * which the database stores and looks up refresh tokens.
 */
int
refresh_hash(const char *token, char *out, size_t outlen)
{
	unsigned char	 h[crypto_hash_sha256_BYTES];

	if (outlen < sizeof(h) * 2 + 1)
		return JA_ETOOBIG;
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, outlen, h, sizeof(h));
	return JA_OK;
}
