/*
 * test-form.c: unit tests for form.c, application/x-www-form-urlencoded
 * bodies (WHATWG URL §5.1): percent-decoding, and the strictness that
 * keeps two parsers from reading one body differently (malformed
 * escapes, NUL, invalid UTF-8 and repeated names are errors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

/* Parses the literal s, frees the form, returns the error code. */
static int
parse_rc(const char *s)
{
	struct form	 f;
	int		 rc;

	rc = form_parse(&f, s, strlen(s));
	form_free(&f);
	return rc;
}

/* Returns 1 if s parses and field name has value want. */
static int
value_is(const char *s, const char *name, const char *want)
{
	struct form	 f;
	const char	*v;
	int		 ok;

	ok = form_parse(&f, s, strlen(s)) == JA_OK &&
	    (v = form_get(&f, name)) != NULL && strcmp(v, want) == 0;
	form_free(&f);
	return ok;
}

/* Returns the number of fields s parses into, or -1. */
static int
nfields(const char *s)
{
	struct form	 f;
	int		 n = -1;

	if (form_parse(&f, s, strlen(s)) == JA_OK)
		n = (int)f.nfields;
	form_free(&f);
	return n;
}

static void
test_decode(void)
{
	struct form	 f;

	tap_ok(form_parse(&f, "username=alice&password=s3cret", 30) ==
	    JA_OK && f.nfields == 2 &&
	    strcmp(form_get(&f, "username"), "alice") == 0 &&
	    strcmp(form_get(&f, "password"), "s3cret") == 0,
	    "two fields parse into names and values");
	tap_ok(form_get(&f, "next") == NULL,
	    "form_get of an absent name is NULL");
	form_free(&f);

	tap_ok(value_is("a=x+y", "a", "x y"), "\"+\" decodes to a space");
	tap_ok(value_is("a=x%20y", "a", "x y"), "\"%20\" decodes to a space");
	tap_ok(value_is("a=1%2B1", "a", "1+1"), "\"%2B\" decodes to \"+\"");
	tap_ok(value_is("a=%4a%4A", "a", "JJ"),
	    "hex digits of either case decode");
	tap_ok(value_is("a=%26%3D", "a", "&="),
	    "escaped \"&\" and \"=\" are data, not separators");
	tap_ok(value_is("user%5Fname=bob", "user_name", "bob"),
	    "names are percent-decoded too");
	tap_ok(value_is("a=caf%C3%A9", "a", "caf\xc3\xa9"),
	    "an escaped UTF-8 sequence decodes");
	tap_ok(value_is("a=caf\xc3\xa9", "a", "caf\xc3\xa9"),
	    "raw UTF-8 is kept");
	tap_ok(value_is("next=/a%3Fb%3Dc", "next", "/a?b=c"),
	    "an escaped path decodes");
	tap_ok(value_is("a=1=2", "a", "1=2"),
	    "the value runs from the first \"=\" to the \"&\"");
	tap_ok(value_is("a=%09", "a", "\t"), "an escaped tab is kept");
}

static void
test_malformed(void)
{
	tap_ok(parse_rc("a=%") == JA_EINVAL, "a lone \"%\" is refused");
	tap_ok(parse_rc("%") == JA_EINVAL, "a lone \"%\" in a name is refused");
	tap_ok(parse_rc("a=%4") == JA_EINVAL,
	    "\"%4\" (one hex digit) is refused");
	tap_ok(parse_rc("a=%4&b=1") == JA_EINVAL,
	    "\"%4\" before \"&\" is refused");
	tap_ok(parse_rc("a=%zz") == JA_EINVAL, "\"%zz\" is refused");
	tap_ok(parse_rc("a=%4g") == JA_EINVAL, "\"%4g\" is refused");
	tap_ok(parse_rc("a=% 4") == JA_EINVAL, "\"% 4\" is refused");
	tap_ok(parse_rc("a=%%41") == JA_EINVAL, "\"%%41\" is refused");
	tap_ok(parse_rc("a=%00") == JA_EINVAL, "\"%00\" (NUL) is refused");
	tap_ok(parse_rc("a%00b=1") == JA_EINVAL,
	    "\"%00\" in a name is refused");
	tap_ok(parse_rc("a=%0A") == JA_EINVAL,
	    "an escaped newline is refused");
	tap_ok(parse_rc("a=%C3") == JA_EINVAL,
	    "an escaped truncated UTF-8 sequence is refused");
	tap_ok(parse_rc("a=%C0%AF") == JA_EINVAL,
	    "an escaped overlong UTF-8 form is refused");
	tap_ok(parse_rc("a=%ED%A0%80") == JA_EINVAL,
	    "an escaped surrogate is refused");
	tap_ok(parse_rc("a=\xff") == JA_EINVAL, "a raw byte FF is refused");
	tap_ok(parse_rc("a=x\ny") == JA_EINVAL, "a raw newline is refused");
	{
		struct form	 f;

		tap_ok(form_parse(&f, "a=x\0y", 5) == JA_EINVAL,
		    "a raw NUL inside the length is refused");
		form_free(&f);
	}
}

static void
test_names(void)
{
	tap_ok(parse_rc("a=1&a=2") == JA_EINVAL,
	    "a repeated name is refused");
	tap_ok(parse_rc("a=1&a=1") == JA_EINVAL,
	    "a repeated name is refused even with the same value");
	tap_ok(parse_rc("a=1&%61=2") == JA_EINVAL,
	    "names repeated after decoding are refused");
	tap_ok(parse_rc("a=1&b=2&a") == JA_EINVAL,
	    "a repeated name without \"=\" is refused");
	tap_ok(nfields("a=1&A=2") == 2, "names are case-sensitive");
}

static void
test_empty(void)
{
	struct form	 f;

	tap_ok(nfields("") == 0, "the empty body has no fields");
	tap_ok(nfields("&&&") == 0, "empty pieces between \"&\" are skipped");
	tap_ok(nfields("&a=1&&b=2&") == 2,
	    "fields between empty pieces are kept");
	tap_ok(value_is("a=&b=2", "a", "") && value_is("a=&b=2", "b", "2"),
	    "an empty value is the empty string");
	tap_ok(value_is("a", "a", ""), "a name without \"=\" has the empty "
	    "value");
	tap_ok(value_is("a&b=1", "a", "") && value_is("a&b=1", "b", "1"),
	    "a field without \"=\" does not swallow the next");
	tap_ok(value_is("=x", "", "x"), "an empty name is a name");
	tap_ok(form_parse(&f, "a=1&b=2", 3) == JA_OK && f.nfields == 1 &&
	    form_get(&f, "b") == NULL,
	    "only the given length is parsed");
	form_free(&f);
}

static void
test_limits(void)
{
	char	 s[512];
	size_t	 i;

	s[0] = '\0';
	for (i = 0; i < 32; i++)
		snprintf(s + strlen(s), sizeof(s) - strlen(s), "%sf%zu=%zu",
		    i ? "&" : "", i, i);
	tap_ok(nfields(s) == 32, "32 fields are accepted");
	snprintf(s + strlen(s), sizeof(s) - strlen(s), "&f32=32");
	tap_ok(parse_rc(s) == JA_ETOOBIG, "33 fields are too many");
	form_free(NULL);
	tap_ok(1, "form_free accepts NULL");
}

int
main(void)
{
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	test_decode();
	test_malformed();
	test_names();
	test_empty();
	test_limits();
	return tap_done();
}
