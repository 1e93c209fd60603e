/*
 * route_link.c: what the routes of the mailed links' pages share
 * (route_reset.c, route_signup.c, route_verify.c, route_email.c): they
 * answer 404 while what they serve is off, and every answer carries
 * RESPONSE_LINK_REFERRER, as the URL of a page may hold a mailed token.
 */
#include "jwtauth.h"

/*
 * Runs such a route: 404 unless open is non-zero, else post() for a
 * POST (the answer of a form, as the pages post one, unless get is
 * NULL: a POST-only route, whose other methods route.c refuses) or
 * get() for a GET.
 */
void
route_link(struct ctx *ctx, int open, void (*get)(struct ctx *),
    void (*post)(struct ctx *))
{
	if (!open) {
		answer_refuse_kind(ctx, OUT_NOT_FOUND, NULL);
		return;
	}
	ctx->resp->referrer = RESPONSE_LINK_REFERRER;
	if (get == NULL)
		post(ctx);
	else if (ctx->req->method == METHOD_POST) {
		answer_kind_set(ctx, ANSWER_FORM);
		post(ctx);
	} else
		get(ctx);
}
