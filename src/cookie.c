/*
 * cookie.c: reading the Cookie header (RFC 6265bis §5.7 "Cookie" parsing
 * as servers meet it: "name=value" pairs joined by "; ") and the names
 * of our cookies.  Over HTTPS the access and CSRF cookies carry the
 * "__Host-" prefix and the refresh cookie "__Secure-" (RFC 6265bis
 * §4.1.3): a subdomain or a plain-HTTP page cannot set them.
 */
#include <string.h>

#include "jwtauth.h"

/*
 * Copies the value of the first cookie called name in header (which may
 * be NULL) into out.  Returns JA_OK, JA_ENOTFOUND, or JA_ETOOBIG when
 * the value does not fit outlen.
 */
int
cookie_get(const char *header, const char *name, char *out, size_t outlen)
{
	const char	*p, *end, *eq;
	size_t		 nlen = strlen(name), vlen;

	for (p = header; p != NULL && *p != '\0'; p = end) {
		while (*p == ' ' || *p == ';')
			p++;
		if ((end = strchr(p, ';')) == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL || (size_t)(eq - p) != nlen ||
		    strncmp(p, name, nlen) != 0)
			continue;
		vlen = (size_t)(end - eq - 1);
		while (vlen > 0 && eq[vlen] == ' ')
			vlen--;
		if (vlen >= 2 && eq[1] == '"' && eq[vlen] == '"') {
			eq++;
			vlen -= 2;
		}
		if (vlen >= outlen)
			return JA_ETOOBIG;
		memcpy(out, eq + 1, vlen);
		out[vlen] = '\0';
		return JA_OK;
	}
	return JA_ENOTFOUND;
}

/* The name of cookie kind for request r. */
const char *
cookie_name(const struct request *r, enum cookie_kind kind)
{
	switch (kind) {
	case COOKIE_ACCESS:
		return r->https ? "__Host-jwtauth_at" : "jwtauth_at";
	case COOKIE_REFRESH:
		return r->https ? "__Secure-jwtauth_rt" : "jwtauth_rt";
	case COOKIE_CSRF:
		return r->https ? "__Host-jwtauth_csrf" : "jwtauth_csrf";
	}
	return "";
}
