/*
 * fuzz-clientdata.c: fuzz harness for webauthn_client_parse() and
 * webauthn_client_check() in webauthn.c (clientDataJSON, W3C WebAuthn
 * Level 3 §5.8.1).  The input is the JSON.  An accepted one must have a
 * type we know, an origin of printable ASCII within WA_ORIGIN_MAX and
 * NUL-terminated, and must pass the checks only for its own type,
 * challenge and origin (and never for an empty list of origins); a refused one must leave the struct zeroed.
 * The harness aborts on any broken promise.
 */
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wa_client c, zero;
	size_t		 i, n;

	memset(&zero, 0, sizeof(zero));
	if (webauthn_client_parse(&c, data, size) != JA_OK) {
		if (memcmp(&c, &zero, sizeof(c)) != 0)
			abort();
		return 0;
	}
	if ((c.type != WA_CREATE && c.type != WA_GET) ||
	    (n = strnlen(c.origin, sizeof(c.origin))) == 0 ||
	    n > WA_ORIGIN_MAX)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)c.origin[i] <= 0x20 ||
		    (unsigned char)c.origin[i] >= 0x7f)
			abort();
	if (!c.cross_origin &&
	    webauthn_client_check(&c, c.type, c.challenge, c.origin) != NULL)
		abort();
	if (webauthn_client_check(&c, c.type == WA_GET ? WA_CREATE : WA_GET,
	    c.challenge, c.origin) == NULL)
		abort();
	if (webauthn_client_check(&c, c.type, c.challenge, " ") == NULL)
		abort();
	return 0;
}
