/*
 * route_refresh.c: POST BASE/refresh (RFC 6749 §6).  The refresh token
 * comes in JSON {"refresh_token"} or, from a browser, in the refresh
 * cookie; a cookie-borne token needs the CSRF check, and a form may not
 * carry one at all (see refresh_post).  Success: a new
 * access token and the next refresh token (the old one stops working).
 * Invalid, expired, reused or revoked: 401 {"error":"invalid_grant"}
 * (RFC 6749 §5.2) and the cookies cleared.
 */
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * POST.  A form that carries refresh_token is refused with 400 before
 * the token is looked at.  Any site can make a browser post a form, and
 * a form carrying the attacker's own token would sign the victim in as
 * the attacker (login CSRF, RFC 6749 §10.12).  Refusing is safer than
 * the CSRF check (csrf.c): our pages never put the token in a form (it
 * lives in an HttpOnly cookie), so no browser needs this path, and the
 * check would only prove the page is ours, not whose token it is.  JSON
 * bodies cannot be sent cross-site without a CORS preflight, which we
 * never grant, so they need no check.
 */
static void
refresh_post(struct ctx *ctx)
{
	struct body	 b;
	struct session	 s;
	struct outcome	 o;
	char		 rt[JA_RT_LEN + 1], cookie[JA_RT_LEN + 2];
	const char	*token, *next;
	int		 bad = 0, from_cookie = 0, rc;

	memset(rt, 0, sizeof(rt));
	memset(cookie, 0, sizeof(cookie));
	if (body_read(ctx, &b, &o) != OUT_OK)
		goto out;
	token = body_get(&b, "refresh_token", &bad);
	next = b.is_form ? body_get(&b, "next", &bad) : NULL;
	if (bad || (token != NULL && b.is_form)) {
		outcome_set(&o, OUT_BAD_REQUEST);
		o.message = bad ? "refresh_token must be a string." :
		    "A form may not carry a refresh token.";
		goto out;
	}
	if (token == NULL) {
		rc = cookie_get(ctx->req->cookies, cookie_name(ctx->req,
		    COOKIE_REFRESH), cookie, sizeof(cookie));
		if (rc == JA_ENOTFOUND) {
			outcome_set(&o, OUT_BAD_REQUEST);
			o.message = "No refresh token was sent.";
			goto out;
		}
		if (csrf_check_request(ctx->cfg, ctx->req,
		    body_get(&b, "csrf", &bad)) != JA_OK) {
			outcome_set(&o, OUT_CSRF);
			goto out;
		}
		token = cookie;
		from_cookie = 1;
	}
	rc = db_session_rotate(ctx->db, ctx->cfg, token, ctx->req, &s, rt,
	    sizeof(rt));
	if (rc == JA_EDB) {
		outcome_set(&o, OUT_UNAVAILABLE);
		goto out;
	}
	if (rc != JA_OK) {
		metrics_count(METRIC_REFRESH_REFUSED);
		auth_log_refusal(ctx, "refresh token",
		    "unknown, expired, reused or revoked");
		outcome_set(&o, OUT_INVALID_GRANT);
		auth_clear_cookies(ctx);
		goto out;
	}
	event_log("refresh", ctx->req, s.username, s.id, NULL, NULL, NULL,
	    NULL);
	auth_respond(ctx, &s, rt, text_local_or_root(next), from_cookie);
out:
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, NULL);
	sodium_memzero(rt, sizeof(rt));
	sodium_memzero(cookie, sizeof(cookie));
	body_free(&b);
}

/*
 * GET BASE/refresh?next=PATH: the browser's way back into its session
 * (see answer.c), with the refresh cookie.  A cross-site request (Fetch
 * Metadata; without it the SameSite=Strict cookie is simply not sent)
 * touches nothing: a 303 to next, whose own check starts over from our
 * site.  Success: new cookies and a 303 to next; failure: the cookies
 * cleared and a 303 to the login form, which leads back to next.
 */
static void
refresh_get(struct ctx *ctx)
{
	struct form	 q;
	struct session	 s;
	char		 rt[JA_RT_LEN + 1], cookie[JA_RT_LEN + 2];
	const char	*next = NULL, *site = ctx->req->fetch_site;
	int		 rc = JA_EAUTH, found;

	memset(&q, 0, sizeof(q));
	memset(rt, 0, sizeof(rt));
	memset(cookie, 0, sizeof(cookie));
	answer_kind_set(ctx, ANSWER_HTML);
	if (ctx->req->query != NULL && form_parse(&q, ctx->req->query,
	    strlen(ctx->req->query)) == JA_OK)
		next = form_get(&q, "next");
	next = text_local_or_root(next);
	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0) {
		response_redirect(ctx->resp, next);
		goto out;
	}
	found = cookie_get(ctx->req->cookies, cookie_name(ctx->req,
	    COOKIE_REFRESH), cookie, sizeof(cookie));
	if (found == JA_OK)
		rc = db_session_rotate(ctx->db, ctx->cfg, cookie, ctx->req, &s,
		    rt, sizeof(rt));
	if (rc == JA_OK) {
		event_log("refresh", ctx->req, s.username, s.id, NULL, NULL,
		    NULL, NULL);
		auth_respond(ctx, &s, rt, next, 1);
	} else if (rc == JA_EDB)
		answer_refuse_kind(ctx, OUT_UNAVAILABLE, next);
	else {
		if (found != JA_ENOTFOUND)
			metrics_count(METRIC_REFRESH_REFUSED);
		if (found != JA_ENOTFOUND)
			auth_log_refusal(ctx, "refresh cookie",
			    "unknown, expired, reused or revoked");
		auth_clear_cookies(ctx);
		response_redirect_route(ctx->resp, ctx->cfg, "/login", next);
	}
out:
	sodium_memzero(rt, sizeof(rt));
	sodium_memzero(cookie, sizeof(cookie));
	form_free(&q);
}

void
route_refresh(struct ctx *ctx)
{
	if (ctx->req->method == METHOD_POST)
		refresh_post(ctx);
	else
		refresh_get(ctx);
}
