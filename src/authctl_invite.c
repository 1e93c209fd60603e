/*
 * authctl_invite.c: invite ADDRESS, for signup = invite: a sign-up link
 * for one address (db_signup.c), single use, INVITE_TTL seconds, built
 * from site_url (mail_link), printed on standard output for the
 * administrator to send.  The token is printed once and stored only
 * hashed.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/* invite ADDRESS: the link printed; audited.  Returns the exit status. */
int
authctl_invite(const struct config *cfg, struct db *db, int argc, char **argv)
{
	struct buf	 url;
	char		 token[JA_RT_LEN + 1];
	int		 rc;

	if (argc != 1)
		authctl_usage();
	if (cfg->site_url == NULL) {
		fprintf(stderr, "authctl: invite needs site_url in the config "
		    "(the link starts with it)\n");
		return 1;
	}
	if (cfg->signup_mode != SIGNUP_INVITE)
		fprintf(stderr, "authctl: note: signup is %s, not invite: the "
		    "link works once signup = invite\n", cfg->signup);
	if (!mail_address_ok(argv[0])) {
		fprintf(stderr, "authctl: %s: not an address (local@domain, "
		    "ASCII, at most %d bytes, no blanks or quotes)\n",
		    argv[0], MAIL_ADDRESS_MAX);
		return 1;
	}
	rc = db_invite_add(db, argv[0], token, sizeof(token));
	if (rc == JA_EEXIST) {
		fprintf(stderr, "authctl: %s: an account has this address\n",
		    argv[0]);
		return 1;
	}
	if (rc != JA_OK)
		return 1;
	db_audit(db, "invite", NULL, NULL, NULL, NULL, "authctl");
	buf_init(&url);
	url.secret = 1;
	mail_link(&url, cfg, "/signup", token);
	sodium_memzero(token, sizeof(token));
	if (!url.failed)
		printf("%s\n", url.data);
	rc = url.failed ? 1 : 0;
	buf_free(&url);
	return rc;
}
