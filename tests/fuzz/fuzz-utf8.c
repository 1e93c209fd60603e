/*
 * fuzz-utf8.c: fuzz harness for the checks on untrusted text in text.c:
 * text_utf8_valid() against an independent decoder written from the
 * table of well-formed byte sequences (Unicode 15, Table 3-7), and
 * text_local_path(), text_is_uuid() and text_parse_long() on the input
 * as a C string.  The harness aborts when the two UTF-8 answers differ
 * or an accepted redirect target could leave the site.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"
#include "fuzz.h"

/* Table 3-7, with the C0 controls but tab, and DEL, refused too. */
static int
ref_utf8(const uint8_t *p, size_t len)
{
	size_t	 i = 0, n, k;
	uint8_t	 lo, hi;

	while (i < len) {
		lo = 0x80;
		hi = 0xbf;
		if (p[i] < 0x80) {
			if ((p[i] < 0x20 && p[i] != 0x09) || p[i] == 0x7f)
				return 0;
			i++;
			continue;
		} else if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 1;
		else if (p[i] == 0xe0) {
			n = 2;
			lo = 0xa0;
		} else if (p[i] == 0xed) {
			n = 2;
			hi = 0x9f;
		} else if (p[i] >= 0xe1 && p[i] <= 0xef)
			n = 2;
		else if (p[i] == 0xf0) {
			n = 3;
			lo = 0x90;
		} else if (p[i] == 0xf4) {
			n = 3;
			hi = 0x8f;
		} else if (p[i] >= 0xf1 && p[i] <= 0xf3)
			n = 3;
		else
			return 0;
		for (k = 1; k <= n; k++) {
			if (i + k >= len)
				return 0;
			if (k == 1 ? (p[i + k] < lo || p[i + k] > hi) :
			    (p[i + k] < 0x80 || p[i + k] > 0xbf))
				return 0;
		}
		i += n + 1;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	size_t	 i, len;
	long	 v;

	if (!text_utf8_valid((const char *)data, size) !=
	    !ref_utf8(data, size))
		abort();

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	if (text_local_path(s)) {
		if (s[0] != '/' || s[1] == '/' || s[1] == '\\' || len > 2048)
			abort();
		for (i = 0; i < len; i++)
			if ((unsigned char)s[i] <= 0x20 || s[i] == '\\' ||
			    s[i] == 0x7f)
				abort();
	}
	if (text_is_uuid(s) && len != JA_UUID_LEN)
		abort();
	(void)text_parse_long(s, LONG_MIN, LONG_MAX, &v);
	if (text_parse_long(s, -300, 300, &v) == JA_OK &&
	    (v < -300 || v > 300))
		abort();
	free(s);
	return 0;
}
