/*
 * authctl_audit.c: the records of sign-ins from the shell: authctl
 * throttle (the live failure counts, and forgetting them) and audit
 * (the most recent rows of the audit trail).
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"

/*
 * throttle: the live failure counts (kind, key, failures, last failure,
 * seconds blocked), the key escaped (a user name as a visitor typed
 * it); throttle clear ...: forget some or all, audited.
 */
int
authctl_throttle(const struct config *cfg, struct db *db, int argc,
    char **argv)
{
	const char	*kind = NULL, *key = NULL;
	long		 count;
	int		 n = 5;

	if (argc == 0)
		return throttle_list(db, cfg, authctl_print_escaped, &n) ==
		    JA_OK ? 0 : 1;
	if (strcmp(argv[0], "clear") != 0 || argc < 2)
		authctl_usage();
	if (strcmp(argv[1], "--all") == 0 && argc == 2)
		;
	else if (strcmp(argv[1], "--user") == 0 && argc == 3)
		kind = "user", key = argv[2];
	else if (strcmp(argv[1], "--ip") == 0 && argc == 3)
		kind = "ip", key = argv[2];
	else
		authctl_usage();
	if (throttle_clear(db, kind, key, &count) != JA_OK)
		return 1;
	db_audit(db, "throttle_cleared", NULL, kind != NULL &&
	    strcmp(kind, "user") == 0 ? key : NULL, NULL, NULL,
	    kind == NULL ? "all" : kind);
	event_log("throttle_clear", NULL, kind != NULL && strcmp(kind,
	    "user") == 0 ? key : NULL, NULL, "scope", kind == NULL ? "all" :
	    kind, "by", "authctl");
	printf("%ld count(s) cleared\n", count);
	return 0;
}

/* audit [COUNT]: the COUNT (50) most recent audit rows, oldest first. */
int
authctl_audit(struct db *db, int argc, char **argv)
{
	long	 count = 50;
	int	 n = 7;

	if (argc > 1 || (argc == 1 && text_parse_long(argv[0], 1, 100000,
	    &count) != JA_OK))
		authctl_usage();
	return db_audit_recent(db, count, authctl_print_row, &n) == JA_OK ?
	    0 : 1;
}
