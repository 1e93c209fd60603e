/*
 * bounce.c: what a client without a valid session gets when it asks for
 * something protected.  API clients: 401 with a Bearer challenge (RFC
 * 6750 §3).  Browsers: if they hold an access cookie, the session may
 * live on in the refresh cookie, which only BASE/refresh can see (its
 * Path): a page that moves on there at once (meta refresh, no script),
 * which rotates the tokens and comes back; otherwise the login form,
 * which sends them back to the page they asked for.  A meta refresh and
 * not a 303: it also works as the body of a web server's 401
 * ErrorDocument, and the navigation it starts is same-site, so the
 * SameSite=Strict refresh cookie goes with it.
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"

/*
 * Writes the CSRF token of a form this response will carry into csrf
 * (csrflen > CSRF_TOKEN_LEN), setting the nonce cookie if the browser
 * has none.  Returns JA_OK, or an error with a 500 already answered.
 */
int
bounce_form_token(struct ctx *ctx, char *csrf, size_t csrflen)
{
	int	 rc;

	rc = csrf_ensure_nonce(ctx->cfg, ctx->req, ctx->resp, csrf, csrflen);
	if (rc != JA_OK)
		response_error(ctx->resp, ctx->req, 500, "server_error",
		    "Something went wrong.");
	return rc;
}

/* The login form with status, next and message (may be NULL). */
void
bounce_login_page(struct ctx *ctx, int status, const char *next,
    const char *message)
{
	bounce_login_again(ctx, status, next, message, NULL);
}

/* bounce_login_page() with the user name typed before (may be NULL). */
void
bounce_login_again(struct ctx *ctx, int status, const char *next,
    const char *message, const char *username)
{
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	if (bounce_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		return;
	ctx->req->html = 1;
	buf_init(&page);
	html_login(&page, ctx->cfg, text_local_or_root(next), message, csrf,
	    username);
	response_html(ctx->resp, status, &page);
}

/* A 503 for a check that could not be made: fail closed. */
void
bounce_unavailable(struct ctx *ctx)
{
	response_error(ctx->resp, ctx->req, 503, "temporarily_unavailable",
	    "The service is unavailable. Try again shortly.");
}

/*
 * A 503 for a login that found every password-hashing slot taken
 * (pwgate.c): try again in a second (RFC 9110 §10.2.3).  Browsers get
 * the form again, with next kept.
 */
void
bounce_busy(struct ctx *ctx, const char *next)
{
	if (ctx->req->html)
		bounce_login_page(ctx, 503, next, "Too many people are "
		    "signing in right now. Try again in a moment.");
	else
		response_error(ctx->resp, ctx->req, 503,
		    "temporarily_unavailable", "Too many sign-ins at once. "
		    "Try again in a moment.");
	response_header(ctx->resp, "Retry-After", "1");
}

/*
 * A 429 for a sign-in of an account or from an address that failed too
 * often (throttle.c): retry seconds to wait, in Retry-After (RFC 6585
 * §4).  The same answer whether the account exists or not.  Browsers
 * get the form again, with next kept.
 */
void
bounce_throttled(struct ctx *ctx, const char *next, long retry)
{
	char	 msg[160];

	snprintf(msg, sizeof(msg), "Too many failed sign-ins. Wait %ld "
	    "second%s and try again.", retry, retry == 1 ? "" : "s");
	if (ctx->req->html)
		bounce_login_page(ctx, 429, next, msg);
	else
		response_error(ctx->resp, ctx->req, 429, "too_many_attempts",
		    msg);
	response_header(ctx->resp, "Retry-After", "%ld", retry);
}

/*
 * Answers a request for target (a local path; NULL: "/") whose access
 * token was missing (rc JA_ENOTFOUND), invalid (JA_EAUTH) or could not
 * be checked (JA_EDB), as described above; as Apache's authorizer, with
 * a bare 401 (503) that its ErrorDocument 401 completes.
 */
void
bounce(struct ctx *ctx, int rc, const char *target)
{
	struct buf	 url, page;
	struct claims	 c;
	char		 tok[JA_TOKEN_MAX + 1];
	int		 cookie;

	/* Under Apache the refusal is only a status.  mod_fcgid drops the
	 * authorizer's body but keeps its headers, and Apache adds them to
	 * those of its ErrorDocument 401, our login route, which answers in
	 * full: any header of ours would be sent twice. */
	if (ctx->req->apache_checker) {
		ctx->resp->status = rc == JA_EDB ? 503 : 401;
		ctx->resp->bare = 1;
		return;
	}
	if (rc == JA_EDB) {
		bounce_unavailable(ctx);
		return;
	}
	target = text_local_or_root(target);
	if (!ctx->req->html) {
		response_error(ctx->resp, ctx->req, 401, rc == JA_ENOTFOUND ?
		    "invalid_request" : "invalid_token",
		    "A valid access token is required.");
		response_header(ctx->resp, "WWW-Authenticate", rc ==
		    JA_ENOTFOUND ? "Bearer realm=\"jwtauth\"" :
		    "Bearer realm=\"jwtauth\", error=\"invalid_token\"");
		return;
	}
	/* Only an access cookie that is no longer valid in itself (expired)
	 * is worth a refresh; a valid one was revoked, and so is the session:
	 * no loop between the two. */
	buf_init(&url);
	if (auth_find_token(ctx, tok, sizeof(tok), &cookie) != JA_OK ||
	    !cookie || token_verify(ctx->cfg, tok, ctx->now, &c) == JA_OK) {
		/* The authorizer sets no cookie: Apache would add its
		 * headers to those of its ErrorDocument.  So it sends the
		 * browser on to the login form rather than show it. */
		if (ctx->req->role != ROLE_AUTHORIZER) {
			bounce_login_page(ctx, 401, target, NULL);
			return;
		}
		response_route_url(&url, ctx->cfg, "/login", target);
	} else
		response_route_url(&url, ctx->cfg, "/refresh", target);
	buf_init(&page);
	html_resume(&page, ctx->cfg, url.failed ? "/" : url.data);
	response_html(ctx->resp, 401, &page);
	buf_free(&url);
}
