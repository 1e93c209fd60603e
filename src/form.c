/*
 * form.c: application/x-www-form-urlencoded bodies and query strings
 * (WHATWG URL §5.1).  Names and values are percent-decoded; a malformed
 * escape, a decoded NUL, invalid UTF-8 or a repeated name is an error,
 * so that no two parsers can read one body differently.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

#define FORM_FIELDS_MAX	32

/* Decodes [s, s+len) into a new string in *out. */
static int
form_decode(const char *s, size_t len, char **out)
{
	char	*d;
	size_t	 i, o = 0;
	int	 hi, lo;

	if ((d = malloc(len + 1)) == NULL)
		return JA_ENOMEM;
	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			d[o++] = ' ';
		else if (s[i] == '%') {
			if (len - i < 3) {
				free(d);
				return JA_EINVAL;
			}
			hi = text_hex(s[i + 1]);
			lo = text_hex(s[i + 2]);
			if (hi < 0 || lo < 0) {
				free(d);
				return JA_EINVAL;
			}
			d[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			d[o++] = s[i];
	}
	d[o] = '\0';
	if (!text_utf8_valid(d, o)) {
		free(d);
		return JA_EINVAL;
	}
	*out = d;
	return JA_OK;
}

/*
 * Parses len bytes of s into f.  Returns JA_OK, JA_EINVAL for malformed
 * input (see above), JA_ETOOBIG for more than FORM_FIELDS_MAX fields, or
 * JA_ENOMEM.  Free f with form_free() in every case.
 */
int
form_parse(struct form *f, const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *amp, *eq;
	struct form_field *fld;
	size_t		 i;
	int		 rc;

	memset(f, 0, sizeof(*f));
	if ((f->fields = calloc(FORM_FIELDS_MAX, sizeof(*f->fields))) == NULL)
		return JA_ENOMEM;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if (f->nfields == FORM_FIELDS_MAX)
			return JA_ETOOBIG;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		fld = &f->fields[f->nfields];
		if ((rc = form_decode(p, (size_t)(eq - p), &fld->name)))
			return rc;
		rc = form_decode(eq < amp ? eq + 1 : amp,
		    eq < amp ? (size_t)(amp - eq - 1) : 0, &fld->value);
		if (rc) {
			free(fld->name);
			fld->name = NULL;
			return rc;
		}
		f->nfields++;
		for (i = 0; i + 1 < f->nfields; i++)
			if (strcmp(f->fields[i].name, fld->name) == 0)
				return JA_EINVAL;
		p = amp + 1;
	}
	return JA_OK;
}

/* The value of field name, or NULL. */
const char *
form_get(const struct form *f, const char *name)
{
	size_t	 i;

	for (i = 0; i < f->nfields; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value;
	return NULL;
}

/* Frees what f owns, the values wiped first; accepts NULL. */
void
form_free(struct form *f)
{
	size_t	 i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nfields; i++) {
		free(f->fields[i].name);
		/* Values may be passwords. */
		sodium_memzero(f->fields[i].value, strlen(f->fields[i].value));
		free(f->fields[i].value);
	}
	free(f->fields);
	memset(f, 0, sizeof(*f));
}
