/*
 * tokcache.c: access tokens this process has verified already.  A
 * browser sends the same access token with every request of its life,
 * so the second check of a token needs neither the HMAC nor the JSON
 * parse of token_verify(): the exact token bytes are looked up here and,
 * when found, compared in full (sodium_memcmp, never by a hash alone)
 * and their claims reused.  The time checks are made again on every
 * hit (exp with the leeway, iat not in the future: RFC 7519 §4.1.4,
 * §4.1.6), and an entry whose exp has passed is dropped; revocation is
 * not cached here (revcache.c decides it on every request).
 *
 * The cache is direct-mapped: token_cache_size slots chosen by a keyed
 * hash (SipHash, a key of this process), a new token replacing the old
 * one in its slot.  So its memory is bounded (a slot holds a copy of
 * the token and its claims: about 800 bytes with a 400-byte token) and
 * nobody can choose which slot a token lands in.  token_cache_size = 0
 * turns it off.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

struct tokcache_slot {
	char		*token;		/* NULL: empty */
	size_t		 len;
	struct claims	 claims;
};

static struct {
	struct tokcache_slot	*slot;
	size_t			 nslot;
	unsigned char		 hashkey[crypto_shorthash_KEYBYTES];
} tc_state;

static void
tokcache_slot_clear(struct tokcache_slot *s)
{
	if (s->token != NULL) {
		sodium_memzero(s->token, s->len);
		free(s->token);
	}
	sodium_memzero(s, sizeof(*s));
}

/*
 * Makes the cache of nslot slots (0: no cache).  Returns JA_OK or
 * JA_ENOMEM (then there is no cache, which is only slower).
 */
int
tokcache_init(size_t nslot)
{
	tokcache_free();
	crypto_shorthash_keygen(tc_state.hashkey);
	if (nslot == 0)
		return JA_OK;
	if ((tc_state.slot = calloc(nslot, sizeof(*tc_state.slot))) == NULL)
		return JA_ENOMEM;
	tc_state.nslot = nslot;
	return JA_OK;
}

/* Frees the cache, wiping the tokens; safe to call twice. */
void
tokcache_free(void)
{
	size_t	 i;

	for (i = 0; i < tc_state.nslot; i++)
		tokcache_slot_clear(&tc_state.slot[i]);
	free(tc_state.slot);
	tc_state.slot = NULL;
	tc_state.nslot = 0;
}

/*
 * Moves the cache out (stash.c), leaving this process with none, as
 * before tokcache_init().  Returns the box, or NULL: nothing moved.
 */
void *
tokcache_stash(void)
{
	return stash_take(&tc_state, sizeof(tc_state));
}

/* Frees the cache in place, then moves box's back in (frees box). */
void
tokcache_unstash(void *box)
{
	tokcache_free();
	stash_put(&tc_state, box, sizeof(tc_state));
}

static struct tokcache_slot *
tokcache_slot_of(const char *token, size_t len)
{
	unsigned char	 h[crypto_shorthash_BYTES];
	uint64_t	 v;

	crypto_shorthash(h, (const unsigned char *)token, len,
	    tc_state.hashkey);
	memcpy(&v, h, sizeof(v));
	return &tc_state.slot[v % tc_state.nslot];
}

/*
 * Looks token (len bytes) up.  Returns JA_OK with its claims in c when
 * this process verified exactly these bytes before and the token is
 * still within its lifetime at now (leeway as in token_verify), else
 * JA_ENOTFOUND (c untouched).
 */
int
tokcache_lookup(const struct config *cfg, const char *token, size_t len,
    time_t now, struct claims *c)
{
	struct tokcache_slot	*s;

	if (tc_state.nslot == 0 || len == 0)
		return JA_ENOTFOUND;
	s = tokcache_slot_of(token, len);
	if (s->token == NULL || s->len != len ||
	    sodium_memcmp(s->token, token, len) != 0)
		return JA_ENOTFOUND;
	if ((int64_t)now - cfg->leeway >= s->claims.exp ||
	    s->claims.iat > (int64_t)now + cfg->leeway) {
		tokcache_slot_clear(s);
		return JA_ENOTFOUND;
	}
	*c = s->claims;
	return JA_OK;
}

/*
 * Keeps token (len bytes), just verified by token_verify() with claims
 * c, replacing whatever held its slot.  Out of memory it keeps nothing.
 */
void
tokcache_store(const char *token, size_t len, const struct claims *c)
{
	struct tokcache_slot	*s;
	char			*copy;

	if (tc_state.nslot == 0 || len == 0)
		return;
	if ((copy = malloc(len)) == NULL)
		return;
	memcpy(copy, token, len);
	s = tokcache_slot_of(token, len);
	tokcache_slot_clear(s);
	s->token = copy;
	s->len = len;
	s->claims = *c;
}

/*
 * Verifies access token token at now as token_verify() does, from the
 * cache when this process verified the same bytes before, and keeps a
 * newly verified one.  Returns JA_OK with the claims in c, or JA_EAUTH.
 * Revocation is the caller's next step (revcache_check).
 */
int
tokcache_verify(const struct config *cfg, const char *token, time_t now,
    struct claims *c)
{
	size_t	 len = strnlen(token, JA_TOKEN_MAX + 1);

	if (tokcache_lookup(cfg, token, len, now, c) == JA_OK) {
		metrics_count(METRIC_TOKCACHE_HIT);
		return JA_OK;
	}
	metrics_count(METRIC_TOKCACHE_MISS);
	if (token_verify(cfg, token, now, c) != JA_OK)
		return JA_EAUTH;
	tokcache_store(token, len, c);
	return JA_OK;
}
