/*
 * mfa.c: the second factor at sign-in.  After the right password of a
 * user whose second factor is on, no session yet: an mfa_token (256
 * random bits, db_mfa.c) for the second step, answered to API clients
 * as 401 {"error":"mfa_required","mfa_token"} and to browsers as the
 * code form, which carries the token, next and the CSRF token on.  The
 * second step (POST BASE/login {"mfa_token","code"}) takes a TOTP code
 * (totp.c) or a recovery code (recovery.c); a wrong one counts toward
 * the login throttle of that account and address, like a wrong
 * password, and each mfa_token allows a few tries in its five minutes
 * and one success.  The session it starts says "otp" in its tokens' amr
 * (RFC 8176).
 */
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

#define MFA_WRONG	"That code is not right, or was used already. " \
			"Enter the current code from your app, or a " \
			"recovery code."

/*
 * Checks code, a TOTP code or (if allow_recovery) a recovery code, for
 * user_id, whose second factor must be on (enabled non-zero) or set up
 * and not yet on (enabled zero: the confirmation).  A TOTP code counts
 * once (its step is stored); a recovery code is used up, audited.  On
 * JA_OK, *recovery says which kind it was.  Returns JA_EAUTH (wrong,
 * replayed or used), JA_ENOTFOUND (no second factor in that state) or
 * JA_EDB.
 */
int
mfa_check_code(struct ctx *ctx, const char *user_id, const char *username,
    const char *code, int enabled, int allow_recovery, int *recovery)
{
	struct mfa_state m;
	unsigned char	 sec[TOTP_SECRET_LEN];
	char		 norm[RECOVERY_LEN + 1];
	int64_t		 step;
	int		 rc;

	*recovery = 0;
	rc = db_mfa_get(ctx->db, user_id, &m);
	if (rc != JA_OK)
		return rc;
	if (m.enabled != (enabled != 0)) {
		rc = JA_ENOTFOUND;
		goto out;
	}
	if (totp_code_shape(code)) {
		rc = totp_open(ctx->cfg, m.secret_id, m.box, m.boxlen, sec);
		if (rc != JA_OK) {
			log_msg("the second factor of a user could not be "
			    "opened: its server secret is gone or the row "
			    "was altered");
			rc = JA_EAUTH;
			goto out;
		}
		rc = totp_check(sec, ctx->now, code, m.last_step, &step);
		if (rc == JA_OK)
			rc = db_mfa_use_step(ctx->db, user_id, step);
		else if (rc != JA_EAUTH)
			rc = JA_EAUTH;
	} else if (allow_recovery && recovery_normalize(code, norm) == JA_OK) {
		rc = db_mfa_recovery_use(ctx->db, ctx->cfg, user_id, norm);
		if (rc == JA_OK) {
			*recovery = 1;
			db_audit(ctx->db, "2fa_recovery_used", user_id, username,
			    NULL, ctx->req, NULL);
		}
	} else
		rc = JA_EAUTH;
out:
	sodium_memzero(sec, sizeof(sec));
	sodium_memzero(norm, sizeof(norm));
	sodium_memzero(&m, sizeof(m));
	return rc;
}

/*
 * After the right password of user u: when u's second factor is on, a
 * new mfa_token for the second step into token (toklen > JA_RT_LEN),
 * for the caller to answer (answer_mfa_required); token stays "" when
 * u has none (the caller signs in).  The challenge keeps remember ("Keep
 * me signed in") for the session its step starts, and passkey_id, the
 * passkey that was the first factor (NULL after a password).  Returns OUT_OK or
 * OUT_UNAVAILABLE.
 */
int
mfa_login_begin(struct ctx *ctx, const struct user *u, int remember,
    const char *passkey_id, char *token, size_t toklen)
{
	struct mfa_state m;
	int		 rc;

	token[0] = '\0';
	rc = db_mfa_get(ctx->db, u->id, &m);
	if (rc == JA_ENOTFOUND || (rc == JA_OK && !m.enabled))
		rc = JA_OK;
	else if (rc == JA_OK)
		rc = db_mfa_challenge_new(ctx->db, u->id, remember,
		    passkey_id, token, toklen);
	sodium_memzero(&m, sizeof(m));
	if (rc != JA_OK) {
		sodium_memzero(token, toklen);
		return OUT_UNAVAILABLE;
	}
	return OUT_OK;
}

/* The refusal of an mfa_token unknown, expired, used or worn out. */
static int
mfa_token_refused(struct ctx *ctx, struct outcome *o)
{
	auth_log_refusal(ctx, "mfa_token", "unknown, expired, used or tried "
	    "too often");
	return outcome_set(o, OUT_MFA_EXPIRED);
}

