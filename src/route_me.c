/*
 * route_me.c: GET BASE/me, the protected route that says who the token
 * belongs to: JSON {"sub","username","sid","exp"}, or for a browser a
 * page with a logout button.  Without a valid token: 401 with a Bearer
 * challenge (RFC 6750 §3; error="invalid_token" when a token was
 * presented, §3.1), or for a browser a 303 to the login form.
 */
#include "jwtauth.h"

void
route_me(struct ctx *ctx)
{
	struct claims	 c;
	struct buf	 page, loc;
	char		 csrf[CSRF_TOKEN_LEN + 1];
	int		 rc;

	if (ctx->req->method != METHOD_GET &&
	    ctx->req->method != METHOD_HEAD) {
		route_method_not_allowed(ctx, "GET, HEAD");
		return;
	}
	rc = auth_request(ctx, &c);
	if (rc == JA_EDB) {
		response_error(ctx->resp, ctx->req, 503, "temporarily_unavailable",
		    "The service is unavailable. Try again shortly.");
		return;
	}
	if (rc != JA_OK && ctx->req->html) {
		buf_init(&loc);
		buf_puts(&loc, ctx->cfg->base_path);
		buf_puts(&loc, "/login?next=");
		buf_url(&loc, ctx->req->path);
		response_redirect(ctx->resp, loc.failed ? "/" : loc.data);
		buf_free(&loc);
		return;
	}
	if (rc != JA_OK) {
		response_error(ctx->resp, ctx->req, 401, rc == JA_ENOTFOUND ?
		    "invalid_request" : "invalid_token",
		    "A valid access token is required.");
		if (rc == JA_ENOTFOUND)
			response_header(ctx->resp, "WWW-Authenticate",
			    "Bearer realm=\"jwtauth\"");
		else
			response_header(ctx->resp, "WWW-Authenticate",
			    "Bearer realm=\"jwtauth\", error=\"invalid_token\"");
		return;
	}
	if (ctx->req->html) {
		if (csrf_ensure_nonce(ctx->cfg, ctx->req, ctx->resp, csrf,
		    sizeof(csrf)) != JA_OK) {
			response_error(ctx->resp, ctx->req, 500,
			    "server_error", "Something went wrong.");
			return;
		}
		buf_init(&page);
		html_me(&page, ctx->cfg, &c, csrf);
		response_html(ctx->resp, 200, &page);
		return;
	}
	response_json(ctx->resp, 200, json_pack("{s:s, s:s, s:s, s:I}",
	    "sub", c.sub, "username", c.username, "sid", c.sid, "exp",
	    (json_int_t)c.exp));
}
