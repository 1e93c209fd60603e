/*
 * db_signup.c: accounts made by their users (sql/009_signup.sql): the
 * sign-up, its verification link, and the invitations of authctl
 * invite.  Links are account_tokens rows as reset links are
 * (db_reset.c): 256 random bits, only their SHA-256 stored, one
 * purpose ("verify" bound to a user, "invite" to an address), expiring,
 * used once (the row deleted by the use).
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "jwtauth.h"

/*
 * A sign-up in one statement: the account added unverified unless the
 * name is taken (whatever its case: "Admin" beside "admin" would pass
 * for it).  When the address (whatever its case) is another
 * account's, the account is added all the same, without an address and
 * without a link, so that it can never be verified (the purge takes it
 * after PENDING_MAX): signing in as it then answers as for a free
 * address (email_not_verified), and its name is taken for a new try as
 * it would be, else the two would tell whether the address has an
 * account.  Otherwise it gets its verification link.  What comes back,
 * one row: the new id, or NULL, and the name and address of the account
 * that holds the address, if any, as it was before the statement.
 */
static const struct db_stmt signup_add = {
	"signup_add",
	"WITH h AS (SELECT username, email FROM users WHERE "
	"lower(email) = lower($3) LIMIT 1), "
	"ins AS (INSERT INTO users (username, password_hash, email, "
	"pending_since) SELECT $1, $2, CASE WHEN EXISTS (SELECT 1 FROM h) "
	"THEN NULL ELSE $3 END, now() WHERE NOT EXISTS (SELECT 1 FROM users "
	"WHERE lower(username) = lower($1)) ON CONFLICT DO NOTHING "
	"RETURNING id, email), "
	"tok AS (INSERT INTO account_tokens (token_hash, user_id, purpose, "
	"expires_at) SELECT decode($4, 'hex'), id, 'verify', now() + "
	"make_interval(secs => $5::integer) FROM ins WHERE email IS NOT NULL) "
	"SELECT (SELECT id FROM ins), h.username, h.email FROM "
	"(SELECT 1) AS one LEFT JOIN h ON true",
	5, 0
};

/*
 * Before every sign-up, whatever it finds: an account that signed up
 * with the address (whatever its case) and never confirmed it gives it
 * up, its links with it (ON DELETE CASCADE), so that a sign-up no one
 * confirmed cannot hold an address until the purge.  The sign-up that
 * follows replaces it, with a new link to the address.
 */
static const struct db_stmt signup_stale = {
	"signup_stale",
	"DELETE FROM users WHERE lower(email) = lower($1) AND "
	"pending_since IS NOT NULL AND email_verified_at IS NULL",
	1, 0
};

/* An invitation used: the row gone, its address back. */
static const struct db_stmt invite_claim = {
	"invite_claim",
	"DELETE FROM account_tokens WHERE token_hash = decode($1, 'hex') AND "
	"purpose = 'invite' AND expires_at > now() RETURNING email",
	1, 0
};

static const struct db_stmt invite_peek = {
	"invite_peek",
	"SELECT email FROM account_tokens WHERE token_hash = decode($1, 'hex') "
	"AND purpose = 'invite' AND expires_at > now()",
	1, DB_RETRY
};

/* An invitation for an address no account has. */
static const struct db_stmt invite_add = {
	"invite_add",
	"INSERT INTO account_tokens (token_hash, purpose, expires_at, email) "
	"SELECT decode($1, 'hex'), 'invite', now() + "
	"make_interval(secs => $2::integer), $3 WHERE NOT EXISTS ("
	"SELECT 1 FROM users WHERE lower(email) = lower($3)) RETURNING 1",
	3, 0
};

/*
 * The verification link used: the row gone, and the account of uid
 * verified (no longer pending) in the same statement.
 */
static const struct db_stmt signup_verify = {
	"signup_verify",
	"WITH t AS (DELETE FROM account_tokens WHERE token_hash = "
	"decode($1, 'hex') AND purpose = 'verify' AND expires_at > now() AND "
	"user_id = $2 RETURNING user_id) "
	"UPDATE users SET email_verified_at = now(), pending_since = NULL "
	"WHERE id = (SELECT user_id FROM t) RETURNING 1",
	2, 0
};

/*
 * A new token into token (tokenlen > JA_RT_LEN) and the hex of its
 * SHA-256 into hash (65 bytes).  Returns JA_OK or JA_EDB.
 */
static int
signup_token(char *token, size_t tokenlen, char *hash)
{
	if (random_b64url(token, tokenlen, 32) != JA_OK ||
	    refresh_hash(token, hash, 65) != JA_OK) {
		memset(token, 0, tokenlen);
		return JA_EDB;
	}
	return JA_OK;
}

/*
 * The address of the live invitation invite into email
 * (MAIL_ADDRESS_MAX + 1 bytes, empty when none), by st: invite_claim
 * takes it (the caller's transaction open), invite_peek only looks.
 * Returns JA_OK, JA_ENOTFOUND or JA_EDB.
 */
