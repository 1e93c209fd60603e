/*
 * keys_load.c: reading the keys that sign and verify access tokens from
 * the files the configuration names (keys.c says how they are used):
 * the signing key (key_file, key_alg) and the verify-only keys
 * (verify_keys = kid:alg:path, ...).  HS256 keys are the base64 files
 * of keyfile.c; RS256 and ES256 keys are PEM, parsed and checked by
 * OpenSSL 3: RSA of KEYS_RSA_MIN to KEYS_RSA_MAX bits, EC on P-256,
 * never encrypted (no passphrase is asked), each with one algorithm
 * and one kid (RFC 8725 §3.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "jwtauth.h"

#define KEYS_RSA_MIN	2048
#define KEYS_RSA_MAX	4096

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

