/*
 * cose.c: the CBOR of WebAuthn, bounded before libcbor sees it, and a
 * credential's public key as a COSE_Key (RFC 9052 §7, RFC 9053 §2.1,
 * §2.2; RFC 8230 §4 for RSA) read into the form libfido2 takes.
 *
 * cose_item_len() walks one CBOR item (RFC 8949 §3) by itself before
 * anything is decoded: definite lengths only (CTAP2 canonical form,
 * WebAuthn §6.1), no tags, nesting at most COSE_DEPTH, and every length
 * no greater than the bytes that remain.  libcbor 0.8 allocates what a
 * header announces before it reads the items, so a 9-byte header
 * claiming 2^32 entries would ask for gigabytes: the walk refuses it
 * first.  Only bytes the walk accepted are given to cbor_load().
 */
#include <string.h>

#include <cbor.h>

#include "jwtauth.h"

#define COSE_DEPTH	8	/* nesting of arrays and maps at the most */

static int	cose_walk(const unsigned char *, size_t, int, size_t *);

/*
 * Reads the head of the item at p (len bytes): its major type in *major,
 * its argument in *arg, and the head's size in *used.  Returns JA_OK, or
 * JA_EINVAL for a truncated head, an indefinite length or a reserved
 * additional-information value (RFC 8949 §3).
 */
static int
cose_head(const unsigned char *p, size_t len, int *major, uint64_t *arg,
    size_t *used)
{
	unsigned int	 ai;
	size_t		 n, i;

	if (len < 1)
		return JA_EINVAL;
	*major = p[0] >> 5;
	ai = p[0] & 0x1f;
	if (ai < 24) {
		*arg = ai;
		*used = 1;
		return JA_OK;
	}
	if (ai > 27)		/* 28-30 reserved, 31 indefinite */
		return JA_EINVAL;
	n = (size_t)1 << (ai - 24);	/* 1, 2, 4 or 8 bytes */
	if (len - 1 < n)
		return JA_EINVAL;
	*arg = 0;
	for (i = 0; i < n; i++)
		*arg = (*arg << 8) | p[1 + i];
	*used = 1 + n;
	return JA_OK;
}

/* Walks count items (2 * pairs for a map) at p; adds their size to *off. */
static int
cose_walk_items(const unsigned char *p, size_t len, int depth, uint64_t count,
    size_t *off)
{
	uint64_t	 i;
	size_t		 n;

	for (i = 0; i < count; i++) {
		if (cose_walk(p + *off, len - *off, depth, &n) != JA_OK)
			return JA_EINVAL;
		*off += n;
	}
	return JA_OK;
}

/* The size of the well-formed item at p in *used (see the top). */
static int
cose_walk(const unsigned char *p, size_t len, int depth, size_t *used)
{
	uint64_t	 arg;
	size_t		 off;
	int		 major;

	if (cose_head(p, len, &major, &arg, &off) != JA_OK)
		return JA_EINVAL;
	switch (major) {
	case 0:			/* unsigned integer */
	case 1:			/* negative integer */
		break;
	case 2:			/* byte string */
	case 3:			/* text string */
		if (arg > len - off)
			return JA_EINVAL;
		off += (size_t)arg;
		break;
	case 4:			/* array: each item at least one byte */
	case 5:			/* map: each pair at least two */
		if (depth >= COSE_DEPTH)
			return JA_EINVAL;
		if (major == 5 && arg > (len - off) / 2)
			return JA_EINVAL;
		if (arg > len - off)
			return JA_EINVAL;
		if (cose_walk_items(p, len, depth + 1,
		    major == 5 ? arg * 2 : arg, &off) != JA_OK)
			return JA_EINVAL;
		break;
	case 6:			/* tag: none in WebAuthn's structures */
		return JA_EINVAL;
	default:		/* 7: false, true, null, undefined, floats */
		if ((p[0] & 0x1f) < 20 || (p[0] & 0x1f) == 24)
			return JA_EINVAL;
		break;
	}
	*used = off;
	return JA_OK;
}

/*
 * The size in *used of the one well-formed CBOR item that starts at p
 * (len bytes may hold more after it).  Returns JA_OK, or JA_EINVAL for
 * bytes that are truncated, indefinite, tagged, nested deeper than
 * COSE_DEPTH or announce more than len holds.
 */
int
cose_item_len(const unsigned char *p, size_t len, size_t *used)
{
	*used = 0;
	return cose_walk(p, len, 0, used);
}

/*
 * Decodes exactly len bytes at p as one CBOR item with libcbor, once
 * cose_item_len() found them one whole item.  Returns the item
 * (cbor_decref() it) or NULL.
 */
