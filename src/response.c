/*
 * response.c: building and sending the response (RFC 3875 §6: a Status
 * header, other headers, a blank line, the body).  Every response says
 * Cache-Control: no-store, since most carry tokens or protected content
 * (RFC 6749 §5.1); HTML adds the headers that keep it from being framed
 * or running script.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "jwtauth.h"

#define RESPONSE_CSP "default-src 'none'; style-src 'self'; " \
	"img-src 'self'; form-action 'self'; frame-ancestors 'none'; " \
	"base-uri 'none'"

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
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
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
	response_header(resp, "Content-Security-Policy", RESPONSE_CSP);
	response_header(resp, "X-Frame-Options", "DENY");
	response_header(resp, "Referrer-Policy", "same-origin");
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
 * Sets cookie kind to value for max_age seconds; value NULL deletes it.
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
	response_header(resp, "Set-Cookie", "%s=%s; Path=%s; Max-Age=%ld; "
	    "HttpOnly; SameSite=%s%s", cookie_name(req, kind), value, path,
	    max_age, samesite, req->https ? "; Secure" : "");
}

/*
 * Writes file_len bytes of resp's file from file_off, in chunks (the
 * gatekeeper's files may be large).  Returns JA_OK or JA_EIO (a read
 * error, the file shrank, or the client is gone).
 */
static int
response_send_file(const struct response *resp)
{
	char		 chunk[65536];
	int64_t		 off = resp->file_off, left = resp->file_len;
	ssize_t		 n;

	while (left > 0) {
		n = pread(resp->file_fd, chunk, left < (int64_t)sizeof(chunk) ?
		    (size_t)left : sizeof(chunk), (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_msg("a file being served could not be read: %s",
			    n < 0 ? strerror(errno) : "it shrank");
			return JA_EIO;
		}
		if (io_write(chunk, (size_t)n) != 0)
			return JA_EIO;
		off += n;
		left -= n;
	}
	return JA_OK;
}

/*
 * Writes resp (the body only if method is not HEAD); a bare response is
 * its Status and the headers set, without the defaults and the body.
 * The body is resp's file when it has one (file_fd), else its buffer.
 * A 304 has no Content-Length (RFC 9110 §8.6: it would have to be that
 * of the 200).  Returns JA_OK, or JA_EIO when the client is gone or
 * memory ran out building it.
 */
int
response_send(struct response *resp, enum method method)
{
	struct buf	 head;
	int64_t		 len;
	int		 rc = JA_OK;

	if (resp->sent)
		return JA_OK;
	resp->sent = 1;
	if (resp->headers.failed || resp->body.failed) {
		buf_free(&resp->headers);
		buf_free(&resp->body);
		if (resp->file_fd >= 0)
			(void)close(resp->file_fd);
		resp->file_fd = -1;
		resp->status = 500;
		buf_puts(&resp->body, "{\"error\":\"server_error\"}");
		response_header(resp, "Content-Type", "application/json");
	}
	len = resp->file_fd >= 0 ? resp->file_len : (int64_t)resp->body.len;
	buf_init(&head);
	buf_printf(&head, "Status: %d %s\r\n", resp->status,
	    response_reason(resp->status));
	/* Bare (an authorizer's refusal under mod_fcgid): the status and
	 * our own headers only, no body. */
	if (!resp->bare) {
		buf_printf(&head, "Cache-Control: %s\r\n",
		    resp->cache_control != NULL ? resp->cache_control :
		    "no-store");
		buf_puts(&head, "X-Content-Type-Options: nosniff\r\n");
	}
	if (resp->headers.len > 0)
		buf_append(&head, resp->headers.data, resp->headers.len);
	if (resp->bare || resp->status == 304)
		buf_puts(&head, "\r\n");
	else
		buf_printf(&head, "Content-Length: %lld\r\n\r\n",
		    (long long)len);
	if (head.failed || io_write(head.data, head.len) != 0)
		rc = JA_EIO;
	else if (resp->bare || method == METHOD_HEAD || resp->status == 304)
		;
	else if (resp->file_fd >= 0)
		rc = response_send_file(resp);
	else if (resp->body.len > 0 &&
	    io_write(resp->body.data, resp->body.len) != 0)
		rc = JA_EIO;
	buf_free(&head);
	return rc;
}
