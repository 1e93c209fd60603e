/*
 * authctl.c: administration from the shell: migrate the schema, make key
 * files, manage users and sessions, clean up, read the audit trail.  It
 * reads the same config file as the service (-c FILE, else
 * $JWTAUTH_CONFIG, else ~/jwtauth/jwtauth.conf if it exists, else
 * /etc/jwtauth/jwtauth.conf).  See authctl(8).
 * Exit status: 0 done, 1 failed, 2 usage error.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
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
	    "       authctl [-c config] user list\n"
	    "       authctl [-c config] user 2fa name off",
	    "add and passwd read the password from the terminal (twice) "
	    "or one line\nof standard input.  lock refuses every sign-in "
	    "and every token of the user\nfrom the next request on; del "
	    "removes the user and its sessions.\n2fa name off turns off "
	    "two-factor sign-in (a lost device); sessions stay." },
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
static void
usage(void)
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
		usage();
	}
	printf("usage: authctl [-c config] %s\n\n%s\n", c->synopsis,
	    c->help);
	return 0;
}

/*
 * Reads one line into buf (bufsz bytes) from the terminal without echo,
 * after printing prompt, or from standard input when it is not a
 * terminal.  Returns 0, or -1 at end of input or when the line is too
 * long.
 */
static int
read_secret(const char *prompt, char *buf, size_t bufsz)
{
	struct termios	 old, quiet;
	int		 tty = isatty(STDIN_FILENO), restore = 0;
	size_t		 len;
	char		*ok;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			restore = tcsetattr(STDIN_FILENO, TCSAFLUSH,
			    &quiet) == 0;
		}
	}
	ok = fgets(buf, (int)bufsz, stdin);
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (ok == NULL)
		return -1;
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	else if (len == bufsz - 1)
		return -1;	/* no newline: the line did not fit */
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return 0;
}

