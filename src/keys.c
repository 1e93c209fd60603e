/*
 * keys.c: the keys that sign and verify access tokens.
 *
 * Each key has exactly one algorithm and one kid (RFC 8725 §3.1, RFC
 * 7515 §4.1.4): the signing key (key_file, key_alg, key_id) and up to
 * JA_VERIFY_MAX keys that only verify (verify_keys = kid:alg:path, ...),
 * so that a key rotates without ending the sessions whose tokens it
 * signed.  HS256 keys are the base64 files of keyfile.c; RS256 and ES256
 * keys are PEM, parsed and checked by OpenSSL 3 (RSA of 2048 to 4096
 * bits, EC on P-256).  A token's kid selects the key and the key's
 * algorithm is the only one it is used with: an RSA or EC key is never
 * an HMAC secret (the key confusion of RFC 8725 §2.1).
 * Loading them from their files is keys_load.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "jwtauth.h"

#define KEYS_ES256_HALF	32	/* bytes of r and of s (RFC 7518 §3.4) */

static const char *const keys_alg_names[] = { "HS256", "RS256", "ES256" };

/* The JWA name of alg (RFC 7518 §3.1). */
const char *
keys_alg_name(enum key_alg alg)
{
	if ((size_t)alg >= sizeof(keys_alg_names) / sizeof(keys_alg_names[0]))
		return "";
	return keys_alg_names[alg];
}

/* Sets *alg from its exact, case-sensitive name; JA_OK or JA_EINVAL. */
int
keys_alg_parse(const char *name, enum key_alg *alg)
{
	size_t	 i;

	for (i = 0; i < sizeof(keys_alg_names) / sizeof(keys_alg_names[0]);
	    i++) {
		if (strcmp(name, keys_alg_names[i]) == 0) {
			*alg = (enum key_alg)i;
			return JA_OK;
		}
	}
	return JA_EINVAL;
}

/*
 * Selects the key that kid names: the signing key when kid is key_id,
 * else the verify-only key of that kid.  Fills ref (pointers into cfg).
 * Returns JA_OK or JA_ENOTFOUND.
 */
int
keys_select(const struct config *cfg, const char *kid, struct keyref *ref)
{
	size_t	 i;

	memset(ref, 0, sizeof(*ref));
	if (strcmp(kid, cfg->key_id) == 0) {
		ref->kid = cfg->key_id;
		ref->alg = cfg->sign_alg;
		ref->hs = cfg->key;
		ref->hslen = cfg->keylen;
		ref->pkey = cfg->sign_pkey;
		ref->slot = 0;
		return JA_OK;
	}
	for (i = 0; i < cfg->nverify; i++) {
		if (strcmp(kid, cfg->verify[i].kid) == 0) {
			ref->kid = cfg->verify[i].kid;
			ref->alg = cfg->verify[i].alg;
			ref->hs = cfg->verify[i].hs;
			ref->hslen = cfg->verify[i].hslen;
			ref->pkey = cfg->verify[i].pkey;
			ref->slot = i + 1;
			return JA_OK;
		}
	}
	return JA_ENOTFOUND;
}

/*
 * The length in bytes of a signature of key ref: 32 (HMAC-SHA256), 64
 * (ES256's r || s, RFC 7518 §3.4) or the RSA modulus (RFC 8017 §8.2);
 * 0 when the key is missing.
 */
size_t
keys_sig_len(const struct keyref *ref)
{
	int	 n;

	switch (ref->alg) {
	case KEY_HS256:
		return ref->hslen >= JA_KEY_MIN ? crypto_auth_hmacsha256_BYTES :
		    0;
	case KEY_ES256:
		return ref->pkey != NULL ? 2 * KEYS_ES256_HALF : 0;
	case KEY_RS256:
		if (ref->pkey == NULL || (n = EVP_PKEY_get_size(ref->pkey)) <= 0)
			return 0;
		return (size_t)n;
	}
	return 0;
}

/*
 * Turns an ES256 signature, r || s of 32 bytes each (RFC 7518 §3.4),
 * into the DER ECDSA-Sig-Value OpenSSL verifies; its length in *derlen.
 */
static int
keys_es256_der(const unsigned char *sig, unsigned char *der, size_t max,
    size_t *derlen)
{
	ECDSA_SIG	*es;
	BIGNUM		*r, *s;
	unsigned char	*p = der;
	int		 n, ok = 0;

	if ((es = ECDSA_SIG_new()) == NULL)
		return 0;
	r = BN_bin2bn(sig, KEYS_ES256_HALF, NULL);
	s = BN_bin2bn(sig + KEYS_ES256_HALF, KEYS_ES256_HALF, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		goto out;
	}
	n = i2d_ECDSA_SIG(es, NULL);
	if (n > 0 && (size_t)n <= max && i2d_ECDSA_SIG(es, &p) == n) {
		*derlen = (size_t)n;
		ok = 1;
	}
out:
	ECDSA_SIG_free(es);
	return ok;
}

/*
 * Returns 1 if sig (siglen bytes) is a valid RS256 (RSASSA-PKCS1-v1_5
 * with SHA-256, RFC 7518 §3.3) or ES256 (ECDSA P-256 with SHA-256,
 * §3.4) signature of msg under ref's public key, else 0.  HS256 is
 * token.c's own (token_mac_ok) and gets 0 here.
 */
int
keys_verify_sig(const struct keyref *ref, const unsigned char *msg,
    size_t len, const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX	*md;
	unsigned char	 der[80];
	size_t		 derlen = siglen;
	const unsigned char *s = sig;
	int		 ok = 0;

	if (ref->pkey == NULL || siglen == 0 || siglen != keys_sig_len(ref) ||
	    ref->alg == KEY_HS256)
		return 0;
	if (ref->alg == KEY_ES256) {
		if (!keys_es256_der(sig, der, sizeof(der), &derlen))
			return 0;
		s = der;
	}
	if ((md = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
	    ref->pkey) == 1 && EVP_DigestVerify(md, s, derlen, msg, len) == 1)
		ok = 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}

/* Frees the OpenSSL keys and the PEM text of cfg, wiping the keys. */
void
keys_free(struct config *cfg)
{
	size_t	 i;

	if (cfg == NULL)
		return;
	EVP_PKEY_free(cfg->sign_pkey);
	cfg->sign_pkey = NULL;
	if (cfg->sign_pem != NULL) {
		sodium_memzero(cfg->sign_pem, cfg->sign_pemlen);
		free(cfg->sign_pem);
		cfg->sign_pem = NULL;
	}
	for (i = 0; i < cfg->nverify; i++) {
		EVP_PKEY_free(cfg->verify[i].pkey);
		sodium_memzero(&cfg->verify[i], sizeof(cfg->verify[i]));
	}
	cfg->nverify = 0;
}
