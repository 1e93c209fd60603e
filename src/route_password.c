/*
 * route_password.c: BASE/password, a password change by the signed-in
 * user.  GET shows the form (browsers); POST takes current_password and
 * new_password (form or JSON).  The current password is checked again;
 * on success every session of the user ends, access tokens included,
 * and the browser goes to the login form (JSON: 204).
 */
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * Checks the fields and the current password cur of c's account: the
 * guess taken off the throttle, then a hashing slot (held in *slot),
 * then the password; a wrong one leaves its count standing.  Returns
 * OUT_OK or the refusal, set in o.
 */
static int
password_check(struct ctx *ctx, const struct claims *c, const char *cur,
    const char *pw, int *slot, struct outcome *o)
{
	size_t	 len = pw != NULL ? strlen(pw) : 0;

	if (cur == NULL || pw == NULL || len < (size_t)ctx->cfg->password_min ||
	    len > (size_t)ctx->cfg->password_max ||
	    strlen(cur) > (size_t)ctx->cfg->password_max) {
		outcome_set(o, OUT_BAD_REQUEST);
		o->message = "Enter your current password and a new one of "
		    "the required length.";
		return OUT_BAD_REQUEST;
	}
	if (auth_throttle(ctx, c->username, o) != OUT_OK)
		return o->kind;
	if (outcome_set(o, auth_password(ctx, c, cur, slot)) ==
	    OUT_WRONG_PASSWORD) {
		db_audit(ctx->db, "password_change_failed", c->sub,
		    c->username, c->sid, ctx->req, NULL);
		event_log("password_change_failed", ctx->req, c->username,
		    c->sid, NULL, NULL, NULL, NULL);
	}
	auth_throttle_end(ctx, c->username, o);
	return o->kind;
}

static void
password_post(struct ctx *ctx)
{
	struct body	 b;
	struct claims	 c;
	struct outcome	 o;
	struct again	 a;
	char		 hash[PASSWORD_HASH_MAX];
	const char	*cur, *pw;
	int		 bad = 0, slot = -1, rc;

	memset(hash, 0, sizeof(hash));
	memset(&a, 0, sizeof(a));
	a.kind = AGAIN_PASSWORD;
	a.next = ctx->req->path;
	if (body_read(ctx, &b, &o) != OUT_OK ||
	    outcome_set(&o, auth_form_request(ctx, &b, &c, NULL)) != OUT_OK)
		goto out;
	cur = body_get(&b, "current_password", &bad);
	pw = body_get(&b, "new_password", &bad);
	if (password_check(ctx, &c, bad ? NULL : cur, pw, &slot, &o) !=
	    OUT_OK)
		goto out;
	rc = password_hash(ctx->cfg, pw, hash, sizeof(hash));
	pwslot_leave(ctx->db, slot);
	slot = -1;
	if (rc != JA_OK) {
		outcome_set(&o, OUT_SERVER_ERROR);
		goto out;
	}
	if (db_user_set_password(ctx->db, c.username, hash) != JA_OK) {
		outcome_set(&o, OUT_UNAVAILABLE);
		goto out;
	}
	db_audit(ctx->db, "password_change", c.sub, c.username, c.sid,
	    ctx->req, "all sessions ended");
	event_log("password_change", ctx->req, c.username, c.sid, "action",
	    "all_sessions_ended", NULL, NULL);
	notice_send(ctx, c.sub, MAIL_PASSWORD_CHANGED);
	auth_clear_cookies(ctx);
	answer_done(ctx, "/login", NULL);
out:
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, &a);
	pwslot_leave(ctx->db, slot);
	sodium_memzero(hash, sizeof(hash));
	body_free(&b);
}

/* GET shows the form, always a page; POST changes the password. */
void
route_password(struct ctx *ctx)
{
	struct claims	 c;
	int		 rc;

	if (ctx->req->method == METHOD_POST) {
		password_post(ctx);
		return;
	}
	answer_kind_set(ctx, ANSWER_HTML);
	if ((rc = auth_request(ctx, &c)) != OUT_OK)
		answer_refuse_kind(ctx, rc, ctx->req->path);
	else
		answer_password_form(ctx, 200, NULL);
}
