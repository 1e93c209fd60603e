/*
 * route_2fa.c: the signed-in user's second factor, for API clients and
 * the account page's forms: POST BASE/2fa/setup {"password"} gives a new
 * secret {"secret","otpauth_uri"} (not yet in force); POST
 * BASE/2fa/enable {"password","code"} confirms it with a code from the
 * app and gives the ten recovery codes, shown this once
 * {"recovery_codes":[...]}; POST BASE/2fa/disable {"password","code"}
 * (a TOTP or a recovery code) turns it off.  Each needs the current
 * password (ASVS 5.0 7.5.1), checked as at a password change: throttled,
 * in a hashing slot, audited when wrong.  A wrong code counts toward the
 * throttle too.  With "end_other_sessions" true (form: "on"), enabling
 * or disabling also ends every other session of the user (ASVS 7.4.3).
 *
 * The account page posts the same routes as forms: setup answers with
 * the QR code (qr.c) and the confirmation form, enable with the
 * recovery codes, disable with a 303 back to the account page; a wrong
 * or missing password goes back to the account page (the pending secret
 * is never shown without it), a wrong code shows the step again.
 */
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * The start of every route here: the body, CSRF when the token came
 * from a cookie, the signed-in user into c, the current password
 * checked (taken off the throttle first, in a hashing slot).  Returns
 * OUT_OK or the refusal, set in o; *taken is 1 once the guess was taken,
 * and the route ends it with auth_throttle_end() when its outcome is
 * known (a wrong code after the right password counts that one guess).
 * A form goes back to the account page with the refusal (twofa_again):
 * the pending secret is never shown without the password.
 */
static int
twofa_begin(struct ctx *ctx, struct body *b, struct claims *c,
    struct outcome *o, int *taken)
{
	const char	*pw;
	int		 bad = 0, slot = -1;

	if (body_read(ctx, b, o) != OUT_OK ||
	    outcome_set(o, auth_form_request(ctx, b, c, NULL)) != OUT_OK)
		return o->kind;
	pw = body_get(b, "password", &bad);
	if (bad || pw == NULL || *pw == '\0' ||
	    strlen(pw) > (size_t)ctx->cfg->password_max) {
		outcome_set(o, OUT_BAD_REQUEST);
		o->message = "Enter your current password.";
		return OUT_BAD_REQUEST;
	}
	if (auth_throttle(ctx, c->username, o) != OUT_OK)
		return o->kind;
	*taken = 1;
	if (outcome_set(o, auth_password(ctx, c, pw, &slot)) ==
	    OUT_WRONG_PASSWORD)
		db_audit(ctx->db, "2fa_change_failed", c->sub, c->username,
		    c->sid, ctx->req, "wrong password");
	pwslot_leave(ctx->db, slot);
	return o->kind;
}

/* The page a refused form goes back to: the account page. */
static void
twofa_again(struct ctx *ctx, struct again *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = AGAIN_ACCOUNT;
	a->next = ctx->req->path;
}

/*
 * A wrong code at enable or disable: audited, OUT_WRONG_CODE (the guess
 * twofa_begin took off the throttle stays counted).
 */
static int
twofa_wrong_code(struct ctx *ctx, const struct claims *c, const char *what,
    struct outcome *o)
{
	db_audit(ctx->db, "2fa_change_failed", c->sub, c->username, c->sid,
	    ctx->req, what);
	return outcome_set(o, OUT_WRONG_CODE);
}

/* An OUT_CONFLICT with its code and words. */
static int
twofa_conflict(struct outcome *o, const char *code, const char *message)
{
	outcome_set(o, OUT_CONFLICT);
	o->code = code;
	o->message = message;
	return OUT_CONFLICT;
}

/*
 * The QR step for a form: the secret set up for c's user (sec, or when
 * NULL the one stored, opened again) with message (may be NULL).
 */
