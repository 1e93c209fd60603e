/*
 * fuzz-gatepath.c: fuzz harness for what the gatekeeper parses from the
 * client: gatepath_resolve() on the input as a request-target under
 * "/app", and, on the same bytes, precond_range_parse() (for a file
 * size taken from the input's length), precond_etag_match() and
 * precond_date_parse().  The harness aborts when an accepted path could
 * name anything but content below the directory (a "." or ".." segment,
 * a dot file, an empty segment, a backslash or a control byte) or an
 * accepted range lies outside the file.
 */
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"
#include "fuzz.h"

/* Aborts unless rel is "" or "seg/seg/..." of allowed segments. */
static void
check_rel(const char *rel)
{
	const char	*p = rel;
	size_t		 len;

	if (*p == '\0')
		return;
	for (;;) {
		len = strcspn(p, "/");
		if (len == 0 || p[0] == '.')
			abort();
		p += len;
		if (*p == '\0')
			break;
		p++;
	}
	for (p = rel; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, rel[TEXT_PATH_MAX + 1];
	int64_t	 first, last, fsize = (int64_t)(size * 37 % 1000);
	time_t	 t;
	int	 slash;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (gatepath_resolve(s, "/app", rel, sizeof(rel), &slash) == JA_OK)
		check_rel(rel);
	if (precond_range_parse(s, fsize, &first, &last) == JA_OK &&
	    (first < 0 || last < first || last >= fsize))
		abort();
	(void)precond_etag_match(s, "\"1a-5f0.0\"", 0, 1);
	(void)precond_etag_match(s, "\"1a-5f0.0\"", 1, 0);
	(void)precond_date_parse(s, &t);
	free(s);
	return 0;
}
