/*
 * authctl.c: administration from the shell: migrate the schema, make key
 * files, manage users and sessions, clean up, read the audit trail.  It
 * reads the same config file as the service (-c FILE, else
 * $JWTAUTH_CONFIG, else ~/jwtauth/jwtauth.conf if it exists, else
 * /etc/jwtauth/jwtauth.conf).  See authctl(8).
 * Exit status: 0 done, 1 failed, 2 usage error.
 *
 * This file parses the options and dispatches; each group of commands
 * is a file of its own: authctl_user.c, authctl_session.c,
 * authctl_upkeep.c (migrate, status, purge), authctl_audit.c (throttle,
 * audit), authctl_keys.c (keygen, pubkey), authctl_invite.c (invite);
 * check is check.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "jwtauth.h"

#define EXIT_USAGE	2

/*
 * The commands: name, synopsis (after "authctl [-c config] ") and help.
 */
static const struct command {
	const char	*name;
	const char	*synopsis;
	const char	*help;
} commands[] = {
	{ "migrate", "migrate",
	    "Creates or updates the database schema; safe to run again." },
	{ "check", "check",
	    "Checks the deployment (config, key files, database, schema) "
	    "and says what to fix." },
	{ "status", "status",
	    "Prints users (locked), live sessions, revoked tokens not yet "
	    "expired,\nsign-ins blocked now (user names, addresses) and "
	    "the cache mode." },
	{ "keygen", "keygen [--alg HS256|RS256|ES256] file",
	    "Writes a new key file (mode 0600), never over an existing "
	    "one." },
	{ "pubkey", "pubkey file",
	    "Prints the public half of an RS256 or ES256 key file as "
	    "PEM." },
	{ "user", "user add|passwd|del|lock|unlock name\n"
	    "       authctl [-c config] user add --email address name\n"
	    "       authctl [-c config] user email name address\n"
	    "       authctl [-c config] user list\n"
	    "       authctl [-c config] user 2fa name off",
	    "add and passwd read the password from the terminal (twice) "
	    "or one line\nof standard input.  lock refuses every sign-in "
	    "and every token of the user\nfrom the next request on; del "
	    "removes the user and its sessions.\n2fa name off turns off "
	    "two-factor sign-in (a lost device); sessions stay.\n"
	    "email sets the address reset links and notices go to; an "
	    "address the\nadministrator sets counts as verified." },
	{ "invite", "invite address",
	    "Prints a sign-up link for address (signup = invite): it works "
	    "once, for\n7 days.  Send it to the person yourself." },
	{ "sessions", "sessions name",
	    "Lists the live sessions of user name: id, created, last used,"
	    " user agent, IP." },
	{ "revoke", "revoke --user name | --session id",
	    "Ends every session of a user, or one session, with its "
	    "tokens." },
	{ "purge", "purge",
	    "Deletes expired sessions, tokens, throttle counts and old "
	    "audit rows." },
	{ "throttle", "throttle [clear --user name | --ip address | "
	    "--all]",
	    "Lists the live sign-in failure counts, or forgets some or "
	    "all of them." },
	{ "audit", "audit [count]",
	    "Prints the count (default 50) most recent audit rows, oldest "
	    "first." },
	{ "help", "help [command]",
	    "Prints this help, or the help of one command." },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *
command_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The synopsis of every command to fp. */
static void
synopsis(FILE *fp)
{
	size_t	 i;

	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "%s authctl [-c config] %s\n", i == 0 ? "usage:" :
		    "      ", commands[i].synopsis);
}

/* A usage error: the synopsis on standard error, exit 2. */
void
authctl_usage(void)
{
	synopsis(stderr);
	fprintf(stderr, "Options may come before or after the command; "
	    "authctl help COMMAND explains one.\n");
	exit(EXIT_USAGE);
}

/*
 * -h, --help, help [COMMAND], COMMAND --help: the help asked for on
 * standard output.  Returns 0, or 2 for a command that does not exist.
 */
