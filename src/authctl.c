/*
 * authctl.c: administration from the shell: migrate the schema, make key
 * files, manage users and sessions, clean up, read the audit trail.  It
 * reads the same config file as the service (-c FILE, else
 * $JWTAUTH_CONFIG, else ~/jwtauth/jwtauth.conf if it exists, else
 * /etc/jwtauth/jwtauth.conf).  See authctl(8).
 * Exit status: 0 done, 1 failed, 2 usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "jwtauth.h"

#define EXIT_USAGE	2

static void
usage(void)
{
	fprintf(stderr,
	    "usage: authctl [-c config] migrate\n"
	    "       authctl [-c config] check\n"
	    "       authctl keygen [--alg HS256|RS256|ES256] file\n"
	    "       authctl pubkey file\n"
	    "       authctl [-c config] user add|passwd|del|lock|unlock name\n"
	    "       authctl [-c config] user list\n"
	    "       authctl [-c config] user 2fa name off\n"
	    "       authctl [-c config] sessions name\n"
	    "       authctl [-c config] revoke --user name | --session id\n"
	    "       authctl [-c config] purge\n"
	    "       authctl [-c config] throttle [clear --user name | "
	    "--ip address | --all]\n"
	    "       authctl [-c config] audit [count]\n");
	exit(EXIT_USAGE);
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
		if (rc == JA_OK)
			db_audit(db, argv[0], NULL, argv[1], NULL, NULL,
			    "authctl");
		return rc == JA_OK ? 0 : 1;
	}
	if (strcmp(argv[0], "del") == 0) {
		rc = db_user_del(db, argv[1]);
		if (rc == JA_ENOTFOUND)
			fprintf(stderr, "authctl: %s: no such user\n",
			    argv[1]);
		if (rc == JA_OK)
			db_audit(db, "user_del", NULL, argv[1], NULL, NULL,
			    "authctl");
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
	if (rc == JA_OK)
		db_audit(db, strcmp(argv[0], "add") == 0 ? "user_add" :
		    "password_change", NULL, argv[1], NULL, NULL, "authctl");
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
	int	 n = 5;

	if (argc != 1)
		usage();
	return db_session_list(db, cfg, argv[0], print_row, &n) == JA_OK ?
	    0 : 1;
}

static int
cmd_revoke(struct db *db, int argc, char **argv)
{
	long	 count = 0;
	int	 rc;

	if (argc != 2)
		usage();
	if (strcmp(argv[0], "--user") == 0)
		rc = db_session_revoke_user(db, argv[1], "admin", &count);
	else if (strcmp(argv[0], "--session") == 0) {
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
	printf("%ld count(s) cleared\n", count);
	return 0;
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

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	struct db	*db = NULL;
	const char	*path = NULL;
	char		 err[1024];
	int		 ch, rc = 1;

	/* "+": options end at the command word (revoke --user NAME). */
	while ((ch = getopt(argc, argv, "+c:")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (sodium_init() < 0) {
		fprintf(stderr, "authctl: libsodium failed to initialise\n");
		return 1;
	}
	if (strcmp(argv[0], "keygen") == 0)
		return cmd_keygen(argc - 1, argv + 1);
	if (strcmp(argv[0], "pubkey") == 0)
		return cmd_pubkey(argc - 1, argv + 1);
	if (strcmp(argv[0], "check") == 0) {
		if (argc != 1)
			usage();
		return check_run(config_locate(path)) == 0 ? 0 : 1;
	}
	if (strcmp(argv[0], "migrate") != 0 && strcmp(argv[0], "user") != 0 &&
	    strcmp(argv[0], "sessions") != 0 &&
	    strcmp(argv[0], "revoke") != 0 &&
	    strcmp(argv[0], "purge") != 0 && strcmp(argv[0], "audit") != 0 &&
	    strcmp(argv[0], "throttle") != 0)
		usage();
	if (strcmp(argv[0], "user") == 0 && argc < 2)
		usage();
	if (config_load(&cfg, config_locate(path), 0, err, sizeof(err)) !=
	    JA_OK) {
		fprintf(stderr, "authctl: %s\n", err);
		goto out;
	}
	if (db_open(&db, cfg.database) != JA_OK)
		goto out;
	if (strcmp(argv[0], "migrate") == 0)
		rc = cmd_migrate(db);
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
	config_free(&cfg);
	return rc;
}
