/*
 * db.c: the PostgreSQL connection.  It connects lazily, sends each
 * statement with its parameters as an unnamed statement (PQexecParams:
 * nothing is prepared on the connection, so the queries work through a
 * transaction pool such as PgBouncer with pool_mode = transaction, which
 * hands each transaction to any server connection), keeps no session
 * state (the timeouts are the role's, migration 008, and SET LOCAL in
 * each transaction, db_tx.c), and reconnects by itself after the
 * server went away: a statement marked DB_RETRY is sent once more on a
 * new connection, anything else fails and the next request reconnects.
 * Every failure is logged (primary message and SQLSTATE only, never the
 * parameters, which may hold secrets) and returned: callers fail closed.
 *
 * Failover: the conninfo may name several servers (libpq's multi-host
 * form, "host=a,b port=p,q"); libpq tries them in turn, and by default
 * (target_session_attrs=read-write, unless the conninfo says otherwise)
 * takes only one that accepts writes.  A connection that finds itself
 * on a read-only server all the same (SQLSTATE 25006: a standby reached
 * with target_session_attrs=any, or a primary fenced with
 * default_transaction_read_only) is dropped like a lost one, so that the
 * next attempt looks for the writable server again.
 *
 * Transactions are db_tx.c's.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "jwtauth.h"

#define DB_DRAIN_MAX	64	/* reads of one db_notifies() call */
#define DB_COLS_MAX	16	/* columns db_rows() hands on */
#define DB_READ_ONLY	"25006"	/* read_only_sql_transaction */

static void
db_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/*
 * Creates a handle for conninfo (a libpq connection string) without
 * connecting yet.  Returns JA_OK or JA_ENOMEM; free with db_close().
 */
int
db_open(struct db **out, const char *conninfo)
{
	struct db	*db;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return JA_ENOMEM;
	if ((db->conninfo = strdup(conninfo)) == NULL) {
		free(db);
		return JA_ENOMEM;
	}
	*out = db;
	return JA_OK;
}

/*
 * Closes the connection, if any; an open transaction is lost with it.  The handle stays, to reconnect.
 */
void
db_disconnect(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db->in_tx = 0;
	db->revoked = 0;	/* an open transaction is lost with it */
}

/* Closes the connection and frees the handle; accepts NULL. */
void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db->conninfo);
	free(db);
}

/* Connects if not connected.  Returns JA_OK or JA_EDB (logged). */
static int
db_connect(struct db *db)
{
	/* TCP keepalives: a connection that died silently is noticed in
	 * seconds, not hours (the revocation cache listens on it).  Only a
	 * server that takes writes will do (see above).  The conninfo,
	 * expanded from dbname, overrides each of these defaults. */
	static const char *const keys[] = {
		"connect_timeout", "application_name", "keepalives_idle",
		"keepalives_interval", "keepalives_count",
		"target_session_attrs", "dbname", NULL
	};
	const char	*values[] = { "5", "jwtauth", "10", "5", "3",
	    "read-write", db->conninfo, NULL };

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return JA_OK;
	db_disconnect(db);
	db->conn = PQconnectdbParams(keys, values, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		log_msg("database: connection failed: %s", db->conn ?
		    strtok(PQerrorMessage(db->conn), "\n") : "no memory");
		db_disconnect(db);
		return JA_EDB;
	}
	PQsetNoticeProcessor(db->conn, db_quiet, NULL);
	db->generation++;
	return JA_OK;
}

/*
 * Returns 1 while the connection can be used: it is up, and the last
 * failure was not a write refused by a read-only server (which the next
 * connection may not meet: see above).
 */
int
db_usable(const struct db *db)
{
	return db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK &&
	    strcmp(db->sqlstate, DB_READ_ONLY) != 0;
}

/* Records and logs the failure of res (which may be NULL). */
void
db_fail(struct db *db, const char *what, const struct pg_result *res)
{
	const char	*state, *msg;

	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s",
	    state ? state : "08000");
	if (msg == NULL)
		msg = db->conn ? strtok(PQerrorMessage(db->conn), "\n") : "";
	/* Unique violations are answers (e.g. user exists), not faults. */
	if (strcmp(db->sqlstate, "23505") != 0)
		log_msg("database: %s: %s (%s)", what, msg ? msg : "",
		    db->sqlstate);
}

/*
 * After statement st succeeded (or its answer was lost with the
 * connection): when it may have ended access tokens, this host's other
 * processes are told (metrics_revoked) once it is committed, now outside
 * a transaction, else at COMMIT (ROLLBACK drops it).
 */
static void
db_revoked(struct db *db, const struct db_stmt *st)
{
	if ((st->flags & DB_REVOKES) == 0)
		return;
	if (db->in_tx)
		db->revoked = 1;
	else
		metrics_revoked();
}

/*
 * Executes statement st (unnamed: parsed and planned on each call) with params (st->nparams text
 * values; NULL means SQL NULL).  Returns the result, which the caller
 * clears with PQclear(), or NULL on failure (logged; db_sqlstate() says
 * which).  Outside a transaction, a statement marked DB_RETRY is sent
 * once more on a new connection when the old one was lost.
 */