/*
 * One success per mfa_token, and a code used up only with it: the
 * challenge token is claimed (its row deleted, and locked until the
 * end, so a second request with the token waits) and code checked for
 * uid in one transaction; a wrong code, or a token another request
 * claimed first, rolls both back, a recovery code included.  Returns
 * OUT_OK (*recovery: which kind of code), OUT_WRONG_CODE,
 * OUT_MFA_EXPIRED (used meanwhile, or 2FA off) or OUT_UNAVAILABLE.
 */
static int
mfa_claim(struct ctx *ctx, const char *token, const char *uid,
    const char *name, const char *code, int *recovery)
{
	int	 rc;

	if (db_begin(ctx->db) != JA_OK)
		return OUT_UNAVAILABLE;
	rc = db_mfa_challenge_end(ctx->db, token);
	if (rc == JA_OK)
		rc = mfa_check_code(ctx, uid, name, code, 1, 1, recovery);
	else if (rc == JA_EAUTH)
		rc = JA_ENOTFOUND;	/* claimed by another request */
	if (rc == JA_OK && db_commit(ctx->db) != JA_OK)
		rc = JA_EDB;
	else if (rc != JA_OK)
		db_rollback(ctx->db);
	if (rc == JA_OK)
		return OUT_OK;
	if (rc == JA_EDB)
		return OUT_UNAVAILABLE;
	return rc == JA_ENOTFOUND ? OUT_MFA_EXPIRED : OUT_WRONG_CODE;
}

/*
 * The second step: mfa_token token and the code in body b (next: the
 * form's target, may be NULL).  Starts the session and answers as a
 * password sign-in does (auth_sign_in), returning OUT_OK; or returns
 * the refusal, set in o, for the caller to answer with the code form.
 */
int
mfa_login_finish(struct ctx *ctx, struct body *b, const char *token,
    const char *next, struct outcome *o)
{
	struct user	 u;
	char		 uid[JA_UUID_LEN + 1], name[JA_NAME_MAX + 1];
	char		 first[JA_UUID_LEN + 1] = "";
	const char	*code;
	int		 bad = 0, recovery = 0, taken = 0, remember = 1, rc;

	memset(&u, 0, sizeof(u));
	memset(name, 0, sizeof(name));
	outcome_set(o, OUT_OK);
	code = body_get(b, "code", &bad);
	if (bad || code == NULL || *code == '\0' ||
	    strlen(code) > RECOVERY_TYPED_MAX) {
		outcome_set(o, OUT_BAD_REQUEST);
		o->message = "Enter the code from your app, or a recovery "
		    "code.";
		goto out;
	}
	/* Whose challenge, without using a try: a throttled attempt must
	 * not cost one of the token's tries. */
	rc = db_mfa_challenge_peek(ctx->db, token, uid, name);
	if (rc != JA_OK) {
		if (rc == JA_EDB)
			outcome_set(o, OUT_UNAVAILABLE);
		else
			mfa_token_refused(ctx, o);
		goto out;
	}
	/* Counted before the check, so codes guessed at once cannot all
	 * pass the throttle before any failure lands. */
	if (auth_throttle(ctx, name, o) != OUT_OK)
		goto out;
	taken = 1;
	rc = db_mfa_challenge_try(ctx->db, token, uid, name, &remember,
	    first);
	if (rc != JA_OK) {
		if (rc == JA_EDB)
			outcome_set(o, OUT_UNAVAILABLE);
		else
			mfa_token_refused(ctx, o);
		goto out;
	}
	rc = mfa_claim(ctx, token, uid, name, code, &recovery);
	if (rc == OUT_MFA_EXPIRED)
		rc = mfa_token_refused(ctx, o);
	if (outcome_set(o, rc) == OUT_WRONG_CODE) {
		db_audit(ctx->db, "login_failed", uid, name, NULL, ctx->req,
		    "second factor");
		event_log("login_failed", ctx->req, name, NULL, "reason",
		    "bad_code", NULL, NULL);
		taken = 0;	/* the failure it counted stands */
		o->message = MFA_WRONG;
	}
	if (rc != OUT_OK)
		goto out;
	rc = db_user_find(ctx->db, name, &u);
	if (rc == JA_OK && (strcmp(u.id, uid) != 0 || u.locked))
		rc = JA_EAUTH;
	if (rc != JA_OK) {
		if (rc == JA_EDB)
			outcome_set(o, OUT_UNAVAILABLE);
		else
			mfa_token_refused(ctx, o);
		goto out;
	}
	/* After a passkey without UV (first: its id) a code makes two. */
	outcome_set(o, auth_sign_in(ctx, &u, first[0] != '\0' ? AMR_HWK |
	    AMR_MFA : AMR_MFA, remember, recovery ?
	    "second factor: recovery code" : "second factor: totp", next));
out:
	/* Taken ahead and no wrong code: the count is given back. */
	if (taken)
		throttle_refund(ctx->db, ctx->cfg, name, ctx->req->client);
	sodium_memzero(&u, sizeof(u));
	return o->kind;
}
