/*
 * keygen.c: new RS256 and ES256 signing keys for authctl keygen, and
 * the public half of a key for authctl pubkey.  Keys are made by
 * OpenSSL 3 (RSA 2048 bits, or EC on P-256: RFC 7518 §3.3, §3.4) and
 * written as unencrypted PKCS#8 PEM (RFC 5958, RFC 7468 §10), mode
 * 0600, never over an existing file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "jwtauth.h"

#define KEYGEN_RSA_BITS	2048

/*
 * Creates path (which must not exist yet) with mode 0600 holding a new
 * private key for alg (RS256 or ES256) as PKCS#8 PEM.  Returns JA_OK,
 * JA_EEXIST, JA_EINVAL (alg HS256: that is keyfile_write's), or JA_EIO
 * with a message in err.
 */
int
keygen_pem(const char *path, enum key_alg alg, char *err, size_t errlen)
{
	EVP_PKEY	*pkey = NULL;
	BIO		*mem = NULL;
	char		*data;
	long		 len;
	int		 rc = JA_EIO;

	if (alg == KEY_HS256)
		return JA_EINVAL;
	pkey = alg == KEY_RS256 ?
	    EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)KEYGEN_RSA_BITS) :
	    EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (pkey == NULL || (mem = BIO_new(BIO_s_secmem())) == NULL ||
	    !PEM_write_bio_PrivateKey(mem, pkey, NULL, NULL, 0, NULL, NULL) ||
	    (len = BIO_get_mem_data(mem, &data)) <= 0)
		snprintf(err, errlen, "%s: OpenSSL could not make the key",
		    path);
	else
		rc = keyfile_create(path, data, (size_t)len, err, errlen);
	ERR_clear_error();
	BIO_free(mem);
	EVP_PKEY_free(pkey);
	return rc;
}

/*
 * Reads the RS256 or ES256 key in path (private or public PEM) and sets
 * *out to its public key as PEM (SubjectPublicKeyInfo, RFC 7468 §13);
 * free(3) it.  Returns JA_OK, or JA_ECONFIG / JA_ENOMEM with a message
 * in err.
 */
int
keygen_public(const char *path, char **out, char *err, size_t errlen)
{
	EVP_PKEY	*pkey = NULL;
	BIO		*mem = NULL;
	char		*pem = NULL, *data, why[256];
	size_t		 pemlen = 0;
	long		 len;
	int		 priv, rc;

	*out = NULL;
	if ((rc = keyfile_read_pem(path, &pem, &pemlen, err, errlen)) != JA_OK)
		return rc;
	if (keys_pem_parse(pem, pemlen, KEY_RS256, &pkey, &priv, why,
	    sizeof(why)) != JA_OK && keys_pem_parse(pem, pemlen, KEY_ES256,
	    &pkey, &priv, why, sizeof(why)) != JA_OK) {
		snprintf(err, errlen, "%s: not an RS256 or ES256 key", path);
		rc = JA_ECONFIG;
		goto out;
	}
	rc = JA_ENOMEM;
	if ((mem = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_PUBKEY(mem, pkey) ||
	    (len = BIO_get_mem_data(mem, &data)) <= 0 ||
	    (*out = malloc((size_t)len + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	/* The BIO's data is not NUL-terminated: no string function on it. */
	memcpy(*out, data, (size_t)len);
	(*out)[len] = '\0';
	rc = JA_OK;
out:
	ERR_clear_error();
	BIO_free(mem);
	EVP_PKEY_free(pkey);
	sodium_memzero(pem, pemlen);
	free(pem);
	return rc;
}
