/*
 * gate.c: the gatekeeper, for hosts where the web server cannot ask an
 * authorizer (plain CGI only, mod_rewrite, no FcgidAccessChecker).  The
 * protected directory's .htaccess rewrites every request below it to
 * this program (apache/shared-hosting/gate.htaccess); the request keeps
 * its REQUEST_URI, which, under gate_path, lands here.  The session is
 * checked exactly as the authorizer checks it (authz_decide: the same
 * token verification, revocation check and refusal), then the file is
 * served from gate_root: GET and HEAD, the validators and conditional
 * requests of RFC 9110 §8.8 and §13, single byte ranges (§14).
 *
 * The URL path is the client's; the directory is the config's, never a
 * value from the request.  gatepath.c decodes the path once and refuses
 * dot segments, dot files, encoded slashes; here each segment is opened
 * relative to its parent with O_NOFOLLOW, so no symlink, in the path or
 * at its end, is followed out (or in).  Only regular files are served;
 * a directory serves its index.html, never a listing.  Scripts (PHP,
 * CGI) are refused: they would be sent as source.
 *
 * ETag: strong, from the size and the modification time in nanoseconds
 * (§8.8.3), so that If-Range and ranges can rely on it; weak ("W/")
 * while the file changed less than a second ago, when it may still be
 * being written without its time changing (§8.8.1, as Apache does).
 * Cache-Control stays no-store (response.c): protected content must not
 * stay in a cache after logout; the validators still let a client that
 * keeps its copy revalidate through the gate.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "jwtauth.h"

#define GATE_INDEX	"index.html"

/*
 * Returns 1 when the gatekeeper is configured and REQUEST_URI lies
 * under gate_path (decoded), so that the request is its to answer.
 */
int
gate_wants(const struct ctx *ctx)
{
	char	 rel[TEXT_PATH_MAX + 1];
	int	 slash, rc;

	if (ctx->cfg->gate_path == NULL || ctx->req->uri == NULL)
		return 0;
	rc = gatepath_resolve(ctx->req->uri, ctx->cfg->gate_path, rel,
	    sizeof(rel), &slash);
	return rc != JA_ENOTFOUND;
}

/*
 * Opens rel ("a/b/c", "" for the root) under the directory root, one
 * segment at a time relative to the last, none a symlink (O_NOFOLLOW),
 * and fstat()s it into st.  Returns the descriptor, or -1 (any error:
 * missing, a symlink, not a directory on the way, no permission).
 */
static int
gate_open(const char *root, const char *rel, struct stat *st)
{
	char		 seg[TEXT_PATH_MAX + 1];
	const char	*p = rel;
	size_t		 len;
	int		 dfd, fd;

	dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	while (*p != '\0') {
		len = strcspn(p, "/");
		if (len >= sizeof(seg)) {
			(void)close(dfd);
			return -1;
		}
		memcpy(seg, p, len);
		seg[len] = '\0';
		p += len;
		if (*p == '/')
			p++;
		/* O_NONBLOCK: opening a FIFO must not hang us. */
		fd = openat(dfd, seg, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NONBLOCK | (*p != '\0' ? O_DIRECTORY : 0));
		(void)close(dfd);
		if (fd < 0)
			return -1;
		dfd = fd;
	}
	if (fstat(dfd, st) != 0) {
		(void)close(dfd);
		return -1;
	}
	return dfd;
}

/* A 404 that says no more whatever the reason (missing, refused). */
static void
gate_not_found(struct ctx *ctx)
{
	response_error(ctx->resp, ctx->req, 404, "not_found",
	    "There is nothing here.");
}

/*
 * The validators of st: the ETag (quotes included) into etag, whether
 * it is weak, and the Last-Modified date into lastmod.
 */
static int
gate_validators(const struct ctx *ctx, const struct stat *st, char *etag,
    size_t etaglen, char *lastmod, size_t lastmodlen)
{
	snprintf(etag, etaglen, "\"%llx-%llx.%lx\"",
	    (unsigned long long)st->st_size,
	    (unsigned long long)st->st_mtim.tv_sec,
	    (unsigned long)st->st_mtim.tv_nsec);
	precond_date_format(st->st_mtim.tv_sec, lastmod, lastmodlen);
	return ctx->now - st->st_mtim.tv_sec < 1;
}

/*
 * The preconditions in the order of RFC 9110 §13.2.2, for GET and HEAD:
 * returns 412 (If-Match, else If-Unmodified-Since, failed), 304
 * (If-None-Match matched, else If-Modified-Since not passed), or 200 to
 * go on.  An invalid date makes its header ignored (§13.1.3, §13.1.4).
 */
static int
gate_preconditions(const struct stat *st, const char *etag, int weak)
{
	const char	*v;
	time_t		 t;

	if ((v = io_getenv("HTTP_IF_MATCH")) != NULL) {
		if (!precond_etag_match(v, etag, weak, 1))
			return 412;
	} else if ((v = io_getenv("HTTP_IF_UNMODIFIED_SINCE")) != NULL &&
	    precond_date_parse(v, &t) == JA_OK && st->st_mtim.tv_sec > t)
		return 412;
	if ((v = io_getenv("HTTP_IF_NONE_MATCH")) != NULL) {
		if (precond_etag_match(v, etag, weak, 0))
			return 304;
	} else if ((v = io_getenv("HTTP_IF_MODIFIED_SINCE")) != NULL &&
	    precond_date_parse(v, &t) == JA_OK && st->st_mtim.tv_sec <= t)
		return 304;
	return 200;
}

