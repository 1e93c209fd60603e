/*
 * db_user.c: the users table.
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "jwtauth.h"

static const struct db_stmt user_find = {
	"user_find",
	"SELECT id, username, password_hash, locked, "
	"pending_since IS NOT NULL FROM users "
	"WHERE username = $1",
	1, DB_RETRY
};

static const struct db_stmt user_add = {
	"user_add",
	"INSERT INTO users (username, password_hash) VALUES ($1, $2)",
	2, 0
};

static const struct db_stmt user_set_password = {
	"user_set_password",
	"WITH c AS (DELETE FROM mfa_challenges WHERE user_id = "
	"(SELECT id FROM users WHERE username = $1)), "
	"r AS (DELETE FROM account_tokens WHERE purpose = 'reset' AND "
	"user_id = (SELECT id FROM users WHERE username = $1)) "
	"UPDATE users SET password_hash = $2, password_changed_at = now() "
	"WHERE username = $1",
	2, 0
};

static const struct db_stmt user_set_locked = {
	"user_set_locked",
	"UPDATE users SET locked = $2::boolean WHERE username = $1",
	2, DB_REVOKES
};

static const struct db_stmt user_del = {
	"user_del",
	"DELETE FROM users WHERE username = $1",
	1, DB_REVOKES
};

static const struct db_stmt user_list = {
	"user_list",
	"SELECT username, to_char(created_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), locked FROM users "
	"ORDER BY username",
	0, DB_RETRY
};

/*
 * Looks up username into u.  Returns JA_OK, JA_ENOTFOUND, or JA_EDB.
 */
int
db_user_find(struct db *db, const char *username, struct user *u)
{
	const char	*params[1] = { username };
	PGresult	*res;
	int		 rc = JA_ENOTFOUND;

	memset(u, 0, sizeof(*u));
	if ((res = db_exec(db, &user_find, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1) {
		snprintf(u->id, sizeof(u->id), "%s", PQgetvalue(res, 0, 0));
		snprintf(u->username, sizeof(u->username), "%s",
		    PQgetvalue(res, 0, 1));
		if (snprintf(u->hash, sizeof(u->hash), "%s",
		    PQgetvalue(res, 0, 2)) >= (int)sizeof(u->hash))
			u->hash[0] = '\0';	/* never matches */
		u->locked = PQgetvalue(res, 0, 3)[0] == 't';
		u->pending = PQgetvalue(res, 0, 4)[0] == 't';
		rc = JA_OK;
	}
	PQclear(res);
	return rc;
}

/* Adds a user.  Returns JA_OK, JA_EEXIST, or JA_EDB. */
int
db_user_add(struct db *db, const char *username, const char *hash)
{
	const char	*params[2] = { username, hash };
	PGresult	*res;

	if ((res = db_exec(db, &user_add, params)) == NULL)
		return strcmp(db_sqlstate(db), "23505") == 0 ? JA_EEXIST :
		    JA_EDB;
	PQclear(res);
	return JA_OK;
}

/*
 * Runs st (an UPDATE of username with params) and then, in the same
 * transaction, ends every session of the user for reason (NULL: none
 * ended), audited.  Returns JA_OK, JA_ENOTFOUND, or JA_EDB.
 */
static int
user_update(struct db *db, const struct db_stmt *st, const char *const *params,
    const char *reason)
{
	PGresult	*res;
	long		 n;
	int		 rc = JA_EDB;

	if (db_begin(db) != JA_OK)
		return JA_EDB;
	if ((res = db_exec(db, st, params)) == NULL)
		goto out;
	rc = strcmp(PQcmdTuples(res), "1") == 0 ? JA_OK : JA_ENOTFOUND;
	PQclear(res);
	if (rc == JA_OK && reason != NULL &&
	    db_session_revoke_user(db, params[0], reason, &n) != JA_OK)
		rc = JA_EDB;
out:
	if (rc == JA_OK) {
		if (db_commit(db) != JA_OK)
			rc = JA_EDB;
	} else
		db_rollback(db);
	return rc;
}

/*
 * Sets the password hash of username and ends all its sessions, access
 * tokens included, its pending second steps of sign-in (an
 * mfa_token won with the old password) and its reset links.  Returns JA_OK, JA_ENOTFOUND,
 * or JA_EDB.
 */
int
db_user_set_password(struct db *db, const char *username, const char *hash)
{
	const char	*params[2] = { username, hash };

	return user_update(db, &user_set_password, params, "password");
}

/*
 * Locks (locked non-zero; every session ends) or unlocks username.
 * Returns JA_OK, JA_ENOTFOUND, or JA_EDB.
 */
int
db_user_set_locked(struct db *db, const char *username, int locked)
{
	const char	*params[2] = { username, locked ? "true" : "false" };

	return user_update(db, &user_set_locked, params,
	    locked ? "lock" : NULL);
}

/* Deletes username and, by cascade, its sessions. */
int
db_user_del(struct db *db, const char *username)
{
	const char	*params[1] = { username };
	PGresult	*res;
	int		 rc;

	if ((res = db_exec(db, &user_del, params)) == NULL)
		return JA_EDB;
	rc = strcmp(PQcmdTuples(res), "0") == 0 ? JA_ENOTFOUND : JA_OK;
	PQclear(res);
	return rc;
}

/* Calls fn(username, created, locked, arg) for every user by name. */
int
db_user_list(struct db *db, void (*fn)(const char *, const char *, int,
    void *), void *arg)
{
	PGresult	*res;
	int		 i;

	if ((res = db_exec(db, &user_list, NULL)) == NULL)
		return JA_EDB;
	for (i = 0; i < PQntuples(res); i++)
		fn(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2)[0] == 't', arg);
	PQclear(res);
	return JA_OK;
}
