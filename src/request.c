/*
 * request.c: the request as the web server hands it over (RFC 3875 §4.1
 * meta-variables, FastCGI 1.0 §6.2/§6.3).  Everything is copied out of
 * the environment and bounded before any other code looks at it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "jwtauth.h"

#define REQUEST_HEADER_MAX	8192	/* longest header value we keep */

/* Copies variable name, at most REQUEST_HEADER_MAX bytes, into *dst. */
static int
request_copy(char **dst, const char *name)
{
	const char	*v = io_getenv(name);

	*dst = NULL;
	if (v == NULL)
		return JA_OK;
	if (strnlen(v, REQUEST_HEADER_MAX + 1) > REQUEST_HEADER_MAX)
		return JA_ETOOBIG;
	if ((*dst = strdup(v)) == NULL)
		return JA_ENOMEM;
	return JA_OK;
}

/* The media type of a Content-Type value (RFC 9110 §8.3.1). */
static enum ctype
request_ctype(const char *v)
{
	size_t	 len;

	if (v == NULL || *v == '\0')
		return CTYPE_NONE;
	len = strcspn(v, "; \t");
	if (len == 16 && strncasecmp(v, "application/json", len) == 0)
		return CTYPE_JSON;
	if (len == 33 && strncasecmp(v,
	    "application/x-www-form-urlencoded", len) == 0)
		return CTYPE_FORM;
	return CTYPE_OTHER;
}

/* Returns 1 if the client asks for HTML rather than JSON. */
static int
request_wants_html(const struct request *r)
{
	if (r->ctype == CTYPE_FORM)
		return 1;
	if (r->ctype == CTYPE_JSON || (r->authorization != NULL &&
	    strncasecmp(r->authorization, "Bearer ", 7) == 0))
		return 0;
	return r->accept != NULL && strstr(r->accept, "text/html") != NULL;
}

/*
 * Settles the client kind (enum front in jwtauth.h), once: who asked,
 * and whether the answer is a page.  mod_fcgid (FcgidAccessChecker and
 * friends) and mod_authnz_fcgi name their authorizer roles in
 * FCGI_APACHE_ROLE; lighttpd sets nothing.  A route whose answer has
 * one kind says so later with answer_kind_set().
 */
static void
request_client_kind(struct request *r)
{
	/* An empty form is no body: Caddy's FastCGI client calls every
	 * POST without a Content-Type a form, which would take an API
	 * client's bodiless logout for a browser's (a browser's form
	 * carries at least its CSRF field). */
	if (r->content_length == 0 && r->ctype == CTYPE_FORM)
		r->ctype = CTYPE_NONE;
	r->front = FRONT_RESPONDER;
	if (r->role == ROLE_AUTHORIZER)
		r->front = io_getenv("FCGI_APACHE_ROLE") != NULL ?
		    FRONT_APACHE : FRONT_AUTHORIZER;
	r->html = request_wants_html(r);
}

/*
 * Sets r->uri_path to the path of REQUEST_URI as the web server mapped
 * it (text_path_normalize: escapes of unreserved characters decoded,
 * "//", "." and ".." resolved), so that "/auth/../app/x" is seen as the
 * "/app/x" it is.  A malformed one leaves NULL.  Returns JA_OK or
 * JA_ENOMEM.
 */
static int
request_uri_path(struct request *r)
{
	size_t	 len = strlen(r->uri) + 1;

	if ((r->uri_path = malloc(len)) == NULL)
		return JA_ENOMEM;
	if (text_path_normalize(r->uri, r->uri_path, len) != JA_OK) {
		free(r->uri_path);
		r->uri_path = NULL;
	}
	return JA_OK;
}

/*
 * Fills r from the current request's variables.  Returns JA_OK,
 * JA_ETOOBIG when a header is over REQUEST_HEADER_MAX, JA_EINVAL for a
 * bad Content-Length, or JA_ENOMEM.  Free r with request_free().
 */
