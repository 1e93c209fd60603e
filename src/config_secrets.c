/*
 * config_secrets.c: the key files that the configuration names, read
 * once it is checked: the signing key (keys.c), the verify-only keys,
 * the server secret (secret_file) and the old secrets still accepted
 * (old_secret_files); and the check that the signing key is not the
 * secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * Loads the old secrets of old_secret_files (paths separated by commas
 * or blanks), each a key file like secret_file, with their versions.
 */
static int
config_old_secrets(struct config *cfg, const char *where, char *err,
    size_t errlen)
{
	struct secret	*o;
	char		*list, *p, *save = NULL, sub[512];
	int		 rc = JA_ECONFIG;

	if (cfg->old_secret_files == NULL)
		return JA_OK;
	if ((list = strdup(cfg->old_secret_files)) == NULL) {
		snprintf(err, errlen, "%s: old_secret_files: out of memory",
		    where);
		return JA_ECONFIG;
	}
	for (p = strtok_r(list, ", \t", &save); p != NULL;
	    p = strtok_r(NULL, ", \t", &save)) {
		if (cfg->nold_secrets == JA_OLD_SECRETS_MAX) {
			snprintf(err, errlen, "%s: old_secret_files: more "
			    "than %d files", where, JA_OLD_SECRETS_MAX);
			goto out;
		}
		o = &cfg->old_secrets[cfg->nold_secrets];
		if (keyfile_read(p, o->key, sizeof(o->key), &o->len, sub,
		    sizeof(sub)) != JA_OK) {
			snprintf(err, errlen, "%s: old_secret_files: %s", where,
			    sub);
			goto out;
		}
		secret_id(o->key, o->len, o->id);
		cfg->nold_secrets++;
		if (strcmp(o->id, cfg->secret_id) == 0) {
			snprintf(err, errlen, "%s: old_secret_files: %s holds "
			    "the current secret", where, p);
			goto out;
		}
	}
	rc = JA_OK;
out:
	free(list);
	return rc;
}

/*
 * Returns 1 when the HS256 signing key and the server secret, both
 * loaded, are the same bytes (compared in constant time): one file
 * copied for the other.  RS256 and ES256 keys are never the secret.
 */
int
config_key_is_secret(const struct config *cfg)
{
	return cfg->sign_alg == KEY_HS256 && cfg->keylen > 0 &&
	    cfg->keylen == cfg->secretlen &&
	    sodium_memcmp(cfg->key, cfg->secret, cfg->keylen) == 0;
}

/*
 * Reads the key files: the signing key (key_alg, key_file), the
 * verify-only keys, the current secret and the old ones.  The messages
 * of key_file and secret_file start with the file's path; the others
 * with file:line of their config key.  Returns JA_OK, or JA_ECONFIG
 * with the message in err.
 */
int
config_secrets(struct config *cfg, const size_t *lines, char *err,
    size_t errlen)
{
	char	 where[512], sub[768];

	if (keys_load_sign(cfg, err, errlen) != JA_OK)
		return JA_ECONFIG;
	if (keyfile_read(cfg->secret_file, cfg->secret, sizeof(cfg->secret),
	    &cfg->secretlen, err, errlen) != JA_OK)
		return JA_ECONFIG;
	secret_id(cfg->secret, cfg->secretlen, cfg->secret_id);
	if (config_key_is_secret(cfg)) {
		snprintf(err, errlen, "%s: secret_file: holds the same "
		    "key as key_file; make another with authctl keygen",
		    cfg->path);
		return JA_ECONFIG;
	}
	config_where(where, sizeof(where), cfg->path, lines, "verify_keys");
	if (keys_load_verify(cfg, sub, sizeof(sub)) != JA_OK) {
		snprintf(err, errlen, "%s: %s", where, sub);
		return JA_ECONFIG;
	}
	config_where(where, sizeof(where), cfg->path, lines,
	    "old_secret_files");
	return config_old_secrets(cfg, where, err, errlen);
}
