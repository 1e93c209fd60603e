/*
 * db_passkey.c: passkeys and WebAuthn challenges in the database
 * (sql/013_passkeys.sql).  A challenge is stored as its SHA-256, for
 * WA_CHALLENGE_TTL seconds, bound to what asked; taking it is one
 * DELETE, so a challenge serves one ceremony even under concurrent
 * requests.  The signature counter moves forward in one UPDATE that
 * checks the rule of WebAuthn §6.1.1 against the stored value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "jwtauth.h"

#define WA_CHALLENGE_TTL	300	/* seconds a challenge lives */

/* Forgets expired challenges, then adds one. */
static const struct db_stmt wa_challenge_new = {
	"wa_challenge_new",
	"WITH old AS (DELETE FROM webauthn_challenges "
	"WHERE expires_at <= now()) "
	"INSERT INTO webauthn_challenges (challenge_hash, purpose, "
	"session_id, attempt_hash, mfa_hash, expires_at) VALUES "
	"(decode($1, 'hex'), $2, $3::uuid, CASE WHEN $2 = 'login' THEN "
	"decode($4, 'hex') END, CASE WHEN $2 = 'mfa' THEN decode($4, 'hex') "
	"END, now() + make_interval(secs => $5::integer))",
	5, 0
};

/* A live challenge of this purpose and binding, taken once. */
static const struct db_stmt wa_challenge_take = {
	"wa_challenge_take",
	"DELETE FROM webauthn_challenges WHERE challenge_hash = "
	"decode($1, 'hex') AND purpose = $2 AND expires_at > now() AND "
	"(session_id = $3::uuid OR attempt_hash = decode($4, 'hex') OR "
	"mfa_hash = decode($4, 'hex')) "
	"RETURNING 1",
	4, 0
};

static const struct db_stmt passkey_add = {
	"passkey_add",
	"INSERT INTO passkeys (user_id, credential_id, public_key, alg, "
	"sign_count, backup_eligible, backed_up, name) SELECT $1::uuid, "
	"decode($2, 'hex'), decode($3, 'hex'), $4::integer, $5::bigint, "
	"$6::boolean, $7::boolean, $8 WHERE (SELECT count(*) FROM passkeys "
	"WHERE user_id = $1::uuid) < " PASSKEY_MAX_STR " RETURNING id",
	8, 0
};

static const struct db_stmt passkey_find = {
	"passkey_find",
	"SELECT p.id, p.user_id, u.username, encode(p.public_key, 'hex'), "
	"p.sign_count, p.disabled_at IS NOT NULL, u.locked, "
	"u.pending_since IS NOT NULL FROM passkeys p JOIN users u ON "
	"u.id = p.user_id WHERE p.credential_id = decode($1, 'hex')",
	1, DB_RETRY
};

/* The counter moved forward (or both 0), in one statement. */
static const struct db_stmt passkey_use = {
	"passkey_use",
	"UPDATE passkeys SET sign_count = $2::bigint, backed_up = "
	"$3::boolean, last_used_at = now() WHERE id = $1 AND disabled_at IS "
	"NULL AND (sign_count < $2::bigint OR (sign_count = 0 AND "
	"$2::bigint = 0)) RETURNING 1",
	3, 0
};

static const struct db_stmt passkey_disable = {
	"passkey_disable",
	"UPDATE passkeys SET disabled_at = now() WHERE id = $1 AND "
	"disabled_at IS NULL RETURNING 1",
	1, 0
};

static const struct db_stmt passkey_remove = {
	"passkey_remove",
	"DELETE FROM passkeys WHERE user_id = $1 AND id = $2::uuid "
	"RETURNING 1",
	2, 0
};

static const struct db_stmt passkey_cred_ids = {
	"passkey_cred_ids",
	"SELECT encode(credential_id, 'hex') FROM passkeys WHERE user_id = "
	"$1 ORDER BY created_at LIMIT " PASSKEY_MAX_STR,
	1, DB_RETRY
};

/* A user's passkeys for the lists (route_passkey_list.c, html_passkey.c). */
static const struct db_stmt passkey_list = {
	"passkey_list",
	"SELECT id, name, to_char(created_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(to_char(last_used_at "
	"AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
	"backup_eligible::text, backed_up::text, "
	"(disabled_at IS NOT NULL)::text FROM passkeys WHERE user_id = $1 "
	"ORDER BY created_at, id LIMIT " PASSKEY_MAX_STR,
	1, DB_RETRY
};

