/*
 * b64.c: base64url without padding (RFC 4648 §5), as JWS uses it
 * (RFC 7515 §2).  Decoding is strict, unlike libjwt's: any byte outside
 * the alphabet, padding or a non-canonical final character is an error.
 */
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * Encodes srclen bytes into dst (dstlen bytes, NUL-terminated).
 * Returns JA_ETOOBIG when dst is too small.
 */
int
b64url_encode(char *dst, size_t dstlen, const unsigned char *src,
    size_t srclen)
{
	if (dstlen < sodium_base64_ENCODED_LEN(srclen,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return JA_ETOOBIG;
	sodium_bin2base64(dst, dstlen, src, srclen,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return JA_OK;
}

/* Returns 1 if all len bytes of s are in the base64url alphabet. */
int
b64url_is_alphabet(const char *s, size_t len)
{
	size_t	 i;
	char	 c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/*
 * Decodes srclen characters of src into dst (dstmax bytes), the length
 * in *outlen.  Returns JA_EINVAL on any character outside the alphabet
 * or a non-canonical encoding (libsodium refuses non-zero padding bits),
 * JA_ETOOBIG when dst is too small.
 */
int
b64url_decode(unsigned char *dst, size_t dstmax, size_t *outlen,
    const char *src, size_t srclen)
{
	const char	*end;

	if (!b64url_is_alphabet(src, srclen) || srclen % 4 == 1)
		return JA_EINVAL;
	if (srclen / 4 * 3 + (srclen % 4 ? srclen % 4 - 1 : 0) > dstmax)
		return JA_ETOOBIG;
	if (sodium_base642bin(dst, dstmax, src, srclen, NULL, outlen, &end,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return JA_EINVAL;
	if (end != src + srclen)
		return JA_EINVAL;
	return JA_OK;
}
