/*
 * db_mfa.c: the second factor in the database: each user's sealed TOTP
 * secret and last step used (totp.c), the hashed recovery codes
 * (recovery.c), and ending one of one's own sessions.  Every
 * check-and-use is one statement, so two concurrent requests cannot
 * both use one code or one step.  The mfa_token of a sign-in's second
 * step is db_mfa_challenge.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "jwtauth.h"

static const struct db_stmt mfa_get = {
	"mfa_get",
	"SELECT encode(secret_box, 'hex'), coalesce(secret_id, ''), "
	"enabled_at IS NOT NULL, last_step, (SELECT count(*) FROM "
	"recovery_codes r WHERE r.user_id = t.user_id AND used_at IS NULL) "
	"FROM totp t WHERE user_id = $1",
	1, DB_RETRY
};

/* A new secret, unless a second factor is on already. */
static const struct db_stmt mfa_setup = {
	"mfa_setup",
	"INSERT INTO totp AS t (user_id, secret_box, secret_id) "
	"VALUES ($1, decode($2, 'hex'), $3) ON CONFLICT (user_id) DO UPDATE "
	"SET secret_box = EXCLUDED.secret_box, secret_id = "
	"EXCLUDED.secret_id, created_at = now(), last_step = 0 "
	"WHERE t.enabled_at IS NULL RETURNING 1",
	3, 0
};

static const struct db_stmt mfa_use_step = {
	"mfa_use_step",
	"UPDATE totp SET last_step = $2::bigint WHERE user_id = $1 "
	"AND last_step < $2::bigint RETURNING 1",
	2, 0
};

/* Turns the second factor on and replaces the recovery codes. */
static const struct db_stmt mfa_enable = {
	"mfa_enable",
	"WITH t AS (UPDATE totp SET enabled_at = now() WHERE user_id = $1 "
	"AND enabled_at IS NULL RETURNING user_id), "
	"d AS (DELETE FROM recovery_codes WHERE user_id IN "
	"(SELECT user_id FROM t)) "
	"INSERT INTO recovery_codes (user_id, code_hash, secret_id) "
	"SELECT t.user_id, decode(h, 'hex'), $3 FROM t, "
	"unnest($2::text[]) h RETURNING 1",
	3, 0
};

static const struct db_stmt mfa_disable = {
	"mfa_disable",
	"WITH r AS (DELETE FROM recovery_codes WHERE user_id = $1), "
	"c AS (DELETE FROM mfa_challenges WHERE user_id = $1) "
	"DELETE FROM totp WHERE user_id = $1 "
	"RETURNING enabled_at IS NOT NULL",
	1, 0
};

static const struct db_stmt mfa_recovery_use = {
	"mfa_recovery_use",
	"UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 "
	"AND code_hash = decode($2, 'hex') AND used_at IS NULL "
	"AND (secret_id IS NOT DISTINCT FROM $3) RETURNING 1",
	3, 0
};

/* Ends one session of a user, never another user's. */
static const struct db_stmt mfa_session_end = {
	"mfa_session_end",
	"UPDATE sessions SET revoked_at = now(), revoke_reason = "
	"'logout_device' WHERE id = $1 AND user_id = $2 "
	"AND revoked_at IS NULL RETURNING 1",
	2, DB_REVOKES
};

/*
 * Runs st with parameters p; JA_OK if it returned a row, JA_EAUTH if
 * none, or JA_EDB.
 */
int
db_mfa_one_row(struct db *db, const struct db_stmt *st,
    const char *const *p)
{
	PGresult	*res;
	int		 rc;

	if ((res = db_exec(db, st, p)) == NULL)
		return JA_EDB;
	rc = PQntuples(res) >= 1 ? JA_OK : JA_EAUTH;
	PQclear(res);
	return rc;
}

/*
 * Reads the second factor of user user_id into m.  Returns JA_OK,
 * JA_ENOTFOUND (none set up: m is zeroed) or JA_EDB.
 */