static void
twofa_setup_page(struct ctx *ctx, const struct claims *c,
    const unsigned char *sec, int status, const char *message)
{
	struct mfa_state m;
	struct buf	 uri, svg, page;
	unsigned char	 opened[TOTP_SECRET_LEN];
	char		 b32[TOTP_B32_LEN + 1], csrf[CSRF_TOKEN_LEN + 1];

	buf_init(&uri);
	buf_init(&svg);
	buf_init(&page);
	uri.secret = svg.secret = page.secret = 1;
	memset(b32, 0, sizeof(b32));
	memset(opened, 0, sizeof(opened));
	if (sec == NULL) {
		if (db_mfa_get(ctx->db, c->sub, &m) != JA_OK || m.enabled ||
		    totp_open(ctx->cfg, m.secret_id, m.box, m.boxlen,
		    opened) != JA_OK) {
			sodium_memzero(&m, sizeof(m));
			answer_account(ctx, "state");
			goto out;
		}
		sodium_memzero(&m, sizeof(m));
		sec = opened;
	}
	if (totp_base32(sec, b32) != JA_OK)
		goto fail;
	totp_uri(&uri, ctx->cfg->issuer, c->username, b32);
	if (uri.failed || qr_svg(&svg, uri.data, "QR code of the key for "
	    "your authenticator app") != JA_OK)
		goto fail;
	if (answer_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		goto out;
	html_2fa_setup(&page, ctx->cfg, svg.data, b32, message, csrf);
	response_html(ctx->resp, status, &page);
	goto out;
fail:
	response_error(ctx->resp, ctx->req, 500, "server_error",
	    "Something went wrong.");
out:
	buf_free(&uri);
	buf_free(&svg);
	buf_free(&page);
	sodium_memzero(opened, sizeof(opened));
	sodium_memzero(b32, sizeof(b32));
}

/*
 * The recovery codes as {"recovery_codes":[...]}, written out by hand:
 * the codes are [0-9a-z-] only, and no allocation of jansson can lose
 * them once two-factor is on.
 */
static void
twofa_codes_json(struct ctx *ctx,
    char codes[RECOVERY_COUNT][RECOVERY_TEXT_LEN + 1])
{
	size_t	 i;

	ctx->resp->status = 200;
	buf_free(&ctx->resp->body);
	ctx->resp->body.secret = 1;
	buf_puts(&ctx->resp->body, "{\"recovery_codes\":[");
	for (i = 0; i < RECOVERY_COUNT; i++) {
		buf_puts(&ctx->resp->body, i > 0 ? ",\"" : "\"");
		buf_puts(&ctx->resp->body, codes[i]);
		buf_puts(&ctx->resp->body, "\"");
	}
	buf_puts(&ctx->resp->body, "]}");
	response_header(ctx->resp, "Content-Type", "application/json");
}

/* Ends the user's other sessions if the body asks for it. */
static int
twofa_end_others(struct ctx *ctx, const struct body *b,
    const struct claims *c)
{
	const char	*v;
	json_t		*j;

	if (b->is_form) {
		v = form_get(&b->form, "end_other_sessions");
		if (v == NULL || strcmp(v, "on") != 0)
			return JA_OK;
	} else {
		j = json_object_get(b->json, "end_other_sessions");
		if (!json_is_true(j))
			return JA_OK;
	}
	return db_session_logout(ctx->db, c->sid, c->sub, "others", NULL, 0,
	    ctx->req);
}

/* The setup step again, as struct again's page (arg: the claims). */
static void
twofa_setup_again(struct ctx *ctx, int status, const char *message,
    void *arg)
{
	twofa_setup_page(ctx, arg, NULL, status, message);
}

/* BASE/2fa/setup: a new secret, not yet in force. */
void
route_2fa_setup(struct ctx *ctx)
{
	struct body	 b;
	struct claims	 c;
	struct outcome	 o;
	struct again	 a;
	struct buf	 uri;
	unsigned char	 sec[TOTP_SECRET_LEN], box[TOTP_BOX_LEN];
	char		 b32[TOTP_B32_LEN + 1];
	int		 taken = 0, rc;

	twofa_again(ctx, &a);
	buf_init(&uri);
	uri.secret = 1;
	memset(b32, 0, sizeof(b32));
	memset(sec, 0, sizeof(sec));
	if (twofa_begin(ctx, &b, &c, &o, &taken) != OUT_OK)
		goto out;
	totp_secret_new(sec);
	totp_seal(ctx->cfg, sec, box);
	if (totp_base32(sec, b32) != JA_OK) {
		outcome_set(&o, OUT_SERVER_ERROR);
		goto out;
	}
	rc = db_mfa_setup(ctx->db, ctx->cfg, c.sub, box);
	if (rc == JA_EEXIST)
		twofa_conflict(&o, "already_enabled", "Two-factor sign-in is "
		    "on already. Turn it off first.");
	else if (rc != JA_OK)
		outcome_set(&o, OUT_UNAVAILABLE);
	if (rc != JA_OK)
		goto out;
	db_audit(ctx->db, "2fa_setup", c.sub, c.username, c.sid, ctx->req,
	    NULL);
	if (answer_is_page(ctx)) {
		twofa_setup_page(ctx, &c, sec, 200, NULL);
		goto out;
	}
	totp_uri(&uri, ctx->cfg->issuer, c.username, b32);
	if (uri.failed) {
		outcome_set(&o, OUT_SERVER_ERROR);
		goto out;
	}
	ctx->resp->body.secret = 1;
	response_json(ctx->resp, 200, json_pack("{s:s, s:s}", "secret", b32,
	    "otpauth_uri", uri.data));
out:
	if (taken)
		auth_throttle_end(ctx, c.username, &o);
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, &a);
	buf_free(&uri);
	sodium_memzero(sec, sizeof(sec));
	sodium_memzero(b32, sizeof(b32));
	body_free(&b);
}