static int
help(const char *name)
{
	const struct command	*c;

	if (name == NULL) {
		synopsis(stdout);
		printf("\nOptions (before or after the command):\n"
		    "  -c FILE, --config FILE  the config file; without it "
		    "$JWTAUTH_CONFIG,\n"
		    "          ~/jwtauth/jwtauth.conf, then "
		    "/etc/jwtauth/jwtauth.conf\n"
		    "  -h, --help              this help\n"
		    "Exit status: 0 done, 1 failed, 2 usage error.  "
		    "See authctl(8).\n");
		return 0;
	}
	if ((c = command_find(name)) == NULL) {
		fprintf(stderr, "authctl: %s: no such command\n", name);
		authctl_usage();
	}
	printf("usage: authctl [-c config] %s\n\n%s\n", c->synopsis,
	    c->help);
	return 0;
}

/*
 * Prints row, *(int *)arg columns separated by tabs, one line: the
 * listings of sessions, throttle and audit.
 */
void
authctl_print_row(const char *const *row, void *arg)
{
	int	 i, n = *(int *)arg;

	for (i = 0; i < n; i++)
		printf("%s%s", i ? "\t" : "", row[i]);
	putchar('\n');
}

/*
 * authctl_print_row() for rows that hold what a visitor typed, stored
 * as typed (the throttle's user names): each field escaped as the audit
 * trail stores it (log_escape: a byte outside printable ASCII, or the
 * backslash, as \xHH), so that a TAB cannot forge a column nor a C0 or
 * C1 control, such as the CSI of U+009B, reach the terminal.
 */
void
authctl_print_escaped(const char *const *row, void *arg)
{
	char	 buf[JA_NAME_MAX * 4 + 1];
	int	 i, n = *(int *)arg;

	for (i = 0; i < n; i++) {
		log_escape_max(buf, sizeof(buf), row[i], JA_NAME_MAX);
		printf("%s%s", i ? "\t" : "", buf);
	}
	putchar('\n');
}

/*
 * Maps the shared memory of the service that cfg configures, run as the
 * owner of its key file, so that a revocation made here is counted for
 * its processes on this host (metrics_attach, revcache.c): they then
 * refuse the token from their next request on.  Nothing when there is
 * none yet or we may not open it.
 */
static void
attach_service(const struct config *cfg)
{
	const char	*f = cfg->key_file != NULL ? cfg->key_file :
			    cfg->secret_file;
	struct stat	 st;

	if (f != NULL && stat(f, &st) == 0)
		(void)metrics_attach(cfg->path, st.st_uid);
}

/*
 * Takes the options out of argv wherever they stand, before or after
 * the command: -c FILE, --config FILE, --config=FILE, -h, --help; the
 * glued -cFILE only as the very first word, so that a user named
 * "-carol" after the command is a name, not the config "arol".  A "--"
 * ends them (a user named "-c").  Every other word
 * stays, in order: the command and its own arguments (--user, --alg,
 * ...).  Returns the number of words left; *path gets the config,
 * *helpme 1 for -h or --help.
 */
static int
take_options(int argc, char **argv, const char **path, int *helpme)
{
	int	 i, n = 0, done = 0;

	for (i = 1; i < argc; i++) {
		if (done)
			argv[n++] = argv[i];
		else if (strcmp(argv[i], "--") == 0)
			done = 1;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			*helpme = 1;
		else if (strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) {
			if (++i == argc)
				authctl_usage();
			*path = argv[i];
		} else if (strncmp(argv[i], "--config=", 9) == 0)
			*path = argv[i] + 9;
		else if (i == 1 && strncmp(argv[i], "-c", 2) == 0)
			*path = argv[i] + 2;
		else
			argv[n++] = argv[i];
	}
	return n;
}

