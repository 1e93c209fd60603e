/*
 * check-cost.c: the in-process cost of checking one access token, for
 * `make bench` (scripts/bench.pl runs it under callgrind, which counts
 * instructions: the same on every run and every machine of a kind).
 *
 *   check-cost first N    N distinct tokens, each checked once: the
 *                         first sight (token_verify, then kept)
 *   check-cost repeat N   one token checked N + 1 times; the first check
 *                         makes it known, the N others are repeats
 *
 * One check is one call of bench_check(): the token's claims (from the
 * cache of verified tokens, else token_verify) and the revocation
 * decision from memory (revcache_decide), which is what the authorizer
 * does for a session it knows once it has drained the notifications
 * (one poll(2), not counted here).  Run it as
 *   valgrind --tool=callgrind --collect-atstart=no \
 *       --toggle-collect=bench_check bench/check-cost first 1000
 * and divide the total by N.  The session is made known to the cache
 * beforehand, as the first request of a session does with one query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

#define SUB	"0b0e6c1e-5b8f-4d4e-9a3c-2f1d6e7a8b9c"
#define SID	"5f3c2b1a-0e9d-4c8b-a7f6-e5d4c3b2a190"

/* Not static, not inlined: callgrind's --toggle-collect names it. */
int	bench_check(const struct config *, const char *, time_t)
	    __attribute__((noinline));

int
bench_check(const struct config *cfg, const char *token, time_t now)
{
	struct claims	 c;

	if (tokcache_verify(cfg, token, now, &c) != JA_OK)
		return JA_EAUTH;
	return revcache_decide(&c, now);
}

static void
usage(void)
{
	fprintf(stderr, "usage: check-cost first|repeat N\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	struct claims	 c;
	char		 issuer[] = "jwtauth", kid[] = "k1";
	char		**tok = NULL;
	time_t		 now = time(NULL);
	long		 n, i, ntok;
	int		 first, rc = 1;

	if (argc != 3 || (strcmp(argv[1], "first") != 0 &&
	    strcmp(argv[1], "repeat") != 0) ||
	    text_parse_long(argv[2], 1, 1000000, &n) != JA_OK)
		usage();
	first = strcmp(argv[1], "first") == 0;
	if (sodium_init() < 0)
		return 1;
	/* The service's defaults (jwtauth.conf(5)) and a random key. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.issuer = issuer;
	cfg.key_id = kid;
	cfg.access_ttl = 300;
	cfg.leeway = 30;
	cfg.keylen = 32;
	randombytes_buf(cfg.key, cfg.keylen);
	if (tokcache_init(first ? (size_t)n : 1024) != JA_OK)
		return 1;
	revcache_init();
	if (revcache_note_session(SID, SUB, (int64_t)now + 86400, 1) != 0)
		return 1;

	ntok = first ? n : 1;
	if ((tok = calloc((size_t)ntok, sizeof(*tok))) == NULL)
		return 1;
	for (i = 0; i < ntok; i++)
		if (token_issue(&cfg, SUB, "benchmark-user", SID, now, &c,
		    &tok[i]) != JA_OK)
			goto out;
	if (!first && bench_check(&cfg, tok[0], now) != JA_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (bench_check(&cfg, tok[first ? i : 0], now) != JA_OK) {
			fprintf(stderr, "check-cost: a valid token was "
			    "refused\n");
			goto out;
		}
	rc = 0;
out:
	for (i = 0; i < ntok; i++)
		free(tok[i]);
	free(tok);
	tokcache_free();
	revcache_free();
	return rc;
}
