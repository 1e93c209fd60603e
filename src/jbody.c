/*
 * jbody.c: JSON request bodies (RFC 8259), parsed strictly by jansson:
 * one object, no duplicate member names, no NUL in strings (jansson
 * refuses \u0000 unless asked) and UTF-8 only.
 */
#include <string.h>

#include "jwtauth.h"

/*
 * Parses len bytes of s into *out, which must be a JSON object.  Returns
 * JA_OK (json_decref(*out) when done) or JA_EINVAL.
 */
int
jbody_parse(json_t **out, const char *s, size_t len)
{
	json_t	*j;

	*out = NULL;
	j = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return JA_EINVAL;
	if (!json_is_object(j)) {
		json_decref(j);
		return JA_EINVAL;
	}
	*out = j;
	return JA_OK;
}

/*
 * Points *out at the string member name of obj.  Returns JA_OK,
 * JA_ENOTFOUND when absent, or JA_EINVAL when not a string or holding
 * a control character.
 */
int
jbody_string(const json_t *obj, const char *name, const char **out)
{
	json_t	*v = json_object_get(obj, name);

	*out = NULL;
	if (v == NULL)
		return JA_ENOTFOUND;
	if (!json_is_string(v) || !text_utf8_valid(json_string_value(v),
	    json_string_length(v)))
		return JA_EINVAL;
	*out = json_string_value(v);
	return JA_OK;
}
