/*
 * test-ua.c: unit tests for ua.c, a User-Agent told in words, on the
 * headers of common browsers and tools (each one a real header of its
 * kind).
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"
#include "tap.h"

static void
says(const char *ua, const char *want, const char *name)
{
	char	 out[64];

	ua_describe(ua, out, sizeof(out));
	if (!tap_ok(strcmp(out, want) == 0, name))
		printf("# got \"%s\", want \"%s\"\n", out, want);
}

int
main(void)
{
	char	 small[8];

	says("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 "
	    "Firefox/128.0", "Firefox on Linux", "ua: Firefox on Linux");
	says("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
	    "Chrome on Windows", "ua: Chrome on Windows (says Safari too)");
	says("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 "
	    "Edg/126.0.0.0", "Edge on Windows", "ua: Edge (says Chrome too)");
	says("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
	    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
	    "Safari/605.1.15", "Safari on macOS", "ua: Safari on macOS");
	says("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
	    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
	    "Mobile/15E148 Safari/604.1", "Safari on iPhone",
	    "ua: Safari on iPhone (says Mac OS X too)");
	says("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
	    "Chrome on Android", "ua: Chrome on Android (says Linux too)");
	says("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
	    "like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36",
	    "Chromium on Linux", "ua: headless Chromium");
	says("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 "
	    "OPR/111.0.0.0", "Opera on Windows", "ua: Opera (says Chrome)");
	says("curl/7.88.1", "curl", "ua: curl, no system");
	says("HTTP-Tiny/0.086", "Perl HTTP::Tiny", "ua: Perl HTTP::Tiny");
	says("", "Unknown browser", "ua: empty");
	says(NULL, "Unknown browser", "ua: none");
	says("zzz (Linux)", "Unknown browser on Linux",
	    "ua: unknown browser on a known system");
	ua_describe("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Firefox/128.0",
	    small, sizeof(small));
	tap_ok(strlen(small) == sizeof(small) - 1, "ua: the words are cut "
	    "to the buffer");
	return tap_done();
}
