/*
 * authctl_session.c: authctl sessions and revoke: list the live
 * sessions of a user, end every session of a user or one session with
 * its tokens (from the next request on, revcache.c).
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"

/*
 * sessions NAME: the live sessions of user NAME (or of the session id
 * NAME), one a line: id, created, last used, user agent, IP.  Returns
 * the exit status.
 */
int
authctl_sessions(const struct config *cfg, struct db *db, int argc,
    char **argv)
{
	int	 n = 5, known;

	if (argc != 1)
		authctl_usage();
	if ((known = authctl_user_known(db, argv[0])) != 1)
		return 1;
	return db_session_list(db, cfg, argv[0], authctl_print_row, &n) ==
	    JA_OK ? 0 : 1;
}

/*
 * revoke --user NAME | --session ID: ends the sessions and says how
 * many; logged as a security event.  Returns the exit status.
 */
int
authctl_revoke(struct db *db, int argc, char **argv)
{
	char	 n[32];
	long	 count = 0;
	int	 rc;

	if (argc != 2)
		authctl_usage();
	if (strcmp(argv[0], "--user") == 0) {
		if (authctl_user_known(db, argv[1]) != 1)
			return 1;
		rc = db_session_revoke_user(db, argv[1], "admin", &count);
	} else if (strcmp(argv[0], "--session") == 0) {
		if (!text_is_uuid(argv[1])) {
			fprintf(stderr, "authctl: %s: not a session id\n",
			    argv[1]);
			return 1;
		}
		rc = db_session_revoke_sid(db, argv[1], &count);
	} else
		authctl_usage();
	if (rc != JA_OK)
		return 1;
	snprintf(n, sizeof(n), "%ld", count);
	event_log("revoke", NULL, strcmp(argv[0], "--user") == 0 ? argv[1] :
	    NULL, strcmp(argv[0], "--session") == 0 ? argv[1] : NULL,
	    "count", n, "by", "authctl");
	printf("%ld session(s) ended\n", count);
	return 0;
}
