/*
 * fuzz-form.c: fuzz harness for form_parse() in form.c
 * (application/x-www-form-urlencoded, WHATWG URL §5.1).  The input is a
 * request body.  What form_parse() accepts must keep its promises: at
 * most 32 fields, names unique, every name and value valid UTF-8 without
 * NUL, and form_get() finding each field; the harness aborts otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form	 f;
	size_t		 i;

	if (form_parse(&f, (const char *)data, size) == JA_OK) {
		if (f.nfields > 32)
			abort();
		for (i = 0; i < f.nfields; i++) {
			if (!text_utf8_valid(f.fields[i].name,
			    strlen(f.fields[i].name)) ||
			    !text_utf8_valid(f.fields[i].value,
			    strlen(f.fields[i].value)))
				abort();
			if (form_get(&f, f.fields[i].name) !=
			    f.fields[i].value)
				abort();	/* a repeated name got in */
		}
		(void)form_get(&f, "username");
	}
	form_free(&f);
	return 0;
}
