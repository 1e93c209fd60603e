/*
 * proxy.c: the client's address.  It is REMOTE_ADDR, unless that is one
 * of trusted_proxies: then the proxy's X-Forwarded-For says who its
 * client was, and the address taken is the rightmost one in it that is
 * not itself a trusted proxy (each proxy appends the address it saw, so
 * anything further left was written by the client and proves nothing).
 * With no trusted_proxies, X-Forwarded-For is ignored: anyone can send
 * one.  The address is used for the login throttle, the audit trail and
 * the sessions list.
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"

/* Returns 1 if the len bytes at addr are one of cfg->trusted_proxies. */
static int
proxy_trusted(const struct config *cfg, const char *addr, size_t len)
{
	return text_in_list(cfg->trusted_proxies, addr, len);
}

/*
 * Sets req->client to the client's address as described above.  Empty
 * (unknown) when the web server gave no address at all, or when the
 * chosen X-Forwarded-For entry is too long for an address: REMOTE_ADDR,
 * the trusted proxy's, must not stand in for its client (metrics_allow,
 * the proxy's throttle bucket).
 */
void
proxy_client(const struct config *cfg, struct request *req)
{
	const char	*xff = req->forwarded_for, *end, *comma, *s, *e;
	const char	*addr = req->remote_addr != NULL ? req->remote_addr : "";

	snprintf(req->client, sizeof(req->client), "%.*s",
	    (int)(sizeof(req->client) - 1), addr);
	if (xff == NULL || !proxy_trusted(cfg, addr, strlen(addr)))
		return;
	end = xff + strlen(xff);
	for (;;) {
		comma = memrchr(xff, ',', (size_t)(end - xff));
		s = comma != NULL ? comma + 1 : xff;
		e = end;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > s && !proxy_trusted(cfg, s, (size_t)(e - s))) {
			if ((size_t)(e - s) < sizeof(req->client))
				snprintf(req->client, sizeof(req->client),
				    "%.*s", (int)(e - s), s);
			else
				req->client[0] = '\0';
			return;
		}
		if (comma == NULL)
			return;
		end = comma;
	}
}
