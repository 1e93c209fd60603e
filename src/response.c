/*
 * response.c: building the response (RFC 3875 §6: a Status header,
 * other headers, a blank line, the body; response_send.c sends it).  Every response says
 * Cache-Control: no-store, since most carry tokens or protected content
 * (RFC 6749 §5.1); HTML adds the headers that keep it from being framed
 * or running script.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "jwtauth.h"

#define RESPONSE_CSP "default-src 'none'; style-src 'self'; " \
	"img-src 'self'; form-action 'self'; frame-ancestors 'none'; " \
	"base-uri 'none'"
/* A page with the passkey buttons: our one script, and its requests. */
#define RESPONSE_CSP_SCRIPT RESPONSE_CSP "; script-src 'self'; " \
	"connect-src 'self'"

void
response_init(struct response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
	resp->file_fd = -1;
	buf_init(&resp->headers);
	buf_init(&resp->body);
}

/* Frees what resp owns; accepts NULL. */
void
response_free(struct response *resp)
{
	if (resp == NULL)
		return;
	buf_free(&resp->headers);
	buf_free(&resp->body);
	if (resp->file_fd >= 0)
		(void)close(resp->file_fd);
	resp->file_fd = -1;
}

/* The longest route URL with a next must fit in one header value. */
_Static_assert(RESPONSE_HEADER_MAX >= 3 * TEXT_PATH_MAX + 1024,
    "a Location with the longest next would not fit");

/*
 * Adds header name with a value from fmt; CR and LF are dropped.  A
 * value longer than RESPONSE_HEADER_MAX is never cut: nothing is added,
 * the headers are marked failed, so that response_send() answers a clean
 * 500, and JA_ETOOBIG is returned.  Returns JA_OK otherwise.
 */
int
response_header(struct response *resp, const char *name, const char *fmt,
    ...)
{
	char	 value[RESPONSE_HEADER_MAX + 1];
	va_list	 ap;
	size_t	 i, o;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(value)) {
		log_msg("response header %s: value over %d bytes refused",
		    name, RESPONSE_HEADER_MAX);
		resp->headers.failed = 1;
		return JA_ETOOBIG;
	}
	for (i = o = 0; value[i] != '\0'; i++)
		if (value[i] != '\r' && value[i] != '\n')
			value[o++] = value[i];
	value[o] = '\0';
	buf_printf(&resp->headers, "%s: %s\r\n", name, value);
	return JA_OK;
}

const char *
response_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return "Unknown";
}

/* Sets a JSON body from obj (the reference is taken) and status. */
void
response_json(struct response *resp, int status, json_t *obj)
{
	char	*s;

	resp->status = status;
	buf_free(&resp->body);
	s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (s == NULL) {
		resp->status = 500;
		buf_puts(&resp->body, "{\"error\":\"server_error\"}");
	} else {
		buf_puts(&resp->body, s);
		if (resp->body.secret)
			sodium_memzero(s, strlen(s));
		free(s);
	}
	response_header(resp, "Content-Type", "application/json");
}

/* Sets an HTML body, taken from page (left empty), and status. */
void
response_html(struct response *resp, int status, struct buf *page)
{
	int	 secret = resp->body.secret || page->secret;

	resp->status = status;
	buf_free(&resp->body);
	resp->body = *page;
	resp->body.secret = secret;
	buf_init(page);
	response_header(resp, "Content-Type", "text/html; charset=utf-8");
	response_header(resp, "Content-Security-Policy", "%s",
	    resp->scripted ? RESPONSE_CSP_SCRIPT : RESPONSE_CSP);
	response_header(resp, "X-Frame-Options", "DENY");
	response_header(resp, "Referrer-Policy", "%s", resp->referrer != NULL ?
	    resp->referrer : "same-origin");
}

/*
 * Sets an error: JSON {"error":code,"error_description":message} for API
 * clients (RFC 6749 §5.2 names), a short HTML page for browsers.
 */
void
response_error(struct response *resp, const struct request *req, int status,
    const char *code, const char *message)
{
	struct buf	 page;

	if (req != NULL && req->html) {
		buf_init(&page);
		html_message(&page, response_reason(status), message);
		response_html(resp, status, &page);
		return;
	}
	response_json(resp, status, json_pack("{s:s, s:s}", "error", code,
	    "error_description", message));
}

/* A 303 See Other to location (a path on this site). */
void
response_redirect(struct response *resp, const char *location)
{
	resp->status = 303;
	buf_free(&resp->body);
	response_header(resp, "Location", "%s", location);
}

/*
 * Appends the URL of our route (e.g. "/login") under base_path to b,
 * with "?next=" and next percent-encoded when next is not NULL.
 */
void
response_route_url(struct buf *b, const struct config *cfg,
    const char *route, const char *next)
{
	buf_puts(b, cfg->base_path);
	buf_puts(b, route);
	if (next != NULL) {
		buf_puts(b, "?next=");
		buf_url(b, next);
	}
}

/* A 303 See Other to our route (and next, may be NULL): see above. */
void
response_redirect_route(struct response *resp, const struct config *cfg,
    const char *route, const char *next)
{
	struct buf	 loc;

	buf_init(&loc);
	response_route_url(&loc, cfg, route, next);
	response_redirect(resp, loc.failed ? "/" : loc.data);
	buf_free(&loc);
}

/*
 * Sets cookie kind to value for max_age seconds, or with max_age
 * COOKIE_SESSION without Max-Age: a browser-session cookie, gone when
 * the browser closes (RFC 6265bis §4.1.2.2); value NULL deletes it.
 * HttpOnly always; Secure over HTTPS; the access cookie SameSite=Lax
 * with Path=/ so that top-level navigation to protected pages carries
 * it, the refresh cookie SameSite=Strict and only under base_path where
 * the routes that read it live (RFC 6265bis §4.1.2).
 */
void
response_cookie(struct response *resp, const struct request *req,
    const struct config *cfg, enum cookie_kind kind, const char *value,
    long max_age)
{
	const char	*path = "/", *samesite = "Lax";

	if (kind == COOKIE_REFRESH) {
		path = cfg->base_path;
		samesite = "Strict";
	}
	if (value == NULL) {
		value = "";
		max_age = 0;
	}
	if (max_age < 0)
		response_header(resp, "Set-Cookie", "%s=%s; Path=%s; "
		    "HttpOnly; SameSite=%s%s", cookie_name(req, kind), value,
		    path, samesite, req->https ? "; Secure" : "");
	else
		response_header(resp, "Set-Cookie", "%s=%s; Path=%s; "
		    "Max-Age=%ld; HttpOnly; SameSite=%s%s", cookie_name(req,
		    kind), value, path, max_age, samesite, req->https ?
		    "; Secure" : "");
}
