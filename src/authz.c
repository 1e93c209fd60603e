/*
 * authz.c: the FastCGI authorizer role (FastCGI 1.0 §6.3).  The web
 * server asks about every request to a protected area; we answer 200
 * with Variable-AUTH_USER, -AUTH_SUB and -AUTH_SID (the server turns
 * them into environment variables of the handler that serves the page),
 * or 401.  Nothing secret goes into a Variable-* header: the web server
 * may copy them into the client's response.
 */
#include "jwtauth.h"

void
authz_check(struct ctx *ctx)
{
	struct claims	 c;
	int		 rc;

	ctx->req->html = 0;
	rc = auth_request(ctx, &c);
	if (rc == JA_EDB) {
		response_error(ctx->resp, ctx->req, 503,
		    "temporarily_unavailable", "Try again shortly.");
		return;
	}
	if (rc != JA_OK) {
		response_error(ctx->resp, ctx->req, 401, "invalid_token",
		    "A valid access token is required.");
		response_header(ctx->resp, "WWW-Authenticate",
		    rc == JA_ENOTFOUND ? "Bearer realm=\"jwtauth\"" :
		    "Bearer realm=\"jwtauth\", error=\"invalid_token\"");
		return;
	}
	ctx->resp->status = 200;
	response_header(ctx->resp, "Variable-AUTH_USER", "%s", c.username);
	response_header(ctx->resp, "Variable-AUTH_SUB", "%s", c.sub);
	response_header(ctx->resp, "Variable-AUTH_SID", "%s", c.sid);
}
