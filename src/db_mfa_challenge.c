/*
 * db_mfa_challenge.c: the mfa_token of a sign-in's second step in the
 * database: made after the password (stored as SHA-256, for
 * MFA_CHALLENGE_TTL seconds), each try counted before its code is
 * checked (at most MFA_CHALLENGE_TRIES), looked at without a try for
 * the throttle, ended once used.  Each check-and-use is one statement,
 * so two concurrent requests cannot both use one mfa_token.
 */
#include <stdio.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "jwtauth.h"

#define MFA_CHALLENGE_TTL	300	/* seconds an mfa_token lives */
#define MFA_CHALLENGE_TRIES	5	/* codes one mfa_token may try */

/* Forgets expired challenges, then adds one. */
static const struct db_stmt mfa_challenge_new = {
	"mfa_challenge_new",
	"WITH old AS (DELETE FROM mfa_challenges WHERE expires_at <= now()) "
	"INSERT INTO mfa_challenges (token_hash, user_id, expires_at, "
	"remember, passkey_id) VALUES (decode($1, 'hex'), $2, now() + "
	"make_interval(secs => $3::integer), $4, $5::uuid)",
	5, 0
};

/* One try of a live challenge: counted before the code is checked. */
static const struct db_stmt mfa_challenge_try = {
	"mfa_challenge_try",
	"UPDATE mfa_challenges c SET attempts = attempts + 1 FROM users u "
	"WHERE c.token_hash = decode($1, 'hex') AND c.expires_at > now() "
	"AND c.attempts < $2::integer AND u.id = c.user_id "
	"RETURNING c.user_id, u.username, c.remember, "
	"coalesce(c.passkey_id::text, '')",
	2, 0
};

/* The same challenge looked at, no try counted (before the throttle). */
static const struct db_stmt mfa_challenge_peek = {
	"mfa_challenge_peek",
	"SELECT c.user_id, u.username FROM mfa_challenges c JOIN users u "
	"ON u.id = c.user_id WHERE c.token_hash = decode($1, 'hex') "
	"AND c.expires_at > now() AND c.attempts < $2::integer",
	2, 0
};

static const struct db_stmt mfa_challenge_end = {
	"mfa_challenge_end",
	"DELETE FROM mfa_challenges WHERE token_hash = decode($1, 'hex') "
	"RETURNING 1",
	1, 0
};

/*
 * Starts the second step of a sign-in of user_id: a new mfa_token of 256
 * random bits into token (tokenlen > JA_RT_LEN), stored as SHA-256 for
 * MFA_CHALLENGE_TTL seconds, with the sign-in's "Keep me signed in"
 * (remember) for the session the step starts, and the passkey that was
 * its first factor (passkey_id; NULL after a password).  Returns JA_OK
 * or JA_EDB.
 */
int
db_mfa_challenge_new(struct db *db, const char *user_id, int remember,
    const char *passkey_id, char *token, size_t tokenlen)
{
	char		 hash[65], ttl[16];
	const char	*params[5] = { hash, user_id, ttl,
	    remember ? "true" : "false", passkey_id };
	int		 rc;

	if (random_b64url(token, tokenlen, 32) != JA_OK ||
	    refresh_hash(token, hash, sizeof(hash)) != JA_OK)
		return JA_EINVAL;
	snprintf(ttl, sizeof(ttl), "%d", MFA_CHALLENGE_TTL);
	rc = db_mfa_one_row(db, &mfa_challenge_new, params);
	if (rc == JA_EAUTH)	/* an INSERT without RETURNING: no rows */
		rc = JA_OK;
	if (rc != JA_OK)
		sodium_memzero(token, tokenlen);
	return rc;
}

/*
 * One attempt at the second step with mfa_token token: counted first,
 * at most MFA_CHALLENGE_TRIES per token.  On JA_OK the user's id and
 * name are in user_id (JA_UUID_LEN + 1 bytes) and username (JA_NAME_MAX
 * + 1), and with remember (may be NULL) the sign-in's "Keep me signed
 * in" in *remember and the passkey of its first factor in passkey_id
 * (JA_UUID_LEN + 1 bytes, "" after a password).  Returns JA_EAUTH for a
 * token unknown, expired, used or tried too often, or JA_EDB.
 */
static int
mfa_challenge_row(struct db *db, const struct db_stmt *st, const char *token,
    char *user_id, char *username, int *remember, char *passkey_id)
{
	char		 hash[65], tries[16];
	const char	*params[2] = { hash, tries };
	PGresult	*res;
	int		 rc = JA_EAUTH;

	if (!refresh_shape_ok(token) ||
	    refresh_hash(token, hash, sizeof(hash)) != JA_OK)
		return JA_EAUTH;
	snprintf(tries, sizeof(tries), "%d", MFA_CHALLENGE_TRIES);
	if ((res = db_exec(db, st, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1) {
		snprintf(user_id, JA_UUID_LEN + 1, "%s",
		    PQgetvalue(res, 0, 0));
		snprintf(username, JA_NAME_MAX + 1, "%s",
		    PQgetvalue(res, 0, 1));
		if (remember != NULL)
			*remember = PQnfields(res) > 2 &&
			    PQgetvalue(res, 0, 2)[0] == 't';
		if (passkey_id != NULL)
			snprintf(passkey_id, JA_UUID_LEN + 1, "%s",
			    PQnfields(res) > 3 ? PQgetvalue(res, 0, 3) : "");
		rc = JA_OK;
	}
	PQclear(res);
	return rc;
}

int
db_mfa_challenge_try(struct db *db, const char *token, char *user_id,
    char *username, int *remember, char *passkey_id)
{
	return mfa_challenge_row(db, &mfa_challenge_try, token, user_id,
	    username, remember, passkey_id);
}

/*
 * As db_mfa_challenge_try, but counts no try: whose challenge it is, for
 * the throttle, which must refuse before a try is used up.
 */
int
db_mfa_challenge_peek(struct db *db, const char *token, char *user_id,
    char *username)
{
	return mfa_challenge_row(db, &mfa_challenge_peek, token, user_id,
	    username, NULL, NULL);
}

/*
 * Ends mfa_token token after its successful use.  Returns JA_OK,
 * JA_EAUTH (a concurrent request used it first) or JA_EDB.
 */
int
db_mfa_challenge_end(struct db *db, const char *token)
{
	char		 hash[65];
	const char	*params[1] = { hash };

	if (refresh_hash(token, hash, sizeof(hash)) != JA_OK)
		return JA_EAUTH;
	return db_mfa_one_row(db, &mfa_challenge_end, params);
}