static const struct db_stmt passkey_rename = {
	"passkey_rename",
	"UPDATE passkeys SET name = $3 WHERE user_id = $1 AND id = $2::uuid "
	"RETURNING 1",
	3, 0
};

/* The hex of SHA-256 of len bytes at p into hex (65 bytes). */
static void
db_wa_hash(const unsigned char *p, size_t len, char *hex)
{
	unsigned char	 h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, p, len);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

/*
 * Stores challenge c (WA_CHALLENGE_LEN bytes) for purpose ("register"
 * or "confirm" with the session sid; "login" with the attempt token
 * attempt, or "mfa" with the mfa_token there: one of sid and attempt
 * NULL).  Returns JA_OK or JA_EDB.
 */
int
db_wa_challenge_new(struct db *db, const unsigned char *c,
    const char *purpose, const char *sid, const char *attempt)
{
	char		 hash[65], ahash[65], ttl[16];
	const char	*params[5] = { hash, purpose, sid, NULL, ttl };
	int		 rc;

	db_wa_hash(c, WA_CHALLENGE_LEN, hash);
	if (attempt != NULL) {
		db_wa_hash((const unsigned char *)attempt, strlen(attempt),
		    ahash);
		params[3] = ahash;
	}
	snprintf(ttl, sizeof(ttl), "%d", WA_CHALLENGE_TTL);
	rc = db_mfa_one_row(db, &wa_challenge_new, params);
	return rc == JA_EAUTH ? JA_OK : rc;	/* no RETURNING: no rows */
}

/*
 * Takes (deletes) the live challenge c of purpose bound to session sid
 * or to the token attempt (an attempt, or an mfa_token; one of them
 * NULL).  Returns JA_OK, JA_EAUTH
 * (unknown, expired, used, or bound to another) or JA_EDB.
 */
int
db_wa_challenge_take(struct db *db, const unsigned char *c,
    const char *purpose, const char *sid, const char *attempt)
{
	char		 hash[65], ahash[65];
	const char	*params[4] = { hash, purpose, sid, NULL };

	db_wa_hash(c, WA_CHALLENGE_LEN, hash);
	if (attempt != NULL) {
		db_wa_hash((const unsigned char *)attempt, strlen(attempt),
		    ahash);
		params[3] = ahash;
	}
	return db_mfa_one_row(db, &wa_challenge_take, params);
}

/* The hex of len bytes at p, allocated; NULL when out of memory. */
static char *
db_wa_hex(const unsigned char *p, size_t len)
{
	char	*hex;

	if ((hex = malloc(len * 2 + 1)) == NULL)
		return NULL;
	return sodium_bin2hex(hex, len * 2 + 1, p, len);
}

/*
 * Adds the passkey of authenticator data a (with its credential) for
 * user user_id, named name; its id into id (JA_UUID_LEN + 1 bytes).
 * Returns JA_OK, JA_EEXIST (the credential id is registered already),
 * JA_ETOOBIG (the user has PASSKEY_MAX passkeys: the lists show no
 * more), JA_ENOMEM or JA_EDB.
 */
int
db_passkey_add(struct db *db, const char *user_id,
    const struct wa_authdata *a, const char *name, char *id)
{
	char		*cred, *key, alg[16], count[16];
	const char	*params[8];
	PGresult	*res = NULL;
	int		 rc = JA_ENOMEM;

	cred = db_wa_hex(a->cred_id, a->cred_id_len);
	key = db_wa_hex(a->cose, a->cose_len);
	if (cred == NULL || key == NULL)
		goto out;
	snprintf(alg, sizeof(alg), "%d", a->key.alg);
	snprintf(count, sizeof(count), "%lu", (unsigned long)a->sign_count);
	params[0] = user_id;
	params[1] = cred;
	params[2] = key;
	params[3] = alg;
	params[4] = count;
	params[5] = (a->flags & WA_FLAG_BE) ? "true" : "false";
	params[6] = (a->flags & WA_FLAG_BS) ? "true" : "false";
	params[7] = name;
	if ((res = db_exec(db, &passkey_add, params)) == NULL) {
		rc = strcmp(db_sqlstate(db), "23505") == 0 ? JA_EEXIST :
		    JA_EDB;
		goto out;
	}
	rc = JA_ETOOBIG;	/* PASSKEY_MAX of them already */
	if (PQntuples(res) == 1) {
		snprintf(id, JA_UUID_LEN + 1, "%s", PQgetvalue(res, 0, 0));
		rc = JA_OK;
	}
out:
	PQclear(res);
	free(cred);
	free(key);
	return rc;
}

/*
 * Finds the passkey of credential id cred (len bytes) into p.  Returns
 * JA_OK, JA_ENOTFOUND or JA_EDB.
 */
