/*
 * authz.c: the FastCGI authorizer role (FastCGI 1.0 §6.3).  The web
 * server asks about every request to a protected area; we answer 200
 * with Variable-AUTH_USER, -AUTH_SUB, -AUTH_SID and -REMOTE_USER (the
 * server turns them into environment variables of the handler that
 * serves the page), or the refusal answer.c spells: 401 JSON for API
 * clients, for browsers the way back into the session or the login form
 * (lighttpd shows that body; Apache drops it and shows its ErrorDocument
 * 401, our login route).
 * Nothing secret goes into a Variable-* header: the web server may copy
 * them into the client's response.
 *
 * A second factor can be required: for every request of a checker
 * started with -m otp, and for the paths under otp_paths.  A token whose
 * amr (RFC 8176) lacks "otp" is then refused with 401
 * insufficient_user_authentication (the error of RFC 9470 §3), which a
 * new sign-in with the second factor cures.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
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

static int	authz_otp_all;	/* -m otp */

/* Every request this process checks needs a second factor (-m otp). */
void
authz_require_otp(void)
{
	authz_otp_all = 1;
}

/*
 * Returns 1 if path (normalised; NULL: unknown) needs a second factor:
 * -m otp was given, or path is one of the comma-separated prefixes of
 * otp_paths or below one ("/app/admin" takes "/app/admin" and
 * "/app/admin/x", not "/app/administer").  The path is compared fully
 * decoded, as the web server maps it, with otp_paths decoded at load
 * (config.c).  An unknown path, or one with an encoded "/", "\\" or NUL,
 * needs one whenever otp_paths is set: fail closed.
 */
int
authz_otp_needed(const struct config *cfg, const char *path)
{
	char	*dec;
	size_t	 len;
	int	 rc;

	if (authz_otp_all)
		return 1;
	if (cfg->otp_paths == NULL)
		return 0;
	if (path == NULL)
		return 1;
	len = strlen(path) + 1;
	if ((dec = malloc(len)) == NULL)
		return 1;
	rc = text_path_decode(path, dec, len) != JA_OK ||
	    text_path_in_list(cfg->otp_paths, dec);
	free(dec);
	return rc;
}

/*
 * The authorizer's decision on this request, shared with the
 * gatekeeper (gate.c) and the login route standing in for a refused
 * page (route_login.c): returns OUT_OK with the verified, unrevoked
 * claims in c, or the refusal of auth_request(), or OUT_NO_OTP for a
 * token without a second factor where one is needed (refused with 401
 * insufficient_user_authentication, RFC 9470 §3).  Nothing is answered.
 */
int
authz_decide(struct ctx *ctx, struct claims *c)
{
	int	 rc;

	if ((rc = auth_request(ctx, c)) != OUT_OK)
		return rc;
	if (!c->otp && authz_otp_needed(ctx->cfg, ctx->req->uri_path)) {
		auth_log_refusal(ctx, "access token", "no second factor (amr) "
		    "for a path that needs one");
		memset(c, 0, sizeof(*c));
		return OUT_NO_OTP;
	}
	return OUT_OK;
}

/*
 * Answers the web server's question about this request: 200 with the
 * Variable-* headers, or the refusal of authz_decide() for the page
 * asked for (REQUEST_URI), spelled by answer.c for the front that asked.
 */
void
authz_check(struct ctx *ctx)
{
	struct claims	 c;
	int		 rc;

	if ((rc = authz_decide(ctx, &c)) != OUT_OK) {
		answer_refuse_kind(ctx, rc, ctx->req->uri);
		return;
	}
	ctx->resp->status = 200;
	if (authz_apache_answers(ctx->req))
		return;
	response_header(ctx->resp, "Variable-AUTH_USER", "%s", c.username);
	response_header(ctx->resp, "Variable-AUTH_SUB", "%s", c.sub);
	response_header(ctx->resp, "Variable-AUTH_SID", "%s", c.sid);
	response_header(ctx->resp, "Variable-REMOTE_USER", "%s", c.username);
}
