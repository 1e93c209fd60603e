/*
 * check.c: the self-check of a deployment (jwtauth.fcgi --check,
 * authctl check), for a user who cannot read the web server's error
 * log.  Each check prints one line, "ok: what" or "FAIL: what — what to
 * do", in the order a request needs them: the config file, the key
 * files, the log file, the database, its schema, the right to write,
 * the clock.  It uses its own database connection so that the failures
 * come back as text here, not as log lines.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "jwtauth.h"

/* 2024-01-01T00:00:00Z: a clock before this is certainly wrong. */
#define CHECK_EPOCH_MIN	1704067200L

struct check {
	FILE	*out;
	int	 failed;	/* FAIL lines printed */
};

/* Prints "ok: ..." when ok, else "FAIL: ..."; returns ok. */
static int
check_line(struct check *c, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
check_line(struct check *c, int ok, const char *fmt, ...)
{
	va_list	 ap;

	fputs(ok ? "ok: " : "FAIL: ", c->out);
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
	if (!ok)
		c->failed++;
	return ok;
}

/* The config file may not be writable by group or others. */
static void
check_config_mode(struct check *c, const char *path)
{
	struct stat	 st;

	if (stat(path, &st) == -1)
		check_line(c, 0, "config %s: %s — name the file with -c",
		    path, strerror(errno));
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		check_line(c, 0, "config %s: writable by group or others — "
		    "chmod 600 %s", path, path);
	else
		check_line(c, 1, "config %s: mode %04o", path,
		    (unsigned)(st.st_mode & 07777));
}

/* One key file: present, regular, mode 0600 or stricter, a real key. */
static int
check_key(struct check *c, const char *key, const char *path,
    unsigned char *buf, size_t *len)
{
	char	 err[512];

	if (keyfile_read(path, buf, JA_KEY_MAX, len, err, sizeof(err)) !=
	    JA_OK)
		return check_line(c, 0, "%s: %s — make one with \"authctl "
		    "keygen %s\" (it is created with mode 0600)", key, err,
		    path);
	return check_line(c, 1, "%s %s: %zu-byte key, not readable by "
	    "group or others", key, path, *len);
}

/*
 * The signing key (an HS256 key file, or for RS256/ES256 a private PEM
 * key, loaded as the service loads it), the verify-only keys and the
 * secret file.
 */
static void
check_keys(struct check *c, struct config *cfg)
{
	char	 err[512], how[64];
	int	 sign, sec;

	if (keys_load_verify(cfg, err, sizeof(err)) != JA_OK)
		check_line(c, 0, "%s — fix the entry in the config", err);
	else if (cfg->verify_keys != NULL)
		check_line(c, 1, "verify_keys: every key loads");
	snprintf(how, sizeof(how), "%s%s", cfg->sign_alg == KEY_HS256 ? "" :
	    "--alg ", cfg->sign_alg == KEY_HS256 ? "" :
	    keys_alg_name(cfg->sign_alg));
	if (!(sign = keys_load_sign(cfg, err, sizeof(err)) == JA_OK))
		check_line(c, 0, "key_file: %s — make one with \"authctl "
		    "keygen %s%s%s\" (it is created with mode 0600)", err, how,
		    *how != '\0' ? " " : "", cfg->key_file);
	else if (cfg->sign_alg == KEY_HS256)
		check_line(c, 1, "key_file %s: %zu-byte key, not readable by "
		    "group or others", cfg->key_file, cfg->keylen);
	else
		check_line(c, 1, "key_file %s: %s private key, not readable "
		    "by group or others", cfg->key_file,
		    keys_alg_name(cfg->sign_alg));
	sec = check_key(c, "secret_file", cfg->secret_file, cfg->secret,
	    &cfg->secretlen);
	if (sign && sec && config_key_is_secret(cfg))
		check_line(c, 0, "secret_file holds the same key as key_file "
		    "— make another with authctl keygen");
}

/*
 * The log file can be appended to by this account: it exists and is
 * writable, or its directory lets it be created.  Nothing is created
 * here: run by another user, that would leave a file the service cannot
 * write.
 */
static void
check_log_file(struct check *c, const struct config *cfg)
{
	struct stat	 st;
	char		 dir[1024];
	char		*slash;

	if (cfg->log_file == NULL) {
		check_line(c, 1, "log_file: none (messages go to the web "
		    "server's error log only)");
		return;
	}
	if (lstat(cfg->log_file, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			check_line(c, 0, "log_file %s: not a regular file — "
			    "remove it or set log_file", cfg->log_file);
		else if (access(cfg->log_file, W_OK) != 0)
			check_line(c, 0, "log_file %s: not writable by this "
			    "account — chown or remove it", cfg->log_file);
		else
			check_line(c, 1, "log_file %s: writable",
			    cfg->log_file);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", cfg->log_file);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (access(dir, W_OK | X_OK) != 0)
		check_line(c, 0, "log_file %s: cannot be created in %s — "
		    "make that directory writable for this account, or set "
		    "log_file", cfg->log_file, dir);
	else
		check_line(c, 1, "log_file %s: will be created",
		    cfg->log_file);
}

/*
 * The gatekeeper's directory (gate_root), when gate_path is set: a
 * directory this account can list and read, as gate.c opens it.
 */
static void
check_gate(struct check *c, const struct config *cfg)
{
	int	 fd;

	if (cfg->gate_path == NULL)
		return;
	if ((fd = open(cfg->gate_root, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0) {
		check_line(c, 0, "gate_root %s: %s — make the directory, or "
		    "fix gate_root", cfg->gate_root, strerror(errno));
		return;
	}
	(void)close(fd);
	check_line(c, 1, "gate_root %s: a directory, served as %s/",
	    cfg->gate_root, cfg->gate_path);
}

/* Returns the single value of sql, or NULL (with the error in *res). */
static const char *
check_value(PGconn *conn, const char *sql, PGresult **res)
{
	*res = PQexecParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(*res) != PGRES_TUPLES_OK || PQntuples(*res) != 1)
		return NULL;
	return PQgetvalue(*res, 0, 0);
}

/* The primary message of a failed result, or of the connection. */
static const char *
check_pgerr(PGconn *conn, const PGresult *res)
{
	const char	*msg = NULL;

	if (res != NULL)
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (msg == NULL)
		msg = strtok(PQerrorMessage(conn), "\n");
	return msg != NULL ? msg : "unknown error";
}

/* Every compiled migration is recorded, and no later one. */
static void
check_schema(struct check *c, PGconn *conn)
{
	const struct migration	*m;
	PGresult		*res;
	char			 missing[512];
	size_t			 len = 0;
	int			 i, last = 0, found, newest = 0;

	res = PQexecParams(conn, "SELECT version FROM schema_migrations "
	    "ORDER BY version", 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		check_line(c, 0, "schema: %s — run \"authctl migrate\"",
		    check_pgerr(conn, res));
		goto out;
	}
	missing[0] = '\0';
	for (m = migrations; m->name != NULL; m++) {
		last = m->version;
		for (found = 0, i = 0; i < PQntuples(res) && !found; i++)
			found = atoi(PQgetvalue(res, i, 0)) == m->version;
		if (!found && len < sizeof(missing))
			len += (size_t)snprintf(missing + len,
			    sizeof(missing) - len, " %s", m->name);
	}
	if (PQntuples(res) > 0)
		newest = atoi(PQgetvalue(res, PQntuples(res) - 1, 0));
	if (missing[0] != '\0')
		check_line(c, 0, "schema: not applied:%s — run \"authctl "
		    "migrate\"", missing);
	else if (newest > last)
		check_line(c, 0, "schema: the database has migration %d, "
		    "this program knows up to %d — install the matching "
		    "build", newest, last);
	else
		check_line(c, 1, "schema: all %d migrations applied", last);
out:
	PQclear(res);
}

/*
 * The service writes every table; a standby or a read-only default
 * would fail every login.  has_table_privilege() with a list is true
 * when any is held, so each privilege is asked on its own.
 */
static void
check_writable(struct check *c, PGconn *conn)
{
	PGresult	*res;
	const char	*v;
	int		 before = c->failed;

	v = check_value(conn, "SELECT string_agg(t || ' ' || p, ', ') FROM "
	    "unnest(ARRAY['users','sessions','refresh_tokens',"
	    "'revoked_tokens','audit','schema_migrations']) t, "
	    "unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE']) p "
	    "WHERE NOT coalesce(has_table_privilege(to_regclass(t), p), "
	    "false)", &res);
	if (v == NULL)
		check_line(c, 0, "privileges: %s", check_pgerr(conn, res));
	else if (*v != '\0')
		check_line(c, 0, "privileges: missing %s — as the tables' "
		    "owner: GRANT SELECT, INSERT, UPDATE, DELETE ON ALL "
		    "TABLES IN SCHEMA public TO %s", v, PQuser(conn));
	PQclear(res);
	v = check_value(conn, "SELECT pg_is_in_recovery() OR "
	    "current_setting('default_transaction_read_only')::boolean",
	    &res);
	if (v == NULL)
		check_line(c, 0, "writable: %s", check_pgerr(conn, res));
	else if (strcmp(v, "t") == 0)
		check_line(c, 0, "writable: the database is read-only (a "
		    "standby, or default_transaction_read_only) — point "
		    "database at the primary");
	else if (c->failed == before)
		check_line(c, 1, "writable: every table");
	PQclear(res);
}

/* The program's clock against the database's and against reason. */
static void
check_clock(struct check *c, PGconn *conn, long leeway)
{
	PGresult	*res;
	const char	*v;
	time_t		 before = time(NULL), after;
	long		 db, diff;

	v = check_value(conn, "SELECT floor(extract(epoch FROM "
	    "clock_timestamp()))::bigint", &res);
	after = time(NULL);
	if (v == NULL) {
		check_line(c, 0, "clock: %s", check_pgerr(conn, res));
		goto out;
	}
	db = strtol(v, NULL, 10);
	diff = db < (long)before ? (long)before - db :
	    db > (long)after ? db - (long)after : 0;
	if ((long)before < CHECK_EPOCH_MIN)
		check_line(c, 0, "clock: this machine's clock says %ld — set "
		    "the time (NTP)", (long)before);
	else if (diff > leeway / 2)
		check_line(c, 0, "clock: %ld s apart from the database "
		    "server's (leeway is %ld) — synchronise both with NTP",
		    diff, leeway);
	else
		check_line(c, 1, "clock: within %ld s of the database "
		    "server's", diff);
out:
	PQclear(res);
}

static void
check_database(struct check *c, const struct config *cfg)
{
	static const char *const keys[] = {
		"connect_timeout", "application_name", "dbname", NULL
	};
	const char	*values[] = { "5", "jwtauth check", cfg->database,
	    NULL };
	PGconn		*conn;

	conn = PQconnectdbParams(keys, values, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		check_line(c, 0, "database: %s — check \"database\" in %s "
		    "(host, port, dbname, user; a passfile must be mode "
		    "0600)", conn != NULL ? strtok(PQerrorMessage(conn),
		    "\n") : "out of memory", cfg->path);
		goto out;
	}
	check_line(c, 1, "database: connected to %s as %s (server %d)",
	    PQdb(conn), PQuser(conn), PQserverVersion(conn));
	check_schema(c, conn);
	check_writable(c, conn);
	check_clock(c, conn, cfg->leeway);
out:
	PQfinish(conn);
}

/*
 * Runs every check of the deployment whose config file is path, one
 * line each on standard output.  Returns the number of checks that failed (0: all
 * passed).  A config that does not parse stops the rest.
 */
int
check_run(const char *path)
{
	struct config	 cfg;
	struct check	 c;
	char		 err[1024];
	int		 rc;

	c.out = stdout;
	c.failed = 0;
	if ((rc = owner_check(path, err, sizeof(err))) != JA_ENOTFOUND)
		check_line(&c, rc == JA_OK, "owner: %s", err);
	if (config_load(&cfg, path, 0, err, sizeof(err)) != JA_OK) {
		check_line(&c, 0, "config: %s — fix it (see jwtauth.conf(5));"
		    " nothing else was checked", err);
		goto out;
	}
	check_line(&c, 1, "config %s parses", path);
	check_config_mode(&c, path);
	check_keys(&c, &cfg);
	check_log_file(&c, &cfg);
	check_gate(&c, &cfg);
	check_database(&c, &cfg);
out:
	config_free(&cfg);
	fflush(stdout);
	return c.failed;
}
