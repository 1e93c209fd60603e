/*
 * jwks.c: the JWK Set of our public keys (RFC 7517 §5), which other
 * services verify our access tokens with: one JWK per RS256 or ES256
 * key, the signing key and the verify-only ones, with kty, kid, alg,
 * use "sig" and the public parameters only (RFC 7518 §6.3.1 n and e,
 * §6.2.1 crv, x and y).  HS256 keys are secrets and never appear.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "jwtauth.h"

#define JWKS_BN_MAX	512	/* bytes of an RSA-4096 modulus */

/*
 * Sets member name of obj to the base64url of bn's unsigned big-endian
 * bytes, padded on the left to pad bytes when pad is not 0 (RFC 7518
 * §6.2.1.2: x and y are the full coordinate length), else minimal
 * (§6.3.1.1: n and e, "Base64urlUInt").
 */
static int
jwks_bn(json_t *obj, const char *name, const BIGNUM *bn, int pad)
{
	unsigned char	 raw[JWKS_BN_MAX];
	char		 text[JWKS_BN_MAX * 2];
	int		 n;

	if (bn == NULL || BN_num_bytes(bn) > (int)sizeof(raw) ||
	    pad > (int)sizeof(raw))
		return JA_EINVAL;
	n = pad != 0 ? BN_bn2binpad(bn, raw, pad) : BN_bn2bin(bn, raw);
	if (n <= 0 || b64url_encode(text, sizeof(text), raw, (size_t)n) !=
	    JA_OK)
		return JA_EINVAL;
	return json_object_set_new(obj, name, json_string(text)) == 0 ?
	    JA_OK : JA_ENOMEM;
}

/* Gets the big number parameter name of pkey and sets member member. */
static int
jwks_param(json_t *obj, const char *member, EVP_PKEY *pkey,
    const char *name, int pad)
{
	BIGNUM	*bn = NULL;
	int	 rc;

	if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
		return JA_EINVAL;
	rc = jwks_bn(obj, member, bn, pad);
	BN_free(bn);
	return rc;
}

/*
 * Appends to array keys the public JWK of pkey, an RS256 or ES256 key
 * with identifier kid.  Returns JA_OK, JA_EINVAL (an HS256 key, or a key
 * OpenSSL cannot describe) or JA_ENOMEM.
 */
int
jwks_key(json_t *keys, const char *kid, enum key_alg alg, EVP_PKEY *pkey)
{
	json_t	*k;
	int	 rc = JA_EINVAL;

	if (alg == KEY_HS256 || pkey == NULL)
		return JA_EINVAL;
	if ((k = json_pack("{s:s, s:s, s:s, s:s}", "kty", alg == KEY_RS256 ?
	    "RSA" : "EC", "kid", kid, "use", "sig", "alg",
	    keys_alg_name(alg))) == NULL)
		return JA_ENOMEM;
	if (alg == KEY_RS256) {
		if ((rc = jwks_param(k, "n", pkey, OSSL_PKEY_PARAM_RSA_N,
		    0)) != JA_OK || (rc = jwks_param(k, "e", pkey,
		    OSSL_PKEY_PARAM_RSA_E, 0)) != JA_OK)
			goto out;
	} else {
		if (json_object_set_new(k, "crv", json_string("P-256")) != 0) {
			rc = JA_ENOMEM;
			goto out;
		}
		if ((rc = jwks_param(k, "x", pkey, OSSL_PKEY_PARAM_EC_PUB_X,
		    32)) != JA_OK || (rc = jwks_param(k, "y", pkey,
		    OSSL_PKEY_PARAM_EC_PUB_Y, 32)) != JA_OK)
			goto out;
	}
	rc = json_array_append(keys, k) == 0 ? JA_OK : JA_ENOMEM;
out:
	json_decref(k);
	return rc;
}

/*
 * Returns the JWK Set {"keys":[...]} of cfg's RS256 and ES256 keys, the
 * signing key first (an empty list for an HS256-only service), or NULL
 * when out of memory or a key cannot be described.
 */
json_t *
jwks_json(const struct config *cfg)
{
	json_t	*keys;
	size_t	 i;

	if ((keys = json_array()) == NULL)
		return NULL;
	if (cfg->sign_alg != KEY_HS256 && jwks_key(keys, cfg->key_id,
	    cfg->sign_alg, cfg->sign_pkey) != JA_OK)
		goto fail;
	for (i = 0; i < cfg->nverify; i++)
		if (cfg->verify[i].alg != KEY_HS256 && jwks_key(keys,
		    cfg->verify[i].kid, cfg->verify[i].alg,
		    cfg->verify[i].pkey) != JA_OK)
			goto fail;
	return json_pack("{s:o}", "keys", keys);
fail:
	json_decref(keys);
	return NULL;
}
