/*
 * attobj.c: the attestation object of a registration (W3C WebAuthn
 * Level 3 §6.5.4): a CBOR map of "fmt", "attStmt" and "authData".
 *
 * Only the format "none" (§8.7) is taken, with an empty attStmt.  We
 * keep no attestation trust store (no FIDO Metadata Service roots, no
 * vendor certificates), and an attestation statement checked against
 * nothing proves nothing about the authenticator: self attestation
 * ("packed" without x5c) only shows the key signed itself.  So the
 * options ask for attestation "none" (webauthn_options.c) and browsers
 * then replace any statement with "none" (§5.4.7).  A relying party
 * that must admit only some authenticators needs a trust store and the
 * full §7.1 steps 19-21, which this is not.
 */
#include <string.h>

#include <cbor.h>

#include "jwtauth.h"

/* Whether the CBOR item it is the definite text string s. */
static int
attobj_text_is(const cbor_item_t *it, const char *s)
{
	return cbor_isa_string(it) && cbor_string_is_definite(it) &&
	    cbor_string_length(it) == strlen(s) &&
	    memcmp(cbor_string_handle(it), s, strlen(s)) == 0;
}

/*
 * Reads len bytes at p, an attestation object, into o: fmt "none",
 * attStmt an empty map, authData a byte string read by
 * webauthn_authdata_parse() with its attested credential data.  Every
 * other member, and any member twice, is refused.  o->ad points into
 * o->authdata: o must not be copied.  Returns JA_OK, JA_ETOOBIG over
 * WA_ATTOBJ_MAX, or JA_EINVAL (also for another fmt: see the top).
 */
int
attobj_parse(struct wa_attobj *o, const unsigned char *p, size_t len)
{
	cbor_item_t		*map = NULL;
	struct cbor_pair	*pairs;
	const cbor_item_t	*fmt = NULL, *stmt = NULL, *ad = NULL;
	size_t			 i;
	int			 rc = JA_EINVAL;

	memset(o, 0, sizeof(*o));
	if (len > WA_ATTOBJ_MAX)
		return JA_ETOOBIG;
	if ((map = cose_load(p, len)) == NULL || !cbor_isa_map(map) ||
	    cbor_map_size(map) != 3)
		goto out;
	pairs = cbor_map_handle(map);
	for (i = 0; i < 3; i++) {
		if (attobj_text_is(pairs[i].key, "fmt") && fmt == NULL)
			fmt = pairs[i].value;
		else if (attobj_text_is(pairs[i].key, "attStmt") &&
		    stmt == NULL)
			stmt = pairs[i].value;
		else if (attobj_text_is(pairs[i].key, "authData") &&
		    ad == NULL)
			ad = pairs[i].value;
		else
			goto out;
	}
	if (!attobj_text_is(fmt, "none") || !cbor_isa_map(stmt) ||
	    cbor_map_size(stmt) != 0 || !cbor_isa_bytestring(ad) ||
	    !cbor_bytestring_is_definite(ad) ||
	    cbor_bytestring_length(ad) > sizeof(o->authdata))
		goto out;
	o->authdata_len = cbor_bytestring_length(ad);
	memcpy(o->authdata, cbor_bytestring_handle(ad), o->authdata_len);
	rc = webauthn_authdata_parse(&o->ad, o->authdata, o->authdata_len, 1);
out:
	if (map != NULL)
		cbor_decref(&map);
	if (rc != JA_OK)
		memset(o, 0, sizeof(*o));
	return rc == JA_ETOOBIG ? JA_EINVAL : rc;
}