struct cbor_item_t *
cose_load(const unsigned char *p, size_t len)
{
	struct cbor_load_result	 res;
	cbor_item_t		*item;
	size_t			 n;

	if (len == 0 || cose_item_len(p, len, &n) != JA_OK || n != len)
		return NULL;
	item = cbor_load(p, len, &res);
	if (item != NULL && (res.error.code != CBOR_ERR_NONE ||
	    res.read != len))
		cbor_decref(&item);
	return item;
}

/* The integer item it (major type 0 or 1) in *v; 0 if it is none. */
static int
cose_int(const cbor_item_t *it, int64_t *v)
{
	uint64_t	 u;

	if (!cbor_is_int(it))
		return 0;
	u = cbor_get_int(it);
	if (u > INT64_MAX)
		return 0;
	*v = cbor_isa_uint(it) ? (int64_t)u : -1 - (int64_t)u;
	return 1;
}

/* Copies the definite byte string it of exactly want bytes to dst. */
static int
cose_bytes(const cbor_item_t *it, unsigned char *dst, size_t want)
{
	if (it == NULL || !cbor_isa_bytestring(it) ||
	    !cbor_bytestring_is_definite(it) ||
	    cbor_bytestring_length(it) != want)
		return 0;
	memcpy(dst, cbor_bytestring_handle(it), want);
	return 1;
}

/*
 * Reads len bytes at p, one COSE_Key, into k: ES256 (kty 2 EC2, crv 1
 * P-256, x and y of 32 bytes: RFC 9053 §2.1, §7.1.1), EdDSA (kty 1 OKP,
 * crv 6 Ed25519, x of 32 bytes: §2.2, §7.2) or RS256 (kty 3 RSA, n of
 * 256 bytes and e of 3, the one RSA key size libfido2's rs256_pk_t
 * holds: RFC 8230 §4).  alg (label 3) must be given and agree with kty.
 * Labels other than these are ignored; a label twice is refused.
 * Returns JA_OK, JA_ETOOBIG over COSE_KEY_MAX, or JA_EINVAL (malformed,
 * or a key type or algorithm we do not take).
 */
int
cose_key_parse(struct cose_key *k, const unsigned char *p, size_t len)
{
	cbor_item_t		*map = NULL;
	struct cbor_pair	*pairs;
	const cbor_item_t	*kv[6];	/* 1 kty, 3 alg, -1, -2, -3 */
	int64_t			 label, kty, alg, crv;
	size_t			 i, slot;
	int			 rc = JA_EINVAL;

	memset(k, 0, sizeof(*k));
	memset(kv, 0, sizeof(kv));
	if (len > COSE_KEY_MAX)
		return JA_ETOOBIG;
	if ((map = cose_load(p, len)) == NULL || !cbor_isa_map(map) ||
	    !cbor_map_is_definite(map))
		goto out;
	pairs = cbor_map_handle(map);
	for (i = 0; i < cbor_map_size(map); i++) {
		if (!cose_int(pairs[i].key, &label))
			continue;	/* a text label: not one of ours */
		switch (label) {
		case 1: slot = 0; break;
		case 3: slot = 1; break;
		case -1: slot = 2; break;
		case -2: slot = 3; break;
		case -3: slot = 4; break;
		default: continue;
		}
		if (kv[slot] != NULL)
			goto out;
		kv[slot] = pairs[i].value;
	}
	if (kv[0] == NULL || kv[1] == NULL || !cose_int(kv[0], &kty) ||
	    !cose_int(kv[1], &alg))
		goto out;
	if (kty == 2 && alg == COSE_ALG_ES256) {
		if (kv[2] == NULL || !cose_int(kv[2], &crv) || crv != 1 ||
		    !cose_bytes(kv[3], k->pk, 32) ||
		    !cose_bytes(kv[4], k->pk + 32, 32))
			goto out;
		k->pklen = 64;
	} else if (kty == 1 && alg == COSE_ALG_EDDSA) {
		if (kv[2] == NULL || !cose_int(kv[2], &crv) || crv != 6 ||
		    !cose_bytes(kv[3], k->pk, 32) || kv[4] != NULL)
			goto out;
		k->pklen = 32;
	} else if (kty == 3 && alg == COSE_ALG_RS256) {
		if (!cose_bytes(kv[2], k->pk, 256) ||
		    !cose_bytes(kv[3], k->pk + 256, 3))
			goto out;
		k->pklen = 259;
	} else
		goto out;
	k->alg = (int)alg;
	rc = JA_OK;
out:
	if (map != NULL)
		cbor_decref(&map);
	if (rc != JA_OK)
		memset(k, 0, sizeof(*k));
	return rc;
}
