/*
 * route_me.c: GET BASE/me, the protected route that says who the token
 * belongs to: JSON {"sub","username","sid","exp"}, or for a browser a
 * page with a logout button.  Without a valid token: 401 with a Bearer
 * challenge (RFC 6750 §3; error="invalid_token" when a token was
 * presented, §3.1), or for a browser the way back in (answer.c).
 */
#include "jwtauth.h"

void
route_me(struct ctx *ctx)
{
	struct claims	 c;
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];
	int		 rc;

	if ((rc = auth_request(ctx, &c)) != OUT_OK) {
		answer_refuse_kind(ctx, rc, ctx->req->path);
		return;
	}
	if (answer_is_page(ctx)) {
		if (answer_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
			return;
		buf_init(&page);
		html_me(&page, ctx->cfg, &c, csrf);
		response_html(ctx->resp, 200, &page);
		return;
	}
	response_json(ctx->resp, 200, json_pack("{s:s, s:s, s:s, s:I}",
	    "sub", c.sub, "username", c.username, "sid", c.sid, "exp",
	    (json_int_t)c.exp));
}
