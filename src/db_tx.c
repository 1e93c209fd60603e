/*
 * db_tx.c: transactions on the connection of db.c: BEGIN (replacing a
 * connection that went stale while idle), COMMIT (a rolled-back commit
 * is a failure; a revocation in it is counted once committed,
 * metrics_revoked), ROLLBACK.  Notifications arrive only between
 * transactions (revcache.c).
 *
 * The timeouts of a transaction are set in it (SET LOCAL, sent with the
 * BEGIN in one round trip): a transaction pool (PgBouncer, pool_mode =
 * transaction) may give each transaction another server connection, so
 * nothing set on a session would follow.  Single statements outside a
 * transaction take the role's defaults (sql/008_role_timeouts.sql).
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "jwtauth.h"

#define DB_TX_BEGIN	"BEGIN; SET LOCAL statement_timeout = '5s'; " \
	"SET LOCAL lock_timeout = '5s'; " \
	"SET LOCAL idle_in_transaction_session_timeout = '30s'"

/*
 * Starts a transaction, its timeouts set in it (see above).  A connection that went stale while idle (the
 * server restarted) is replaced once, as db_exec() does for single
 * statements: nothing was sent in it yet.  Returns JA_OK or JA_EDB.
 */
int
db_begin(struct db *db)
{
	int	 attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (db_run(db, DB_TX_BEGIN) == JA_OK) {
			db->in_tx = 1;
			db->revoked = 0;
			return JA_OK;
		}
		if (db->conn != NULL)	/* still connected: a real error */
			break;
	}
	return JA_EDB;
}

/*
 * Commits the open transaction.  The server answers COMMIT of a
 * transaction that had failed with the tag "ROLLBACK" and a success
 * status: that is a failure here.  Returns JA_OK only when the tag is
 * COMMIT; JA_EDB otherwise (logged).
 */
int
db_commit(struct db *db)
{
	PGresult	*res;
	int		 rc = JA_EDB;

	db->in_tx = 0;
	db->sqlstate[0] = '\0';
	if (db->conn == NULL)
		return JA_EDB;
	res = PQexec(db->conn, "COMMIT");
	/* Even when the answer is lost: the COMMIT may have happened. */
	if (db->revoked)
		metrics_revoked();
	db->revoked = 0;
	if (PQresultStatus(res) == PGRES_COMMAND_OK &&
	    strcmp(PQcmdStatus(res), "COMMIT") == 0)
		rc = JA_OK;
	else if (PQresultStatus(res) == PGRES_COMMAND_OK)
		log_msg("database: COMMIT rolled back (%s)", PQcmdStatus(res));
	else
		db_fail(db, "COMMIT", res);
	PQclear(res);
	if (!db_usable(db))
		db_disconnect(db);
	return rc;
}

/*
 * Rolls back the open transaction, if any; errors are only logged.  The
 * SQLSTATE of the failure that led here is kept for db_sqlstate(): the
 * ROLLBACK's own success must not wipe it (migrate's 42501 advice).
 */
void
db_rollback(struct db *db)
{
	char	 state[sizeof(db->sqlstate)];

	memcpy(state, db->sqlstate, sizeof(state));
	if (db->in_tx && db->conn != NULL)
		(void)db_run(db, "ROLLBACK");
	db->in_tx = 0;
	db->revoked = 0;
	if (db->sqlstate[0] == '\0')
		memcpy(db->sqlstate, state, sizeof(state));
}

/* Returns 1 while a transaction (db_begin) is open, else 0. */
int
db_in_tx(const struct db *db)
{
	return db->in_tx;
}
