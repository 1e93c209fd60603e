/*
 * fuzz-b64.c: fuzz harness for b64url_decode() in b64.c (base64url
 * without padding, RFC 4648 §5).  The decoder is strict, so one byte
 * string has one text: whatever it accepts must encode back to exactly
 * the input, and it must agree with b64url_is_alphabet().  The input is
 * also decoded into buffers too small for it, which must be refused.
 * The harness aborts on any broken promise.
 */
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*src = (const char *)data;
	unsigned char	*bin, small[4];
	char		*text;
	size_t		 max = size * 3 / 4 + 3, len = 0, len2;
	int		 rc;

	if ((bin = malloc(max)) == NULL)
		return 0;
	rc = b64url_decode(bin, max, &len, src, size);
	if (rc == JA_OK) {
		if (!b64url_is_alphabet(src, size) || size % 4 == 1 ||
		    len != size * 3 / 4)
			abort();
		if ((text = malloc(size + 2)) == NULL)
			abort();
		if (b64url_encode(text, size + 2, bin, len) != JA_OK ||
		    strlen(text) != size || memcmp(text, src, size) != 0)
			abort();	/* two texts for one byte string */
		free(text);
		if (len > 0 && b64url_decode(bin, len - 1, &len2, src,
		    size) == JA_OK)
			abort();	/* decoded into too small a buffer */
	} else if (rc != JA_EINVAL)
		abort();
	(void)b64url_decode(small, sizeof(small), &len2, src, size);
	free(bin);
	return 0;
}
