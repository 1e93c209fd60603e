/*
 * gatepath.c: which file a gatekeeper request names (gate.c), and what
 * it is.  Pure functions: no file system, no request.  The URL path is
 * the client's, so it is decoded here exactly once (RFC 3986 §2.1) and
 * refused rather than repaired when anything in it could lead out of the
 * protected directory or to a file that is not content: a "." or ".."
 * segment, any segment starting with "." (.htaccess, .git, dot files),
 * an empty segment, an encoded "/" or "\" (RFC 3986 §7.3: a "/" that was
 * data must not become a delimiter), a backslash, NUL or any control
 * byte.  Nothing is resolved: a refused path is a 404, never another
 * file.
 */
#include <string.h>
#include <strings.h>

#include "jwtauth.h"

/*
 * Decodes the path of the request-target uri (up to "?") once and
 * checks it lies under the URL prefix (no trailing "/"); writes into rel
 * (rellen bytes) the rest, relative to the protected directory, without
 * leading or trailing "/" ("" for the directory itself), and sets *slash
 * when the path ended with "/" (a directory asked for properly).
 * Returns JA_OK, JA_ENOTFOUND when the path is not under prefix (as
 * far as it could be decoded), JA_EINVAL when it is refused (see
 * above), JA_ETOOBIG when it is over TEXT_PATH_MAX or rel is too small.
 */
int
gatepath_resolve(const char *uri, const char *prefix, char *rel,
    size_t rellen, int *slash)
{
	char	 path[TEXT_PATH_MAX + 1];
	size_t	 r, w, plen, seg;
	int	 hi, lo, c, rc = JA_OK;

	*slash = 0;
	if (uri == NULL || uri[0] != '/' || rellen == 0)
		return JA_EINVAL;
	for (r = w = 0; rc == JA_OK && uri[r] != '\0' && uri[r] != '?';
	    w++) {
		if (w >= TEXT_PATH_MAX) {
			rc = JA_ETOOBIG;
			break;
		}
		c = (unsigned char)uri[r++];
		if (c == '%') {
			if ((hi = text_hex(uri[r])) < 0 ||
			    (lo = text_hex(uri[r + 1])) < 0) {
				rc = JA_EINVAL;
				break;
			}
			r += 2;
			c = hi * 16 + lo;
			if (c == '/')
				rc = JA_EINVAL;
		}
		if (c < 0x20 || c == 0x7f || c == '\\' || c == '#')
			rc = JA_EINVAL;
		path[w] = (char)c;
	}
	path[w] = '\0';

	/* Not under prefix, as far as it could be decoded: not ours. */
	plen = strlen(prefix);
	if (strncmp(path, prefix, w < plen ? w : plen) != 0 ||
	    (w > plen && path[plen] != '/') ||
	    (rc == JA_OK && w < plen))
		return JA_ENOTFOUND;
	if (rc != JA_OK)
		return rc;
	/* Each "/seg": not empty (but for a final "/"), no leading ".". */
	for (r = plen; path[r] == '/'; r++) {
		seg = r + 1;
		if (path[seg] == '\0') {
			*slash = 1;
			break;
		}
		if (path[seg] == '/' || path[seg] == '.')
			return JA_EINVAL;
		r = seg + strcspn(path + seg, "/") - 1;
	}
	w = strlen(path + plen);
	if (w > 0)
		w--;			/* the leading "/" */
	if (*slash && w > 0)
		w--;			/* the trailing "/" */
	if (w >= rellen)
		return JA_ETOOBIG;
	memcpy(rel, path + plen + (path[plen] == '/'), w);
	rel[w] = '\0';
	return JA_OK;
}

/*
 * Extensions of programs and server-side sources: a web server would
 * run them (Apache matches a handler's extension anywhere in the name,
 * "x.php.txt" too), the gatekeeper cannot, and must not send their
 * source instead.
 */
static const char *const gatepath_scripts[] = {
	"php", "php3", "php4", "php5", "php7", "php8", "pht", "phtml",
	"phar", "phps", "inc", "cgi", "fcgi", "pl", "pm", "py", "rb", "sh",
	"asp", "aspx", "jsp", "shtml", "lua", NULL
};

/* The last segment of rel (rel itself if it has no "/"). */
static const char *
gatepath_base(const char *rel)
{
	const char	*p = strrchr(rel, '/');

	return p != NULL ? p + 1 : rel;
}

/*
 * Returns 1 when any extension of the file name that ends rel (every
 * "."-separated part after the first) is one of a script, 0 otherwise.
 */
int
gatepath_is_script(const char *rel)
{
	const char	*p = gatepath_base(rel), *e;
	size_t		 len, i;

	while ((p = strchr(p, '.')) != NULL) {
		e = ++p;
		len = strcspn(e, ".");
		for (i = 0; gatepath_scripts[i] != NULL; i++)
			if (strlen(gatepath_scripts[i]) == len &&
			    strncasecmp(e, gatepath_scripts[i], len) == 0)
				return 1;
	}
	return 0;
}

static const struct {
	const char	*ext;
	const char	*type;
} gatepath_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },	/* RFC 9239 */
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "xml", "text/xml; charset=utf-8" },
	{ "json", "application/json" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "avif", "image/avif" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "pdf", "application/pdf" },
	{ "zip", "application/zip" },
	{ "gz", "application/gzip" },
	{ "wasm", "application/wasm" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "mp3", "audio/mpeg" },
	{ "ogg", "audio/ogg" },
	{ "mp4", "video/mp4" },
	{ "webm", "video/webm" },
};

/*
 * The Content-Type of the file that ends rel, from its last extension
 * (case-insensitive); text types say charset=utf-8.  Unknown, or no
 * extension: application/octet-stream, which browsers download rather
 * than render (with X-Content-Type-Options: nosniff, RFC 9110 §8.3).
 */
const char *
gatepath_type(const char *rel)
{
	const char	*dot = strrchr(gatepath_base(rel), '.');
	size_t		 i;

	if (dot != NULL)
		for (i = 0; i < sizeof(gatepath_types) /
		    sizeof(gatepath_types[0]); i++)
			if (strcasecmp(dot + 1, gatepath_types[i].ext) == 0)
				return gatepath_types[i].type;
	return "application/octet-stream";
}
