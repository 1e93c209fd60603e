/*
 * mod_jwtauth_io.c: io.c's interface inside Apache, for the module
 * (mod_jwtauth.c).  The shared code reads the request as the web server
 * hands it to a FastCGI authorizer, by the meta-variables of RFC 3875
 * §4.1 (request.c, through io_getenv); here they are read from the
 * request_rec that modio_begin() made current, as mod_fcgid's access
 * checker would have sent them (FCGI_ROLE=AUTHORIZER,
 * FCGI_APACHE_ROLE=ACCESS_CHECKER), so that the same code settles the
 * same client kind and the same refusals.  The module never reads a
 * body or writes an answer through this layer: Apache does both.
 *
 * Not thread-safe by itself: the current request is one per process,
 * set and used under the module's lock (mod_jwtauth.c).
 */
#include <string.h>
#include <strings.h>

#include "httpd.h"
#include "http_protocol.h"
#include "apr_strings.h"

#include "jwtauth.h"
#include "mod_jwtauth.h"

static request_rec	*modio_req;	/* the request being checked */

/* Makes r the request that io_getenv() reads, until modio_end(). */
void
modio_begin(request_rec *r)
{
	modio_req = r;
}

/* No request is current any more. */
void
modio_end(void)
{
	modio_req = NULL;
}

/*
 * REQUEST_URI as Apache's CGI variables have it (util_script.c's
 * original_uri): the target of the request line, which internal
 * redirects and subrequests leave as the client sent it.  Allocated
 * from r's pool; NULL when the request line has none.
 */
static const char *
modio_request_uri(request_rec *r)
{
	const char	*first, *last;

	if (r->the_request == NULL)
		return r->unparsed_uri;
	first = r->the_request;
	while (*first != '\0' && *first != ' ')
		first++;
	while (*first == ' ')
		first++;
	last = first;
	while (*last != '\0' && *last != ' ')
		last++;
	if (last == first)
		return r->unparsed_uri;
	return apr_pstrmemdup(r->pool, first, (apr_size_t)(last - first));
}

/*
 * The request header of the meta-variable name "HTTP_X_Y" (RFC 3875
 * §4.1.18): "X-Y", looked up without regard to case.  A header whose
 * name has a "_" is not found, as Apache's CGI variables drop those.
 */
static const char *
modio_header(request_rec *r, const char *name)
{
	char	 field[128];
	size_t	 i;

	for (i = 0; name[i] != '\0' && i + 1 < sizeof(field); i++)
		field[i] = name[i] == '_' ? '-' : name[i];
	if (name[i] != '\0')
		return NULL;
	field[i] = '\0';
	return apr_table_get(r->headers_in, field);
}

/*
 * The current request's meta-variable name, or NULL: the variables that
 * request.c and authz.c ask for, valid until the request ends.
 */
const char *
io_getenv(const char *name)
{
	request_rec	*r = modio_req;

	if (r == NULL)
		return NULL;
	if (strncmp(name, "HTTP_", 5) == 0)
		return modio_header(r, name + 5);
	if (strcmp(name, "FCGI_ROLE") == 0)
		return "AUTHORIZER";
	if (strcmp(name, "FCGI_APACHE_ROLE") == 0)
		return "ACCESS_CHECKER";
	if (strcmp(name, "REQUEST_METHOD") == 0)
		return r->method;
	if (strcmp(name, "REQUEST_URI") == 0)
		return modio_request_uri(r);
	if (strcmp(name, "QUERY_STRING") == 0)
		return r->args != NULL ? r->args : "";
	if (strcmp(name, "REMOTE_ADDR") == 0)
		return r->useragent_ip;
	if (strcmp(name, "REQUEST_SCHEME") == 0)
		return ap_http_scheme(r);
	if (strcmp(name, "SCRIPT_FILENAME") == 0)
		return r->filename;
	if (strcmp(name, "CONTENT_TYPE") == 0)
		return apr_table_get(r->headers_in, "Content-Type");
	if (strcmp(name, "CONTENT_LENGTH") == 0)
		return apr_table_get(r->headers_in, "Content-Length");
	return NULL;
}

/* Not plain CGI: the caches live as long as the Apache child. */
int
io_is_cgi(void)
{
	return 0;
}

/* The module reads no body: Apache keeps it for the handler. */
size_t
io_read(void *buf, size_t len)
{
	(void)buf;
	(void)len;
	return 0;
}

/* The module writes no answer: Apache sends the status it returns. */
int
io_write(const void *buf, size_t len)
{
	(void)buf;
	(void)len;
	return -1;
}

/* Nothing to finish: the answer is Apache's. */
void
io_finish(void)
{
}

/* No SIGHUP of ours inside Apache: the files' changes reload (reload.c). */
unsigned long
daemon_hups(void)
{
	return 0;
}
