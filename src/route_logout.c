/*
 * route_logout.c: POST BASE/logout.  Ends the session of the access
 * token (Bearer header or cookie) and/or the refresh token (JSON body or
 * cookie): the refresh token dies, the access token's jti goes into the
 * revocation table until its exp.  Credentials from cookies need the
 * CSRF check, and a browser's POST (form or HTML) from another origin
 * is refused with 403 whatever it carries.  scope (JSON or form) is "local" (default: this session),
 * "others" (every other session of the user) or "global" (all of them).
 * Like token revocation (RFC 7009 §2.2), an invalid or
 * expired token is no error: JSON clients get 204 either way, browsers
 * a 303 to the login form with the cookies cleared.  A browser's POST
 * from our own site that lacks the form token (a sign-out button on a
 * static page) signs this device out in one click (see logout_post);
 * for scope "others" or "global", and at GET, a confirmation form that
 * carries the token is shown instead.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/* Returns scope if it names a logout scope, else NULL. */
static const char *
logout_scope(const char *scope)
{
	if (scope == NULL)
		return "local";
	if (strcmp(scope, "local") == 0 || strcmp(scope, "others") == 0 ||
	    strcmp(scope, "global") == 0)
		return scope;
	return NULL;
}

/*
 * Ends the sessions that scope names, starting from the access token at
 * (if valid) or else the refresh token rt (if live); a valid refresh
 * token of another session than the access token's ends too.  Invalid
 * tokens end nothing (RFC 7009 §2.2).  Returns JA_OK or JA_EDB.
 */
static int
logout_end(struct ctx *ctx, const char *at, const char *rt, const char *scope)
{
	struct claims	 c;
	char		 sid[JA_UUID_LEN + 1], uid[JA_UUID_LEN + 1];
	int		 have_at, rc;

	/* Only a token that would pass auth_request() counts: one of an
	 * ended session must not end the user's later sessions. */
	have_at = at[0] != '\0' && token_verify(ctx->cfg, at, ctx->now,
	    &c) == JA_OK;
	if (have_at && (rc = db_session_check(ctx->db, &c)) != JA_OK) {
		if (rc == JA_EDB)
			return JA_EDB;
		have_at = 0;
	}
	if (have_at && db_session_logout(ctx->db, c.sid, c.sub, scope, c.jti,
	    c.exp, ctx->req) != JA_OK)
		return JA_EDB;
	if (rt[0] == '\0')
		return JA_OK;
	rc = db_session_from_refresh(ctx->db, rt, sid, uid);
	if (rc == JA_EDB)
		return JA_EDB;
	if (rc != JA_OK || (have_at && strcmp(sid, c.sid) == 0))
		return JA_OK;
	return db_session_logout(ctx->db, sid, uid, have_at ? "local" : scope,
	    NULL, 0, ctx->req);
}

/*
 * The confirmation form of a logout (GET, or a POST without token), which
 * carries on scope (NULL: local).  Always a page.
 */
static void
logout_confirm(struct ctx *ctx, const char *scope)
{
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	answer_kind_set(ctx, ANSWER_HTML);
	if (answer_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		return;
	buf_init(&page);
	html_logout(&page, ctx->cfg, scope != NULL ? scope : "local", csrf);
	response_html(ctx->resp, 200, &page);
}

/*
 * The tokens of a logout: the access token into at (Bearer or cookie;
 * "" when none), the refresh token into rt (body_rt, else the cookie;
 * "" when none); *cookies says whether either came from a cookie.
 */
static void
logout_tokens(struct ctx *ctx, const char *body_rt, char *at, size_t atlen,
    char *rt, size_t rtlen, int *cookies)
{
	int	 at_cookie = 0;

	*cookies = 0;
	if (auth_find_token(ctx, at, atlen, &at_cookie) != JA_OK)
		at[0] = '\0';
	else
		*cookies = at_cookie;
	if (body_rt == NULL && cookie_get(ctx->req->cookies,
	    cookie_name(ctx->req, COOKIE_REFRESH), rt, rtlen) == JA_OK &&
	    rt[0] != '\0')
		*cookies = 1;
	else if (body_rt != NULL && strlen(body_rt) < rtlen)
		strcpy(rt, body_rt);
	else
		rt[0] = '\0';
}

static void
logout_post(struct ctx *ctx)
{
	struct body	 b;
	struct outcome	 o;
	char		 at[JA_TOKEN_MAX + 1], rt[JA_RT_LEN + 2];
	const char	*scope, *csrf;
	int		 bad = 0, csrf_bad = 0, cookies = 0;
	int		 page = answer_is_page(ctx);

	memset(rt, 0, sizeof(rt));
	memset(at, 0, sizeof(at));
	if (body_read(ctx, &b, &o) != OUT_OK)
		goto out;
	scope = logout_scope(body_get(&b, "scope", &bad));
	csrf = body_get(&b, "csrf", &csrf_bad);
	logout_tokens(ctx, body_get(&b, "refresh_token", &bad), at,
	    sizeof(at), rt, sizeof(rt), &cookies);
	if (bad || scope == NULL) {
		outcome_set(&o, OUT_BAD_REQUEST);
		o.message = "refresh_token must be a string and scope one of "
		    "local, others, global.";
		goto out;
	}
	/* Even without cookies (SameSite kept them back) a cross-site form
	 * must not clear them: the origin check comes first. */
	if (page && !csrf_origin_ok(ctx->cfg, ctx->req)) {
		outcome_set(&o, OUT_CSRF);
		goto out;
	}
	if (at[0] == '\0' && rt[0] == '\0' && !page) {
		outcome_set(&o, OUT_BAD_REQUEST);
		o.message = "Send the access token or the refresh token to end.";
		goto out;
	}
	/*
	 * A sign-out button on a page that cannot carry our token (a static
	 * page, a CGI script) signs out in one click: a browser's POST got
	 * here only from one of our own origins (the Origin, or Referer,
	 * check above: every browser sends Origin with a cross-origin POST,
	 * and neither header is refused), which is the CSRF defence for a
	 * request whose worst effect is to sign the user out; the cookies
	 * are SameSite besides (the access cookie Lax, the refresh cookie
	 * Strict), so a cross-site form carries no session to end.  Only
	 * this device's session ends so: scope "others" or "global"
	 * without the form token asks first (any page of our origin could
	 * post it).  A form token that is sent must be right.
	 */
	if (cookies && page && csrf == NULL && strcmp(scope, "local") != 0) {
		logout_confirm(ctx, scope);
		goto out;
	}
	if (cookies && !(page && csrf == NULL) &&
	    csrf_check_request(ctx->cfg, ctx->req, csrf) != JA_OK) {
		outcome_set(&o, OUT_CSRF);
		goto out;
	}
	if (logout_end(ctx, at, rt, scope) != JA_OK) {
		outcome_set(&o, OUT_UNAVAILABLE);
		goto out;
	}
	/* Scope "others": this session goes on. */
	if (strcmp(scope, "others") != 0)
		auth_clear_cookies(ctx);
	answer_done(ctx, strcmp(scope, "others") == 0 ? "/account" : "/login",
	    NULL);
out:
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, NULL);
	sodium_memzero(at, sizeof(at));
	sodium_memzero(rt, sizeof(rt));
	body_free(&b);
}

void
route_logout(struct ctx *ctx)
{
	if (ctx->req->method == METHOD_POST)
		logout_post(ctx);
	else
		logout_confirm(ctx, NULL);
}
