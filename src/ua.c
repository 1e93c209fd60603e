/*
 * ua.c: a User-Agent header (RFC 9110 §10.1.5) told in words for the
 * account page: "Firefox on Linux", "Safari on iPhone", "curl".  A guess
 * from well-known tokens, in the order that matters (Edge and Opera say
 * Chrome too, Chrome says Safari, Android says Linux); anything else is
 * "Unknown browser".  The header is the client's to say: the words are
 * shown as a hint, never trusted.
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"

struct ua_name {
	const char	*token;	/* found anywhere in the header */
	const char	*name;
};

/* First match wins. */
static const struct ua_name ua_browsers[] = {
	{ "Edg/", "Edge" }, { "EdgA/", "Edge" }, { "EdgiOS/", "Edge" },
	{ "OPR/", "Opera" }, { "SamsungBrowser/", "Samsung Internet" },
	{ "Firefox/", "Firefox" }, { "FxiOS/", "Firefox" },
	{ "CriOS/", "Chrome" }, { "HeadlessChrome/", "Chromium" },
	{ "Chromium/", "Chromium" }, { "Chrome/", "Chrome" },
	{ "Safari/", "Safari" }, { "curl/", "curl" }, { "Wget/", "Wget" },
	{ "python-requests/", "Python requests" },
	{ "Go-http-client/", "Go program" }, { "HTTP-Tiny/", "Perl HTTP::Tiny" },
};

static const struct ua_name ua_systems[] = {
	{ "iPhone", "iPhone" }, { "iPad", "iPad" }, { "Android", "Android" },
	{ "CrOS", "ChromeOS" }, { "Windows", "Windows" },
	{ "Mac OS X", "macOS" }, { "Macintosh", "macOS" },
	{ "Linux", "Linux" }, { "FreeBSD", "FreeBSD" },
	{ "OpenBSD", "OpenBSD" },
};

static const char *
ua_find(const struct ua_name *t, size_t n, const char *ua)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strstr(ua, t[i].token) != NULL)
			return t[i].name;
	return NULL;
}

/*
 * Writes what ua (may be NULL or empty) says in words into out (outlen
 * bytes, truncated to fit): "BROWSER on SYSTEM", the browser alone, or
 * "Unknown browser" (on SYSTEM).
 */
void
ua_describe(const char *ua, char *out, size_t outlen)
{
	const char	*b = NULL, *s = NULL;

	if (ua != NULL) {
		b = ua_find(ua_browsers, sizeof(ua_browsers) /
		    sizeof(ua_browsers[0]), ua);
		s = ua_find(ua_systems, sizeof(ua_systems) /
		    sizeof(ua_systems[0]), ua);
	}
	if (b == NULL)
		b = "Unknown browser";
	if (s != NULL)
		snprintf(out, outlen, "%s on %s", b, s);
	else
		snprintf(out, outlen, "%s", b);
}
