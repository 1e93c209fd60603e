/*
 * authz.c: the FastCGI authorizer role (FastCGI 1.0 §6.3).  The web
 * server asks about every request to a protected area; we answer 200
 * with Variable-AUTH_USER, -AUTH_SUB, -AUTH_SID and -REMOTE_USER (the
 * server turns
 * them into environment variables of the handler that serves the page),
 * or what bounce.c answers: 401 JSON for API clients, for browsers the
 * way back into the session or the login form (lighttpd shows that body;
 * Apache drops it and shows its ErrorDocument 401, our login route).
 * Nothing secret goes into a Variable-* header: the web server may copy
 * them into the client's response.
 */
#include "jwtauth.h"

void
authz_check(struct ctx *ctx)
{
	struct claims	 c;
	int		 rc;

	rc = auth_request(ctx, &c);
	if (rc != JA_OK) {
		bounce(ctx, rc, ctx->req->uri);
		return;
	}
	ctx->resp->status = 200;
	response_header(ctx->resp, "Variable-AUTH_USER", "%s", c.username);
	response_header(ctx->resp, "Variable-AUTH_SUB", "%s", c.sub);
	response_header(ctx->resp, "Variable-AUTH_SID", "%s", c.sid);
	response_header(ctx->resp, "Variable-REMOTE_USER", "%s", c.username);
}
