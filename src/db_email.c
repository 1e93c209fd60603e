/*
 * db_email.c: the address of an account (sql/007_email.sql): set by the
 * administrator (verified at once), read for a notice and the account
 * page.  One account per
 * address, whatever its case.
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "jwtauth.h"

static const struct db_stmt email_set = {
	"email_set",
	"UPDATE users SET email = $2, email_verified_at = now(), "
	"pending_since = NULL WHERE username = $1",
	2, 0
};

static const struct db_stmt email_of = {
	"email_of",
	"SELECT username, email FROM users WHERE id = $1 AND email IS NOT NULL "
	"AND email_verified_at IS NOT NULL AND NOT locked",
	1, DB_RETRY
};

static const struct db_stmt address_of = {
	"address_of",
	"SELECT coalesce(email, ''), email_verified_at IS NOT NULL FROM users "
	"WHERE id = $1",
	1, DB_RETRY
};

/*
 * Sets the address of username to email (mail_address_ok), verified
 * now: an address the administrator gives counts as the user's.
 * Returns JA_OK, JA_ENOTFOUND, JA_EEXIST (another account has it) or
 * JA_EDB.
 */
int
db_user_set_email(struct db *db, const char *username, const char *email)
{
	const char	*params[2] = { username, email };
	PGresult	*res;
	int		 rc;

	if ((res = db_exec(db, &email_set, params)) == NULL)
		return strcmp(db_sqlstate(db), "23505") == 0 ? JA_EEXIST :
		    JA_EDB;
	rc = strcmp(PQcmdTuples(res), "1") == 0 ? JA_OK : JA_ENOTFOUND;
	PQclear(res);
	return rc;
}

/*
 * The verified address of user_id, an account not locked, into email
 * (MAIL_ADDRESS_MAX + 1 bytes) and its name into name (JA_NAME_MAX + 1
 * bytes).  Returns JA_OK, JA_ENOTFOUND (none, not verified, or locked)
 * or JA_EDB.
 */
int
db_user_email(struct db *db, const char *user_id, char *name, char *email)
{
	const char	*params[1] = { user_id };
	PGresult	*res;
	int		 rc = JA_ENOTFOUND;

	name[0] = email[0] = '\0';
	if (!text_is_uuid(user_id))
		return JA_ENOTFOUND;
	if ((res = db_exec(db, &email_of, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1 &&
	    strlen(PQgetvalue(res, 0, 0)) <= JA_NAME_MAX &&
	    strlen(PQgetvalue(res, 0, 1)) <= MAIL_ADDRESS_MAX) {
		snprintf(name, JA_NAME_MAX + 1, "%s", PQgetvalue(res, 0, 0));
		snprintf(email, MAIL_ADDRESS_MAX + 1, "%s",
		    PQgetvalue(res, 0, 1));
		rc = JA_OK;
	}
	PQclear(res);
	return rc;
}

/*
 * The address of user_id as the account page shows it, into email
 * (MAIL_ADDRESS_MAX + 1 bytes; empty: none), and whether it is
 * verified into *verified.  Returns JA_OK, JA_ENOTFOUND or JA_EDB.
 */
int
db_user_address(struct db *db, const char *user_id, char *email,
    int *verified)
{
	const char	*params[1] = { user_id };
	PGresult	*res;
	int		 rc = JA_ENOTFOUND;

	email[0] = '\0';
	*verified = 0;
	if (!text_is_uuid(user_id))
		return JA_ENOTFOUND;
	if ((res = db_exec(db, &address_of, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1 &&
	    strlen(PQgetvalue(res, 0, 0)) <= MAIL_ADDRESS_MAX) {
		snprintf(email, MAIL_ADDRESS_MAX + 1, "%s",
		    PQgetvalue(res, 0, 0));
		*verified = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
		rc = JA_OK;
	}
	PQclear(res);
	return rc;
}
