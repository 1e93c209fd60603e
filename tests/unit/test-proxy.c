/*
 * test-proxy.c: unit tests for proxy.c, the client's address: REMOTE_ADDR
 * unless it is a trusted proxy, then the rightmost X-Forwarded-For entry
 * that is not a trusted proxy.
 */
#include <string.h>

#include "jwtauth.h"
#include "tap.h"

static const char *
client(const char *proxies, const char *remote, const char *xff)
{
	static struct request	 req;
	struct config		 cfg;

	memset(&cfg, 0, sizeof(cfg));
	memset(&req, 0, sizeof(req));
	cfg.trusted_proxies = (char *)(uintptr_t)proxies;
	req.remote_addr = (char *)(uintptr_t)remote;
	req.forwarded_for = (char *)(uintptr_t)xff;
	proxy_client(&cfg, &req);
	return req.client;
}

int
main(void)
{
	char	 longxff[200];

	tap_ok(strcmp(client(NULL, "192.0.2.1", NULL), "192.0.2.1") == 0,
	    "without proxies the client is REMOTE_ADDR");
	tap_ok(strcmp(client(NULL, "192.0.2.1", "198.51.100.7"),
	    "192.0.2.1") == 0,
	    "without trusted proxies X-Forwarded-For is ignored");
	tap_ok(strcmp(client("10.0.0.1", "192.0.2.1", "198.51.100.7"),
	    "192.0.2.1") == 0,
	    "X-Forwarded-For from an untrusted address is ignored");
	tap_ok(strcmp(client("10.0.0.1", "10.0.0.1", "198.51.100.7"),
	    "198.51.100.7") == 0,
	    "a trusted proxy's X-Forwarded-For names the client");
	tap_ok(strcmp(client("10.0.0.1", "10.0.0.1",
	    "203.0.113.9, 198.51.100.7"), "198.51.100.7") == 0,
	    "the rightmost entry is taken: the left ones are the client's "
	    "own words");
	tap_ok(strcmp(client("10.0.0.1, 10.0.0.2", "10.0.0.1",
	    "203.0.113.9,198.51.100.7 , 10.0.0.2"), "198.51.100.7") == 0,
	    "trusted proxies in the chain are skipped");
	tap_ok(strcmp(client("10.0.0.1 10.0.0.2", "10.0.0.1", "10.0.0.2"),
	    "10.0.0.1") == 0,
	    "a chain of trusted proxies only keeps REMOTE_ADDR");
	tap_ok(strcmp(client("10.0.0.1", "10.0.0.1", " , "), "10.0.0.1") == 0,
	    "an X-Forwarded-For of empty entries keeps REMOTE_ADDR");
	memset(longxff, 'a', sizeof(longxff) - 1);
	longxff[sizeof(longxff) - 1] = '\0';
	tap_ok(client("10.0.0.1", "10.0.0.1", longxff)[0] == '\0',
	    "an entry too long for an address makes the client unknown, "
	    "not the trusted proxy");
	tap_ok(client("10.0.0.1", "10.0.0.1", "198.51.100.7, " "aaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")[0]
	    == '\0', "a too long entry right of a good one: unknown too");
	tap_ok(strcmp(client("10.0.0.10", "10.0.0.1", "198.51.100.7"),
	    "10.0.0.1") == 0, "a trusted proxy is matched whole, not by "
	    "prefix");
	tap_ok(client(NULL, NULL, NULL)[0] == '\0',
	    "no REMOTE_ADDR: no address");
	return tap_done();
}
