/*
 * authctl_user.c: authctl user ...: add a user or set a password (read
 * from the terminal without echo, twice, or one line of standard
 * input), lock, unlock, delete, list, set the address of an account
 * (verified: the administrator gives it), and turn off a lost second
 * factor; each change audited and logged as a security event.
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "jwtauth.h"

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
int
authctl_user_known(struct db *db, const char *name)
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

/*
 * user lock|unlock|del NAME: audited and logged; a name that does not
 * exist is said so.  Returns the exit status, 0 or 1.
 */
static int
user_lock_del(struct db *db, const char *verb, const char *name)
{
	const char	*event = strcmp(verb, "del") == 0 ? "user_del" : verb;
	int		 rc;

	if (strcmp(verb, "del") == 0)
		rc = db_user_del(db, name);
	else
		rc = db_user_set_locked(db, name, verb[0] == 'l');
	if (rc == JA_ENOTFOUND)
		fprintf(stderr, "authctl: %s: no such user\n", name);
	if (rc == JA_OK) {
		db_audit(db, event, NULL, name, NULL, NULL, "authctl");
		event_log(event, NULL, name, NULL, "by", "authctl", NULL,
		    NULL);
	}
	return rc == JA_OK ? 0 : 1;
}

/* Returns 1 when address may be an account's, else says so, 0. */
static int
valid_email(const char *address)
{
	if (mail_address_ok(address))
		return 1;
	fprintf(stderr, "authctl: %s: not an address (local@domain, ASCII, "
	    "at most %d bytes, no blanks or quotes)\n", address,
	    MAIL_ADDRESS_MAX);
	return 0;
}

/*
 * Adds name with hash and, when email is not NULL, its address (verified)
 * in one transaction: both or neither.  Returns JA_OK, JA_EEXIST (the
 * name, or the address, is taken) or JA_EDB.
 */
static int
user_add_with(struct db *db, const char *name, const char *hash,
    const char *email)
{
	int	 rc;

	if (email == NULL)
		return db_user_add(db, name, hash);
	if (db_begin(db) != JA_OK)
		return JA_EDB;
	rc = db_user_add(db, name, hash);
	if (rc == JA_OK)
		rc = db_user_set_email(db, name, email);
	if (rc == JA_OK && db_commit(db) != JA_OK)
		rc = JA_EDB;
	else if (rc != JA_OK)
		db_rollback(db);
	return rc;
}

/*
 * user email NAME ADDRESS: sets the address, verified; audited and
 * logged.  Returns the exit status.
 */
static int
user_email(struct db *db, const char *name, const char *address)
{
	int	 rc;

	if (!valid_email(address))
		return 1;
	rc = db_user_set_email(db, name, address);
	if (rc == JA_OK) {
		db_audit(db, "email_set", NULL, name, NULL, NULL, "authctl");
		event_log("email_set", NULL, name, NULL, "by", "authctl",
		    NULL, NULL);
	} else if (rc == JA_EEXIST)
		fprintf(stderr, "authctl: %s: another account has this "
		    "address\n", address);
	else if (rc == JA_ENOTFOUND)
		fprintf(stderr, "authctl: %s: no such user\n", name);
	return rc == JA_OK ? 0 : 1;
}

/*
 * user add|passwd NAME (add: with email, may be NULL): the new password
 * asked for (new_password), hashed, stored; audited and logged.
 * Returns the exit status.
 */
static int
user_password(const struct config *cfg, struct db *db, const char *verb,
    const char *name, const char *email)
{
	char		 hash[PASSWORD_HASH_MAX];
	const char	*event;
	int		 add = strcmp(verb, "add") == 0, rc;

	event = add ? "user_add" : "password_change";
	if (email != NULL && !valid_email(email))
		return 1;
	if (new_password(cfg, hash, sizeof(hash)) != 0)
		return 1;
	if (add)
		rc = user_add_with(db, name, hash, email);
	else
		rc = db_user_set_password(db, name, hash);
	sodium_memzero(hash, sizeof(hash));
	if (rc == JA_OK) {
		db_audit(db, event, NULL, name, NULL, NULL, "authctl");
		event_log(event, NULL, name, NULL, "by", "authctl", NULL,
		    NULL);
	}
	if (rc == JA_EEXIST && email != NULL)
		fprintf(stderr, "authctl: %s: the user, or an account with "
		    "%s, exists\n", name, email);
	else if (rc == JA_EEXIST)
		fprintf(stderr, "authctl: %s: user exists\n", name);
	else if (rc == JA_ENOTFOUND)
		fprintf(stderr, "authctl: %s: no such user\n", name);
	return rc == JA_OK ? 0 : 1;
}

/*
 * authctl user VERB ...: argc words from argv (after "user").  Exits 2
 * on a usage error; returns the exit status otherwise.
 */
int
authctl_user(const struct config *cfg, struct db *db, int argc, char **argv)
{
	if (argc == 1 && strcmp(argv[0], "list") == 0)
		return db_user_list(db, print_user, NULL) == JA_OK ? 0 : 1;
	if (argc == 3 && strcmp(argv[0], "2fa") == 0 &&
	    strcmp(argv[2], "off") == 0)
		return user_2fa_off(cfg, db, argv[1]);
	if (argc == 3 && strcmp(argv[0], "email") == 0)
		return valid_name(cfg, argv[1]) ?
		    user_email(db, argv[1], argv[2]) : 1;
	if (argc == 4 && strcmp(argv[0], "add") == 0 &&
	    strcmp(argv[1], "--email") == 0)
		return valid_name(cfg, argv[3]) ?
		    user_password(cfg, db, "add", argv[3], argv[2]) : 1;
	if (argc != 2)
		authctl_usage();
	if (!valid_name(cfg, argv[1]))
		return 1;
	if (strcmp(argv[0], "lock") == 0 || strcmp(argv[0], "unlock") == 0 ||
	    strcmp(argv[0], "del") == 0)
		return user_lock_del(db, argv[0], argv[1]);
	if (strcmp(argv[0], "add") != 0 && strcmp(argv[0], "passwd") != 0)
		authctl_usage();
	return user_password(cfg, db, argv[0], argv[1], NULL);
}