/*
 * Runs the command argv[0] that needs the database, its argc - 1
 * arguments after it.  Returns the exit status.
 */
static int
run_db_command(const struct config *cfg, struct db *db, int argc,
    char **argv)
{
	const char	*name = argv[0];

	argc--;
	argv++;
	if (strcmp(name, "migrate") == 0)
		return authctl_migrate(db);
	if (strcmp(name, "status") == 0)
		return authctl_status(cfg, db, argc);
	if (strcmp(name, "user") == 0)
		return authctl_user(cfg, db, argc, argv);
	if (strcmp(name, "invite") == 0)
		return authctl_invite(cfg, db, argc, argv);
	if (strcmp(name, "sessions") == 0)
		return authctl_sessions(cfg, db, argc, argv);
	if (strcmp(name, "revoke") == 0)
		return authctl_revoke(db, argc, argv);
	if (strcmp(name, "purge") == 0)
		return authctl_purge(cfg, db);
	if (strcmp(name, "throttle") == 0)
		return authctl_throttle(cfg, db, argc, argv);
	return authctl_audit(db, argc, argv);
}

/*
 * Loads the config file found, opens the service's log file and shared
 * memory and the database, and runs the command of argv (argc words)
 * that needs them.  Returns the exit status.
 */
static int
with_database(const char *found, int argc, char **argv)
{
	struct config	 cfg;
	struct db	*db = NULL;
	char		 err[1024];
	int		 rc = 1;

	if (config_load(&cfg, found, 0, err, sizeof(err)) != JA_OK) {
		fprintf(stderr, "authctl: %s\n", err);
		goto out;
	}
	/* Security events go to the service's log_file, when there is one
	 * we may append to, never to the terminal; it is not created here
	 * (it would belong to us, not to the web server's user). */
	log_quiet(1);
	if (cfg.log_file != NULL && cfg.log_file[0] == '/' &&
	    access(cfg.log_file, W_OK) == 0)
		(void)log_open(cfg.log_file, 1);
	attach_service(&cfg);
	if (db_open(&db, cfg.database) != JA_OK)
		goto out;
	rc = run_db_command(&cfg, db, argc, argv);
out:
	db_close(db);
	metrics_close();
	config_free(&cfg);
	return rc;
}

/*
 * authctl [-c config] COMMAND ...: help, then the commands that need no
 * config file (keygen, pubkey), then check (the file, not loaded
 * first), then the others (with_database).
 */
int
main(int argc, char *argv[])
{
	const char	*path = NULL, *found;
	char		 err[1024];
	int		 helpme = 0;

	argc = take_options(argc, argv, &path, &helpme);
	if (argc >= 1 && strcmp(argv[0], "help") == 0) {
		if (argc > 2)
			authctl_usage();
		return help(argc == 2 ? argv[1] : NULL);
	}
	if (helpme)
		return help(argc >= 1 ? argv[0] : NULL);
	if (argc < 1)
		authctl_usage();
	if (command_find(argv[0]) == NULL) {
		fprintf(stderr, "authctl: %s: no such command\n", argv[0]);
		authctl_usage();
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "authctl: libsodium failed to initialise\n");
		return 1;
	}
	if (strcmp(argv[0], "keygen") == 0)
		return authctl_keygen(argc - 1, argv + 1);
	if (strcmp(argv[0], "pubkey") == 0)
		return authctl_pubkey(argc - 1, argv + 1);
	found = config_locate(path);
	if (access(found, F_OK) != 0 && errno == ENOENT) {
		config_not_found(path, err, sizeof(err));
		fprintf(stderr, "authctl: %s\n", err);
		return 1;
	}
	if (strcmp(argv[0], "check") == 0) {
		if (argc != 1)
			authctl_usage();
		return check_run(found) == 0 ? 0 : 1;
	}
	if (strcmp(argv[0], "user") == 0 && argc < 2)
		authctl_usage();
	return with_database(found, argc, argv);
}
