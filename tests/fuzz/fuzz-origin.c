/*
 * fuzz-origin.c: fuzz harness for csrf_origin_ok() in csrf.c, the
 * Origin / Referer check of cookie-authenticated forms (RFC 6454 §7).
 * The input is up to six lines: Origin, Referer, Host, Sec-Fetch-Site,
 * the config's origin list, and "on" for HTTPS; a line that is just "-",
 * or one missing at the end, is a header not sent (an unset key).
 * The harness works the answer out again, plainly, and aborts when
 * csrf_origin_ok() disagrees or when Sec-Fetch-Site (which anyone can
 * send) changes it: the origin given (Origin, else Referer up to the
 * first "/", "?" or "#" after "://") must be the request's own
 * scheme://Host or one entry of the list, compared without regard to
 * case.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jwtauth.h"
#include "fuzz.h"

#define FIELDS	6

/* Returns 1 if the n bytes at given are scheme://host, any case. */
static int
same_origin(const char *given, size_t n, const char *scheme,
    const char *host)
{
	size_t	 slen = strlen(scheme), hlen = strlen(host);

	if (n != slen + 3 + hlen)
		return 0;
	if (strncasecmp(given, scheme, slen) != 0 ||
	    memcmp(given + slen, "://", 3) != 0)
		return 0;
	return strncasecmp(given + slen + 3, host, hlen) == 0;
}

/* Returns 1 if the n bytes at given are one entry of list. */
static int
listed(const char *list, const char *given, size_t n)
{
	const char	*p = list;
	size_t		 len;

	if (p == NULL)
		return 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			return 0;
		len = strcspn(p, " \t");
		if (len == n && strncasecmp(p, given, n) == 0)
			return 1;
		p += len;
	}
}

/* The answer csrf_origin_ok() should give for req under cfg. */
static int
expect(const struct config *cfg, const struct request *req)
{
	const char	*given, *sep;
	size_t		 n;

	given = req->origin;
	if (given != NULL)
		n = strlen(given);
	else if (req->referer != NULL &&
	    (sep = strstr(req->referer, "://")) != NULL) {
		given = req->referer;
		n = (size_t)(sep - given) + 3;
		while (given[n] != '\0' && given[n] != '/' &&
		    given[n] != '?' && given[n] != '#')
			n++;
	} else
		return 0;
	if (req->host != NULL && same_origin(given, n, req->https ?
	    "https" : "http", req->host))
		return 1;
	return listed(cfg->origin, given, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 cfg;
	struct request	 req;
	char		*s, *f[FIELDS], *p;
	size_t		 i;
	int		 got;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0, p = s; i < FIELDS; i++) {
		f[i] = p;
		if (p != NULL && (p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
		if (f[i] != NULL && strcmp(f[i], "-") == 0)
			f[i] = NULL;
	}
	memset(&cfg, 0, sizeof(cfg));
	memset(&req, 0, sizeof(req));
	req.origin = f[0];
	req.referer = f[1];
	req.host = f[2];
	req.fetch_site = f[3];
	cfg.origin = f[4];
	req.https = f[5] != NULL && strcmp(f[5], "on") == 0;
	got = csrf_origin_ok(&cfg, &req);
	if (got != expect(&cfg, &req))
		abort();
	req.fetch_site = (char *)(uintptr_t)"same-origin";
	if (csrf_origin_ok(&cfg, &req) != got)
		abort();
	req.fetch_site = NULL;
	if (csrf_origin_ok(&cfg, &req) != got)
		abort();
	free(s);
	return 0;
}