/* Asks for a new password (twice on a terminal) and hashes it. */
static int
new_password(const struct config *cfg, char *hash, size_t hashlen)
{
	char	 pw[4098], again[4098];
	size_t	 len;
	int	 rc = 1;

	if (read_secret("New password: ", pw, sizeof(pw)) != 0) {
		fprintf(stderr, "authctl: no password given, or too long\n");
		goto out;
	}
	len = strlen(pw);
	if (len < (size_t)cfg->password_min ||
	    len > (size_t)cfg->password_max || !text_utf8_valid(pw, len)) {
		fprintf(stderr, "authctl: a password needs %ld to %ld "
		    "bytes of text\n", cfg->password_min,
		    cfg->password_max);
		goto out;
	}
	if (isatty(STDIN_FILENO)) {
		if (read_secret("Again: ", again, sizeof(again)) != 0 ||
		    strcmp(pw, again) != 0) {
			fprintf(stderr, "authctl: the passwords differ\n");
			goto out;
		}
	}
	if (password_hash(cfg, pw, hash, hashlen) != JA_OK) {
		fprintf(stderr, "authctl: out of memory hashing\n");
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(again, sizeof(again));
	return rc;
}

static int
valid_name(const struct config *cfg, const char *name)
{
	size_t	 len = strlen(name);

	if (len == 0 || len > (size_t)cfg->username_max ||
	    !text_utf8_valid(name, len) || strchr(name, '\t') != NULL) {
		fprintf(stderr, "authctl: a user name is 1 to %ld "
		    "bytes of text\n", cfg->username_max);
		return 0;
	}
	return 1;
}

/*
 * Returns 1 if user name exists; else says so (as user del does) and
 * returns 0, or -1 when the database failed.  A session id in place of
 * a name (sessions takes either) passes.
 */
static int
user_known(struct db *db, const char *name)
{
	struct user	 u;
	int		 rc;

	if (text_is_uuid(name))
		return 1;
	rc = db_user_find(db, name, &u);
	sodium_memzero(&u, sizeof(u));
	if (rc == JA_ENOTFOUND)
		fprintf(stderr, "authctl: %s: no such user\n", name);
	return rc == JA_OK ? 1 : rc == JA_ENOTFOUND ? 0 : -1;
}

static void
print_user(const char *name, const char *created, int locked, void *arg)
{
	(void)arg;
	printf("%s\t%s%s\n", name, created, locked ? "\tlocked" : "");
}

static void
print_migration(const char *name, void *arg)
{
	(void)arg;
	printf("applied %s\n", name);
}

/*
 * migrate, with the one failure a new user meets most: since PostgreSQL
 * 15 only the database's owner may create in schema public, so on a
 * database made for you by another role every CREATE TABLE fails with
 * SQLSTATE 42501.  Says what the owner must run.
 */
static int
cmd_migrate(struct db *db)
{
	const char	*dbname, *user;

	if (migrate_run(db, print_migration, NULL) == JA_OK)
		return 0;
	if (strcmp(db_sqlstate(db), "42501") != 0)
		return 1;
	db_names(db, &dbname, &user);
	fprintf(stderr,
	    "authctl: %s may not create tables here (SQLSTATE 42501).\n"
	    "Since PostgreSQL 15 only a database's owner may create in "
	    "schema public,\nand %s does not own database %s.  Ask its "
	    "owner (or your host's panel)\nto run, connected to %s, one "
	    "of:\n"
	    "  CREATE SCHEMA \"%s\" AUTHORIZATION \"%s\";\n"
	    "      (a schema of your own; the default search_path \"$user\""
	    " finds it first)\n"
	    "  GRANT CREATE ON SCHEMA public TO \"%s\";\n"
	    "or to make %s the database's owner:\n"
	    "  ALTER DATABASE \"%s\" OWNER TO \"%s\";\n"
	    "then run authctl migrate again.\n",
	    user, user, dbname, dbname, user, user, user, user, dbname, user);
	return 1;
}

/*
 * user 2fa NAME off: turns off the second factor of a user who lost the
 * device (and its recovery codes), audited.  Their sessions stay.
 */
static int
user_2fa_off(const struct config *cfg, struct db *db, const char *name)
{
	struct user	 u;
	int		 rc, was_on = 0;

	if (!valid_name(cfg, name))
		return 1;
	rc = db_user_find(db, name, &u);
	if (rc == JA_OK)
		rc = db_mfa_disable(db, u.id, &was_on);
	if (rc == JA_OK)
		db_audit(db, "2fa_disable", u.id, name, NULL, NULL, "authctl");
	if (rc == JA_ENOTFOUND)
		fprintf(stderr, "authctl: %s: no such user, or no two-factor "
		    "sign-in to turn off\n", name);
	else if (rc == JA_OK)
		printf("two-factor sign-in of %s is off%s\n", name,
		    was_on ? "" : " (it was set up, never turned on)");
	sodium_memzero(&u, sizeof(u));
	return rc == JA_OK ? 0 : 1;
}

static int
cmd_user(const struct config *cfg, struct db *db, int argc, char **argv)
{
	char	 hash[PASSWORD_HASH_MAX];
	int	 rc;

	if (argc == 1 && strcmp(argv[0], "list") == 0)
		return db_user_list(db, print_user, NULL) == JA_OK ? 0 : 1;
	if (argc == 3 && strcmp(argv[0], "2fa") == 0 &&
	    strcmp(argv[2], "off") == 0)
		return user_2fa_off(cfg, db, argv[1]);
	if (argc != 2)
		usage();
	if (!valid_name(cfg, argv[1]))
		return 1;
	if (strcmp(argv[0], "lock") == 0 || strcmp(argv[0], "unlock") == 0) {
		rc = db_user_set_locked(db, argv[1], argv[0][0] == 'l');
		if (rc == JA_ENOTFOUND)
			fprintf(stderr, "authctl: %s: no such user\n",
			    argv[1]);
		if (rc == JA_OK) {
			db_audit(db, argv[0], NULL, argv[1], NULL, NULL,
			    "authctl");
			event_log(argv[0], NULL, argv[1], NULL, "by",
			    "authctl", NULL, NULL);
		}
		return rc == JA_OK ? 0 : 1;
	}
	if (strcmp(argv[0], "del") == 0) {
		rc = db_user_del(db, argv[1]);
		if (rc == JA_ENOTFOUND)
			fprintf(stderr, "authctl: %s: no such user\n",
			    argv[1]);
		if (rc == JA_OK) {
			db_audit(db, "user_del", NULL, argv[1], NULL, NULL,
			    "authctl");
			event_log("user_del", NULL, argv[1], NULL, "by",
			    "authctl", NULL, NULL);
		}
		return rc == JA_OK ? 0 : 1;
	}
	if (strcmp(argv[0], "add") != 0 && strcmp(argv[0], "passwd") != 0)
		usage();
	if (new_password(cfg, hash, sizeof(hash)) != 0)
		return 1;
	if (strcmp(argv[0], "add") == 0)
		rc = db_user_add(db, argv[1], hash);
	else
		rc = db_user_set_password(db, argv[1], hash);
	sodium_memzero(hash, sizeof(hash));
	if (rc == JA_OK) {
		db_audit(db, strcmp(argv[0], "add") == 0 ? "user_add" :
		    "password_change", NULL, argv[1], NULL, NULL, "authctl");
		event_log(strcmp(argv[0], "add") == 0 ? "user_add" :
		    "password_change", NULL, argv[1], NULL, "by", "authctl",
		    NULL, NULL);
	}
	if (rc == JA_EEXIST)
		fprintf(stderr, "authctl: %s: user exists\n", argv[1]);
	else if (rc == JA_ENOTFOUND)
		fprintf(stderr, "authctl: %s: no such user\n", argv[1]);
	return rc == JA_OK ? 0 : 1;
}

static void
print_row(const char *const *row, void *arg)
{
	int	 i, n = *(int *)arg;

	for (i = 0; i < n; i++)
		printf("%s%s", i ? "\t" : "", row[i]);
	putchar('\n');
}

static int
cmd_sessions(const struct config *cfg, struct db *db, int argc, char **argv)
{
	int	 n = 5, known;

	if (argc != 1)
		usage();
	if ((known = user_known(db, argv[0])) != 1)
		return 1;
	return db_session_list(db, cfg, argv[0], print_row, &n) == JA_OK ?
	    0 : 1;
}

static int
cmd_revoke(struct db *db, int argc, char **argv)
{
	char	 n[32];
	long	 count = 0;
	int	 rc;

	if (argc != 2)
		usage();
	if (strcmp(argv[0], "--user") == 0) {
		if (user_known(db, argv[1]) != 1)
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
		usage();
	if (rc != JA_OK)
		return 1;
	snprintf(n, sizeof(n), "%ld", count);
	event_log("revoke", NULL, strcmp(argv[0], "--user") == 0 ? argv[1] :
	    NULL, strcmp(argv[0], "--session") == 0 ? argv[1] : NULL,
	    "count", n, "by", "authctl");
	printf("%ld session(s) ended\n", count);
	return 0;
}

/* Deletes in batches until nothing is left to delete. */
static int
cmd_purge(const struct config *cfg, struct db *db)
{
	long	 total = 0, n;

	do {
		n = 0;
		if (db_purge(db, cfg, &n) != JA_OK)
			return 1;
		total += n;
	} while (n > 0);
	printf("%ld row(s) deleted\n", total);
	return 0;
}

/*
 * throttle: the live failure counts (kind, key, failures, last failure,
 * seconds blocked); throttle clear ...: forget some or all, audited.
 */
static int
cmd_throttle(const struct config *cfg, struct db *db, int argc, char **argv)
{
	const char	*kind = NULL, *key = NULL;
	long		 count;
	int		 n = 5;

	if (argc == 0)
		return throttle_list(db, cfg, print_row, &n) == JA_OK ? 0 : 1;
	if (strcmp(argv[0], "clear") != 0 || argc < 2)
		usage();
	if (strcmp(argv[1], "--all") == 0 && argc == 2)
		;
	else if (strcmp(argv[1], "--user") == 0 && argc == 3)
		kind = "user", key = argv[2];
	else if (strcmp(argv[1], "--ip") == 0 && argc == 3)
		kind = "ip", key = argv[2];
	else
		usage();
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

static void
print_status(const char *const *row, void *arg)
{
	const struct config	*cfg = arg;

	printf("users\t%s\n", row[0]);
	printf("locked users\t%s\n", row[1]);
	printf("live sessions\t%s\n", row[2]);
	printf("revoked tokens\t%s\n", row[3]);
	printf("blocked user names\t%s\n", row[4]);
	printf("blocked addresses\t%s\n", row[5]);
	printf("revocation check\t%s\n", cfg->revocation_strict ?
	    "strict" : "cached");
	printf("token cache\t%ld per process\n", cfg->token_cache_size);
}

/* status: what an operator looks at first, one "name TAB value" a line. */
static int
cmd_status(const struct config *cfg, struct db *db, int argc)
{
	if (argc != 0)
		usage();
	return db_status(db, cfg, print_status, (void *)(uintptr_t)cfg) ==
	    JA_OK ? 0 : 1;
}

static int
cmd_audit(struct db *db, int argc, char **argv)
{
	long	 count = 50;
	int	 n = 7;

	if (argc > 1 || (argc == 1 && text_parse_long(argv[0], 1, 100000,
	    &count) != JA_OK))
		usage();
	return db_audit_recent(db, count, print_row, &n) == JA_OK ? 0 : 1;
}

/*
 * keygen [--alg HS256|RS256|ES256] FILE: a new key file, mode 0600,
 * never over an existing one; HS256 (the default) is 32 random bytes of
 * base64url, RS256 and ES256 a PKCS#8 PEM private key.
 */
static int
cmd_keygen(int argc, char **argv)
{
	enum key_alg	 alg = KEY_HS256;
	char		 err[1024];
	int		 rc;

	if (argc == 3 && strcmp(argv[0], "--alg") == 0) {
		if (keys_alg_parse(argv[1], &alg) != JA_OK)
			usage();
		argc -= 2;
		argv += 2;
	}
	if (argc != 1)
		usage();
	rc = alg == KEY_HS256 ? keyfile_write(argv[0], err, sizeof(err)) :
	    keygen_pem(argv[0], alg, err, sizeof(err));
	if (rc != JA_OK) {
		fprintf(stderr, "authctl: %s\n", err);
		return 1;
	}
	return 0;
}

/* pubkey FILE: the public half of an RS256 or ES256 key, as PEM. */
static int
cmd_pubkey(int argc, char **argv)
{
	char	 err[1024], *pem;

	if (argc != 1)
		usage();
	if (keygen_public(argv[0], &pem, err, sizeof(err)) != JA_OK) {
		fprintf(stderr, "authctl: %s\n", err);
		return 1;
	}
	fputs(pem, stdout);
	free(pem);
	return fflush(stdout) == 0 ? 0 : 1;
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
				usage();
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

int
main(int argc, char *argv[])
{
	struct config		 cfg;
	struct db		*db = NULL;
	const struct command	*cmd;
	const char		*path = NULL, *found;
	char			 err[1024];
	int			 rc = 1, helpme = 0;

	memset(&cfg, 0, sizeof(cfg));
	argc = take_options(argc, argv, &path, &helpme);
	if (argc >= 1 && strcmp(argv[0], "help") == 0) {
		if (argc > 2)
			usage();
		return help(argc == 2 ? argv[1] : NULL);
	}
	if (helpme)
		return help(argc >= 1 ? argv[0] : NULL);
	if (argc < 1)
		usage();
	if ((cmd = command_find(argv[0])) == NULL) {
		fprintf(stderr, "authctl: %s: no such command\n", argv[0]);
		usage();
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "authctl: libsodium failed to initialise\n");
		return 1;
	}
	if (strcmp(argv[0], "keygen") == 0)
		return cmd_keygen(argc - 1, argv + 1);
	if (strcmp(argv[0], "pubkey") == 0)
		return cmd_pubkey(argc - 1, argv + 1);
	found = config_locate(path);
	if (access(found, F_OK) != 0 && errno == ENOENT) {
		config_not_found(path, err, sizeof(err));
		fprintf(stderr, "authctl: %s\n", err);
		return 1;
	}
	if (strcmp(argv[0], "check") == 0) {
		if (argc != 1)
			usage();
		return check_run(found) == 0 ? 0 : 1;
	}
	if (strcmp(argv[0], "user") == 0 && argc < 2)
		usage();
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
	if (strcmp(argv[0], "migrate") == 0)
		rc = cmd_migrate(db);
	else if (strcmp(argv[0], "status") == 0)
		rc = cmd_status(&cfg, db, argc - 1);
	else if (strcmp(argv[0], "user") == 0)
		rc = cmd_user(&cfg, db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "sessions") == 0)
		rc = cmd_sessions(&cfg, db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "revoke") == 0)
		rc = cmd_revoke(db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "purge") == 0)
		rc = cmd_purge(&cfg, db);
	else if (strcmp(argv[0], "throttle") == 0)
		rc = cmd_throttle(&cfg, db, argc - 1, argv + 1);
	else
		rc = cmd_audit(db, argc - 1, argv + 1);
out:
	db_close(db);
	metrics_close();
	config_free(&cfg);
	return rc;
}
