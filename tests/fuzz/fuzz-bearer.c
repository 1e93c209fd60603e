/*
 * fuzz-bearer.c: fuzz harness for the extraction of the access token,
 * request_bearer() in bearer.c (the Authorization header, RFC 6750
 * §2.1) and cookie_get() of the access cookie (RFC 6265bis §5.7), both
 * fed the same input, as auth_find_token() tries them in turn.  Each
 * is read into buffers of several sizes.  The harness aborts when a
 * token is accepted that is not "Bearer" 1*SP token (the scheme in any
 * case) with the spaces around the token removed, when a value is not
 * a piece of the header, when a result does not fit its buffer or
 * bytes past outlen are written, or when the answer for one size
 * contradicts the answer for another.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jwtauth.h"
#include "fuzz.h"

#define FUZZ_BIG	(JA_TOKEN_MAX + 1)

static const size_t	 sizes[] = { 1, 2, 8, 44, 512, FUZZ_BIG };
#define NSIZES		(sizeof(sizes) / sizeof(sizes[0]))

/* Aborts if the byte of out just past outlen was written. */
static void
check_tail(const char *out, size_t outlen)
{
	if (outlen < FUZZ_BIG + 1 && out[outlen] != 'X')
		abort();	/* wrote past outlen */
}

/*
 * Aborts unless tok (JA_OK from request_bearer on header s) is what
 * RFC 6750 §2.1 and our reading make of s.
 */
static void
check_token(const char *s, const char *tok)
{
	const char	*p = s + 7;
	size_t		 len = strlen(tok);

	if (strncasecmp(s, "Bearer ", 7) != 0 || len == 0 ||
	    tok[0] == ' ' || tok[len - 1] == ' ')
		abort();
	while (*p == ' ')
		p++;
	if (strncmp(p, tok, len) != 0 || p[len + strspn(p + len, " ")] !=
	    '\0')
		abort();
}

static void
fuzz_bearer(const char *s)
{
	struct request	 r;
	char		 out[FUZZ_BIG + 1];
	int		 rc[NSIZES];
	size_t		 i;

	memset(&r, 0, sizeof(r));
	r.authorization = (char *)(uintptr_t)s;
	for (i = 0; i < NSIZES; i++) {
		memset(out, 'X', sizeof(out));
		rc[i] = request_bearer(&r, out, sizes[i]);
		check_tail(out, sizes[i]);
		if (rc[i] == JA_OK) {
			if (strnlen(out, sizes[i]) >= sizes[i])
				abort();
			check_token(s, out);
		} else if (rc[i] != JA_EINVAL && rc[i] != JA_ETOOBIG)
			abort();	/* a header is never "not found" */
		/* A size's answer holds for every larger size, but for
		 * JA_ETOOBIG, which may turn into JA_OK. */
		if (i > 0 && rc[i] != rc[i - 1] && !(rc[i - 1] ==
		    JA_ETOOBIG && rc[i] == JA_OK))
			abort();
	}
	r.authorization = NULL;
	if (request_bearer(&r, out, sizeof(out)) != JA_ENOTFOUND)
		abort();
}

/* Aborts unless a cookie value found in header s is a piece of it. */
static void
fuzz_cookie(const char *s, int https)
{
	struct request	 r;
	const char	*name;
	char		 out[FUZZ_BIG + 1];
	size_t		 i;
	int		 rc;

	memset(&r, 0, sizeof(r));
	r.https = https;
	name = cookie_name(&r, COOKIE_ACCESS);
	for (i = 0; i < NSIZES; i++) {
		memset(out, 'X', sizeof(out));
		rc = cookie_get(s, name, out, sizes[i]);
		check_tail(out, sizes[i]);
		if (rc == JA_OK && (strnlen(out, sizes[i]) >= sizes[i] ||
		    strstr(s, out) == NULL))
			abort();
		if (rc != JA_OK && rc != JA_ENOTFOUND && rc != JA_ETOOBIG)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_bearer(s);
	fuzz_cookie(s, 0);
	fuzz_cookie(s, 1);
	free(s);
	return 0;
}
