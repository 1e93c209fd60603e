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

static void
password_form(struct ctx *ctx, int status, const char *message)
{
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	if (bounce_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		return;
	buf_init(&page);
	html_password(&page, ctx->cfg, message, csrf);
	response_html(ctx->resp, status, &page);
}

static void
password_post(struct ctx *ctx)
{
	struct body	 b;
	struct claims	 c;
	char		 hash[PASSWORD_HASH_MAX];
	const char	*cur, *pw;
	size_t		 len;
	long		 wait;
	int		 bad = 0, slot = -1, rc;

	memset(hash, 0, sizeof(hash));
	if (body_read(ctx, &b) != JA_OK)
		return;
	if (auth_form_request(ctx, &b, &c, NULL) != JA_OK)
		goto out;
	cur = body_get(&b, "current_password", &bad);
	pw = body_get(&b, "new_password", &bad);
	len = pw != NULL ? strlen(pw) : 0;
	if (bad || cur == NULL || pw == NULL ||
	    len < (size_t)ctx->cfg->password_min ||
	    len > (size_t)ctx->cfg->password_max ||
	    strlen(cur) > (size_t)ctx->cfg->password_max) {
		if (ctx->req->html)
			password_form(ctx, 400, "Enter your current password "
			    "and a new one of the required length.");
		else
			response_error(ctx->resp, ctx->req, 400,
			    "invalid_request", "current_password and "
			    "new_password are required; the new one needs "
			    "the configured length.");
		goto out;
	}
	rc = throttle_check(ctx->db, ctx->cfg, c.username, ctx->req->client,
	    &wait);
	if (rc == JA_EBUSY) {
		if (ctx->req->html) {
			password_form(ctx, 429, "Too many wrong passwords. "
			    "Wait a moment and try again.");
			response_header(ctx->resp, "Retry-After", "%ld", wait);
		} else
			bounce_throttled(ctx, NULL, wait);
		goto out;
	}
	if (rc != JA_OK)
		goto unavailable;
	rc = auth_password(ctx, &c, cur, &slot);
	if (rc == JA_EAUTH) {
		db_audit(ctx->db, "password_change_failed", c.sub, c.username,
		    c.sid, ctx->req, NULL);
		event_log("password_change_failed", ctx->req, c.username,
		    c.sid, NULL, NULL, NULL, NULL);
		if (ctx->req->html)
			password_form(ctx, 401, "The current password is not "
			    "right. Try again.");
		else
			response_json(ctx->resp, 401, json_pack("{s:s}",
			    "error", "invalid_credentials"));
		goto out;
	}
	if (rc != JA_OK)	/* answered: 503 */
		goto out;
	rc = password_hash(ctx->cfg, pw, hash, sizeof(hash));
	pwgate_leave(ctx->db, slot);
	slot = -1;
	if (rc != JA_OK) {
		response_error(ctx->resp, ctx->req, 500, "server_error",
		    "Something went wrong.");
		goto out;
	}
	if (db_user_set_password(ctx->db, c.username, hash) != JA_OK)
		goto unavailable;
	db_audit(ctx->db, "password_change", c.sub, c.username, c.sid,
	    ctx->req, "all sessions ended");
	event_log("password_change", ctx->req, c.username, c.sid, "action",
	    "all_sessions_ended", NULL, NULL);
	auth_clear_cookies(ctx);
	if (ctx->req->html)
		response_redirect_route(ctx->resp, ctx->cfg, "/login", NULL);
	else
		ctx->resp->status = 204;
	goto out;
unavailable:
	bounce_unavailable(ctx);
out:
	pwgate_leave(ctx->db, slot);
	sodium_memzero(hash, sizeof(hash));
	body_free(&b);
}

void
route_password(struct ctx *ctx)
{
	struct claims	 c;
	int		 rc;

	if (ctx->req->method == METHOD_POST) {
		password_post(ctx);
		return;
	}
	ctx->req->html = 1;
	if ((rc = auth_request(ctx, &c)) != JA_OK)
		bounce(ctx, rc, ctx->req->path);
	else
		password_form(ctx, 200, NULL);
}
