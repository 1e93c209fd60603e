/*
 * route_email.c: a change of address by the signed-in user (on when
 * site_url is set; else these routes answer 404).
 *
 *   POST BASE/email             {"password","email"} (or the account
 *                               page's form): 202
 *                               {"status":"check_your_email"}; the form
 *                               goes back to the account page
 *   GET  BASE/email/confirm?token=T
 *                               the page the mailed link opens, one
 *                               button; opening it changes nothing
 *                               (mail scanners follow links)
 *   POST BASE/email/confirm     {"token"} (or the button's form): the
 *                               address changes; 204 (a page for the
 *                               form)
 *
 * The current password is asked again (ASVS 5.0 7.5.1), checked as at a
 * password change: the guess counted by the login throttle before it is
 * checked (auth_throttle), in a hashing slot, audited when wrong.  Then
 * the request counts toward the sign-up throttle of the new address and
 * of the client (reset_throttle, "email:"), so that a signed-in user
 * cannot mail an address without end.  The link (db_email_change.c)
 * goes to the new address, greeting no one by name (whoever has that
 * address may not be the account's user); when another account has
 * the address, that mail says so instead and nothing is stored, and
 * the answer is the same.  A notice goes to the old address, if
 * verified.  The address changes only when the link is used: then the
 * user's reset links (mailed to the old address) die and a notice goes
 * to the old address.  Referrer-Policy: strict-origin on all of it
 * (RESPONSE_LINK_REFERRER).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

#define EMAIL_DEAD	"This link is not valid: it was used, has expired, " \
	"or a newer change was asked. Ask again from your account page."

/*
 * Checks the current password pw of c's account, as twofa_begin
 * (route_2fa.c) does: the guess taken off the throttle, a hashing slot,
 * the password; the guess given back unless wrong.  Returns OUT_OK or
 * the refusal, set in o.
 */
static int
email_password(struct ctx *ctx, const struct claims *c, const char *pw,
    struct outcome *o)
{
	int	 slot = -1;

	if (auth_throttle(ctx, c->username, o) != OUT_OK)
		return o->kind;
	if (outcome_set(o, auth_password(ctx, c, pw, &slot)) ==
	    OUT_WRONG_PASSWORD) {
		db_audit(ctx->db, "email_change_failed", c->sub, c->username,
		    c->sid, ctx->req, "wrong password");
		event_log("email_change_failed", ctx->req, c->username, c->sid,
		    NULL, NULL, NULL, NULL);
	}
	pwslot_leave(ctx->db, slot);
	auth_throttle_end(ctx, c->username, o);
	return o->kind;
}

/*
 * The work of a change asked by c for email: one statement, one audit
 * row, the mail to the new address (the link, or that the address is
 * taken) and the notice to the old one.  Returns OUT_OK or
 * OUT_UNAVAILABLE.
 */
static int
email_work(struct ctx *ctx, const struct claims *c, const char *email)
{
	struct buf	 url, home;
	char		 token[JA_RT_LEN + 1], name[JA_NAME_MAX + 1];
	char		 old[MAIL_ADDRESS_MAX + 1];
	int		 taken = 0, rc;

	rc = db_email_change_ask(ctx->db, c->sub, email, token,
	    sizeof(token), &taken);
	if (rc != JA_OK)
		return OUT_UNAVAILABLE;
	db_audit(ctx->db, "email_change_asked", c->sub, c->username, c->sid,
	    ctx->req, taken ? "address in use: nothing stored" :
	    "link mailed to the new address");
	event_log("email_change_asked", ctx->req, c->username, c->sid, NULL,
	    NULL, NULL, NULL);
	buf_init(&url);
	url.secret = 1;
	if (taken)
		mail_link(&url, ctx->cfg, "/reset", NULL);
	else
		mail_link(&url, ctx->cfg, "/email/confirm", token);
	if (!url.failed)
		(void)mail_queue(ctx, email, taken ? MAIL_EMAIL_TAKEN :
		    MAIL_EMAIL_CONFIRM, NULL, url.data);
	buf_free(&url);
	if (db_user_email(ctx->db, c->sub, name, old) == JA_OK) {
		buf_init(&home);
		mail_link(&home, ctx->cfg, "/account", NULL);
		if (!home.failed)
			(void)mail_queue(ctx, old, MAIL_EMAIL_ASKED, name,
			    home.data);
		buf_free(&home);
	}
	sodium_memzero(token, sizeof(token));
	return OUT_OK;
}

