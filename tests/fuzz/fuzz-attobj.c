/*
 * fuzz-attobj.c: fuzz harness for attobj_parse() in attobj.c (the
 * attestation object, W3C WebAuthn Level 3 §6.5.4) and, below it,
 * cose_item_len(), cose_load() (libcbor, only on bytes the walk
 * accepted) and cose_key_parse().  The input is the CBOR.  An accepted
 * one must be one whole CBOR item, and its authData must parse again to
 * the same credential.  The harness aborts on any broken promise.
 */
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wa_attobj o;
	struct wa_authdata a;
	struct cose_key	 k;
	size_t		 n;

	if (cose_item_len(data, size, &n) == JA_OK && (n == 0 || n > size))
		abort();
	if (size <= COSE_KEY_MAX)
		(void)cose_key_parse(&k, data, size);
	if (attobj_parse(&o, data, size) != JA_OK)
		return 0;
	if (cose_item_len(data, size, &n) != JA_OK || n != size ||
	    webauthn_authdata_parse(&a, o.authdata, o.authdata_len, 1) !=
	    JA_OK || a.cred_id_len != o.ad.cred_id_len ||
	    memcmp(&a.key, &o.ad.key, sizeof(a.key)) != 0)
		abort();
	return 0;
}
