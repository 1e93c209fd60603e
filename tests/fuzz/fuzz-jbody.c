/*
 * fuzz-jbody.c: fuzz harness for jbody_parse() and jbody_string() in
 * jbody.c (JSON request bodies, RFC 8259).  The input is a request
 * body.  Every member of an accepted object is read as a string; a
 * string returned must be valid UTF-8 of its JSON length, without NUL,
 * and the harness aborts otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"
#include "fuzz.h"

static void
fuzz_string(const json_t *obj, const char *name)
{
	const char	*s;
	int		 rc;

	rc = jbody_string(obj, name, &s);
	if (rc == JA_OK) {
		if (s == NULL || strlen(s) !=
		    json_string_length(json_object_get(obj, name)) ||
		    !text_utf8_valid(s, strlen(s)))
			abort();
	} else if (s != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t		*j = NULL, *v;
	const char	*key;

	if (jbody_parse(&j, (const char *)data, size) != JA_OK) {
		if (j != NULL)
			abort();
		return 0;
	}
	if (!json_is_object(j))
		abort();
	json_object_foreach(j, key, v)
		fuzz_string(j, key);
	fuzz_string(j, "username");
	fuzz_string(j, "password");
	fuzz_string(j, "refresh_token");
	json_decref(j);
	return 0;
}
