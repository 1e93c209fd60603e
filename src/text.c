/*
 * text.c: pure checks on untrusted text: UTF-8, UUIDs, local redirect
 * targets and bounded integers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"

/*
 * Returns 1 if the len bytes of s are well-formed UTF-8 (RFC 3629 §4:
 * no overlong forms, no surrogates, nothing above U+10FFFF) and contain
 * no NUL and no other C0 control except tab; 0 otherwise.
 */
int
text_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	uint32_t		 cp;

	while (i < len) {
		if (p[i] < 0x80) {
			if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			n = 3;
			cp = p[i] & 0x07;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Returns 1 if s is a UUID in canonical lower-case text form. */
int
text_is_uuid(const char *s)
{
	size_t	 i;

	if (s == NULL || strlen(s) != JA_UUID_LEN)
		return 0;
	for (i = 0; i < JA_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

/*
 * Returns 1 if s is safe as a redirect target on this site: it starts
 * with one "/", not "//" nor "/\" (which browsers read as another host),
 * and holds no backslash, no control character, no space and is at most
 * TEXT_PATH_MAX bytes (response.c sizes its headers for that).  Everything else (schemes, hosts) is refused: no open
 * redirect.
 */
int
text_local_path(const char *s)
{
	size_t	 i, len;

	if (s == NULL || s[0] != '/' || s[1] == '/' || s[1] == '\\')
		return 0;
	len = strlen(s);
	if (len > TEXT_PATH_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '\\' || (unsigned char)s[i] <= 0x20 ||
		    (unsigned char)s[i] == 0x7f)
			return 0;
	}
	return 1;
}

/* Returns s if it is a local path (text_local_path), else "/". */
const char *
text_local_or_root(const char *s)
{
	return s != NULL && text_local_path(s) ? s : "/";
}

/*
 * Parses s as a decimal integer within [min, max] into *out.  Returns
 * JA_EINVAL for anything but optional sign and digits, JA_ETOOBIG when
 * out of range (overflow included).
 */
int
text_parse_long(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	if (s == NULL || *s == '\0' || !(*s == '-' || *s == '+' ||
	    (*s >= '0' && *s <= '9')))
		return JA_EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0')
		return JA_EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return JA_ETOOBIG;
	*out = v;
	return JA_OK;
}
