/*
 * route_reset.c: a forgotten password, reset by email (on when site_url
 * is set; else these routes answer 404).
 *
 *   GET  BASE/reset            the request form (browsers)
 *   POST BASE/reset            {"login"}: a user name or an address;
 *                              202 {"status":"check_your_email"} (a page
 *                              for a form), the same answer, work and
 *                              time whether or not the account exists
 *   GET  BASE/reset?token=T    the form the mailed link opens; opening
 *                              it changes nothing (mail scanners follow
 *                              links)
 *   POST BASE/reset/confirm    {"token","password"[,"code"]}: sets it
 *
 * The mail goes only to a verified address, after the answer
 * (mail_send.c).  A request counts toward the login throttle before any
 * work, per login as typed (as "reset:" and its lower case, apart from
 * sign-in names) and per client.  A link (db_reset.c) lives 30 minutes
 * and works once.  A user with two-factor sign-in on gives a code too
 * (mfa.c's check, counted by the throttle as at sign-in: ASVS 6.4.3).
 * On success every session of the user ends, access tokens included,
 * every other reset link dies (db_user_set_password), a notice is
 * mailed, and no one is signed in.  Referrer-Policy: strict-origin on
 * all of it (RESPONSE_LINK_REFERRER), so that the token of the URL
 * leaves in no Referer.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

#define RESET_KEY_MAX	(sizeof("signup:") + MAIL_ADDRESS_MAX + 1)

/* The form of a link again, with its token and whether a code is asked. */
struct reset_again {
	const char	*token;
	int		 code;
};

