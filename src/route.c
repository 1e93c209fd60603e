/*
 * route.c: which handler answers a request.  The routes live under the
 * configured base_path.  Each route declares its methods here; any
 * other gets 405 before a handler runs, so handlers only tell apart the
 * methods they take.  A route whose answer is always a page, or always
 * JSON, whatever the client asked for, declares that here too (the
 * client kind, answer.c): its refusals are spelled for that kind.
 */
#include <string.h>

#include "jwtauth.h"

#define ROUTE_GET	0x1
#define ROUTE_HEAD	0x2
#define ROUTE_POST	0x4
#define ROUTE_READ	(ROUTE_GET | ROUTE_HEAD)

#define ASKED	(-1)		/* the kind the client asked for */
#define PAGE	ANSWER_HTML
#define JSON	ANSWER_JSON
#define FORM	ANSWER_FORM	/* a page for a form post, else JSON */
#define CHECK	ANSWER_SUBREQUEST	/* a web server's subrequest */

struct route {
	const char	*path;
	void		(*fn)(struct ctx *);
	unsigned int	 allow;		/* ROUTE_* methods */
	int		 answer;	/* ASKED, PAGE, JSON, FORM or CHECK */
};

static void
route_style(struct ctx *ctx)
{
	buf_puts(&ctx->resp->body, html_stylesheet());
	response_header(ctx->resp, "Content-Type", "text/css; charset=utf-8");
}

static void
route_favicon(struct ctx *ctx)
{
	buf_puts(&ctx->resp->body, html_favicon_svg());
	response_header(ctx->resp, "Content-Type", "image/svg+xml");
	ctx->resp->cache_control = "public, max-age=86400";
}

/* The pages' one script (src/passkey.js), cached as the favicon is. */
static void
route_script(struct ctx *ctx)
{
	buf_puts(&ctx->resp->body, passkey_js);
	response_header(ctx->resp, "Content-Type",
	    "text/javascript; charset=utf-8");
	ctx->resp->cache_control = "public, max-age=86400";
}

static const struct route routes[] = {
	{ "/login", route_login, ROUTE_READ | ROUTE_POST, ASKED },
	{ "/refresh", route_refresh, ROUTE_GET | ROUTE_POST, ASKED },
	{ "/logout", route_logout, ROUTE_READ | ROUTE_POST, ASKED },
	{ "/me", route_me, ROUTE_READ, ASKED },
	{ "/password", route_password, ROUTE_READ | ROUTE_POST, ASKED },
	{ "/sessions", route_sessions, ROUTE_READ, ASKED },
	{ "/account", route_account, ROUTE_READ, PAGE },
	{ "/2fa/setup", route_2fa_setup, ROUTE_POST, FORM },
	{ "/2fa/enable", route_2fa_enable, ROUTE_POST, FORM },
	{ "/2fa/disable", route_2fa_disable, ROUTE_POST, FORM },
	{ "/passkey/register/options", route_passkey_ropt, ROUTE_POST, JSON },
	{ "/passkey/register", route_passkey_reg, ROUTE_POST, JSON },
	{ "/passkey/remove", route_passkey_rm, ROUTE_POST, FORM },
	{ "/passkey/login/options", route_passkey_lopt, ROUTE_POST, JSON },
	{ "/passkey/login", route_passkey_login, ROUTE_POST, JSON },
	{ "/passkeys", route_passkeys, ROUTE_READ, JSON },
	{ "/passkey/rename", route_passkey_rename, ROUTE_POST, JSON },
	{ "/reset", route_reset, ROUTE_READ | ROUTE_POST, ASKED },
	{ "/reset/confirm", route_reset_confirm, ROUTE_POST, FORM },
	{ "/signup", route_signup, ROUTE_READ | ROUTE_POST, ASKED },
	{ "/verify", route_verify, ROUTE_READ | ROUTE_POST, ASKED },
	{ "/email", route_email, ROUTE_POST, FORM },
	{ "/email/confirm", route_email_confirm, ROUTE_READ | ROUTE_POST,
	    ASKED },
	{ "/sessions/", route_session_end, ROUTE_POST, FORM },	/* ID/end */
	{ "/check", route_check, ROUTE_READ, CHECK },
	{ "/health", route_health, ROUTE_READ, JSON },
	{ "/jwks.json", route_jwks, ROUTE_READ, JSON },
	{ "/metrics", route_metrics, ROUTE_READ, ASKED },
	{ "/style.css", route_style, ROUTE_READ, ASKED },
	{ "/favicon.svg", route_favicon, ROUTE_READ, ASKED },
	{ "/passkey.js", route_script, ROUTE_READ, ASKED },
};

