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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "jwtauth.h"

#define KEYS_RSA_MIN	2048
#define KEYS_RSA_MAX	4096
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

/* A passphrase callback that has none: encrypted keys are refused. */
static int
keys_no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

/* Returns 1 if pkey is a key of algorithm alg (RFC 7518 §3.3, §3.4). */
static int
keys_pkey_fits(EVP_PKEY *pkey, enum key_alg alg)
{
	char	 group[32];

	switch (alg) {
	case KEY_RS256:
		return EVP_PKEY_is_a(pkey, "RSA") &&
		    EVP_PKEY_get_bits(pkey) >= KEYS_RSA_MIN &&
		    EVP_PKEY_get_bits(pkey) <= KEYS_RSA_MAX;
	case KEY_ES256:
		return EVP_PKEY_is_a(pkey, "EC") &&
		    EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) &&
		    strcmp(group, "prime256v1") == 0;
	default:
		return 0;
	}
}

/*
 * Parses PEM text pem (len bytes) as a key of algorithm alg (RS256 or
 * ES256): a private key (PKCS#8 or traditional, not encrypted) or, when
 * it holds none, a public key (SubjectPublicKeyInfo).  On JA_OK *out is
 * the key (EVP_PKEY_free it) and *priv says whether it is private.
 * Returns JA_ECONFIG with a message in err for anything else, an RSA key
 * outside 2048..4096 bits or an EC key on another curve included.
 */