/* POST BASE/email: a change asked. */
static void
email_post(struct ctx *ctx)
{
	struct body	 b;
	struct claims	 c;
	struct outcome	 o;
	struct again	 a;
	char		 wait[160];
	const char	*pw, *email;
	int		 bad = 0, bad_email = 0, bad_address = 0;

	memset(&a, 0, sizeof(a));
	a.kind = AGAIN_ACCOUNT;
	a.next = ctx->req->path;
	if (body_read(ctx, &b, &o) != OUT_OK ||
	    outcome_set(&o, auth_form_request(ctx, &b, &c, NULL)) != OUT_OK)
		goto out;
	pw = body_get(&b, "password", &bad);
	email = body_get(&b, "email", &bad_email);
	if (bad || pw == NULL || *pw == '\0' ||
	    strlen(pw) > (size_t)ctx->cfg->password_max) {
		outcome_set(&o, OUT_BAD_REQUEST);
		o.message = "Enter your current password.";
		goto out;
	}
	/* A string with CR, LF or NUL, or not an address: no mail. */
	if (bad_email || email == NULL || !mail_address_ok(email)) {
		bad_address = 1;
		outcome_set(&o, OUT_BAD_REQUEST);
		o.message = "Enter a valid email address.";
		goto out;
	}
	if (email_password(ctx, &c, pw, &o) != OUT_OK ||
	    reset_throttle(ctx, "email", email, &o, wait, sizeof(wait)) !=
	    OUT_OK || outcome_set(&o, email_work(ctx, &c, email)) != OUT_OK)
		goto out;
	if (answer_is_page(ctx))
		answer_account(ctx, "email_sent");
	else
		response_json(ctx->resp, 202, json_pack("{s:s}", "status",
		    "check_your_email"));
out:
	if (o.kind != OUT_OK && bad_address && answer_is_page(ctx))
		answer_account(ctx, "address");
	else if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, &a);
	body_free(&b);
}

