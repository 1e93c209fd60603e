/*
 * revmap.c: the hash map that holds the revocation cache's entries
 * (revcache.c), one map for the revoked jtis and one for the sessions.
 * A key is a jti or a session id; an entry carries what the policy
 * needs (user, expiry, live or dead) and nothing here interprets it.
 *
 * Chained buckets, a power of two of them, doubled once there are as
 * many entries as buckets.  The bucket of a key is SipHash
 * (crypto_shorthash) under a random key of the map's own, made at
 * revmap_init, so that keys chosen by a visitor cannot be made to
 * collide.  A map holds at most the max given to revmap_init; past it,
 * or out of memory, revmap_put refuses and the caller decides.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

_Static_assert(sizeof(((struct revmap *)0)->hashkey) ==
    crypto_shorthash_KEYBYTES, "revmap hashkey is a crypto_shorthash key");

#define REVMAP_FIRST	1024	/* buckets of a map's first table */

/*
 * Makes m an empty map of at most max entries, with a new random hash
 * key.  Call after sodium_init(); free with revmap_clear().
 */
void
revmap_init(struct revmap *m, size_t max)
{
	memset(m, 0, sizeof(*m));
	m->max = max;
	crypto_shorthash_keygen(m->hashkey);
}

/* The bucket of key in m, which has buckets. */
size_t
revmap_slot(const struct revmap *m, const char *key)
{
	unsigned char	 h[crypto_shorthash_BYTES];
	uint64_t	 v;

	crypto_shorthash(h, (const unsigned char *)key, strlen(key),
	    m->hashkey);
	memcpy(&v, h, sizeof(v));
	return (size_t)(v & (m->nbucket - 1));
}

/* The entry of key in m, or NULL when there is none. */
struct revmap_entry *
revmap_find(const struct revmap *m, const char *key)
{
	struct revmap_entry	*e;

	if (m->nbucket == 0)
		return NULL;
	for (e = m->bucket[revmap_slot(m, key)]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/*
 * Frees every entry of m and its buckets; m is empty after, and keeps
 * its hash key and its max.  Accepts a map never filled.
 */
void
revmap_clear(struct revmap *m)
{
	struct revmap_entry	*e, *next;
	size_t			 i;

	for (i = 0; i < m->nbucket; i++)
		for (e = m->bucket[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	free(m->bucket);
	m->bucket = NULL;
	m->nbucket = 0;
	m->count = 0;
}

/* Doubles the buckets of m (or makes the first ones).  JA_ENOMEM. */
static int
revmap_grow(struct revmap *m)
{
	struct revmap_entry	**bucket, *e, *next;
	struct revmap		  bigger = *m;
	size_t			  i, slot;

	bigger.nbucket = m->nbucket ? m->nbucket * 2 : REVMAP_FIRST;
	if ((bucket = calloc(bigger.nbucket, sizeof(*bucket))) == NULL)
		return JA_ENOMEM;
	bigger.bucket = bucket;
	for (i = 0; i < m->nbucket; i++)
		for (e = m->bucket[i]; e != NULL; e = next) {
			next = e->next;
			slot = revmap_slot(&bigger, e->key);
			e->next = bucket[slot];
			bucket[slot] = e;
		}
	free(m->bucket);
	*m = bigger;
	return JA_OK;
}

/*
 * Returns the entry of key in m, made (zeroed but for the key) if there
 * was none; NULL when key is REVMAP_KEY_MAX bytes or longer, when m
 * holds its max already, or when out of memory (m is unchanged).
 */
struct revmap_entry *
revmap_put(struct revmap *m, const char *key)
{
	struct revmap_entry	*e;
	size_t			 len = strlen(key), slot;

	if (len >= REVMAP_KEY_MAX)
		return NULL;
	if ((e = revmap_find(m, key)) != NULL)
		return e;
	if (m->count >= m->max ||
	    (m->count >= m->nbucket && revmap_grow(m) != JA_OK) ||
	    (e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	memcpy(e->key, key, len + 1);
	slot = revmap_slot(m, key);
	e->next = m->bucket[slot];
	m->bucket[slot] = e;
	m->count++;
	return e;
}

/* Removes and frees every entry of m for which drop(e, arg) is true. */
void
revmap_remove_if(struct revmap *m,
    int (*drop)(const struct revmap_entry *, const void *), const void *arg)
{
	struct revmap_entry	**pp, *e;
	size_t			  i;

	for (i = 0; i < m->nbucket; i++) {
		pp = &m->bucket[i];
		while ((e = *pp) != NULL) {
			if (drop(e, arg)) {
				*pp = e->next;
				free(e);
				m->count--;
			} else
				pp = &e->next;
		}
	}
}

static int
revmap_before(const struct revmap_entry *e, const void *arg)
{
	return e->expires < *(const int64_t *)arg;
}

/* Removes every entry of m whose expires is before t (epoch seconds). */
void
revmap_expire(struct revmap *m, int64_t t)
{
	revmap_remove_if(m, revmap_before, &t);
}