int
keys_pem_parse(const char *pem, size_t len, enum key_alg alg,
    EVP_PKEY **out, int *priv, char *err, size_t errlen)
{
	BIO		*bio = NULL;
	EVP_PKEY	*pkey = NULL;
	int		 rc = JA_ECONFIG;

	*out = NULL;
	*priv = 0;
	if (len > INT32_MAX || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		goto out;
	if ((pkey = PEM_read_bio_PrivateKey(bio, NULL, keys_no_passphrase,
	    NULL)) != NULL)
		*priv = 1;
	else {
		BIO_free(bio);
		if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
			goto out;
		pkey = PEM_read_bio_PUBKEY(bio, NULL, keys_no_passphrase,
		    NULL);
	}
	if (pkey == NULL) {
		snprintf(err, errlen, "not a PEM key (unencrypted PKCS#8 "
		    "private key or public key)");
		goto out;
	}
	if (!keys_pkey_fits(pkey, alg)) {
		snprintf(err, errlen, "not a key for %s (%s)",
		    keys_alg_name(alg), alg == KEY_RS256 ?
		    "RSA of 2048 to 4096 bits" : "EC on P-256");
		goto out;
	}
	*out = pkey;
	pkey = NULL;
	rc = JA_OK;
out:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return rc;
}

/*
 * Loads the key of algorithm alg in path into an HS256 buffer (hs, its
 * length in *hslen) or an OpenSSL key (*pkey; also its PEM text in *pem
 * when pem is not NULL).  need_private: a public key is refused.
 */
static int
keys_load_one(const char *path, enum key_alg alg, int need_private,
    unsigned char *hs, size_t *hslen, EVP_PKEY **pkey, char **pem,
    size_t *pemlen, char *err, size_t errlen)
{
	char	*text = NULL, why[256];
	size_t	 len = 0;
	int	 priv, rc;

	if (alg == KEY_HS256)
		return keyfile_read(path, hs, JA_KEY_MAX, hslen, err, errlen);
	if ((rc = keyfile_read_pem(path, &text, &len, err, errlen)) != JA_OK)
		return rc;
	rc = keys_pem_parse(text, len, alg, pkey, &priv, why, sizeof(why));
	if (rc != JA_OK)
		snprintf(err, errlen, "%s: %s", path, why);
	else if (need_private && !priv) {
		snprintf(err, errlen, "%s: a public key cannot sign; the "
		    "private key is needed", path);
		EVP_PKEY_free(*pkey);
		*pkey = NULL;
		rc = JA_ECONFIG;
	}
	if (rc == JA_OK && pem != NULL) {
		*pem = text;
		*pemlen = len;
	} else {
		sodium_memzero(text, len);
		free(text);
	}
	return rc;
}

/* Returns 1 if kid is 1..JA_KID_MAX printable ASCII bytes, no ':' ','. */
static int
keys_kid_ok(const char *kid)
{
	size_t	 i, len = strlen(kid);

	if (len == 0 || len > JA_KID_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (kid[i] <= ' ' || kid[i] > '~' || kid[i] == ':' ||
		    kid[i] == ',' || kid[i] == '"' || kid[i] == '\\')
			return 0;
	return 1;
}

/*
 * Parses one verify_keys entry "kid:alg:path" (the path may hold ':')
 * into the next free slot of cfg->verify and loads its key.
 */
static int
keys_add_verify(struct config *cfg, char *entry, char *err, size_t errlen)
{
	struct jwk	*k;
	char		*alg, *path, sub[512];
	size_t		 i;

	if (cfg->nverify == JA_VERIFY_MAX) {
		snprintf(err, errlen, "verify_keys: more than %d keys",
		    JA_VERIFY_MAX);
		return JA_ECONFIG;
	}
	if ((alg = strchr(entry, ':')) == NULL ||
	    (path = strchr(alg + 1, ':')) == NULL) {
		snprintf(err, errlen, "verify_keys: %.64s: expected "
		    "kid:alg:path", entry);
		return JA_ECONFIG;
	}
	*alg++ = '\0';
	*path++ = '\0';
	k = &cfg->verify[cfg->nverify];
	if (!keys_kid_ok(entry) || strcmp(entry, cfg->key_id) == 0) {
		snprintf(err, errlen, "verify_keys: %.64s: a kid is 1 to %d "
		    "printable bytes without : or , and not key_id", entry,
		    JA_KID_MAX);
		return JA_ECONFIG;
	}
	for (i = 0; i < cfg->nverify; i++) {
		if (strcmp(cfg->verify[i].kid, entry) == 0) {
			snprintf(err, errlen, "verify_keys: %s: given twice",
			    entry);
			return JA_ECONFIG;
		}
	}
	if (keys_alg_parse(alg, &k->alg) != JA_OK) {
		snprintf(err, errlen, "verify_keys: %s: %.16s: HS256, RS256 "
		    "or ES256", entry, alg);
		return JA_ECONFIG;
	}
	if (keys_load_one(path, k->alg, 0, k->hs, &k->hslen, &k->pkey, NULL,
	    NULL, sub, sizeof(sub)) != JA_OK) {
		snprintf(err, errlen, "verify_keys: %s: %s", entry, sub);
		return JA_ECONFIG;
	}
	memcpy(k->kid, entry, strlen(entry) + 1);
	cfg->nverify++;
	return JA_OK;
}

/*
 * Loads the signing key: key_file, of algorithm cfg->sign_alg (a private
 * PEM for RS256 and ES256).  Returns JA_OK, or JA_ECONFIG with a message
 * in err that starts with the file's path.  What was loaded stays in
 * cfg for keys_free() (config_free calls it).
 */
int
keys_load_sign(struct config *cfg, char *err, size_t errlen)
{
	return keys_load_one(cfg->key_file, cfg->sign_alg, 1, cfg->key,
	    &cfg->keylen, &cfg->sign_pkey, &cfg->sign_pem, &cfg->sign_pemlen,
	    err, errlen);
}

/*
 * Loads the verify-only keys of cfg->verify_keys, "kid:alg:path"
 * entries separated by commas or blanks.  Returns JA_OK, or JA_ECONFIG
 * with a message in err that starts with "verify_keys".
 */
int
keys_load_verify(struct config *cfg, char *err, size_t errlen)
{
	char	*list, *entry, *save = NULL;
	int	 rc = JA_ECONFIG;

	if (cfg->verify_keys == NULL)
		return JA_OK;
	if ((list = strdup(cfg->verify_keys)) == NULL) {
		snprintf(err, errlen, "verify_keys: out of memory");
		return JA_ECONFIG;
	}
	for (entry = strtok_r(list, ", \t", &save); entry != NULL;
	    entry = strtok_r(NULL, ", \t", &save))
		if (keys_add_verify(cfg, entry, err, errlen) != JA_OK)
			goto out;
	rc = JA_OK;
out:
	free(list);
	return rc;
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
