/*
 * test-tokcache.c: unit tests for tokcache.c, the cache of access tokens
 * this process has verified.  A hit needs the exact bytes; the time
 * checks of RFC 7519 §4.1.4 (exp, with the leeway) and §4.1.6 (iat not
 * in the future) are made again on every hit; the cache is bounded.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

#define NOW	((time_t)1700000000)

static void
claims_for(struct claims *c, const char *user, int64_t iat, int64_t exp)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->username, sizeof(c->username), "%s", user);
	snprintf(c->sid, sizeof(c->sid), "%s",
	    "5f3c2b1a-0e9d-4c8b-a7f6-e5d4c3b2a190");
	c->iat = iat;
	c->exp = exp;
}

int
main(void)
{
	struct config	 cfg;
	struct claims	 in, out;
	const char	*tok = "aaaa.bbbb.cccc";
	const char	*other = "aaaa.bbbb.cccd";
	char		 name[64], many[64];
	int		 i, hits;

	if (sodium_init() < 0)
		return 1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.leeway = 30;

	tap_ok(tokcache_init(0) == JA_OK, "a cache of size 0 can be made");
	claims_for(&in, "alice", NOW - 10, NOW + 300);
	tokcache_store(tok, strlen(tok), &in);
	tap_ok(tokcache_lookup(&cfg, tok, strlen(tok), NOW, &out) ==
	    JA_ENOTFOUND, "size 0 keeps nothing");

	tap_ok(tokcache_init(16) == JA_OK, "a cache of 16 slots can be made");
	tap_ok(tokcache_lookup(&cfg, tok, strlen(tok), NOW, &out) ==
	    JA_ENOTFOUND, "an empty cache finds nothing");
	tokcache_store(tok, strlen(tok), &in);
	memset(&out, 0, sizeof(out));
	tap_ok(tokcache_lookup(&cfg, tok, strlen(tok), NOW, &out) == JA_OK,
	    "a stored token is found");
	tap_ok(strcmp(out.username, "alice") == 0 && out.exp == NOW + 300 &&
	    strcmp(out.sid, in.sid) == 0, "with the claims it was stored with");
	tap_ok(tokcache_lookup(&cfg, other, strlen(other), NOW, &out) ==
	    JA_ENOTFOUND, "a token differing in its last byte is not found");
	tap_ok(tokcache_lookup(&cfg, tok, strlen(tok) - 1, NOW, &out) ==
	    JA_ENOTFOUND, "a prefix of a stored token is not found");

	tap_ok(tokcache_lookup(&cfg, tok, strlen(tok), NOW + 300 + 29,
	    &out) == JA_OK, "a token is found until exp plus the leeway");
	tap_ok(tokcache_lookup(&cfg, tok, strlen(tok), NOW + 300 + 30,
	    &out) == JA_ENOTFOUND, "and not from exp plus the leeway on");
	tap_ok(tokcache_lookup(&cfg, tok, strlen(tok), NOW, &out) ==
	    JA_ENOTFOUND, "an expired entry is dropped, not kept");

	claims_for(&in, "alice", NOW - 10, NOW + 300);
	tokcache_store(tok, strlen(tok), &in);
	tap_ok(tokcache_lookup(&cfg, tok, strlen(tok), NOW - 10 - 31, &out) ==
	    JA_ENOTFOUND, "a token issued in the future (clock set back) is "
	    "not found");

	/* Bounded: 1000 tokens in 16 slots keep at most 16. */
	for (i = 0; i < 1000; i++) {
		snprintf(many, sizeof(many), "tok.%d.sig", i);
		snprintf(name, sizeof(name), "u%d", i);
		claims_for(&in, name, NOW, NOW + 300);
		tokcache_store(many, strlen(many), &in);
	}
	hits = 0;
	for (i = 0; i < 1000; i++) {
		snprintf(many, sizeof(many), "tok.%d.sig", i);
		snprintf(name, sizeof(name), "u%d", i);
		if (tokcache_lookup(&cfg, many, strlen(many), NOW, &out) ==
		    JA_OK) {
			hits++;
			if (strcmp(out.username, name) != 0)
				hits = 10000;	/* wrong claims: fail below */
		}
	}
	tap_ok(hits >= 1 && hits <= 16, "1000 tokens in 16 slots: at most 16 "
	    "kept, each with its own claims");
	tokcache_free();
	tap_ok(tokcache_lookup(&cfg, tok, strlen(tok), NOW, &out) ==
	    JA_ENOTFOUND, "after tokcache_free nothing is found");
	tokcache_free();
	tap_ok(1, "tokcache_free may be called twice");
	return tap_done();
}