/*
 * Returns 1 when a Range may be honoured: no If-Range, or one that
 * names the current representation (§13.1.5): our ETag, compared
 * strongly, or exactly our Last-Modified while the ETag is strong (a
 * date validator is strong only when the file did not change within
 * that second).
 */
static int
gate_if_range(const struct stat *st, const char *etag, int weak)
{
	const char	*v = io_getenv("HTTP_IF_RANGE");
	time_t		 t;

	if (v == NULL)
		return 1;
	if (v[0] == '"' || strncmp(v, "W/", 2) == 0)
		return precond_etag_match(v, etag, weak, 1);
	return !weak && precond_date_parse(v, &t) == JA_OK &&
	    t == st->st_mtim.tv_sec;
}

/*
 * Answers with the file open at fd (st its status, name for its type):
 * 304 or 412 after the preconditions, else 200 with the file, or 206
 * with one byte range, or 416 for a range past its end.  Returns 1 when
 * the response took fd (to send it, and close it), 0 when the caller
 * still owns it.
 */
static int
gate_answer(struct ctx *ctx, int fd, const struct stat *st, const char *name)
{
	struct response	*resp = ctx->resp;
	char		 etag[64], lastmod[PRECOND_DATE_LEN];
	const char	*range;
	int64_t		 size = st->st_size, first = 0, last = size - 1;
	int		 weak, status, rc;

	weak = gate_validators(ctx, st, etag, sizeof(etag), lastmod,
	    sizeof(lastmod));
	status = gate_preconditions(st, etag, weak);
	if (status == 412) {
		response_error(resp, ctx->req, 412, "precondition_failed",
		    "The file has changed.");
		return 0;
	}
	response_header(resp, "ETag", "%s%s", weak ? "W/" : "", etag);
	response_header(resp, "Last-Modified", "%s", lastmod);
	if (status == 304) {
		resp->status = 304;
		return 0;
	}
	response_header(resp, "Accept-Ranges", "bytes");
	/* Range is defined for GET only (§14.2). */
	range = io_getenv("HTTP_RANGE");
	if (range != NULL && ctx->req->method == METHOD_GET &&
	    gate_if_range(st, etag, weak)) {
		rc = precond_range_parse(range, size, &first, &last);
		if (rc == JA_ETOOBIG) {
			response_error(resp, ctx->req, 416,
			    "range_not_satisfiable",
			    "The range is past the end of the file.");
			response_header(resp, "Content-Range", "bytes */%lld",
			    (long long)size);
			return 0;
		}
		if (rc == JA_OK) {
			status = 206;
			response_header(resp, "Content-Range",
			    "bytes %lld-%lld/%lld", (long long)first,
			    (long long)last, (long long)size);
		} else {
			first = 0;
			last = size - 1;
		}
	}
	resp->status = status;
	response_header(resp, "Content-Type", "%s", gatepath_type(name));
	resp->file_fd = fd;
	resp->file_off = first;
	resp->file_len = last - first + 1;
	return 1;
}

/*
 * Serves a request gate_wants() took: the session first (a refusal is
 * the authorizer's), then the method, the path, the file.  Whatever is
 * missing or refused on the way is the same 404.
 */
void
gate_serve(struct ctx *ctx)
{
	struct claims	 c;
	struct stat	 st;
	char		 rel[TEXT_PATH_MAX + 1];
	const char	*q, *name = rel;
	size_t		 plen;
	int		 fd = -1, ifd, slash, status = 404, rc;

	if ((rc = authz_decide(ctx, &c)) != OUT_OK) {
		answer_refuse_kind(ctx, rc, ctx->req->uri);
		return;
	}
	if (ctx->req->method != METHOD_GET &&
	    ctx->req->method != METHOD_HEAD) {
		/* main.c reads the body first (Apache's mod_cgid). */
		response_error(ctx->resp, ctx->req, 405, "invalid_request",
		    "This method is not allowed here.");
		response_header(ctx->resp, "Allow", "GET, HEAD");
		return;
	}
	if (gatepath_resolve(ctx->req->uri, ctx->cfg->gate_path, rel,
	    sizeof(rel), &slash) != JA_OK ||
	    (fd = gate_open(ctx->cfg->gate_root, rel, &st)) < 0)
		goto out;
	if (S_ISDIR(st.st_mode) && !slash) {
		/* Relative links in its index need the slash.  A query too
		 * long for the Location header is dropped (a header over
		 * RESPONSE_HEADER_MAX would be a 500). */
		plen = strcspn(ctx->req->uri, "?");
		q = strchr(ctx->req->uri, '?');
		if (q != NULL && plen + 1 + strlen(q) >= RESPONSE_HEADER_MAX)
			q = NULL;
		if (plen + 1 >= RESPONSE_HEADER_MAX)
			goto out;
		status = 301;
		response_header(ctx->resp, "Location", "%.*s/%s", (int)plen,
		    ctx->req->uri, q != NULL ? q : "");
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ifd = openat(fd, GATE_INDEX, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC | O_NONBLOCK);
		(void)close(fd);
		if ((fd = ifd) < 0 || fstat(fd, &st) != 0)
			goto out;
		name = GATE_INDEX;
	} else if (slash)
		goto out;
	if (!S_ISREG(st.st_mode))
		goto out;
	if (gatepath_is_script(name)) {
		status = 403;
		response_error(ctx->resp, ctx->req, 403, "forbidden",
		    "Scripts are not served here.");
		goto out;
	}
	status = 200;
	if (gate_answer(ctx, fd, &st, name))
		fd = -1;
out:
	if (status == 404)
		gate_not_found(ctx);
	else if (status == 301)
		ctx->resp->status = 301;
	if (fd >= 0)
		(void)close(fd);
}
