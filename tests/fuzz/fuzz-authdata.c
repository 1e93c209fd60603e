/*
 * fuzz-authdata.c: fuzz harness for webauthn_authdata_parse() in
 * webauthn.c (authenticator data, W3C WebAuthn Level 3 §6.1) and, below
 * it, the bounded CBOR walk and the COSE key of cose.c.  The first byte
 * of the input says whether a credential is expected (bit 0); the rest
 * is the data.  An accepted one must have AT as asked, BS only with BE,
 * and with a credential an id of 1 to WA_CRED_MAX bytes and a COSE key
 * inside the input that parses again to the same key.  The harness
 * aborts on any broken promise.
 */
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wa_authdata a;
	struct cose_key	 k;
	const uint8_t	*p = data + 1, *end = data + size;
	int		 cred;

	if (size < 1)
		return 0;
	cred = data[0] & 1;
	if (webauthn_authdata_parse(&a, p, size - 1, cred) != JA_OK)
		return 0;
	if (!(a.flags & WA_FLAG_AT) != !cred ||
	    ((a.flags & WA_FLAG_BS) && !(a.flags & WA_FLAG_BE)))
		abort();
	if (!cred)
		return 0;
	if (a.cred_id_len < 1 || a.cred_id_len > WA_CRED_MAX ||
	    a.cred_id < p || a.cred_id + a.cred_id_len > end ||
	    a.cose < a.cred_id + a.cred_id_len || a.cose + a.cose_len > end ||
	    cose_key_parse(&k, a.cose, a.cose_len) != JA_OK ||
	    memcmp(&k, &a.key, sizeof(k)) != 0)
		abort();
	return 0;
}
