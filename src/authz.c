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
#include <sys/stat.h>

#include <errno.h>
#include <string.h>

#include "jwtauth.h"

/*
 * Returns 1 when Apache will answer this request itself after our 200:
 * we are mod_fcgid's access checker (FCGI_APACHE_ROLE) and the target
 * (SCRIPT_FILENAME) does not exist (a 404) or is a directory asked for
 * without its slash (mod_dir's 301).  mod_fcgid leaves our Variable-*
 * headers in such answers, where mod_headers cannot remove them, and no
 * handler runs that would need them: so none are sent.  One stat(2).
 */
static int
authz_apache_answers(const struct request *req)
{
	const char	*role = io_getenv("FCGI_APACHE_ROLE");
	const char	*file = io_getenv("SCRIPT_FILENAME");
	const char	*path = req->uri_path != NULL ? req->uri_path : "";
	struct stat	 st;
	size_t		 len = strlen(path);

	if (role == NULL || strcmp(role, "ACCESS_CHECKER") != 0 ||
	    file == NULL || *file == '\0')
		return 0;
	if (stat(file, &st) != 0)
		return errno == ENOENT || errno == ENOTDIR;
	return S_ISDIR(st.st_mode) && (len == 0 || path[len - 1] != '/');
}

/*
 * The authorizer's decision on this request, shared with the gatekeeper
 * (gate.c): returns JA_OK with the verified, unrevoked claims in c, or
 * the error of auth_request() with the refusal already answered by
 * bounce() for the page asked for (REQUEST_URI).
 */
int
authz_decide(struct ctx *ctx, struct claims *c)
{
	int	 rc;

	rc = auth_request(ctx, c);
	if (rc != JA_OK)
		bounce(ctx, rc, ctx->req->uri);
	return rc;
}

void
authz_check(struct ctx *ctx)
{
	struct claims	 c;

	if (authz_decide(ctx, &c) != JA_OK)
		return;
	ctx->resp->status = 200;
	if (authz_apache_answers(ctx->req))
		return;
	response_header(ctx->resp, "Variable-AUTH_USER", "%s", c.username);
	response_header(ctx->resp, "Variable-AUTH_SUB", "%s", c.sub);
	response_header(ctx->resp, "Variable-AUTH_SID", "%s", c.sid);
	response_header(ctx->resp, "Variable-REMOTE_USER", "%s", c.username);
}
