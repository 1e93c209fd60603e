/*
 * text.c: pure checks on untrusted text: UTF-8, UUIDs, local redirect
 * targets, URI paths and bounded integers.
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

/* Returns the value of hex digit c, or -1. */
int
text_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Returns 1 if c is an unreserved character (RFC 3986 §2.3). */
static int
text_unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/*
 * Writes into out (outlen bytes) the path of the URI reference in (up to
 * "?" or "#") as the web server sees it when it maps the request:
 * percent-encoded unreserved characters decoded, other escapes kept with
 * upper-case hex digits (RFC 3986 §6.2.2.1, §6.2.2.2), empty segments
 * ("//") merged as Apache and lighttpd do, then "." and ".." segments
 * removed (remove_dot_segments, RFC 3986 §5.2.4); ".." above the root
 * stays at the root.  So "/auth/%2e%2e//app/x?q" gives "/app/x".  An
 * encoded "/" (%2F) stays one segment.  Returns JA_OK, JA_EINVAL when in
 * does not start with "/" or holds a malformed escape, or JA_ETOOBIG.
 */
int
text_path_normalize(const char *in, char *out, size_t outlen)
{
	size_t	 r, w, seg, len;
	int	 hi, lo, c, dir;

	if (in == NULL || in[0] != '/' || outlen == 0)
		return JA_EINVAL;
	/* Pass 1: decode into out.  Decoding never lengthens the path. */
	for (r = w = 0; in[r] != '\0' && in[r] != '?' && in[r] != '#'; w++) {
		if (w + 1 >= outlen)
			return JA_ETOOBIG;
		if (in[r] != '%') {
			out[w] = in[r++];
			continue;
		}
		if ((hi = text_hex(in[r + 1])) < 0 ||
		    (lo = text_hex(in[r + 2])) < 0)
			return JA_EINVAL;
		r += 3;
		c = hi * 16 + lo;
		if (text_unreserved(c)) {
			out[w] = (char)c;
			continue;
		}
		if (w + 3 >= outlen)
			return JA_ETOOBIG;
		out[w++] = '%';
		out[w++] = "0123456789ABCDEF"[hi];
		out[w] = "0123456789ABCDEF"[lo];
	}
	out[w] = '\0';
	/* Pass 2, in place: out holds "/seg" items, read at r, written at
	 * w <= r.  dir: the path ends in a directory ("/", "/.", "/.."). */
	r = w = 0;
	dir = 0;
	while (out[r] == '/') {
		seg = ++r;
		while (out[r] != '\0' && out[r] != '/')
			r++;
		len = r - seg;
		dir = len == 0 || (len == 1 && out[seg] == '.') ||
		    (len == 2 && out[seg] == '.' && out[seg + 1] == '.');
		if (len == 2 && dir) {
			while (w > 0 && out[w - 1] != '/')
				w--;
			if (w > 0)
				w--;
		} else if (!dir) {
			out[w++] = '/';
			memmove(out + w, out + seg, len);
			w += len;
		}
	}
	if (dir || w == 0)
		out[w++] = '/';
	out[w] = '\0';
	return JA_OK;
}

/*
 * Writes into out (outlen bytes) the path in (normalised by
 * text_path_normalize) with every escape decoded, as Apache, lighttpd
 * and the gatekeeper map it: "/my%20docs/%C3%A9" gives "/my docs/\303\251",
 * lower-case hex too.  An escape that decodes to "/", "\\" or NUL would
 * make a path the web server may see otherwise (AllowEncodedSlashes):
 * JA_EINVAL, as for a malformed escape; JA_ETOOBIG when out is short.
 */
int
text_path_decode(const char *in, char *out, size_t outlen)
{
	size_t	 r, w;
	int	 hi, lo, c;

	if (in == NULL || outlen == 0)
		return JA_EINVAL;
	for (r = w = 0; in[r] != '\0'; w++) {
		if (w + 1 >= outlen)
			return JA_ETOOBIG;
		if (in[r] != '%') {
			out[w] = in[r++];
			continue;
		}
		if ((hi = text_hex(in[r + 1])) < 0 ||
		    (lo = text_hex(in[r + 2])) < 0)
			return JA_EINVAL;
		c = hi * 16 + lo;
		if (c == '/' || c == '\\' || c == 0)
			return JA_EINVAL;
		out[w] = (char)c;
		r += 3;
	}
	out[w] = '\0';
	return JA_OK;
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

/*
 * Returns 1 if path (normalised) is one of the comma-separated path
 * prefixes of list, or below one (both in the same form: otp_paths and
 * the path are fully decoded before, see authz_otp_needed): "/app/admin" takes "/app/admin" and
 * "/app/admin/x", not "/app/administer"; a prefix ending in "/" takes
 * what begins with it.  Spaces around the entries are ignored.
 */
int
text_path_in_list(const char *list, const char *path)
{
	const char	*p, *e;
	size_t		 n;

	if (list == NULL || path == NULL)
		return 0;
	for (p = list; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		while (*p == ' ')
			p++;
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0 || strncmp(path, p, n) != 0)
			continue;
		if (p[n - 1] == '/' || path[n] == '\0' || path[n] == '/')
			return 1;
	}
	return 0;
}

/*
 * Returns 1 if the len bytes at word are one of the words of list
 * (separated by spaces, tabs or commas), else 0; 0 for a NULL list or
 * an empty word.
 */
int
text_in_list(const char *list, const char *word, size_t len)
{
	const char	*p = list, *e;

	if (p == NULL || len == 0)
		return 0;
	while (*p != '\0') {
		p += strspn(p, " ,\t");
		e = p + strcspn(p, " ,\t");
		if ((size_t)(e - p) == len && memcmp(p, word, len) == 0)
			return 1;
		p = e;
	}
	return 0;
}