/* Returns 1 if route r takes method m. */
static int
route_allows(const struct route *r, enum method m)
{
	return (m == METHOD_GET && (r->allow & ROUTE_GET)) ||
	    (m == METHOD_HEAD && (r->allow & ROUTE_HEAD)) ||
	    (m == METHOD_POST && (r->allow & ROUTE_POST));
}

/* 405 with the Allow header of route r (RFC 9110 §15.5.6). */
static void
route_method_not_allowed(struct ctx *ctx, const struct route *r)
{
	static const struct {
		unsigned int	 bit;
		const char	*name;
	} names[] = {
		{ ROUTE_GET, "GET" }, { ROUTE_HEAD, "HEAD" },
		{ ROUTE_POST, "POST" },
	};
	struct buf	 allow;
	size_t		 i;

	buf_init(&allow);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(r->allow & names[i].bit))
			continue;
		if (allow.len > 0)
			buf_puts(&allow, ", ");
		buf_puts(&allow, names[i].name);
	}
	response_error(ctx->resp, ctx->req, 405, "invalid_request",
	    "This method is not allowed here.");
	response_header(ctx->resp, "Allow", "%s", allow.failed ||
	    allow.data == NULL ? "" : allow.data);
	buf_free(&allow);
}

/*
 * The route of path (len bytes) under base, or NULL.  A route whose path
 * ends in "/" takes every longer path below it: *rest gets what follows
 * (for the handler to check), else "".
 */
static const struct route *
route_find(const char *base, const char *path, size_t len,
    const char **rest)
{
	size_t	 blen = strcmp(base, "/") == 0 ? 0 : strlen(base), i, rlen;

	*rest = "";
	if (len < blen || strncmp(path, base, blen) != 0)
		return NULL;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		rlen = strlen(routes[i].path);
		if (len - blen == rlen &&
		    strncmp(path + blen, routes[i].path, rlen) == 0)
			return &routes[i];
		if (routes[i].path[rlen - 1] == '/' && len - blen > rlen &&
		    strncmp(path + blen, routes[i].path, rlen) == 0) {
			*rest = path + blen + rlen;
			return &routes[i];
		}
	}
	return NULL;
}

/*
 * Calls the handler of the request's path, or answers 404.  The path is
 * SCRIPT_NAME + PATH_INFO (what a server config mount gives); failing
 * that, REDIRECT_URL (the URL before a .htaccess rewrite to the program
 * made SCRIPT_NAME /auth/jwtauth.fcgi), both decoded and normalised by
 * the web server; then the path of REQUEST_URI, normalised by us
 * (request.c), never the raw one.  A request for no route whose
 * REQUEST_URI lies under gate_path goes to the gatekeeper (gate.c).
 */
void
route_dispatch(struct ctx *ctx)
{
	const struct route	*r;
	const char		*uri = ctx->req->uri_path;

	r = route_find(ctx->cfg->base_path, ctx->req->path,
	    strlen(ctx->req->path), &ctx->route_rest);
	if (r == NULL && ctx->req->redirect_url != NULL)
		r = route_find(ctx->cfg->base_path, ctx->req->redirect_url,
		    strlen(ctx->req->redirect_url), &ctx->route_rest);
	if (r == NULL && uri != NULL)
		r = route_find(ctx->cfg->base_path, uri, strlen(uri),
		    &ctx->route_rest);
	if (r != NULL && !route_allows(r, ctx->req->method))
		route_method_not_allowed(ctx, r);
	else if (r != NULL) {
		if (r->answer != ASKED)
			answer_kind_set(ctx, (enum answer_kind)r->answer);
		r->fn(ctx);
	}
	else if (gate_wants(ctx))
		gate_serve(ctx);
	else
		response_error(ctx->resp, ctx->req, 404, "not_found",
		    "There is nothing here.");
}