/*
 * Turns c's second factor on with new recovery codes, written into
 * codes.  Returns OUT_OK, OUT_CONFLICT (not set up, or on already) or
 * OUT_UNAVAILABLE, set in o.
 */
static int
twofa_turn_on(struct ctx *ctx, const struct claims *c,
    char codes[RECOVERY_COUNT][RECOVERY_TEXT_LEN + 1], struct outcome *o)
{
	unsigned char	 hashes[RECOVERY_COUNT][RECOVERY_HASH_LEN];
	char		 norm[RECOVERY_LEN + 1];
	size_t		 i;
	int		 rc;

	memset(norm, 0, sizeof(norm));
	for (i = 0; i < RECOVERY_COUNT; i++) {
		recovery_new(codes[i]);
		(void)recovery_normalize(codes[i], norm);
		recovery_hash(ctx->cfg->secret, ctx->cfg->secretlen, norm,
		    hashes[i]);
	}
	sodium_memzero(norm, sizeof(norm));
	rc = db_mfa_enable(ctx->db, ctx->cfg, c->sub,
	    (const unsigned char (*)[RECOVERY_HASH_LEN])hashes);
	if (rc == JA_EAUTH)
		return twofa_conflict(o, "not_set_up", "Set up two-factor "
		    "sign-in first, or it is on already.");
	return outcome_set(o, rc == JA_OK ? OUT_OK : OUT_UNAVAILABLE);
}

