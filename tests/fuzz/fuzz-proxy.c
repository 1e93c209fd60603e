/*
 * fuzz-proxy.c: fuzz harness for proxy_client() in proxy.c, the
 * client's address from REMOTE_ADDR and X-Forwarded-For.  An input of
 * three lines or more is trusted_proxies, REMOTE_ADDR, then the
 * X-Forwarded-For value (the rest); a shorter one is the X-Forwarded-For
 * sent by the trusted proxy 10.0.0.1 with trusted_proxies "10.0.0.1
 * 10.0.0.2, 2001:db8::1".  The harness works the answer out again,
 * plainly: from the right, the first entry (between commas, spaces and
 * tabs trimmed) that is not empty and not a trusted proxy, "" when that
 * entry is too long for req->client, REMOTE_ADDR when there is none or
 * REMOTE_ADDR is not trusted; and aborts when proxy_client() disagrees.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"
#include "fuzz.h"

#define CLIENT_MAX	(sizeof(((struct request *)0)->client) - 1)

/* The address the comment above describes, into want (CLIENT_MAX + 1). */
static void
expect(const char *proxies, const char *remote, const char *xff,
    char *want)
{
	size_t	 end, start, s, e;

	strncpy(want, remote, CLIENT_MAX);
	want[CLIENT_MAX] = '\0';
	if (xff == NULL || !text_in_list(proxies, remote, strlen(remote)))
		return;
	end = strlen(xff);
	for (;;) {
		start = end;
		while (start > 0 && xff[start - 1] != ',')
			start--;
		s = start;
		e = end;
		while (s < e && (xff[s] == ' ' || xff[s] == '\t'))
			s++;
		while (e > s && (xff[e - 1] == ' ' || xff[e - 1] == '\t'))
			e--;
		if (e > s && !text_in_list(proxies, xff + s, e - s)) {
			if (e - s > CLIENT_MAX)
				want[0] = '\0';
			else {
				memcpy(want, xff + s, e - s);
				want[e - s] = '\0';
			}
			return;
		}
		if (start == 0)
			return;
		end = start - 1;
	}
}

static void
fuzz_client(const char *proxies, const char *remote, const char *xff)
{
	struct config	 cfg;
	struct request	 req;
	char		 want[CLIENT_MAX + 1];

	memset(&cfg, 0, sizeof(cfg));
	memset(&req, 0, sizeof(req));
	cfg.trusted_proxies = (char *)(uintptr_t)proxies;
	req.remote_addr = (char *)(uintptr_t)remote;
	req.forwarded_for = (char *)(uintptr_t)xff;
	memset(req.client, 'X', sizeof(req.client));
	proxy_client(&cfg, &req);
	if (strnlen(req.client, sizeof(req.client)) >= sizeof(req.client))
		abort();
	expect(proxies != NULL ? proxies : "", remote != NULL ? remote : "",
	    xff, want);
	if (strcmp(req.client, want) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *remote, *xff;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if ((remote = strchr(s, '\n')) != NULL &&
	    (xff = strchr(remote + 1, '\n')) != NULL) {
		*remote++ = '\0';
		*xff++ = '\0';
		fuzz_client(s, remote, xff);
		fuzz_client(NULL, remote, xff);
		fuzz_client(s, NULL, xff);
	} else {
		fuzz_client("10.0.0.1 10.0.0.2, 2001:db8::1", "10.0.0.1", s);
		fuzz_client("10.0.0.1 10.0.0.2, 2001:db8::1", "192.0.2.1", s);
		fuzz_client("10.0.0.1", "10.0.0.1", NULL);
	}
	free(s);
	return 0;
}
