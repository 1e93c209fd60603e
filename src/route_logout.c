/*
 * route_logout.c: POST BASE/logout.  Ends the session of the access
 * token (Bearer header or cookie) and/or the refresh token (JSON body or
 * cookie): the refresh token dies, the access token's jti goes into the
 * revocation table until its exp.  Credentials from cookies need the
 * CSRF check.  Like token revocation (RFC 7009 §2.2), an invalid or
 * expired token is no error: JSON clients get 204 either way, browsers
 * a 303 to the login form with the cookies cleared.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/* Ends the session of the access token presented, if it is valid. */
static int
logout_access(struct ctx *ctx, const char *token)
{
	struct claims	 c;

	if (token_verify(ctx->cfg, token, ctx->now, &c) != JA_OK)
		return JA_OK;
	return db_session_end(ctx->db, &c);
}

static void
logout_post(struct ctx *ctx)
{
	struct body	 b;
	struct buf	 loc;
	char		 at[JA_TOKEN_MAX + 1], rt[JA_RT_LEN + 2];
	const char	*body_rt;
	int		 bad = 0, at_cookie = 0, rt_cookie = 0, have_at, rc;

	memset(rt, 0, sizeof(rt));
	memset(at, 0, sizeof(at));
	if (body_read(ctx, &b) != JA_OK)
		return;
	body_rt = body_get(&b, "refresh_token", &bad);
	if (bad) {
		response_error(ctx->resp, ctx->req, 400, "invalid_request",
		    "refresh_token must be a string.");
		goto out;
	}
	have_at = auth_find_token(ctx, at, sizeof(at), &at_cookie) == JA_OK;
	if (body_rt == NULL && cookie_get(ctx->req->cookies,
	    cookie_name(ctx->req, COOKIE_REFRESH), rt, sizeof(rt)) == JA_OK &&
	    rt[0] != '\0')
		rt_cookie = 1;
	else if (body_rt != NULL && strlen(body_rt) < sizeof(rt))
		strcpy(rt, body_rt);
	if (!have_at && rt[0] == '\0' && !ctx->req->html) {
		response_error(ctx->resp, ctx->req, 400, "invalid_request",
		    "Send the access token or the refresh token to end.");
		goto out;
	}
	if ((at_cookie || rt_cookie) && csrf_check(ctx->cfg, ctx->req,
	    body_get(&b, "csrf", &bad)) != JA_OK) {
		response_error(ctx->resp, ctx->req, 403, "invalid_request",
		    "This request came from another site or its form has "
		    "expired.");
		goto out;
	}
	rc = have_at ? logout_access(ctx, at) : JA_OK;
	if (rc == JA_OK && rt[0] != '\0' &&
	    db_session_end_by_refresh(ctx->db, rt) == JA_EDB)
		rc = JA_EDB;
	if (rc != JA_OK) {
		response_error(ctx->resp, ctx->req, 503,
		    "temporarily_unavailable",
		    "The service is unavailable. Try again shortly.");
		goto out;
	}
	auth_clear_cookies(ctx);
	if (ctx->req->html) {
		buf_init(&loc);
		buf_puts(&loc, ctx->cfg->base_path);
		buf_puts(&loc, "/login");
		response_redirect(ctx->resp, loc.failed ? "/" : loc.data);
		buf_free(&loc);
	} else
		ctx->resp->status = 204;
out:
	sodium_memzero(at, sizeof(at));
	sodium_memzero(rt, sizeof(rt));
	body_free(&b);
}

void
route_logout(struct ctx *ctx)
{
	if (ctx->req->method != METHOD_POST) {
		route_method_not_allowed(ctx, "POST");
		return;
	}
	logout_post(ctx);
}
