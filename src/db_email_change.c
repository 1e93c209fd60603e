/*
 * db_email_change.c: a change of address by its user (route_email.c,
 * sql/010_email_change.sql).  Its link is an account_tokens row as a
 * reset link is (db_reset.c): 256 random bits, only their SHA-256
 * stored, purpose "email", bound to the user, carrying the new address,
 * EMAIL_TTL seconds, used once (the row deleted by the use).  One change
 * is outstanding at a time: asking again ends the link before.
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "jwtauth.h"

/*
 * A change asked in one statement: expired links and the user's earlier
 * change links forgotten, and a link for the new address added unless
 * another account has it, whatever its case (a sign-up never confirmed
 * does not count: email_change_stale).  One row: whether another
 * account has it.
 */
static const struct db_stmt email_change_ask = {
	"email_change_ask",
	"WITH h AS (SELECT 1 FROM users WHERE lower(email) = lower($2) AND "
	"id <> $1 AND NOT (pending_since IS NOT NULL AND email_verified_at "
	"IS NULL) LIMIT 1), "
	"old AS (DELETE FROM account_tokens WHERE expires_at <= now() OR "
	"(user_id = $1 AND purpose = 'email')), "
	"ins AS (INSERT INTO account_tokens (token_hash, user_id, purpose, "
	"expires_at, email) SELECT decode($3, 'hex'), $1, 'email', now() + "
	"make_interval(secs => $4::integer), $2 WHERE NOT EXISTS "
	"(SELECT 1 FROM h)) "
	"SELECT EXISTS (SELECT 1 FROM h)",
	4, 0
};

/*
 * The link used: the row gone, the account's address made the link's,
 * verified now, and the user's other change and reset links ended (a
 * reset link went to the old address), in one statement.
 */
static const struct db_stmt email_change_use = {
	"email_change_use",
	"WITH t AS (DELETE FROM account_tokens WHERE token_hash = "
	"decode($1, 'hex') AND purpose = 'email' AND expires_at > now() AND "
	"user_id = $2 RETURNING user_id, email), "
	"d AS (DELETE FROM account_tokens WHERE user_id = (SELECT user_id "
	"FROM t) AND purpose IN ('email', 'reset') AND token_hash <> "
	"decode($1, 'hex')) "
	"UPDATE users SET email = (SELECT email FROM t), email_verified_at = "
	"now(), pending_since = NULL WHERE id = (SELECT user_id FROM t) AND "
	"NOT locked RETURNING 1",
	2, 0
};

/*
 * Before a link is used: a sign-up never confirmed that holds the
 * link's address gives it up (as at a sign-up, db_signup.c), deleted
 * with its links; whoever opened the link owns the address.
 */
static const struct db_stmt email_change_stale = {
	"email_change_stale",
	"DELETE FROM users WHERE lower(email) = (SELECT lower(email) FROM "
	"account_tokens WHERE token_hash = decode($1, 'hex') AND purpose = "
	"'email' AND expires_at > now() AND user_id = $2) AND "
	"pending_since IS NOT NULL AND email_verified_at IS NULL",
	2, 0
};

/*
 * Asks for the address of uid to become email (mail_address_ok): a new
 * token (tokenlen > JA_RT_LEN) is made in every case and stored when no
 * other account has the address; *taken says whether one has.  Returns
 * JA_OK or JA_EDB; the token is wiped unless stored.
 */
int
db_email_change_ask(struct db *db, const char *uid, const char *email,
    char *token, size_t tokenlen, int *taken)
{
	char		 hash[65], ttl[16];
	const char	*params[4] = { uid, email, hash, ttl };
	PGresult	*res;
	int		 rc = JA_EDB;

	*taken = 0;
	if (random_b64url(token, tokenlen, 32) != JA_OK ||
	    refresh_hash(token, hash, sizeof(hash)) != JA_OK)
		goto out;
	snprintf(ttl, sizeof(ttl), "%d", EMAIL_TTL);
	if ((res = db_exec(db, &email_change_ask, params)) == NULL)
		goto out;
	if (PQntuples(res) == 1) {
		*taken = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		rc = JA_OK;
	}
	PQclear(res);
out:
	if (rc != JA_OK || *taken)
		memset(token, 0, tokenlen);
	return rc;
}

/*
 * Uses up the change link token of uid (db_reset_peek with "email"
 * found it; db_token_use) and makes its address the account's, an
 * unconfirmed sign-up with the address deleted first.  Returns
 * JA_OK, JA_ENOTFOUND (used meanwhile, expired, the account locked),
 * JA_EEXIST (another account took the address meanwhile: nothing
 * changed, the link stays) or JA_EDB.
 */
int
db_email_change_use(struct db *db, const char *token, const char *uid)
{
	int	 rc;

	if ((rc = db_token_use(db, &email_change_stale, token, uid)) ==
	    JA_EDB)
		return JA_EDB;
	rc = db_token_use(db, &email_change_use, token, uid);
	if (rc == JA_EDB && strcmp(db_sqlstate(db), "23505") == 0)
		return JA_EEXIST;
	return rc;
}
