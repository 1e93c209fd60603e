/*
 * route.c: which handler answers a request.  The routes live under the
 * configured base_path; each handler checks its own methods.
 */
#include <string.h>

#include "jwtauth.h"

struct route {
	const char	*path;
	void		(*fn)(struct ctx *);
};

static void
route_style(struct ctx *ctx)
{
	if (ctx->req->method != METHOD_GET &&
	    ctx->req->method != METHOD_HEAD) {
		route_method_not_allowed(ctx, "GET, HEAD");
		return;
	}
	buf_puts(&ctx->resp->body, html_stylesheet());
	response_header(ctx->resp, "Content-Type", "text/css; charset=utf-8");
}

static const struct route routes[] = {
	{ "/login", route_login },
	{ "/refresh", route_refresh },
	{ "/logout", route_logout },
	{ "/me", route_me },
	{ "/password", route_password },
	{ "/sessions", route_sessions },
	{ "/health", route_health },
	{ "/style.css", route_style },
};

/* 405 with the Allow header (RFC 9110 §15.5.6). */
void
route_method_not_allowed(struct ctx *ctx, const char *allow)
{
	response_error(ctx->resp, ctx->req, 405, "invalid_request",
	    "This method is not allowed here.");
	response_header(ctx->resp, "Allow", "%s", allow);
}

/* Calls the handler of the request's path, or answers 404. */
void
route_dispatch(struct ctx *ctx)
{
	const char	*path = ctx->req->path;
	size_t		 blen = strlen(ctx->cfg->base_path), i;

	if (strcmp(ctx->cfg->base_path, "/") == 0)
		blen = 0;
	if (strncmp(path, ctx->cfg->base_path, blen) == 0) {
		for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
			if (strcmp(path + blen, routes[i].path) == 0) {
				routes[i].fn(ctx);
				return;
			}
		}
	}
	response_error(ctx->resp, ctx->req, 404, "not_found",
	    "There is nothing here.");
}