/* BASE/2fa/enable: the first code confirms; the recovery codes, once. */
void
route_2fa_enable(struct ctx *ctx)
{
	struct body	 b;
	struct claims	 c;
	struct outcome	 o;
	struct again	 a;
	struct buf	 page;
	char		 codes[RECOVERY_COUNT][RECOVERY_TEXT_LEN + 1];
	const char	*code;
	int		 bad = 0, taken = 0, recovery, rc;

	twofa_again(ctx, &a);
	memset(codes, 0, sizeof(codes));
	/*
	 * The pending secret is shown again only to a request whose
	 * password was checked: a session cookie alone must not read it.
	 */
	if (twofa_begin(ctx, &b, &c, &o, &taken) != OUT_OK)
		goto out;
	a.kind = AGAIN_PAGE;	/* from here, the setup step again */
	a.page = twofa_setup_again;
	a.arg = &c;
	code = body_get(&b, "code", &bad);
	if (bad || !totp_code_shape(code)) {
		outcome_set(&o, OUT_BAD_REQUEST);
		o.message = "Enter the 6-digit code from your app.";
		goto out;
	}
	rc = mfa_check_code(ctx, c.sub, c.username, code, 0, 0, &recovery);
	if (rc == JA_ENOTFOUND)
		twofa_conflict(&o, "not_set_up", "Set up two-factor sign-in "
		    "first, or it is on already.");
	else if (rc == JA_EAUTH) {
		twofa_wrong_code(ctx, &c, "wrong code at enable", &o);
		o.message = "That code is not right. Enter the code the app "
		    "shows now.";
	} else if (rc != JA_OK)
		outcome_set(&o, OUT_UNAVAILABLE);
	if (rc != JA_OK || twofa_turn_on(ctx, &c, codes, &o) != OUT_OK)
		goto out;
	/*
	 * On from here: the codes are shown whatever fails next, or they
	 * would be lost.
	 */
	if (twofa_end_others(ctx, &b, &c) != JA_OK)
		log_msg("2fa enabled but other sessions not ended "
		    "(database)");
	db_audit(ctx->db, "2fa_enable", c.sub, c.username, c.sid, ctx->req,
	    NULL);
	notice_send(ctx, c.sub, MAIL_2FA_ON);
	if (!answer_is_page(ctx)) {
		twofa_codes_json(ctx, codes);
		goto out;
	}
	buf_init(&page);
	page.secret = 1;
	html_2fa_codes(&page, ctx->cfg, codes, RECOVERY_COUNT);
	response_html(ctx->resp, 200, &page);
out:
	if (taken)
		auth_throttle_end(ctx, c.username, &o);
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, &a);
	sodium_memzero(codes, sizeof(codes));
	body_free(&b);
}

/* BASE/2fa/disable: off, with a code (TOTP or recovery) as proof. */
void
route_2fa_disable(struct ctx *ctx)
{
	struct body	 b;
	struct claims	 c;
	struct outcome	 o;
	struct again	 a;
	const char	*code;
	int		 bad = 0, taken = 0, recovery, was_on, rc;

	twofa_again(ctx, &a);
	if (twofa_begin(ctx, &b, &c, &o, &taken) != OUT_OK)
		goto out;
	code = body_get(&b, "code", &bad);
	if (bad || code == NULL || *code == '\0' ||
	    strlen(code) > RECOVERY_TYPED_MAX) {
		outcome_set(&o, OUT_BAD_REQUEST);
		o.message = "Enter a code from your app or a recovery code.";
		goto out;
	}
	rc = mfa_check_code(ctx, c.sub, c.username, code, 1, 1, &recovery);
	if (rc == JA_ENOTFOUND)
		twofa_conflict(&o, "not_enabled", "Two-factor sign-in is not "
		    "on.");
	else if (rc == JA_EAUTH)
		twofa_wrong_code(ctx, &c, "wrong code at disable", &o);
	else if (rc != JA_OK ||
	    db_mfa_disable(ctx->db, c.sub, &was_on) != JA_OK)
		outcome_set(&o, OUT_UNAVAILABLE);
	if (o.kind != OUT_OK)
		goto out;
	/* Off from here: success is reported whatever fails next. */
	if (twofa_end_others(ctx, &b, &c) != JA_OK)
		log_msg("2fa disabled but other sessions not ended "
		    "(database)");
	db_audit(ctx->db, "2fa_disable", c.sub, c.username, c.sid, ctx->req,
	    "by the user");
	notice_send(ctx, c.sub, MAIL_2FA_OFF);
	answer_done(ctx, "/account", "2fa_off");
out:
	if (taken)
		auth_throttle_end(ctx, c.username, &o);
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, &a);
	body_free(&b);
}