static int
signup_invite_find(struct db *db, const struct db_stmt *st,
    const char *invite, char *email)
{
	char		 hash[65];
	const char	*params[1] = { hash };
	PGresult	*res;
	int		 rc = JA_ENOTFOUND;

	email[0] = '\0';
	if (!refresh_shape_ok(invite) ||
	    refresh_hash(invite, hash, sizeof(hash)) != JA_OK)
		return JA_ENOTFOUND;
	if ((res = db_exec(db, st, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1 &&
	    strlen(PQgetvalue(res, 0, 0)) <= MAIL_ADDRESS_MAX) {
		snprintf(email, MAIL_ADDRESS_MAX + 1, "%s",
		    PQgetvalue(res, 0, 0));
		rc = JA_OK;
	}
	PQclear(res);
	return rc;
}

/*
 * Signs up name with hash and email (checked by the caller), or with
 * invite (not NULL) the address of that invitation, used up when, and
 * only when, the account is made (email then ignored).  An unconfirmed
 * sign-up with the address is replaced (signup_stale) when an account
 * is made.  A new token
 * (tokenlen > JA_RT_LEN) is made in every case and stored as the
 * verification link of a new account.  *result says what happened;
 * holder gets the name and stored address of the account whose address
 * it is (SIGNUP_ADDRESS_TAKEN; without invite, the name is then held by
 * an account without an address, see signup_add), else "".  Returns JA_OK,
 * JA_ENOTFOUND (the invitation unknown, used or expired) or JA_EDB;
 * the token is wiped unless an account was made.
 */
int
db_signup_add(struct db *db, const char *name, const char *hash,
    const char *email, const char *invite, char *token, size_t tokenlen,
    enum signup_result *result, struct signup_holder *holder)
{
	char		 thash[65], ttl[16], addr[MAIL_ADDRESS_MAX + 1];
	const char	*params[5] = { name, hash, email, thash, ttl };
	PGresult	*res = NULL;
	int		 rc, begun = 0, held = 0;

	memset(holder, 0, sizeof(*holder));
	*result = SIGNUP_NAME_TAKEN;
	if ((rc = signup_token(token, tokenlen, thash)) != JA_OK)
		return rc;
	snprintf(ttl, sizeof(ttl), "%d", VERIFY_TTL);
	if (db_begin(db) != JA_OK) {
		rc = JA_EDB;
		goto out;
	}
	begun = 1;
	if (invite != NULL) {
		if ((rc = signup_invite_find(db, &invite_claim, invite,
		    addr)) != JA_OK)
			goto out;
		params[2] = addr;
	}
	if ((res = db_exec(db, &signup_stale, &params[2])) == NULL) {
		rc = JA_EDB;
		goto out;
	}
	PQclear(res);
	if ((res = db_exec(db, &signup_add, params)) == NULL ||
	    PQntuples(res) != 1) {
		rc = JA_EDB;
		goto out;
	}
	if (!PQgetisnull(res, 0, 1) &&
	    strlen(PQgetvalue(res, 0, 1)) <= JA_NAME_MAX &&
	    strlen(PQgetvalue(res, 0, 2)) <= MAIL_ADDRESS_MAX) {
		*result = SIGNUP_ADDRESS_TAKEN;
		snprintf(holder->name, sizeof(holder->name), "%s",
		    PQgetvalue(res, 0, 1));
		snprintf(holder->email, sizeof(holder->email), "%s",
		    PQgetvalue(res, 0, 2));
		/* The name held without an address (signup_add). */
		held = !PQgetisnull(res, 0, 0);
	} else if (!PQgetisnull(res, 0, 0))
		*result = SIGNUP_MADE;
	rc = JA_OK;
out:
	if (res != NULL)
		PQclear(res);
	/*
	 * Nothing made: an invitation stays for another try (an invited
	 * address was free when invited: no name is held for it).
	 */
	if (begun && rc == JA_OK && (*result == SIGNUP_MADE ||
	    (held && invite == NULL))) {
		if (db_commit(db) != JA_OK)
			rc = JA_EDB;
	} else if (begun)
		db_rollback(db);
	if (rc != JA_OK || *result != SIGNUP_MADE)
		memset(token, 0, tokenlen);
	return rc;
}

/*
 * Uses up the verification token of uid (db_reset_peek with "verify"
 * found it) and marks the account's address verified, in one
 * statement.  Returns JA_OK, JA_ENOTFOUND (used meanwhile, expired) or
 * JA_EDB.
 */
int
db_signup_verify(struct db *db, const char *token, const char *uid)
{
	return db_token_use(db, &signup_verify, token, uid);
}

/*
 * An invitation for email (mail_address_ok), INVITE_TTL seconds, its
 * token into token (tokenlen > JA_RT_LEN).  Returns JA_OK, JA_EEXIST
 * (an account has the address) or JA_EDB.
 */
int
db_invite_add(struct db *db, const char *email, char *token, size_t tokenlen)
{
	char		 hash[65], ttl[16];
	const char	*params[3] = { hash, ttl, email };
	PGresult	*res;
	int		 rc;

	if ((rc = signup_token(token, tokenlen, hash)) != JA_OK)
		return rc;
	snprintf(ttl, sizeof(ttl), "%d", INVITE_TTL);
	if ((res = db_exec(db, &invite_add, params)) == NULL)
		rc = JA_EDB;
	else {
		rc = PQntuples(res) == 1 ? JA_OK : JA_EEXIST;
		PQclear(res);
	}
	if (rc != JA_OK)
		memset(token, 0, tokenlen);
	return rc;
}

/*
 * The address (into email, MAIL_ADDRESS_MAX + 1 bytes) of a live
 * invitation, nothing changed.  Returns JA_OK, JA_ENOTFOUND or JA_EDB.
 */
int
db_invite_peek(struct db *db, const char *invite, char *email)
{
	return signup_invite_find(db, &invite_peek, invite, email);
}
