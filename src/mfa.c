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

#define MFA_EXPIRED	"That sign-in has expired. Sign in again."
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

/* The code form of the second step, with message (may be NULL). */
static void
mfa_code_page(struct ctx *ctx, int status, const char *token,
    const char *next, const char *message)
{
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	if (bounce_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		return;
	buf_init(&page);
	html_login_code(&page, ctx->cfg, token, text_local_or_root(next),
	    message, csrf);
	response_html(ctx->resp, status, &page);
}

/*
 * After the right password of user u: if u's second factor is on,
 * answers with a new mfa_token (JSON 401 mfa_required, or the code form
 * with next) and returns JA_EEXIST; returns JA_OK when u has none (the
 * caller signs in), or JA_EDB with a 503 answered.
 */
int
mfa_login_begin(struct ctx *ctx, const struct user *u, const char *next)
{
	struct mfa_state m;
	char		 token[JA_RT_LEN + 1];
	int		 rc;

	rc = db_mfa_get(ctx->db, u->id, &m);
	if (rc == JA_ENOTFOUND || (rc == JA_OK && !m.enabled))
		rc = JA_OK;
	else if (rc == JA_OK) {
		rc = db_mfa_challenge_new(ctx->db, u->id, token,
		    sizeof(token));
		if (rc == JA_OK) {
			if (ctx->req->html)
				mfa_code_page(ctx, 200, token, next, NULL);
			else
				response_json(ctx->resp, 401,
				    json_pack("{s:s, s:s}", "error",
				    "mfa_required", "mfa_token", token));
			rc = JA_EEXIST;
		}
	}
	if (rc != JA_OK && rc != JA_EEXIST) {
		bounce_unavailable(ctx);
		rc = JA_EDB;
	}
	sodium_memzero(token, sizeof(token));
	sodium_memzero(&m, sizeof(m));
	return rc;
}

/* The refusal of an mfa_token unknown, expired, used or worn out. */
static void
mfa_token_refused(struct ctx *ctx, const char *next)
{
	auth_log_refusal(ctx, "mfa_token", "unknown, expired, used or tried "
	    "too often");
	if (ctx->req->html)
		bounce_login_page(ctx, 401, next, MFA_EXPIRED);
	else
		response_json(ctx->resp, 401, json_pack("{s:s}", "error",
		    "invalid_mfa_token"));
}

/*
 * The second step: mfa_token token and the code in body b (next: the
 * form's target, may be NULL).  Starts the session and answers as a
 * password sign-in does (auth_respond), or refuses.
 */
void
mfa_login_finish(struct ctx *ctx, struct body *b, const char *token,
    const char *next)
{
	struct user	 u;
	struct session	 s;
	char		 uid[JA_UUID_LEN + 1], name[JA_NAME_MAX + 1];
	char		 rt[JA_RT_LEN + 1];
	const char	*code;
	long		 wait;
	int		 bad = 0, recovery = 0, taken = 0, rc;

	memset(&u, 0, sizeof(u));
	memset(rt, 0, sizeof(rt));
	memset(name, 0, sizeof(name));
	code = body_get(b, "code", &bad);
	if (bad || code == NULL || *code == '\0' ||
	    strlen(code) > RECOVERY_TYPED_MAX) {
		if (ctx->req->html)
			mfa_code_page(ctx, 400, token, next, "Enter the "
			    "code from your app, or a recovery code.");
		else
			response_error(ctx->resp, ctx->req, 400,
			    "invalid_request", "mfa_token and code are "
			    "required.");
		goto out;
	}
	/* Whose challenge, without using a try: a throttled attempt must
	 * not cost one of the token's tries. */
	rc = db_mfa_challenge_peek(ctx->db, token, uid, name);
	if (rc == JA_EDB) {
		bounce_unavailable(ctx);
		goto out;
	}
	if (rc != JA_OK) {
		mfa_token_refused(ctx, next);
		goto out;
	}
	/* Counted before the check, so codes guessed at once cannot all
	 * pass the throttle before any failure lands. */
	rc = throttle_take(ctx->db, ctx->cfg, name, ctx->req->client,
	    ctx->req, &wait);
	if (rc != JA_OK) {
		if (rc == JA_EBUSY)
			bounce_throttled(ctx, next, wait);
		else
			bounce_unavailable(ctx);
		goto out;
	}
	taken = 1;
	rc = db_mfa_challenge_try(ctx->db, token, uid, name);
	if (rc == JA_EDB) {
		bounce_unavailable(ctx);
		goto out;
	}
	if (rc != JA_OK) {
		mfa_token_refused(ctx, next);
		goto out;
	}
	/*
	 * One success per mfa_token, and a code used up only with it: the
	 * challenge is claimed (its row deleted, and locked until the end,
	 * so a second request with the token waits) and the code checked
	 * in one transaction; a wrong code, or a token another request
	 * claimed first, rolls both back, a recovery code included.
	 */
	if (db_begin(ctx->db) != JA_OK) {
		bounce_unavailable(ctx);
		goto out;
	}
	rc = db_mfa_challenge_end(ctx->db, token);
	if (rc == JA_OK)
		rc = mfa_check_code(ctx, uid, name, code, 1, 1, &recovery);
	else if (rc == JA_EAUTH)
		rc = JA_ENOTFOUND;	/* claimed by another request */
	if (rc == JA_OK && db_commit(ctx->db) != JA_OK)
		rc = JA_EDB;
	else if (rc != JA_OK)
		db_rollback(ctx->db);
	if (rc == JA_EDB) {
		bounce_unavailable(ctx);
		goto out;
	}
	if (rc == JA_ENOTFOUND) {	/* used meanwhile, or 2FA off */
		mfa_token_refused(ctx, next);
		goto out;
	}
	if (rc != JA_OK) {
		db_audit(ctx->db, "login_failed", uid, name, NULL, ctx->req,
		    "second factor");
		event_log("login_failed", ctx->req, name, NULL, "reason",
		    "bad_code", NULL, NULL);
		taken = 0;	/* the failure it counted stands */
		if (ctx->req->html)
			mfa_code_page(ctx, 401, token, next, MFA_WRONG);
		else
			response_json(ctx->resp, 401, json_pack("{s:s}",
			    "error", "invalid_code"));
		goto out;
	}
	rc = db_user_find(ctx->db, name, &u);
	if (rc == JA_OK && (strcmp(u.id, uid) != 0 || u.locked))
		rc = JA_EAUTH;
	if (rc == JA_EDB) {
		bounce_unavailable(ctx);
		goto out;
	}
	if (rc != JA_OK) {
		mfa_token_refused(ctx, next);
		goto out;
	}
	if (db_session_create(ctx->db, ctx->cfg, &u, ctx->req, 1, &s, rt,
	    sizeof(rt)) != JA_OK) {
		bounce_unavailable(ctx);
		goto out;
	}
	throttle_success(ctx->db, u.username);
	db_audit(ctx->db, "login", u.id, u.username, s.id, ctx->req,
	    recovery ? "second factor: recovery code" : "second factor: totp");
	event_log("login_ok", ctx->req, u.username, s.id, "amr", "pwd,otp",
	    NULL, NULL);
	auth_respond(ctx, &s, rt, text_local_or_root(next), 0);
out:
	/* Taken ahead and no wrong code: the count is given back. */
	if (taken)
		throttle_refund(ctx->db, ctx->cfg, name, ctx->req->client);
	sodium_memzero(rt, sizeof(rt));
	sodium_memzero(&u, sizeof(u));
}