struct pg_result *
db_exec(struct db *db, const struct db_stmt *st, const char *const *params)
{
	PGresult	*res;
	int		 attempt, status;

	db->sqlstate[0] = '\0';
	for (attempt = 0; attempt < 2; attempt++) {
		if (db_connect(db) != JA_OK) {
			snprintf(db->sqlstate, sizeof(db->sqlstate), "08000");
			return NULL;
		}
		res = PQexecParams(db->conn, st->sql, st->nparams, NULL,
		    params, NULL, NULL, 0);
		status = PQresultStatus(res);
		if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
			db_revoked(db, st);
			return res;
		}
		db_fail(db, st->name, res);
		PQclear(res);
		if (db_usable(db))
			return NULL;
		/* The connection is gone (or read-only): a transaction is
		 * lost with it; a statement of its own may have committed
		 * before the answer was lost. */
		if (!db->in_tx)
			db_revoked(db, st);
		if (db->in_tx || (st->flags & DB_RETRY) == 0) {
			db_disconnect(db);
			return NULL;
		}
		db_disconnect(db);
	}
	return NULL;
}

/*
 * Runs sql (no parameters; may hold several statements) with the simple
 * query protocol, for transactions and migrations.  Returns
 * JA_OK or JA_EDB (logged).
 */
int
db_run(struct db *db, const char *sql)
{
	PGresult	*res;
	int		 status;

	db->sqlstate[0] = '\0';
	if (db_connect(db) != JA_OK)
		return JA_EDB;
	res = PQexec(db->conn, sql);
	status = PQresultStatus(res);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		db_fail(db, "statement", res);
		PQclear(res);
		if (!db_usable(db))
			db_disconnect(db);
		return JA_EDB;
	}
	PQclear(res);
	return JA_OK;
}

/*
 * Returns 1 if the database answers and takes writes, else 0.  A server
 * that answers but is read-only (see above) counts as down: the
 * connection is dropped, so that the next statement looks for the
 * writable one.
 */
int
db_ping(struct db *db)
{
	static const struct db_stmt st = { "ping",
	    "SELECT current_setting('transaction_read_only')", 0, DB_RETRY };
	PGresult	*res;
	int		 writable;

	if ((res = db_exec(db, &st, NULL)) == NULL)
		return 0;
	writable = PQntuples(res) == 1 &&
	    strcmp(PQgetvalue(res, 0, 0), "off") == 0;
	PQclear(res);
	if (!writable) {
		log_msg("database: the server is read-only (%s)",
		    DB_READ_ONLY);
		snprintf(db->sqlstate, sizeof(db->sqlstate), "%s",
		    DB_READ_ONLY);
		db_disconnect(db);
	}
	return writable;
}

/*
 * The database name and the user of the connection, for messages; ""
 * for each while not connected.  Valid until the next statement.
 */
void
db_names(const struct db *db, const char **dbname, const char **user)
{
	int	 up = db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK;

	*dbname = up ? PQdb(db->conn) : "";
	*user = up ? PQuser(db->conn) : "";
}

/* SQLSTATE of the last failure ("" if none; "08000" for no connection). */
const char *
db_sqlstate(const struct db *db)
{
	return db->sqlstate;
}


/*
 * The number of connections made so far: it changes whenever the
 * connection was replaced, which loses its LISTENs (listen.c).
 * 0 while there is no working connection.
 */
unsigned long
db_generation(const struct db *db)
{
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
		return 0;
	return db->generation;
}

/* The connection's socket, for poll(2); -1 while not connected. */
int
db_socket(const struct db *db)
{
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
		return -1;
	return PQsocket(db->conn);
}

/*
 * Reads what the server sent while the connection was idle, without
 * blocking, and calls fn(channel, payload, arg) for each notification
 * (LISTEN/NOTIFY).  It reads until nothing more is waiting (poll(2) with
 * no timeout), so that a connection the server ended is seen now: the
 * server's last words ("terminating connection") arrive as a notice and
 * only the next read finds the end.  Returns JA_OK, or JA_EDB when the
 * connection turned out to be lost (it is closed; the next statement
 * reconnects).
 */
int
db_notifies(struct db *db, void (*fn)(const char *, const char *, void *),
    void *arg)
{
	struct pollfd	 pfd;
	PGnotify	*n;
	int		 i, ready;

	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
		return JA_EDB;
	for (i = 0; i < DB_DRAIN_MAX; i++) {
		pfd.fd = PQsocket(db->conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if ((ready = poll(&pfd, 1, 0)) == 0)
			break;
		if ((ready < 0 && errno != EINTR) ||
		    (ready > 0 && PQconsumeInput(db->conn) == 0) ||
		    PQstatus(db->conn) != CONNECTION_OK) {
			log_msg("database: connection lost while idle");
			db_disconnect(db);
			return JA_EDB;
		}
	}
	while ((n = PQnotifies(db->conn)) != NULL) {
		fn(n->relname, n->extra, arg);
		PQfreemem(n);
	}
	return JA_OK;
}

/*
 * Calls fn(row, arg) for each row of res, row holding its first ncols
 * values as text (at most DB_COLS_MAX), then clears res.  For the
 * listings of authctl.  Returns JA_OK, or JA_EDB when res is NULL.
 */
int
db_rows(struct pg_result *res, int ncols,
    void (*fn)(const char *const *, void *), void *arg)
{
	const char	*row[DB_COLS_MAX];
	int		 i, k;

	if (res == NULL)
		return JA_EDB;
	for (i = 0; i < PQntuples(res); i++) {
		for (k = 0; k < ncols && k < DB_COLS_MAX; k++)
			row[k] = PQgetvalue(res, i, k);
		fn(row, arg);
	}
	PQclear(res);
	return JA_OK;
}
