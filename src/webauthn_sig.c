/*
 * webauthn_sig.c: the signature of an assertion (W3C WebAuthn Level 3
 * §7.2 steps 19-21), checked by libfido2: fido_assert_verify() takes
 * the authenticator data, the SHA-256 of clientDataJSON, the signature
 * and the COSE key as libfido2's es256_pk_t, eddsa_pk_t or rs256_pk_t,
 * and checks the rpIdHash, the UP and UV flags asked for and the
 * signature over authenticatorData || SHA-256(clientDataJSON).  The
 * client data, the challenge, the origin, the counter, the credential's
 * owner and the bounds of every input are ours (webauthn.c, cose.c,
 * route_passkey*.c).
 */
#include <string.h>

#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>
#include <sodium.h>

#include "jwtauth.h"

/*
 * Checks sig (siglen bytes: DER for ES256, 64 bytes for EdDSA, PKCS #1
 * v1.5 for RS256) over the authlen bytes of authenticator data auth and
 * the cdlen bytes of clientDataJSON cd, with key k, for rp_id; UP is
 * required, and UV when uv_required.  Returns JA_OK, JA_EAUTH (refused)
 * or JA_ENOMEM.
 */
int
webauthn_sig_verify(const struct cose_key *k, const unsigned char *auth,
    size_t authlen, const unsigned char *cd, size_t cdlen,
    const unsigned char *sig, size_t siglen, const char *rp_id,
    int uv_required)
{
	unsigned char	 h[crypto_hash_sha256_BYTES];
	fido_assert_t	*a = NULL;
	es256_pk_t	*es = NULL;
	eddsa_pk_t	*ed = NULL;
	rs256_pk_t	*rs = NULL;
	const void	*pk;
	int		 type, rc = JA_EAUTH;

	if (siglen == 0 || siglen > WA_SIG_MAX || authlen == 0)
		return JA_EAUTH;
	crypto_hash_sha256(h, cd, cdlen);
	if ((a = fido_assert_new()) == NULL)
		return JA_ENOMEM;
	switch (k->alg) {
	case COSE_ALG_ES256:
		type = COSE_ES256;
		if ((es = es256_pk_new()) == NULL)
			goto nomem;
		if (es256_pk_from_ptr(es, k->pk, k->pklen) != FIDO_OK)
			goto out;
		pk = es;
		break;
	case COSE_ALG_EDDSA:
		type = COSE_EDDSA;
		if ((ed = eddsa_pk_new()) == NULL)
			goto nomem;
		if (eddsa_pk_from_ptr(ed, k->pk, k->pklen) != FIDO_OK)
			goto out;
		pk = ed;
		break;
	case COSE_ALG_RS256:
		type = COSE_RS256;
		if ((rs = rs256_pk_new()) == NULL)
			goto nomem;
		if (rs256_pk_from_ptr(rs, k->pk, k->pklen) != FIDO_OK)
			goto out;
		pk = rs;
		break;
	default:
		goto out;
	}
	if (fido_assert_set_count(a, 1) != FIDO_OK ||
	    fido_assert_set_rp(a, rp_id) != FIDO_OK ||
	    fido_assert_set_clientdata_hash(a, h, sizeof(h)) != FIDO_OK ||
	    fido_assert_set_authdata_raw(a, 0, auth, authlen) != FIDO_OK ||
	    fido_assert_set_sig(a, 0, sig, siglen) != FIDO_OK ||
	    fido_assert_set_up(a, FIDO_OPT_TRUE) != FIDO_OK ||
	    fido_assert_set_uv(a, uv_required ? FIDO_OPT_TRUE :
	    FIDO_OPT_OMIT) != FIDO_OK)
		goto out;
	if (fido_assert_verify(a, 0, type, pk) == FIDO_OK)
		rc = JA_OK;
	goto out;
nomem:
	rc = JA_ENOMEM;
out:
	es256_pk_free(&es);
	eddsa_pk_free(&ed);
	rs256_pk_free(&rs);
	fido_assert_free(&a);
	return rc;
}
