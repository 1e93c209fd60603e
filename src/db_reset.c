/*
 * db_reset.c: the links of a password reset (account_tokens, purpose
 * "reset", sql/007_email.sql).  A token is 256 random bits, only its
 * SHA-256 stored, bound to one user and the purpose, RESET_TTL seconds,
 * used once (its row deleted by the use).  A password set in any way
 * ends every outstanding reset link of the user (db_user.c).
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "jwtauth.h"

/*
 * A reset request in one statement, the same work whether or not the
 * login names an account: expired links forgotten, the account of the
 * login (a user name, else an address whatever its case) with a
 * verified address and not locked looked up, and a link added for it,
 * if any.
 */
static const struct db_stmt reset_request = {
	"reset_request",
	"WITH old AS (DELETE FROM account_tokens WHERE expires_at <= now()), "
	"u AS (SELECT id, username, email FROM users WHERE (username = $1 OR "
	"lower(email) = lower($1)) AND email IS NOT NULL AND "
	"email_verified_at IS NOT NULL AND NOT locked "
	"ORDER BY username = $1 DESC LIMIT 1), "
	"ins AS (INSERT INTO account_tokens (token_hash, user_id, purpose, "
	"expires_at) SELECT decode($2, 'hex'), id, 'reset', now() + "
	"make_interval(secs => $3::integer) FROM u) "
	"SELECT id, username, email FROM u",
	3, 0
};

static const struct db_stmt reset_peek = {
	"reset_peek",
	"SELECT t.user_id, u.username FROM account_tokens t JOIN users u ON "
	"u.id = t.user_id WHERE t.token_hash = decode($1, 'hex') AND "
	"t.purpose = $2 AND t.expires_at > now() AND NOT u.locked",
	2, DB_RETRY
};

static const struct db_stmt reset_claim = {
	"reset_claim",
	"DELETE FROM account_tokens WHERE token_hash = decode($1, 'hex') AND "
	"purpose = 'reset' AND expires_at > now() AND user_id = $2 "
	"RETURNING 1",
	2, 0
};

/*
 * Makes a reset link for the account of login, if it has a verified
 * address: a new token (tokenlen > JA_RT_LEN) is made in every case,
 * and stored only for such an account, whose id, name and address go
 * to t.  Returns JA_OK (t set), JA_ENOTFOUND (no such account: the
 * token is wiped) or JA_EDB.
 */
int
db_reset_request(struct db *db, const char *login, char *token,
    size_t tokenlen, struct reset_target *t)
{
	char		 hash[65], ttl[16];
	const char	*params[3] = { login, hash, ttl };
	PGresult	*res;
	int		 rc = JA_ENOTFOUND;

	memset(t, 0, sizeof(*t));
	if (random_b64url(token, tokenlen, 32) != JA_OK ||
	    refresh_hash(token, hash, sizeof(hash)) != JA_OK)
		return JA_EDB;
	snprintf(ttl, sizeof(ttl), "%d", RESET_TTL);
	if ((res = db_exec(db, &reset_request, params)) == NULL)
		rc = JA_EDB;
	else if (PQntuples(res) == 1 &&
	    strlen(PQgetvalue(res, 0, 1)) <= JA_NAME_MAX &&
	    strlen(PQgetvalue(res, 0, 2)) <= MAIL_ADDRESS_MAX) {
		snprintf(t->id, sizeof(t->id), "%s", PQgetvalue(res, 0, 0));
		snprintf(t->username, sizeof(t->username), "%s",
		    PQgetvalue(res, 0, 1));
		snprintf(t->email, sizeof(t->email), "%s",
		    PQgetvalue(res, 0, 2));
		rc = JA_OK;
	}
	if (res != NULL)
		PQclear(res);
	if (rc != JA_OK)
		memset(token, 0, tokenlen);
	return rc;
}

/*
 * The user (id into uid, name into name, JA_NAME_MAX + 1 bytes) of a
 * live token of purpose ("reset", or "verify": db_signup.c), nothing
 * changed.  Returns JA_OK, JA_ENOTFOUND (unknown, used, expired, of
 * another purpose, or its account locked) or JA_EDB.
 */
int
db_reset_peek(struct db *db, const char *purpose, const char *token,
    char *uid, char *name)
{
	char		 hash[65];
	const char	*params[2] = { hash, purpose };
	PGresult	*res;
	int		 rc = JA_ENOTFOUND;

	uid[0] = name[0] = '\0';
	if (!refresh_shape_ok(token) ||
	    refresh_hash(token, hash, sizeof(hash)) != JA_OK)
		return JA_ENOTFOUND;
	if ((res = db_exec(db, &reset_peek, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1 &&
	    strlen(PQgetvalue(res, 0, 1)) <= JA_NAME_MAX) {
		snprintf(uid, JA_UUID_LEN + 1, "%s", PQgetvalue(res, 0, 0));
		snprintf(name, JA_NAME_MAX + 1, "%s", PQgetvalue(res, 0, 1));
		rc = JA_OK;
	}
	PQclear(res);
	return rc;
}

/*
 * Uses up the link token of uid by st, one statement that returns a row
 * when it found the token live and ended it (reset_claim here,
 * signup_verify in db_signup.c): of two requests with one token only one
 * gets JA_OK.  Returns JA_OK, JA_ENOTFOUND (used meanwhile, expired) or
 * JA_EDB.
 */
int
db_token_use(struct db *db, const struct db_stmt *st, const char *token,
    const char *uid)
{
	char		 hash[65];
	const char	*params[2] = { hash, uid };
	PGresult	*res;
	int		 rc;

	if (refresh_hash(token, hash, sizeof(hash)) != JA_OK)
		return JA_ENOTFOUND;
	if ((res = db_exec(db, st, params)) == NULL)
		return JA_EDB;
	rc = PQntuples(res) == 1 ? JA_OK : JA_ENOTFOUND;
	PQclear(res);
	return rc;
}

/* Uses up the reset token of uid (db_token_use). */
int
db_reset_claim(struct db *db, const char *token, const char *uid)
{
	return db_token_use(db, &reset_claim, token, uid);
}