int
db_mfa_get(struct db *db, const char *user_id, struct mfa_state *m)
{
	const char	*params[1] = { user_id };
	const char	*hex;
	PGresult	*res;
	int		 rc = JA_ENOTFOUND;

	memset(m, 0, sizeof(*m));
	if (!text_is_uuid(user_id))
		return JA_ENOTFOUND;
	if ((res = db_exec(db, &mfa_get, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1) {
		hex = PQgetvalue(res, 0, 0);
		if (sodium_hex2bin(m->box, sizeof(m->box), hex, strlen(hex),
		    NULL, &m->boxlen, NULL) != 0)
			m->boxlen = 0;
		snprintf(m->secret_id, sizeof(m->secret_id), "%s",
		    PQgetvalue(res, 0, 1));
		m->enabled = PQgetvalue(res, 0, 2)[0] == 't';
		m->last_step = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
		m->codes_left = strtol(PQgetvalue(res, 0, 4), NULL, 10);
		rc = JA_OK;
	}
	PQclear(res);
	return rc;
}

/*
 * Stores box (TOTP_BOX_LEN bytes, sealed under the current secret of
 * cfg) as the not yet confirmed second factor of user_id, replacing one
 * not confirmed.  Returns JA_OK, JA_EEXIST (one is on already) or
 * JA_EDB.
 */
int
db_mfa_setup(struct db *db, const struct config *cfg, const char *user_id,
    const unsigned char *box)
{
	char		 hex[TOTP_BOX_LEN * 2 + 1];
	const char	*params[3];
	int		 rc;

	sodium_bin2hex(hex, sizeof(hex), box, TOTP_BOX_LEN);
	params[0] = user_id;
	params[1] = hex;
	params[2] = cfg->secret_id[0] != '\0' ? cfg->secret_id : NULL;
	rc = db_mfa_one_row(db, &mfa_setup, params);
	return rc == JA_EAUTH ? JA_EEXIST : rc;
}

/*
 * Records step as the last TOTP step used by user_id, if it is later
 * than the one stored.  Returns JA_OK, JA_EAUTH (that step or a later one
 * was used already: a replay) or JA_EDB.
 */
int
db_mfa_use_step(struct db *db, const char *user_id, int64_t step)
{
	char		 s[32];
	const char	*params[2] = { user_id, s };

	snprintf(s, sizeof(s), "%lld", (long long)step);
	return db_mfa_one_row(db, &mfa_use_step, params);
}

/*
 * Turns on the second factor set up for user_id, with the recovery
 * codes whose hashes (RECOVERY_COUNT of RECOVERY_HASH_LEN bytes, keyed
 * with the current secret of cfg) are in hashes.  Returns JA_OK,
 * JA_EAUTH (nothing set up, or on already) or JA_EDB.
 */
int
db_mfa_enable(struct db *db, const struct config *cfg, const char *user_id,
    const unsigned char hashes[][RECOVERY_HASH_LEN])
{
	struct buf	 arr;
	char		 hex[RECOVERY_HASH_LEN * 2 + 1];
	const char	*params[3];
	size_t		 i;
	int		 rc;

	buf_init(&arr);
	buf_puts(&arr, "{");
	for (i = 0; i < RECOVERY_COUNT; i++) {
		sodium_bin2hex(hex, sizeof(hex), hashes[i], RECOVERY_HASH_LEN);
		buf_printf(&arr, "%s%s", i > 0 ? "," : "", hex);
	}
	buf_puts(&arr, "}");
	if (arr.failed) {
		buf_free(&arr);
		return JA_ENOMEM;
	}
	params[0] = user_id;
	params[1] = arr.data;
	params[2] = cfg->secret_id[0] != '\0' ? cfg->secret_id : NULL;
	rc = db_mfa_one_row(db, &mfa_enable, params);
	buf_free(&arr);
	return rc;
}

/*
 * Turns off the second factor of user_id and forgets its recovery codes
 * and pending sign-ins.  Returns JA_OK (*was_on says whether it was on,
 * not only set up), JA_ENOTFOUND (none set up) or JA_EDB.
 */
int
db_mfa_disable(struct db *db, const char *user_id, int *was_on)
{
	const char	*params[1] = { user_id };
	PGresult	*res;
	int		 rc = JA_ENOTFOUND;

	*was_on = 0;
	if (!text_is_uuid(user_id))
		return JA_ENOTFOUND;
	if ((res = db_exec(db, &mfa_disable, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) >= 1) {
		*was_on = PQgetvalue(res, 0, 0)[0] == 't';
		rc = JA_OK;
	}
	PQclear(res);
	return rc;
}

/*
 * Uses recovery code norm (canonical, recovery_normalize) of user_id:
 * its hash under the current secret, then under each old secret, marks
 * an unused code of that secret used.  Returns JA_OK, JA_EAUTH (no such
 * unused code) or JA_EDB.
 */
int
db_mfa_recovery_use(struct db *db, const struct config *cfg,
    const char *user_id, const char *norm)
{
	unsigned char	 h[RECOVERY_HASH_LEN];
	char		 hex[RECOVERY_HASH_LEN * 2 + 1];
	const char	*params[3];
	size_t		 i;
	int		 rc = JA_EAUTH;

	params[0] = user_id;
	params[1] = hex;
	for (i = 0; i <= cfg->nold_secrets && rc == JA_EAUTH; i++) {
		if (i == 0) {
			recovery_hash(cfg->secret, cfg->secretlen, norm, h);
			params[2] = cfg->secret_id[0] != '\0' ?
			    cfg->secret_id : NULL;
		} else {
			recovery_hash(cfg->old_secrets[i - 1].key,
			    cfg->old_secrets[i - 1].len, norm, h);
			params[2] = cfg->old_secrets[i - 1].id;
		}
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		rc = db_mfa_one_row(db, &mfa_recovery_use, params);
	}
	sodium_memzero(h, sizeof(h));
	return rc;
}

/*
 * Ends session sid of user_id (a device signed out from the account
 * page or the API).  Returns JA_OK, JA_ENOTFOUND (no live session of
 * that id of this user: another user's is never touched) or JA_EDB.
 */
int
db_mfa_session_end(struct db *db, const char *sid, const char *user_id)
{
	const char	*params[2] = { sid, user_id };
	int		 rc;

	if (!text_is_uuid(sid) || !text_is_uuid(user_id))
		return JA_ENOTFOUND;
	rc = db_mfa_one_row(db, &mfa_session_end, params);
	return rc == JA_EAUTH ? JA_ENOTFOUND : rc;
}
