/*
 * webauthn.c: the two structures an authenticator's answer carries
 * (W3C WebAuthn Level 3): the client data (§5.8.1, CollectedClientData,
 * as the JSON the browser made) and the authenticator data (§6.1), read
 * strictly and bounded, and the checks of §7.1 and §7.2 that are ours
 * (libfido2 checks the signature, webauthn_sig.c).
 */
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * Reads len bytes of clientDataJSON (§5.8.1) into c: type, challenge
 * (base64url of exactly WA_CHALLENGE_LEN bytes), origin (at most
 * WA_ORIGIN_MAX bytes, printable ASCII) and crossOrigin (a boolean when
 * present).  Members we do not use (topOrigin, tokenBinding, any other)
 * are ignored, as §5.8.1.2 asks.  Returns JA_OK, JA_ETOOBIG over
 * WA_CLIENT_MAX or JA_EINVAL.
 */
int
webauthn_client_parse(struct wa_client *c, const unsigned char *p,
    size_t len)
{
	json_t		*j = NULL, *v;
	const char	*s;
	size_t		 n, i, got;
	int		 rc = JA_EINVAL;

	memset(c, 0, sizeof(*c));
	if (len > WA_CLIENT_MAX)
		return JA_ETOOBIG;
	j = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL || !json_is_object(j))
		goto out;
	v = json_object_get(j, "type");
	if (!json_is_string(v))
		goto out;
	if (strcmp(json_string_value(v), "webauthn.create") == 0)
		c->type = WA_CREATE;
	else if (strcmp(json_string_value(v), "webauthn.get") == 0)
		c->type = WA_GET;
	else
		goto out;
	v = json_object_get(j, "challenge");
	if (!json_is_string(v) || b64url_decode(c->challenge,
	    sizeof(c->challenge), &got, json_string_value(v),
	    json_string_length(v)) != JA_OK || got != WA_CHALLENGE_LEN)
		goto out;
	v = json_object_get(j, "origin");
	if (!json_is_string(v) || (n = json_string_length(v)) == 0 ||
	    n > WA_ORIGIN_MAX)
		goto out;
	s = json_string_value(v);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			goto out;
	memcpy(c->origin, s, n);
	v = json_object_get(j, "crossOrigin");
	if (v != NULL && !json_is_boolean(v))
		goto out;
	c->cross_origin = json_is_true(v);
	rc = JA_OK;
out:
	json_decref(j);
	if (rc != JA_OK)
		memset(c, 0, sizeof(*c));
	return rc;
}

/*
 * Whether origin is exactly one of the origins in list (separated by
 * spaces): WebAuthn §7.1 step 9, §7.2 step 13.
 */
static int
webauthn_origin_listed(const char *origin, const char *list)
{
	size_t	 n, olen = strlen(origin);

	for (list += strspn(list, " \t"); *list != '\0';
	    list += strspn(list, " \t")) {
		n = strcspn(list, " \t");
		if (n == olen && memcmp(list, origin, n) == 0)
			return 1;
		list += n;
	}
	return 0;
}

/*
 * The checks of the client data c for a ceremony of type type (WA_CREATE
 * or WA_GET, §7.1 steps 7-10, §7.2 steps 11-14): the type, the challenge
 * (compared in constant time with the one issued), the origin exactly
 * one of origins, and no crossOrigin true (we are never framed).
 * Returns NULL when all hold, else the first that failed, in a few words
 * for the log.
 */
const char *
webauthn_client_check(const struct wa_client *c, int type,
    const unsigned char *challenge, const char *origins)
{
	if (c->type != type)
		return "clientDataJSON type";
	if (sodium_memcmp(c->challenge, challenge, WA_CHALLENGE_LEN) != 0)
		return "challenge";
	if (!webauthn_origin_listed(c->origin, origins))
		return "origin";
	if (c->cross_origin)
		return "crossOrigin";
	return NULL;
}

/*
 * Reads len bytes of authenticator data (§6.1) into a: rpIdHash, flags,
 * signCount; with AT (cred non-zero: a registration) the attested
 * credential data (§6.5.1): AAGUID, a credential id of 1 to WA_CRED_MAX
 * bytes and the public key, a COSE_Key read by cose_key_parse(); with ED
 * the extensions, one CBOR map.  Nothing may follow.  AT must be set
 * when cred is non-zero and clear when zero (an assertion carries no
 * credential); BS without BE is refused (§6.1.3).  a->cred_id and
 * a->cose point into p, which the caller keeps.  Returns JA_OK,
 * JA_ETOOBIG over WA_AUTHDATA_MAX or JA_EINVAL.
 */
int
webauthn_authdata_parse(struct wa_authdata *a, const unsigned char *p,
    size_t len, int cred)
{
	size_t	 off = 37, n;

	memset(a, 0, sizeof(*a));
	if (len > WA_AUTHDATA_MAX)
		return JA_ETOOBIG;
	if (len < 37)
		return JA_EINVAL;
	memcpy(a->rp_id_hash, p, 32);
	a->flags = p[32];
	a->sign_count = (uint32_t)p[33] << 24 | (uint32_t)p[34] << 16 |
	    (uint32_t)p[35] << 8 | p[36];
	if ((a->flags & WA_FLAG_BS) && !(a->flags & WA_FLAG_BE))
		goto bad;
	if (!(a->flags & WA_FLAG_AT) != !cred)
		goto bad;
	if (cred) {
		if (len - off < 18)
			goto bad;
		memcpy(a->aaguid, p + off, 16);
		n = (size_t)p[off + 16] << 8 | p[off + 17];
		off += 18;
		if (n == 0 || n > WA_CRED_MAX || len - off < n)
			goto bad;
		a->cred_id = p + off;
		a->cred_id_len = n;
		off += n;
		if (cose_item_len(p + off, len - off, &n) != JA_OK ||
		    cose_key_parse(&a->key, p + off, n) != JA_OK)
			goto bad;
		a->cose = p + off;
		a->cose_len = n;
		off += n;
	}
	if (a->flags & WA_FLAG_ED) {
		if (cose_item_len(p + off, len - off, &n) != JA_OK ||
		    (p[off] >> 5) != 5)
			goto bad;
		off += n;
	}
	if (off != len)
		goto bad;
	return JA_OK;
bad:
	memset(a, 0, sizeof(*a));
	return JA_EINVAL;
}

/*
 * The checks of authenticator data a that are ours (§7.1 steps 13-16,
 * §7.2 steps 15-18): rpIdHash the SHA-256 of rp_id, UP set, UV set when
 * uv_required.  (At a sign-in libfido2 checks these again with the
 * signature.)  Returns NULL when all hold, else what failed.
 */
const char *
webauthn_authdata_check(const struct wa_authdata *a, const char *rp_id,
    int uv_required)
{
	unsigned char	 h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)rp_id, strlen(rp_id));
	if (sodium_memcmp(h, a->rp_id_hash, sizeof(h)) != 0)
		return "rpIdHash";
	if (!(a->flags & WA_FLAG_UP))
		return "user presence (UP)";
	if (uv_required && !(a->flags & WA_FLAG_UV))
		return "user verification (UV)";
	return NULL;
}

/*
 * The signature counter rule (§6.1.1, §7.2 step 22): the new count must
 * be greater than the stored one, unless both are 0 (an authenticator
 * that keeps no counter).  Returns 1 if new_count may be taken, 0 for a
 * regression (a possible clone).
 */
int
webauthn_count_ok(uint32_t stored, uint32_t new_count)
{
	if (stored == 0 && new_count == 0)
		return 1;
	return new_count > stored;
}
