/*
 * random.c: random identifiers from libsodium's CSPRNG.
 */
#include <stdio.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * Writes the base64url form of nbytes random bytes (at most 64) into
 * dst (dstlen bytes).  Returns JA_ETOOBIG when dst is too small.
 */
int
random_b64url(char *dst, size_t dstlen, size_t nbytes)
{
	unsigned char	 raw[64];
	int		 rc;

	if (nbytes > sizeof(raw))
		return JA_ETOOBIG;
	randombytes_buf(raw, nbytes);
	rc = b64url_encode(dst, dstlen, raw, nbytes);
	sodium_memzero(raw, sizeof(raw));
	return rc;
}

/*
 * Writes a random (version 4, RFC 9562 §5.4) UUID in canonical form into
 * out, which holds JA_UUID_LEN + 1 bytes.
 */
void
random_uuid(char *out)
{
	unsigned char	 b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, JA_UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	    b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
}