int
request_parse(struct request *r)
{
	const char	*v, *script, *info;
	size_t		 len;
	int		 rc;

	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	v = io_getenv("FCGI_ROLE");
	r->role = v != NULL && strcmp(v, "AUTHORIZER") == 0 ?
	    ROLE_AUTHORIZER : ROLE_RESPONDER;
	v = io_getenv("REQUEST_METHOD");
	if (v == NULL || strcmp(v, "GET") == 0)
		r->method = METHOD_GET;
	else if (strcmp(v, "HEAD") == 0)
		r->method = METHOD_HEAD;
	else if (strcmp(v, "POST") == 0)
		r->method = METHOD_POST;
	else
		r->method = METHOD_OTHER;

	script = io_getenv("SCRIPT_NAME");
	info = io_getenv("PATH_INFO");
	if (script == NULL)
		script = "";
	if (info == NULL)
		info = "";
	len = strlen(script) + strlen(info);
	if (len > REQUEST_HEADER_MAX)
		return JA_ETOOBIG;
	if ((r->path = malloc(len + 1)) == NULL)
		return JA_ENOMEM;
	strcpy(r->path, script);
	strcat(r->path, info);

	if ((rc = request_copy(&r->query, "QUERY_STRING")) ||
	    (rc = request_copy(&r->host, "HTTP_HOST")) ||
	    (rc = request_copy(&r->origin, "HTTP_ORIGIN")) ||
	    (rc = request_copy(&r->referer, "HTTP_REFERER")) ||
	    (rc = request_copy(&r->user_agent, "HTTP_USER_AGENT")) ||
	    (rc = request_copy(&r->remote_addr, "REMOTE_ADDR")) ||
	    (rc = request_copy(&r->forwarded_for, "HTTP_X_FORWARDED_FOR")) ||
	    (rc = request_copy(&r->authorization, "HTTP_AUTHORIZATION")) ||
	    (rc = request_copy(&r->cookies, "HTTP_COOKIE")) ||
	    (rc = request_copy(&r->accept, "HTTP_ACCEPT")) ||
	    (rc = request_copy(&r->uri, "REQUEST_URI")) ||
	    (rc = request_copy(&r->redirect_url, "REDIRECT_URL")) ||
	    (rc = request_copy(&r->redirect_status, "REDIRECT_STATUS")) ||
	    (rc = request_copy(&r->fetch_site, "HTTP_SEC_FETCH_SITE")))
		return rc;
	if (r->uri != NULL && (rc = request_uri_path(r)) != JA_OK)
		return rc;
	v = io_getenv("HTTPS");
	r->https = v != NULL && strcasecmp(v, "on") == 0;
	v = io_getenv("REQUEST_SCHEME");
	if (v != NULL && strcmp(v, "https") == 0)
		r->https = 1;
	r->ctype = request_ctype(io_getenv("CONTENT_TYPE"));
	v = io_getenv("CONTENT_LENGTH");
	if (v != NULL && *v != '\0') {
		rc = text_parse_long(v, 0, 0x7fffffff, &r->content_length);
		if (rc == JA_ETOOBIG)
			r->content_length = 0x7fffffff;
		else if (rc != JA_OK || *v == '-' || *v == '+')
			return JA_EINVAL;
	}
	request_client_kind(r);
	return JA_OK;
}

/*
 * Reads the body into r->body (NUL-terminated, length r->bodylen).
 * Returns JA_ETOOBIG without reading when Content-Length is over max
 * (RFC 9110 §15.5.14), JA_EINVAL when the body is shorter than
 * announced, JA_ENOMEM, or JA_OK (an absent body is empty).
 */
int
request_read_body(struct request *r, long max)
{
	size_t	 want, got = 0, n;

	if (r->body != NULL)
		return JA_OK;
	if (r->content_length > max)
		return JA_ETOOBIG;
	want = r->content_length > 0 ? (size_t)r->content_length : 0;
	if ((r->body = malloc(want + 1)) == NULL)
		return JA_ENOMEM;
	while (got < want) {
		if ((n = io_read(r->body + got, want - got)) == 0)
			break;
		got += n;
	}
	r->body[got] = '\0';
	r->bodylen = got;
	return got == want ? JA_OK : JA_EINVAL;
}

/*
 * Returns 1 if path (normalised, up to any query) is base or under it;
 * NULL (a path that could not be normalised) is under nothing.
 */
static int
request_under(const char *path, const char *base)
{
	size_t	 len = strlen(base);

	if (path == NULL)
		return 0;
	return strcmp(base, "/") == 0 || (strncmp(path, base, len) == 0 &&
	    (path[len] == '/' || path[len] == '?' || path[len] == '\0'));
}

/*
 * The page the user asked for when this request stands in for it,
 * appended to b: the protected URI in the authorizer role, or, when the
 * web server shows us as the ErrorDocument of a 401 (Apache sets
 * REDIRECT_STATUS=401), the URI of the client's request, REQUEST_URI,
 * which internal redirects (ErrorDocument, a .htaccess rewrite to the
 * program) leave as it was.  Both decisions are made on the normalised
 * path (r->uri_path), as the web server mapped it; the page appended is
 * that path and the query as sent.  Returns 1, or 0 when the request is
 * just for one of our routes (under base).
 */
int
request_target(const struct request *r, const char *base, struct buf *b)
{
	const char	*query;

	if (r->uri == NULL)
		return 0;
	if (r->role == ROLE_AUTHORIZER || (r->redirect_status != NULL &&
	    strcmp(r->redirect_status, "401") == 0 &&
	    !request_under(r->uri_path, base))) {
		if (r->uri_path == NULL) {
			buf_puts(b, r->uri);
			return 1;
		}
		buf_puts(b, r->uri_path);
		if ((query = strchr(r->uri, '?')) != NULL)
			buf_puts(b, query);
		return 1;
	}
	return 0;
}

/* Frees s, a copy that may hold a token or password, wiped first. */
static void
request_wipe(char *s)
{
	if (s != NULL)
		sodium_memzero(s, strlen(s));
	free(s);
}

/*
 * Frees what r owns, wiping the copies that may hold secrets (body,
 * Authorization, Cookie); accepts NULL.
 */
void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	free(r->path);
	free(r->query);
	free(r->host);
	free(r->origin);
	free(r->referer);
	free(r->user_agent);
	free(r->remote_addr);
	free(r->forwarded_for);
	request_wipe(r->authorization);
	request_wipe(r->cookies);
	free(r->accept);
	free(r->uri);
	free(r->uri_path);
	free(r->redirect_url);
	free(r->redirect_status);
	free(r->fetch_site);
	if (r->body != NULL)
		sodium_memzero(r->body, r->bodylen);
	free(r->body);
	memset(r, 0, sizeof(*r));
}
