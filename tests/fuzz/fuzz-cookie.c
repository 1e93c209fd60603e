/*
 * fuzz-cookie.c: fuzz harness for cookie_get() in cookie.c (the Cookie
 * header, RFC 6265bis §5.7).  The input is a Cookie header; if it holds
 * a newline, the text before the first one is the cookie name looked
 * up as well.  Each name is read into buffers of several sizes; a value
 * returned must fit its buffer, and the harness aborts otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"
#include "fuzz.h"

static void
fuzz_get(const char *header, const char *name)
{
	static const size_t	 sizes[] = { 0, 1, 2, 8, 44, 4097 };
	char			 out[4097];
	size_t			 i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(out, 'X', sizeof(out));
		if (cookie_get(header, name, out, sizes[i]) == JA_OK &&
		    (sizes[i] == 0 || strnlen(out, sizes[i]) >= sizes[i]))
			abort();
		if (sizes[i] < sizeof(out) && out[sizes[i]] != 'X')
			abort();	/* wrote past outlen */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *nl;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_get(s, "jwtauth_at");
	fuzz_get(s, "__Host-jwtauth_at");
	fuzz_get(s, "__Secure-jwtauth_rt");
	fuzz_get(s, "a");
	fuzz_get(s, "");
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		fuzz_get(nl + 1, s);
	}
	fuzz_get(NULL, "jwtauth_at");
	free(s);
	return 0;
}
