/*
 * b64.c: base64url without padding (RFC 4648 §5), as JWS uses it
 * (RFC 7515 §2).  Decoding is strict, unlike libjwt's: any byte outside
 * the alphabet, padding or a non-canonical final character is an error.
 */
#include <stdint.h>
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

/*
 * The value of each byte as a base64url character (RFC 4648 §5), or
 * 0xff for a byte outside the alphabet; made on first use.
 */
static const unsigned char *
b64url_table(void)
{
	static const char	 alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	static unsigned char	 table[256];
	static int		 made;
	size_t			 i;

	if (!made) {
		memset(table, 0xff, sizeof(table));
		for (i = 0; i < 64; i++)
			table[(unsigned char)alphabet[i]] = (unsigned char)i;
		made = 1;
	}
	return table;
}

/* Returns 1 if all len bytes of s are in the base64url alphabet. */
int
b64url_is_alphabet(const char *s, size_t len)
{
	const unsigned char	*t = b64url_table();
	size_t			 i;

	for (i = 0; i < len; i++)
		if (t[(unsigned char)s[i]] == 0xff)
			return 0;
	return 1;
}

/*
 * Decodes srclen characters of src into dst (dstmax bytes), the length
 * in *outlen.  Returns JA_EINVAL on any character outside the alphabet,
 * a length that no encoding has (4n + 1), or a non-canonical final
 * character (its unused low bits must be zero: RFC 4648 §3.5),
 * JA_ETOOBIG when dst is too small.  Not constant-time: it decodes
 * tokens, which are not secret, never keys.
 */
int
b64url_decode(unsigned char *dst, size_t dstmax, size_t *outlen,
    const char *src, size_t srclen)
{
	const unsigned char	*t = b64url_table();
	const unsigned char	*s = (const unsigned char *)src;
	size_t			 i, o = 0, full = srclen / 4 * 4;
	size_t			 rem = srclen % 4;
	uint32_t		 v;

	if (!b64url_is_alphabet(src, srclen) || rem == 1)
		return JA_EINVAL;
	if (srclen / 4 * 3 + (rem ? rem - 1 : 0) > dstmax)
		return JA_ETOOBIG;
	for (i = 0; i < full; i += 4) {
		v = (uint32_t)t[s[i]] << 18 | (uint32_t)t[s[i + 1]] << 12 |
		    (uint32_t)t[s[i + 2]] << 6 | t[s[i + 3]];
		dst[o++] = (unsigned char)(v >> 16);
		dst[o++] = (unsigned char)(v >> 8);
		dst[o++] = (unsigned char)v;
	}
	if (rem == 2) {
		if (t[s[i + 1]] & 0x0f)
			return JA_EINVAL;
		dst[o++] = (unsigned char)(t[s[i]] << 2 | t[s[i + 1]] >> 4);
	} else if (rem == 3) {
		if (t[s[i + 2]] & 0x03)
			return JA_EINVAL;
		v = (uint32_t)t[s[i]] << 12 | (uint32_t)t[s[i + 1]] << 6 |
		    t[s[i + 2]];
		dst[o++] = (unsigned char)(v >> 10);
		dst[o++] = (unsigned char)(v >> 2);
	}
	*outlen = o;
	return JA_OK;
}
