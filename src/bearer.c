/*
 * bearer.c: the access token of an "Authorization: Bearer" request
 * header field (RFC 6750 §2.1, "Authorization Request Header Field":
 * credentials = "Bearer" 1*SP b64token).  Apart from request.c so that
 * the unit tests and a fuzz harness can link it without FastCGI.  The
 * token's own syntax is token_verify()'s to judge.
 */
#include <string.h>
#include <strings.h>

#include "jwtauth.h"

/*
 * Copies the token of an "Authorization: Bearer TOKEN" header (RFC 6750
 * §2.1; the scheme is case-insensitive, RFC 9110 §11.1) into out.
 * Returns JA_OK, JA_ENOTFOUND without such a header, JA_EINVAL for a
 * malformed one, or JA_ETOOBIG.
 */
int
request_bearer(const struct request *r, char *out, size_t outlen)
{
	const char	*p;
	size_t		 len;

	if (r->authorization == NULL)
		return JA_ENOTFOUND;
	if (strncasecmp(r->authorization, "Bearer ", 7) != 0)
		return JA_EINVAL;
	p = r->authorization + 7;
	while (*p == ' ')
		p++;
	len = strlen(p);
	while (len > 0 && p[len - 1] == ' ')
		len--;
	if (len == 0)
		return JA_EINVAL;
	if (len >= outlen)
		return JA_ETOOBIG;
	memcpy(out, p, len);
	out[len] = '\0';
	return JA_OK;
}