/* answer_refuse()'s page for the request form (struct again, PAGE). */
static void
reset_ask_page(struct ctx *ctx, int status, const char *msg, void *arg)
{
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	(void)arg;
	if (answer_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		return;
	buf_init(&page);
	html_reset_ask(&page, ctx->cfg, msg, csrf);
	response_html(ctx->resp, status, &page);
}

/* answer_refuse()'s page for the form of a link (struct reset_again). */
static void
reset_form_page(struct ctx *ctx, int status, const char *msg, void *arg)
{
	const struct reset_again *r = arg;
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	if (answer_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		return;
	buf_init(&page);
	html_reset_form(&page, ctx->cfg, r->token, r->code, msg, csrf);
	response_html(ctx->resp, status, &page);
}

/*
 * A body of either route: read, a form's CSRF token checked, else JSON.
 * Returns OUT_OK or the refusal, set in o.
 */
int
reset_body(struct ctx *ctx, struct body *b, struct outcome *o)
{
	int	 bad = 0;

	if (body_read(ctx, b, o) != OUT_OK)
		return o->kind;
	if (b->is_form && csrf_check_request(ctx->cfg, ctx->req,
	    body_get(b, "csrf", &bad)) != JA_OK)
		return outcome_set(o, OUT_CSRF);
	if (!b->is_form && ctx->req->ctype != CTYPE_JSON)
		return outcome_set(o, OUT_MEDIA_TYPE);
	return outcome_set(o, OUT_OK);
}

/*
 * Counts a request of kind ("reset", "signup": route_signup.c, or
 * "email": route_email.c) for login (its throttle key kind, ":" and its
 * ASCII lower case; a login that is no header value, CR or LF in it,
 * or none: kind and ":" alone) from this client, before the input is
 * checked and before any work; wait holds the words of a refusal.
 * Returns OUT_OK, OUT_THROTTLED or OUT_UNAVAILABLE.
 */
int
reset_throttle(struct ctx *ctx, const char *kind, const char *login,
    struct outcome *o, char *wait, size_t waitlen)
{
	char	 key[RESET_KEY_MAX];
	long	 retry = 0;
	size_t	 i;
	int	 rc;

	snprintf(key, sizeof(key), "%s:%s", kind, login != NULL &&
	    mail_value_ok(login, MAIL_ADDRESS_MAX) ? login : "");
	for (i = 0; key[i] != '\0'; i++)
		if (key[i] >= 'A' && key[i] <= 'Z')
			key[i] = (char)(key[i] - 'A' + 'a');
	rc = throttle_take(ctx->db, ctx->cfg, key, ctx->req->client, ctx->req,
	    &retry);
	if (rc == JA_OK)
		return outcome_set(o, OUT_OK);
	if (rc != JA_EBUSY)
		return outcome_set(o, OUT_UNAVAILABLE);
	outcome_set(o, OUT_THROTTLED);
	o->retry = retry;
	snprintf(wait, waitlen, "Too many %s requests. Wait %ld second%s "
	    "and try again.", strcmp(kind, "signup") == 0 ? "sign-up" :
	    strcmp(kind, "email") == 0 ? "change of address" : kind, retry,
	    retry == 1 ? "" : "s");
	o->message = wait;
	return OUT_THROTTLED;
}

/*
 * The work of a request of login, the same whether or not it names an
 * account: a token made, one statement (db_reset_request), one audit
 * row; for an account with a verified address, the mail queued.
 * Returns OUT_OK or OUT_UNAVAILABLE.
 */
static int
reset_work(struct ctx *ctx, const char *login)
{
	struct reset_target	 t;
	struct buf		 url;
	char			 token[JA_RT_LEN + 1];
	int			 rc;

	rc = db_reset_request(ctx->db, login, token, sizeof(token), &t);
	if (rc == JA_EDB)
		return OUT_UNAVAILABLE;
	db_audit(ctx->db, "reset_requested", rc == JA_OK ? t.id : NULL,
	    rc == JA_OK ? t.username : NULL, NULL, ctx->req, rc == JA_OK ?
	    "link mailed" : "no account with a verified address");
	if (rc == JA_OK) {
		event_log("reset_requested", ctx->req, t.username, NULL, NULL,
		    NULL, NULL, NULL);
		buf_init(&url);
		url.secret = 1;
		mail_link(&url, ctx->cfg, "/reset", token);
		if (!url.failed)
			(void)mail_queue(ctx, t.email, MAIL_RESET, t.username,
			    url.data);
		buf_free(&url);
	}
	sodium_memzero(token, sizeof(token));
	sodium_memzero(&t, sizeof(t));
	return OUT_OK;
}

/* POST BASE/reset: the request; 202 whoever asked. */
static void
reset_request(struct ctx *ctx)
{
	struct body	 b;
	struct outcome	 o;
	struct again	 a;
	char		 wait[160];
	const char	*login;
	int		 bad = 0;

	memset(&a, 0, sizeof(a));
	a.kind = AGAIN_PAGE;
	a.page = reset_ask_page;
	if (reset_body(ctx, &b, &o) != OUT_OK)
		goto out;
	login = body_get(&b, "login", &bad);
	if (reset_throttle(ctx, "reset", bad ? NULL : login, &o, wait,
	    sizeof(wait)) != OUT_OK)
		goto out;
	if (bad || login == NULL || *login == '\0' ||
	    !mail_value_ok(login, MAIL_ADDRESS_MAX)) {
		outcome_set(&o, OUT_BAD_REQUEST);
		o.message = "Enter your user name or email address.";
		goto out;
	}
	if (outcome_set(&o, reset_work(ctx, login)) != OUT_OK)
		goto out;
	if (answer_is_page(ctx)) {
		struct buf	 page;

		buf_init(&page);
		html_reset_sent(&page, ctx->cfg);
		response_html(ctx->resp, 202, &page);
	} else
		response_json(ctx->resp, 202, json_pack("{s:s}", "status",
		    "check_your_email"));
out:
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, &a);
	body_free(&b);
}

/*
 * Whether the second factor of uid is on: *on.  Returns OUT_OK or
 * OUT_UNAVAILABLE.
 */
static int
reset_mfa_on(struct ctx *ctx, const char *uid, int *on)
{
	struct mfa_state m;
	int		 rc;

	rc = db_mfa_get(ctx->db, uid, &m);
	*on = rc == JA_OK && m.enabled;
	sodium_memzero(&m, sizeof(m));
	return rc == JA_EDB ? OUT_UNAVAILABLE : OUT_OK;
}

/* GET BASE/reset[?token=]: a form; nothing changes. */
static void
reset_get(struct ctx *ctx)
{
	struct form		 q;
	struct reset_again	 r;
	struct buf		 page;
	char			 uid[JA_UUID_LEN + 1], name[JA_NAME_MAX + 1];
	int			 rc;

	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	answer_kind_set(ctx, ANSWER_HTML);
	if (ctx->req->query == NULL || form_parse(&q, ctx->req->query,
	    strlen(ctx->req->query)) != JA_OK ||
	    (r.token = form_get(&q, "token")) == NULL) {
		reset_ask_page(ctx, 200, NULL, NULL);
		goto out;
	}
	rc = db_reset_peek(ctx->db, "reset", r.token, uid, name);
	if (rc == JA_OK)
		rc = reset_mfa_on(ctx, uid, &r.code) == OUT_OK ? JA_OK :
		    JA_EDB;
	if (rc == JA_EDB)
		answer_refuse_kind(ctx, OUT_UNAVAILABLE, NULL);
	else if (rc != JA_OK) {
		buf_init(&page);
		html_link_dead(&page, ctx->cfg,
		    outcome_spelling(OUT_BAD_LINK)->message, "/reset",
		    "Ask for a new link");
		response_html(ctx->resp, 400, &page);
	} else
		reset_form_page(ctx, 200, NULL, &r);
out:
	form_free(&q);
}

/*
 * The second factor of uid (name) at a reset: the code in b, checked as
 * at sign-in and counted by the login throttle ahead (given back when
 * right).  Returns OUT_OK or the refusal, set in o.
 */
static int
reset_code(struct ctx *ctx, const struct body *b, const char *uid,
    const char *name, struct outcome *o)
{
	const char	*code;
	int		 bad = 0, recovery = 0, rc;

	code = body_get(b, "code", &bad);
	if (bad || code == NULL || *code == '\0' ||
	    strlen(code) > RECOVERY_TYPED_MAX) {
		outcome_set(o, OUT_BAD_REQUEST);
		o->message = "Two-factor sign-in is on for this account: enter "
		    "the code from your app, or a recovery code.";
		return OUT_BAD_REQUEST;
	}
	if (auth_throttle(ctx, name, o) != OUT_OK)
		return o->kind;
	rc = mfa_check_code(ctx, uid, name, code, 1, 1, &recovery);
	if (rc == JA_OK) {
		throttle_refund(ctx->db, ctx->cfg, name, ctx->req->client);
		return outcome_set(o, OUT_OK);
	}
	if (rc == JA_EDB)
		return outcome_set(o, OUT_UNAVAILABLE);
	db_audit(ctx->db, "reset_failed", uid, name, NULL, ctx->req,
	    "second factor");
	event_log("reset_failed", ctx->req, name, NULL, "reason", "bad_code",
	    NULL, NULL);
	return outcome_set(o, OUT_WRONG_CODE);
}

/*
 * Sets pw as the password of uid (name) with the reset token: hashed in
 * a hashing slot, the token used up, then the password set (every
 * session and reset link of the user ends).  Returns OUT_OK or the
 * refusal, set in o.
 */
static int
reset_set(struct ctx *ctx, const char *token, const char *uid,
    const char *name, const char *pw, struct outcome *o)
{
	char	 hash[PASSWORD_HASH_MAX];
	int	 slot = -1, rc;

	memset(hash, 0, sizeof(hash));
	if ((rc = pwslot_enter(ctx->db, ctx->cfg, &slot)) != JA_OK) {
		outcome_set(o, rc == JA_EBUSY ? OUT_BUSY : OUT_UNAVAILABLE);
		goto out;
	}
	rc = password_hash(ctx->cfg, pw, hash, sizeof(hash));
	pwslot_leave(ctx->db, slot);
	if (rc != JA_OK) {
		outcome_set(o, OUT_SERVER_ERROR);
		goto out;
	}
	rc = db_reset_claim(ctx->db, token, uid);
	if (rc == JA_OK)
		rc = db_user_set_password(ctx->db, name, hash);
	outcome_set(o, rc == JA_OK ? OUT_OK : rc == JA_ENOTFOUND ?
	    OUT_BAD_LINK : OUT_UNAVAILABLE);
out:
	sodium_memzero(hash, sizeof(hash));
	return o->kind;
}

/* POST BASE/reset/confirm: the new password, and a code if 2FA is on. */
static void
reset_confirm(struct ctx *ctx)
{
	struct body		 b;
	struct outcome		 o;
	struct again		 a;
	struct reset_again	 r;
	struct buf		 page;
	char			 uid[JA_UUID_LEN + 1], name[JA_NAME_MAX + 1];
	const char		*pw;
	size_t			 len;
	int			 bad = 0, rc;

	memset(&a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	name[0] = '\0';
	a.kind = AGAIN_PAGE;
	a.page = reset_form_page;
	a.arg = &r;
	if (reset_body(ctx, &b, &o) != OUT_OK)
		goto out;
	r.token = body_get(&b, "token", &bad);
	pw = body_get(&b, "password", &bad);
	rc = bad || r.token == NULL ? JA_ENOTFOUND :
	    db_reset_peek(ctx->db, "reset", r.token, uid, name);
	if (rc != JA_OK) {
		outcome_set(&o, rc == JA_EDB ? OUT_UNAVAILABLE : OUT_BAD_LINK);
		goto out;
	}
	if (reset_mfa_on(ctx, uid, &r.code) != OUT_OK) {
		outcome_set(&o, OUT_UNAVAILABLE);
		goto out;
	}
	len = pw != NULL ? strlen(pw) : 0;
	if (pw == NULL || len < (size_t)ctx->cfg->password_min ||
	    len > (size_t)ctx->cfg->password_max ||
	    !text_utf8_valid(pw, len)) {
		outcome_set(&o, OUT_BAD_REQUEST);
		o.message = "Enter a new password of the required length.";
		goto out;
	}
	if ((r.code && reset_code(ctx, &b, uid, name, &o) != OUT_OK) ||
	    reset_set(ctx, r.token, uid, name, pw, &o) != OUT_OK)
		goto out;
	db_audit(ctx->db, "password_reset", uid, name, NULL, ctx->req,
	    "all sessions ended");
	event_log("password_reset", ctx->req, name, NULL, "action",
	    "all_sessions_ended", NULL, NULL);
	notice_send(ctx, uid, MAIL_PASSWORD_CHANGED);
	auth_clear_cookies(ctx);
	if (!answer_is_page(ctx))
		ctx->resp->status = 204;
	else {
		buf_init(&page);
		html_reset_done(&page, ctx->cfg);
		response_html(ctx->resp, 200, &page);
	}
out:
	if (o.kind == OUT_BAD_LINK && answer_is_page(ctx)) {
		buf_init(&page);
		html_link_dead(&page, ctx->cfg, outcome_spelling(
		    OUT_BAD_LINK)->message, "/reset", "Ask for a new link");
		response_html(ctx->resp, 400, &page);
	} else if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, &a);
	sodium_memzero(name, sizeof(name));
	body_free(&b);
}

/* BASE/reset: GET the forms, POST a request; 404 while mail is off. */
void
route_reset(struct ctx *ctx)
{
	route_link(ctx, ctx->cfg->site_url != NULL, reset_get, reset_request);
}

/* BASE/reset/confirm: POST only (route.c); 404 while mail is off. */
void
route_reset_confirm(struct ctx *ctx)
{
	route_link(ctx, ctx->cfg->site_url != NULL, NULL, reset_confirm);
}