/* answer_refuse()'s page (struct again, PAGE): the button again. */
static void
email_form_page(struct ctx *ctx, int status, const char *msg, void *arg)
{
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	if (answer_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		return;
	buf_init(&page);
	html_email_form(&page, ctx->cfg, arg, msg, csrf);
	response_html(ctx->resp, status, &page);
}

/* A dead link, for a browser: status and a page that says msg. */
static void
email_dead_page(struct ctx *ctx, int status, const char *msg)
{
	struct buf	 page;

	buf_init(&page);
	html_link_dead(&page, ctx->cfg, msg, "/account", "Your account");
	response_html(ctx->resp, status, &page);
}

/* GET BASE/email/confirm?token=: the button; nothing changes. */
static void
email_confirm_get(struct ctx *ctx)
{
	struct form	 q;
	const char	*token = NULL;
	char		 uid[JA_UUID_LEN + 1], name[JA_NAME_MAX + 1];
	int		 rc = JA_ENOTFOUND;

	memset(&q, 0, sizeof(q));
	answer_kind_set(ctx, ANSWER_HTML);
	if (ctx->req->query != NULL && form_parse(&q, ctx->req->query,
	    strlen(ctx->req->query)) == JA_OK &&
	    (token = form_get(&q, "token")) != NULL)
		rc = db_reset_peek(ctx->db, "email", token, uid, name);
	if (rc == JA_EDB)
		answer_refuse_kind(ctx, OUT_UNAVAILABLE, NULL);
	else if (rc != JA_OK)
		email_dead_page(ctx, 400, EMAIL_DEAD);
	else
		email_form_page(ctx, 200, NULL, (void *)(uintptr_t)token);
	sodium_memzero(name, sizeof(name));
	form_free(&q);
}

/*
 * The change made for uid (name) with token: the old address read
 * first, for its notice, then the link used.  Returns OUT_OK or the
 * refusal, set in o (OUT_CONFLICT, email_taken: another account took
 * the address meanwhile).
 */
static int
email_change(struct ctx *ctx, const char *token, const char *uid,
    const char *name, struct outcome *o)
{
	struct buf	 home;
	char		 oname[JA_NAME_MAX + 1], old[MAIL_ADDRESS_MAX + 1];
	int		 had, rc;

	rc = db_user_email(ctx->db, uid, oname, old);
	if (rc == JA_EDB)
		return outcome_set(o, OUT_UNAVAILABLE);
	had = rc == JA_OK;
	rc = db_email_change_use(ctx->db, token, uid);
	if (rc == JA_EEXIST) {
		outcome_set(o, OUT_CONFLICT);
		o->code = "email_taken";
		o->message = "That address now belongs to another account. "
		    "Nothing changed.";
		return OUT_CONFLICT;
	}
	if (rc != JA_OK)
		return outcome_set(o, rc == JA_EDB ? OUT_UNAVAILABLE :
		    OUT_BAD_LINK);
	db_audit(ctx->db, "email_changed", uid, name, NULL, ctx->req, NULL);
	event_log("email_changed", ctx->req, name, NULL, NULL, NULL, NULL,
	    NULL);
	if (had) {
		buf_init(&home);
		mail_link(&home, ctx->cfg, "/account", NULL);
		if (!home.failed)
			(void)mail_queue(ctx, old, MAIL_EMAIL_CHANGED, oname,
			    home.data);
		buf_free(&home);
	}
	return outcome_set(o, OUT_OK);
}

/* POST BASE/email/confirm: the address changed with the token. */
static void
email_confirm_post(struct ctx *ctx)
{
	struct body	 b;
	struct outcome	 o;
	struct again	 a;
	struct buf	 page;
	char		 uid[JA_UUID_LEN + 1], name[JA_NAME_MAX + 1];
	const char	*token;
	int		 bad = 0, rc;

	memset(&a, 0, sizeof(a));
	name[0] = '\0';
	a.kind = AGAIN_PAGE;
	a.page = email_form_page;
	if (reset_body(ctx, &b, &o) != OUT_OK)
		goto out;
	token = body_get(&b, "token", &bad);
	a.arg = (void *)(uintptr_t)token;
	rc = bad || token == NULL ? JA_ENOTFOUND :
	    db_reset_peek(ctx->db, "email", token, uid, name);
	if (rc != JA_OK) {
		outcome_set(&o, rc == JA_EDB ? OUT_UNAVAILABLE : OUT_BAD_LINK);
		goto out;
	}
	if (email_change(ctx, token, uid, name, &o) != OUT_OK)
		goto out;
	if (!answer_is_page(ctx))
		ctx->resp->status = 204;
	else {
		buf_init(&page);
		html_email_done(&page, ctx->cfg);
		response_html(ctx->resp, 200, &page);
	}
out:
	if (o.kind == OUT_BAD_LINK && answer_is_page(ctx))
		email_dead_page(ctx, 400, EMAIL_DEAD);
	else if (o.kind == OUT_CONFLICT && answer_is_page(ctx))
		email_dead_page(ctx, 409, o.message);
	else if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, &a);
	sodium_memzero(name, sizeof(name));
	body_free(&b);
}

/* BASE/email: POST only (route.c); 404 while mail is off. */
void
route_email(struct ctx *ctx)
{
	route_link(ctx, ctx->cfg->site_url != NULL, NULL, email_post);
}

/* BASE/email/confirm: GET the button, POST the change. */
void
route_email_confirm(struct ctx *ctx)
{
	route_link(ctx, ctx->cfg->site_url != NULL, email_confirm_get,
	    email_confirm_post);
}
