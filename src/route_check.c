/*
 * route_check.c: BASE/check, the authorizer's decision asked as a
 * responder, for web servers that ask about a request with a subrequest
 * of their own instead of the FastCGI authorizer role: nginx's
 * auth_request (which takes 2xx as allow and 401 or 403 as deny, and
 * copies answer headers with auth_request_set) and Caddy's reverse_proxy
 * with handle_response (what its forward_auth does, written out).  The
 * request asked about is REQUEST_URI (nginx's $request_uri is the
 * client's, not the subrequest's; Caddy's config sets it from
 * {http.request.orig_uri}); its Cookie and Authorization headers come
 * with the subrequest.
 *
 * The answer is 204 with X-Auth-User, X-Auth-Sub and X-Auth-Sid (never
 * Variable-*: nothing here is for a FastCGI authorizer's handler), or an
 * empty 401 for every refusal, the database being gone included: nginx
 * turns any other status into a 500 of its own.  The server's
 * error_page 401 (Caddy: handle_response of a 401) then asks BASE/login
 * about the same request
 * (REDIRECT_STATUS 401, as Apache's ErrorDocument does), which decides
 * again and spells the refusal for the client (answer.c): JSON for an
 * API client, the way back into the session or the sign-in form for a
 * browser, 503 while the database is gone.
 */
#include "jwtauth.h"

void
route_check(struct ctx *ctx)
{
	struct claims	 c;
	int		 rc;

	if ((rc = authz_decide(ctx, &c)) != OUT_OK) {
		answer_refuse_kind(ctx, rc, NULL);
		return;
	}
	ctx->resp->status = 204;
	response_header(ctx->resp, "X-Auth-User", "%s", c.username);
	response_header(ctx->resp, "X-Auth-Sub", "%s", c.sub);
	response_header(ctx->resp, "X-Auth-Sid", "%s", c.sid);
}
