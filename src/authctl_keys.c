/*
 * authctl_keys.c: key files from the shell: authctl keygen (a new
 * signing key or secret, never over an existing file) and pubkey (the
 * public half of an RS256 or ES256 key, as PEM).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"

/*
 * keygen [--alg HS256|RS256|ES256] FILE: a new key file, mode 0600,
 * never over an existing one; HS256 (the default) is 32 random bytes of
 * base64url, RS256 and ES256 a PKCS#8 PEM private key.
 */
int
authctl_keygen(int argc, char **argv)
{
	enum key_alg	 alg = KEY_HS256;
	char		 err[1024];
	int		 rc;

	if (argc == 3 && strcmp(argv[0], "--alg") == 0) {
		if (keys_alg_parse(argv[1], &alg) != JA_OK)
			authctl_usage();
		argc -= 2;
		argv += 2;
	}
	if (argc != 1)
		authctl_usage();
	rc = alg == KEY_HS256 ? keyfile_write(argv[0], err, sizeof(err)) :
	    keygen_pem(argv[0], alg, err, sizeof(err));
	if (rc != JA_OK) {
		fprintf(stderr, "authctl: %s\n", err);
		return 1;
	}
	return 0;
}

/* pubkey FILE: the public half of an RS256 or ES256 key, as PEM. */
int
authctl_pubkey(int argc, char **argv)
{
	char	 err[1024], *pem;

	if (argc != 1)
		authctl_usage();
	if (keygen_public(argv[0], &pem, err, sizeof(err)) != JA_OK) {
		fprintf(stderr, "authctl: %s\n", err);
		return 1;
	}
	fputs(pem, stdout);
	free(pem);
	return fflush(stdout) == 0 ? 0 : 1;
}