int
db_passkey_find(struct db *db, const unsigned char *cred, size_t len,
    struct passkey *p)
{
	const char	*params[1];
	char		*hex;
	PGresult	*res;
	size_t		 n;
	int		 rc = JA_ENOTFOUND;

	memset(p, 0, sizeof(*p));
	if ((hex = db_wa_hex(cred, len)) == NULL)
		return JA_ENOMEM;
	params[0] = hex;
	res = db_exec(db, &passkey_find, params);
	free(hex);
	if (res == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1) {
		snprintf(p->id, sizeof(p->id), "%s", PQgetvalue(res, 0, 0));
		snprintf(p->user_id, sizeof(p->user_id), "%s",
		    PQgetvalue(res, 0, 1));
		snprintf(p->username, sizeof(p->username), "%s",
		    PQgetvalue(res, 0, 2));
		if (sodium_hex2bin(p->cose, sizeof(p->cose),
		    PQgetvalue(res, 0, 3), (size_t)PQgetlength(res, 0, 3),
		    NULL, &n, NULL) != 0) {
			rc = JA_EDB;
			goto out;
		}
		p->cose_len = n;
		p->sign_count = (uint32_t)strtoul(PQgetvalue(res, 0, 4),
		    NULL, 10);
		p->disabled = PQgetvalue(res, 0, 5)[0] == 't';
		p->locked = PQgetvalue(res, 0, 6)[0] == 't';
		p->pending = PQgetvalue(res, 0, 7)[0] == 't';
		rc = JA_OK;
	}
out:
	PQclear(res);
	return rc;
}

/*
 * Takes the counter count and the BS flag bs of a sign-in with passkey
 * id.  Returns JA_OK, JA_EAUTH (the counter did not move forward, or the
 * passkey was disabled meanwhile) or JA_EDB.
 */
int
db_passkey_use(struct db *db, const char *id, uint32_t count, int bs)
{
	char		 c[16];
	const char	*params[3] = { id, c, bs ? "true" : "false" };

	snprintf(c, sizeof(c), "%lu", (unsigned long)count);
	return db_mfa_one_row(db, &passkey_use, params);
}

/* Disables passkey id (a counter regression).  Returns JA_OK or JA_EDB. */
int
db_passkey_disable(struct db *db, const char *id)
{
	const char	*params[1] = { id };
	int		 rc;

	rc = db_mfa_one_row(db, &passkey_disable, params);
	return rc == JA_EAUTH ? JA_OK : rc;
}

/*
 * Removes passkey id (a UUID: text_is_uuid) of user user_id.  Returns
 * JA_OK, JA_ENOTFOUND (no such passkey of that user) or JA_EDB.
 */
int
db_passkey_remove(struct db *db, const char *user_id, const char *id)
{
	const char	*params[2] = { user_id, id };
	int		 rc;

	rc = db_mfa_one_row(db, &passkey_remove, params);
	return rc == JA_EAUTH ? JA_ENOTFOUND : rc;
}

/*
 * Calls fn(hex, arg) for the credential id (as hex) of each passkey of
 * user user_id, at most 64.  Returns JA_OK or JA_EDB.
 */
int
db_passkey_cred_ids(struct db *db, const char *user_id,
    void (*fn)(const char *const *, void *), void *arg)
{
	const char	*params[1] = { user_id };
	PGresult	*res;

	res = db_exec(db, &passkey_cred_ids, params);
	return db_rows(res, 1, fn, arg);
}

/*
 * Calls fn(row, arg) for each passkey of user user_id, at most 64,
 * oldest first: row holds its id, name, created and last used (UTC, ISO
 * 8601; "" never), and "true"/"false" for BE, BS and disabled.  Returns
 * JA_OK or JA_EDB.
 */
int
db_passkey_list(struct db *db, const char *user_id,
    void (*fn)(const char *const *, void *), void *arg)
{
	const char	*params[1] = { user_id };

	return db_rows(db_exec(db, &passkey_list, params), 7, fn, arg);
}

/*
 * Names passkey id (a UUID: text_is_uuid) of user user_id name.  Returns
 * JA_OK, JA_ENOTFOUND (no such passkey of that user) or JA_EDB.
 */
int
db_passkey_rename(struct db *db, const char *user_id, const char *id,
    const char *name)
{
	const char	*params[3] = { user_id, id, name };
	int		 rc;

	rc = db_mfa_one_row(db, &passkey_rename, params);
	return rc == JA_EAUTH ? JA_ENOTFOUND : rc;
}
