/*
 * test-revmap.c: unit tests for revmap.c, the hash map of the
 * revocation cache (revoked jtis, sessions): insertion and lookup,
 * removal, expiry, growth of the buckets, keys that share a bucket, and
 * the bounds (key length, most entries).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

#define NOW	((int64_t)1700000000)

/* Whether every key "k0".."k{n-1}" is found in m with its own key. */
static int
all_found(const struct revmap *m, int n)
{
	struct revmap_entry	*e;
	char			 key[32];
	int			 i;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if ((e = revmap_find(m, key)) == NULL || strcmp(e->key, key))
			return 0;
	}
	return 1;
}

/* The expires of key's entry in m, or -1 when key is not found. */
static int64_t
expires_of(const struct revmap *m, const char *key)
{
	struct revmap_entry	*e = revmap_find(m, key);

	return e != NULL ? e->expires : -1;
}

/* Puts "k0".."k{n-1}"; returns how many revmap_put accepted. */
static int
put_many(struct revmap *m, int n)
{
	char	 key[32];
	int	 i, put = 0;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if (revmap_put(m, key) != NULL)
			put++;
	}
	return put;
}

static int
of_user(const struct revmap_entry *e, const void *arg)
{
	return strcmp(e->user_id, arg) == 0;
}

static void
test_insert_lookup(void)
{
	struct revmap		 m;
	struct revmap_entry	*e, *again;

	revmap_init(&m, 100);
	tap_ok(revmap_find(&m, "abc") == NULL,
	    "an empty map finds nothing");
	e = revmap_put(&m, "abc");
	tap_ok(e != NULL && strcmp(e->key, "abc") == 0 && e->expires == 0 &&
	    e->user_id[0] == '\0' && e->state == REVMAP_LIVE,
	    "a new entry holds its key and is otherwise zeroed");
	e->expires = NOW;
	e->state = REVMAP_DEAD;
	tap_ok(revmap_find(&m, "abc") == e && m.count == 1,
	    "a put key is found, as the same entry");
	again = revmap_put(&m, "abc");
	tap_ok(again == e && m.count == 1 && again->expires == NOW &&
	    again->state == REVMAP_DEAD,
	    "putting a key again returns its entry unchanged, not a second");
	tap_ok(revmap_find(&m, "ab") == NULL &&
	    revmap_find(&m, "abcd") == NULL && revmap_find(&m, "ABC") == NULL,
	    "a prefix, an extension or another case of a key is not found");
	revmap_clear(&m);
	tap_ok(m.count == 0 && revmap_find(&m, "abc") == NULL,
	    "a cleared map is empty");
	tap_ok(revmap_put(&m, "abc") != NULL && revmap_find(&m, "abc") != NULL,
	    "a cleared map takes entries again");
	revmap_clear(&m);
}

static void
test_removal(void)
{
	struct revmap		 m;
	struct revmap_entry	*e;

	revmap_init(&m, 100);
	tap_ok(put_many(&m, 10) == 10, "ten keys are put");
	snprintf(revmap_find(&m, "k3")->user_id, JA_UUID_LEN + 1, "u1");
	snprintf(revmap_find(&m, "k7")->user_id, JA_UUID_LEN + 1, "u1");
	snprintf(revmap_find(&m, "k8")->user_id, JA_UUID_LEN + 1, "u2");
	revmap_remove_if(&m, of_user, "u1");
	tap_ok(m.count == 8 && revmap_find(&m, "k3") == NULL &&
	    revmap_find(&m, "k7") == NULL,
	    "remove_if removes exactly the entries its test picks");
	tap_ok((e = revmap_find(&m, "k8")) != NULL &&
	    strcmp(e->user_id, "u2") == 0 && revmap_find(&m, "k0") != NULL &&
	    revmap_find(&m, "k9") != NULL, "and keeps the others");
	revmap_remove_if(&m, of_user, "nobody");
	tap_ok(m.count == 8, "a test that picks nothing removes nothing");
	tap_ok(revmap_put(&m, "k3") != NULL && m.count == 9 &&
	    revmap_find(&m, "k3")->user_id[0] == '\0',
	    "a removed key can be put again, as a new entry");
	revmap_clear(&m);
}

static void
test_expiry(void)
{
	struct revmap	 m;

	revmap_init(&m, 100);
	revmap_put(&m, "old")->expires = NOW - 1;
	revmap_put(&m, "now")->expires = NOW;
	revmap_put(&m, "new")->expires = NOW + 300;
	revmap_put(&m, "forever")->expires = INT64_MAX;
	revmap_expire(&m, NOW);
	tap_ok(revmap_find(&m, "old") == NULL,
	    "expire removes an entry that expired before the time given");
	tap_ok(revmap_find(&m, "now") != NULL,
	    "expire keeps an entry that expires at the time given");
	tap_ok(revmap_find(&m, "new") != NULL &&
	    revmap_find(&m, "forever") != NULL && m.count == 3,
	    "expire keeps the entries that expire later");
	revmap_expire(&m, INT64_MAX);
	tap_ok(m.count == 1 && revmap_find(&m, "forever") != NULL,
	    "an entry that never expires outlives every sweep");
	revmap_clear(&m);
}

