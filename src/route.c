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

/* The route of path (len bytes) under base, or NULL. */
static const struct route *
route_find(const char *base, const char *path, size_t len)
{
	size_t	 blen = strcmp(base, "/") == 0 ? 0 : strlen(base), i, rlen;

	if (len < blen || strncmp(path, base, blen) != 0)
		return NULL;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		rlen = strlen(routes[i].path);
		if (len - blen == rlen &&
		    strncmp(path + blen, routes[i].path, rlen) == 0)
			return &routes[i];
	}
	return NULL;
}

/*
 * Calls the handler of the request's path, or answers 404.  The path is
 * SCRIPT_NAME + PATH_INFO (what a server config mount gives); failing
 * that, REDIRECT_URL (the URL before a .htaccess rewrite to the program
 * made SCRIPT_NAME /auth/jwtauth.fcgi), then the path of REQUEST_URI.
 */
void
route_dispatch(struct ctx *ctx)
{
	const struct route	*r;
	const char		*uri = ctx->req->uri;

	r = route_find(ctx->cfg->base_path, ctx->req->path,
	    strlen(ctx->req->path));
	if (r == NULL && ctx->req->redirect_url != NULL)
		r = route_find(ctx->cfg->base_path, ctx->req->redirect_url,
		    strlen(ctx->req->redirect_url));
	if (r == NULL && uri != NULL)
		r = route_find(ctx->cfg->base_path, uri, strcspn(uri, "?"));
	if (r != NULL) {
		r->fn(ctx);
		return;
	}
	response_error(ctx->resp, ctx->req, 404, "not_found",
	    "There is nothing here.");
}
