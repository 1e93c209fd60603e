/*
 * db_audit.c: the audit trail: logins (success and failure), refreshes
 * that detected reuse, logouts, revocations, password changes and locks,
 * each with time, user, session, IP and user agent.  A failure to write
 * an audit row is logged but does not change the answer to the client,
 * nor undo what it records: inside a transaction the row is written
 * under a savepoint, so that its failure does not abort the revocation
 * it belongs to (whose COMMIT would then answer ROLLBACK).
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "jwtauth.h"

static const struct db_stmt audit_add = {
	"audit_add",
	"INSERT INTO audit (event, user_id, username, session_id, ip, "
	"user_agent, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
	7, 0
};

static const struct db_stmt audit_recent = {
	"audit_recent",
	"SELECT to_char(at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), event, coalesce(username, "
	"(SELECT username FROM users WHERE id = a.user_id), '-'), "
	"coalesce(session_id::text, '-'), coalesce(ip, '-'), "
	"coalesce(user_agent, '-'), coalesce(detail, '') "
	"FROM audit a ORDER BY id DESC LIMIT $1::integer",
	1, DB_RETRY
};

/*
 * Records event about user (id and/or name, either may be NULL) and
 * session sid (may be NULL), seen in request req (may be NULL: authctl),
 * with detail (may be NULL).  Untrusted text is stored escaped.
 */
void
db_audit(struct db *db, const char *event, const char *user_id,
    const char *username, const char *sid, const struct request *req,
    const char *detail)
{
	char		 ua[LOG_UA_MAX], ip[LOG_IP_MAX];
	char		 name[JA_NAME_MAX * 4 + 1];
	const char	*params[7];
	PGresult	*res;
	int		 tx;

	log_client(req, ua, ip);
	if (username != NULL)
		log_escape(name, sizeof(name), username);
	params[0] = event;
	params[1] = user_id != NULL && text_is_uuid(user_id) ? user_id : NULL;
	params[2] = username != NULL ? name : NULL;
	params[3] = sid != NULL && text_is_uuid(sid) ? sid : NULL;
	params[4] = req != NULL ? ip : NULL;
	params[5] = req != NULL ? ua : NULL;
	params[6] = detail;
	tx = db_in_tx(db);
	if (tx && db_run(db, "SAVEPOINT audit") != JA_OK) {
		log_msg("audit: could not record %s", event);
		return;
	}
	if ((res = db_exec(db, &audit_add, params)) == NULL) {
		log_msg("audit: could not record %s", event);
		if (tx)
			(void)db_run(db, "ROLLBACK TO SAVEPOINT audit");
		return;
	}
	if (tx)
		(void)db_run(db, "RELEASE SAVEPOINT audit");
	PQclear(res);
}

/* Calls fn with the fields of each of the n most recent audit rows. */
int
db_audit_recent(struct db *db, long n, void (*fn)(const char *const *,
    void *), void *arg)
{
	char		 count[32];
	const char	*params[1] = { count };
	const char	*row[7];
	PGresult	*res;
	int		 i, k;

	snprintf(count, sizeof(count), "%ld", n);
	if ((res = db_exec(db, &audit_recent, params)) == NULL)
		return JA_EDB;
	for (i = PQntuples(res) - 1; i >= 0; i--) {
		for (k = 0; k < 7; k++)
			row[k] = PQgetvalue(res, i, k);
		fn(row, arg);
	}
	PQclear(res);
	return JA_OK;
}
