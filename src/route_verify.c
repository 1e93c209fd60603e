/*
 * route_verify.c: the verification link of a sign-up (route_signup.c;
 * on when site_url is set, so that a link mailed before signup was
 * turned off still works; else 404).
 *
 *   GET  BASE/verify?token=T   a page with one button; opening it
 *                              changes nothing (mail scanners follow
 *                              links)
 *   POST BASE/verify           {"token"} (or the button's form): the
 *                              address is verified, the account may
 *                              sign in; 204 (a page for the form)
 *
 * The token (db_signup.c) is bound to one user and the purpose
 * "verify", lives VERIFY_TTL seconds and works once.  Referrer-Policy:
 * strict-origin (RESPONSE_LINK_REFERRER), so that the token of the URL
 * leaves in no Referer.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

#define VERIFY_DEAD	"This link is not valid: it was used or has " \
	"expired. An account not confirmed within a day is deleted: sign " \
	"up again."

/* answer_refuse()'s page (struct again, PAGE): the button again. */
static void
verify_form_page(struct ctx *ctx, int status, const char *msg, void *arg)
{
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	if (answer_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		return;
	buf_init(&page);
	html_verify_form(&page, ctx->cfg, arg, msg, csrf);
	response_html(ctx->resp, status, &page);
}

/* A dead link, for a browser: 400 and a page that says so. */
static void
verify_dead_page(struct ctx *ctx)
{
	struct buf	 page;

	buf_init(&page);
	html_link_dead(&page, ctx->cfg, VERIFY_DEAD, "/login", "Sign in");
	response_html(ctx->resp, 400, &page);
}

/* GET BASE/verify?token=: the button; nothing changes. */
static void
verify_get(struct ctx *ctx)
{
	struct form	 q;
	const char	*token = NULL;
	char		 uid[JA_UUID_LEN + 1], name[JA_NAME_MAX + 1];
	int		 rc = JA_ENOTFOUND;

	memset(&q, 0, sizeof(q));
	answer_kind_set(ctx, ANSWER_HTML);
	if (ctx->req->query != NULL && form_parse(&q, ctx->req->query,
	    strlen(ctx->req->query)) == JA_OK &&
	    (token = form_get(&q, "token")) != NULL)
		rc = db_reset_peek(ctx->db, "verify", token, uid, name);
	if (rc == JA_EDB)
		answer_refuse_kind(ctx, OUT_UNAVAILABLE, NULL);
	else if (rc != JA_OK)
		verify_dead_page(ctx);
	else
		verify_form_page(ctx, 200, NULL, (void *)(uintptr_t)token);
	sodium_memzero(name, sizeof(name));
	form_free(&q);
}

/* POST BASE/verify: the address verified with the token. */
static void
verify_post(struct ctx *ctx)
{
	struct body	 b;
	struct outcome	 o;
	struct again	 a;
	struct buf	 page;
	char		 uid[JA_UUID_LEN + 1], name[JA_NAME_MAX + 1];
	const char	*token;
	int		 bad = 0, rc;

	memset(&a, 0, sizeof(a));
	name[0] = '\0';
	a.kind = AGAIN_PAGE;
	a.page = verify_form_page;
	if (reset_body(ctx, &b, &o) != OUT_OK)
		goto out;
	token = body_get(&b, "token", &bad);
	a.arg = (void *)(uintptr_t)token;
	rc = bad || token == NULL ? JA_ENOTFOUND :
	    db_reset_peek(ctx->db, "verify", token, uid, name);
	if (rc == JA_OK)
		rc = db_signup_verify(ctx->db, token, uid);
	if (rc != JA_OK) {
		outcome_set(&o, rc == JA_EDB ? OUT_UNAVAILABLE : OUT_BAD_LINK);
		goto out;
	}
	db_audit(ctx->db, "email_verified", uid, name, NULL, ctx->req,
	    "sign-up");
	event_log("email_verified", ctx->req, name, NULL, NULL, NULL, NULL,
	    NULL);
	if (!answer_is_page(ctx))
		ctx->resp->status = 204;
	else {
		buf_init(&page);
		html_verify_done(&page, ctx->cfg);
		response_html(ctx->resp, 200, &page);
	}
	outcome_set(&o, OUT_OK);
out:
	if (o.kind == OUT_BAD_LINK && answer_is_page(ctx))
		verify_dead_page(ctx);
	else if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, &a);
	sodium_memzero(name, sizeof(name));
	body_free(&b);
}

/* BASE/verify: GET the button, POST the verification. */
void
route_verify(struct ctx *ctx)
{
	route_link(ctx, ctx->cfg->site_url != NULL, verify_get, verify_post);
}