static void
test_growth(void)
{
	struct revmap	 m;
	size_t		 first;

	revmap_init(&m, 100000);
	revmap_put(&m, "k0");
	first = m.nbucket;
	tap_ok(first >= 1 && (first & (first - 1)) == 0,
	    "the first put makes a power of two of buckets");
	tap_ok(put_many(&m, (int)first) == (int)first && m.nbucket == first,
	    "the buckets do not grow while entries are no more than buckets");
	revmap_put(&m, "one more");
	tap_ok(m.nbucket == 2 * first,
	    "one entry more than buckets doubles the buckets");
	tap_ok(all_found(&m, (int)first) &&
	    revmap_find(&m, "one more") != NULL,
	    "every entry is found after the buckets grew");
	tap_ok(put_many(&m, 20000) == 20000 && m.count == 20001 &&
	    m.nbucket >= m.count && all_found(&m, 20000),
	    "twenty thousand entries are all found, the buckets at least "
	    "as many");
	revmap_clear(&m);
}

/*
 * Two keys in one bucket: found by trying names until two share the
 * bucket of the map's first table.
 */
static void
test_collision(void)
{
	struct revmap	 m;
	char		 a[32], b[32];
	size_t		 slot[4096], i, j;
	int		 found = 0;

	revmap_init(&m, 100);
	revmap_put(&m, "seed");
	for (i = 0; i < 4096 && !found; i++) {
		snprintf(a, sizeof(a), "c%zu", i);
		slot[i] = revmap_slot(&m, a);
		for (j = 0; j < i && !found; j++)
			if (slot[j] == slot[i]) {
				snprintf(b, sizeof(b), "c%zu", j);
				found = 1;
			}
	}
	if (!tap_ok(found, "two keys sharing a bucket are found")) {
		revmap_clear(&m);
		return;
	}
	revmap_put(&m, a)->expires = 1;
	revmap_put(&m, b)->expires = 2;
	tap_ok(expires_of(&m, a) == 1 && expires_of(&m, b) == 2,
	    "keys sharing a bucket each find their own entry");
	revmap_put(&m, a)->user_id[0] = 'x';
	revmap_remove_if(&m, of_user, "x");
	tap_ok(revmap_find(&m, a) == NULL && expires_of(&m, b) == 2,
	    "removing one of two keys sharing a bucket keeps the other");
	revmap_put(&m, a)->expires = 3;
	revmap_put(&m, b)->user_id[0] = 'x';
	revmap_remove_if(&m, of_user, "x");
	tap_ok(revmap_find(&m, b) == NULL && expires_of(&m, a) == 3,
	    "whichever of the two is first in the bucket");
	revmap_clear(&m);
}

static void
test_bounds(void)
{
	struct revmap	 m;
	char		 key[REVMAP_KEY_MAX + 1];

	revmap_init(&m, 5);
	tap_ok(put_many(&m, 8) == 5 && m.count == 5,
	    "a map takes no more entries than its max");
	tap_ok(all_found(&m, 5) && revmap_find(&m, "k5") == NULL,
	    "the entries put before it was full stay, the refused are absent");
	tap_ok(revmap_put(&m, "k2") == revmap_find(&m, "k2"),
	    "a full map still returns the entry of a key it holds");
	revmap_clear(&m);
	memset(key, 'a', sizeof(key));
	key[REVMAP_KEY_MAX - 1] = '\0';
	tap_ok(revmap_put(&m, key) != NULL,
	    "a key of REVMAP_KEY_MAX - 1 bytes is taken");
	key[REVMAP_KEY_MAX - 1] = 'a';
	key[REVMAP_KEY_MAX] = '\0';
	tap_ok(revmap_put(&m, key) == NULL && m.count == 1,
	    "a key of REVMAP_KEY_MAX bytes is refused");
	revmap_clear(&m);
	revmap_clear(&m);
	tap_ok(m.count == 0 && m.nbucket == 0 && m.bucket == NULL,
	    "clearing an empty map twice is harmless");
}

static void
test_keys_differ(void)
{
	struct revmap	 m1, m2;

	revmap_init(&m1, 10);
	revmap_init(&m2, 10);
	tap_ok(memcmp(m1.hashkey, m2.hashkey, sizeof(m1.hashkey)) != 0,
	    "each map gets a hash key of its own");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_insert_lookup();
	test_removal();
	test_expiry();
	test_growth();
	test_collision();
	test_bounds();
	test_keys_differ();
	return tap_done();
}
