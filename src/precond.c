/*
 * precond.c: the parts of HTTP conditional and range requests that are
 * plain parsing (RFC 9110 §13, §14): entity-tag lists, HTTP-dates and a
 * byte range.  Pure functions; gate.c applies them to a file.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jwtauth.h"

/*
 * Returns 1 when the If-Match or If-None-Match value list holds etag
 * (our opaque-tag, quotes included; weak says whether ours is weak), 0
 * otherwise.  "*" matches any (the file exists).  strong selects the
 * strong comparison (§8.8.3.2: neither weak, same opaque-tag; If-Match,
 * If-Range), else the weak one (same opaque-tag; If-None-Match).  A
 * malformed list matches nothing.
 */
int
precond_etag_match(const char *list, const char *etag, int weak, int strong)
{
	const char	*p = list, *q;
	size_t		 elen = strlen(etag);
	int		 w;

	p += strspn(p, " \t");
	if (p[0] == '*' && p[1 + strspn(p + 1, " \t")] == '\0')
		return 1;
	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return 0;
		w = strncmp(p, "W/", 2) == 0;
		if (w)
			p += 2;
		if (*p != '"' || (q = strchr(p + 1, '"')) == NULL)
			return 0;
		q++;
		if ((size_t)(q - p) == elen && memcmp(p, etag, elen) == 0 &&
		    (!strong || (!w && !weak)))
			return 1;
		p = q + strspn(q, " \t");
		if (*p != ',' && *p != '\0')
			return 0;
	}
}

/*
 * Parses an HTTP-date (§5.6.7: IMF-fixdate, and the obsolete RFC 850
 * and asctime forms a recipient must accept) into *t.  Returns JA_OK or
 * JA_EINVAL; the caller then ignores the header (§13.1.3, §13.1.4).
 */
int
precond_date_parse(const char *s, time_t *t)
{
	static const char *const forms[] = {
		"%a, %d %b %Y %H:%M:%S GMT",	/* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",	/* RFC 850 */
		"%a %b %e %H:%M:%S %Y",		/* asctime() */
	};
	struct tm	 tm;
	const char	*end;
	size_t		 i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, forms[i], &tm);
		if (end != NULL && *end == '\0') {
			*t = timegm(&tm);
			return *t == (time_t)-1 ? JA_EINVAL : JA_OK;
		}
	}
	return JA_EINVAL;
}

/* Writes t as an IMF-fixdate (§5.6.7) into out (at least 30 bytes). */
void
precond_date_format(time_t t, char *out, size_t outlen)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, outlen, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		snprintf(out, outlen, "Thu, 01 Jan 1970 00:00:00 GMT");
}

/* Parses 1*DIGIT at *p into *v (no overflow), advancing *p. */
static int
precond_digits(const char **p, int64_t *v)
{
	const char	*s = *p;

	*v = 0;
	if (*s < '0' || *s > '9')
		return JA_EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (*v > (INT64_MAX - (*s - '0')) / 10)
			return JA_EINVAL;
		*v = *v * 10 + (*s - '0');
	}
	*p = s;
	return JA_OK;
}

/*
 * Parses a Range value for a representation of size bytes (§14.2): one
 * byte range, "bytes=first-last", "bytes=first-" or "bytes=-suffix"
 * (the unit case-insensitive, §14.1).  Returns JA_OK with the range in
 * *first..*last (inclusive, last clipped to size - 1); JA_ETOOBIG when
 * it is unsatisfiable (first at or past the end, an empty suffix, an
 * empty file: 416, §15.5.17); JA_EINVAL for anything else, which the
 * caller ignores (serving the whole file): another unit, bad syntax,
 * last before first (§14.1.1), or several ranges (we may, §14.2).
 */
int
precond_range_parse(const char *v, int64_t size, int64_t *first,
    int64_t *last)
{
	const char	*p = v;
	int64_t		 a, b;

	if (strncasecmp(p, "bytes=", 6) != 0)
		return JA_EINVAL;
	p += 6;
	p += strspn(p, " \t");
	if (*p == '-') {
		p++;
		if (precond_digits(&p, &b) != JA_OK)
			return JA_EINVAL;
		p += strspn(p, " \t");
		if (*p != '\0')
			return JA_EINVAL;
		if (b == 0 || size == 0)
			return JA_ETOOBIG;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return JA_OK;
	}
	if (precond_digits(&p, &a) != JA_OK || *p++ != '-')
		return JA_EINVAL;
	b = -1;
	if (*p >= '0' && *p <= '9') {
		if (precond_digits(&p, &b) != JA_OK || b < a)
			return JA_EINVAL;
	}
	p += strspn(p, " \t");
	if (*p != '\0')
		return JA_EINVAL;
	if (a >= size)
		return JA_ETOOBIG;
	*first = a;
	*last = b < 0 || b >= size ? size - 1 : b;
	return JA_OK;
}
