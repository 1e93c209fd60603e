/*
 * secret.c: the versions of the server secret (refresh derivation,
 * CSRF).  secret_file holds the current secret; old_secret_files those
 * that still verify CSRF form tokens and still re-derive, inside the
 * grace window, a refresh token they derived.  Each secret is known by
 * its version, a short hash of it that the database stores beside each
 * refresh token and that reveals nothing of the secret.
 */
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

#define SECRET_ID_LABEL	"jwtauth secret id v1"

/*
 * Writes the version of secret key (len bytes) into id (JA_SECRET_ID_LEN
 * + 1 bytes): hex of the first 8 bytes of SHA-256 over a label and the
 * secret.
 */
void
secret_id(const unsigned char *key, size_t len, char *id)
{
	crypto_hash_sha256_state	 st;
	unsigned char			 h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)SECRET_ID_LABEL,
	    sizeof(SECRET_ID_LABEL));
	crypto_hash_sha256_update(&st, key, len);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(id, JA_SECRET_ID_LEN + 1, h, JA_SECRET_ID_LEN / 2);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(h, sizeof(h));
}

/*
 * Finds the secret of version id: the current one, or one of the old
 * secrets; NULL or "" is the current one (rows written before versions
 * were stored).  Sets *key and *len (pointers into cfg).  Returns JA_OK
 * or JA_ENOTFOUND (a secret no longer configured).
 */
int
secret_find(const struct config *cfg, const char *id,
    const unsigned char **key, size_t *len)
{
	size_t	 i;

	if (id == NULL || *id == '\0' || strcmp(id, cfg->secret_id) == 0) {
		*key = cfg->secret;
		*len = cfg->secretlen;
		return JA_OK;
	}
	for (i = 0; i < cfg->nold_secrets; i++) {
		if (strcmp(id, cfg->old_secrets[i].id) == 0) {
			*key = cfg->old_secrets[i].key;
			*len = cfg->old_secrets[i].len;
			return JA_OK;
		}
	}
	return JA_ENOTFOUND;
}
