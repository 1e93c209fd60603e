/*
 * passkey_assert.c: an assertion (W3C WebAuthn Level 3 §7.2,
 * AuthenticationResponseJSON of §5.1.9) read and checked against a
 * stored passkey, for every ceremony that takes one: the usernameless
 * sign-in (route_passkey_login.c), the second factor
 * (route_passkey_mfa.c) and the confirmation of a removal
 * (passkey_confirm.c).  The challenge is the caller's to take: each
 * binds it to something else (an attempt, an mfa_token, a session).
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"

/*
 * The credential of body b into a: its id, clientDataJSON,
 * authenticatorData, signature and userHandle (optional; null taken as
 * absent), each bounded, the client data and the authenticator data
 * parsed.  Returns OUT_OK, or OUT_BAD_REQUEST set in o and logged once.
 */
int
passkey_assert_parse(struct ctx *ctx, const struct body *b,
    struct assertion *a, struct outcome *o)
{
	const json_t	*resp;
	int		 rc;

	if (passkey_credential(b, &resp, a->id, &a->idlen) != JA_OK ||
	    passkey_b64(resp, "clientDataJSON", a->cd, sizeof(a->cd),
	    &a->cdlen) != JA_OK ||
	    passkey_b64(resp, "authenticatorData", a->ad, sizeof(a->ad),
	    &a->adlen) != JA_OK ||
	    passkey_b64(resp, "signature", a->sig, sizeof(a->sig),
	    &a->siglen) != JA_OK)
		goto bad;
	rc = passkey_b64(resp, "userHandle", a->handle, sizeof(a->handle),
	    &a->handlelen);
	if ((rc != JA_OK && rc != JA_ENOTFOUND &&
	    json_is_null(json_object_get(resp, "userHandle")) == 0) ||
	    webauthn_client_parse(&a->client, a->cd, a->cdlen) != JA_OK ||
	    webauthn_authdata_parse(&a->auth, a->ad, a->adlen, 0) != JA_OK)
		goto bad;
	return outcome_set(o, OUT_OK);
bad:
	return passkey_refuse(ctx, o, OUT_BAD_REQUEST, NULL,
	    "malformed assertion", "The passkey's answer is malformed.");
}

/*
 * The first check of passkey p against assertion a that fails, in a few
 * words for the log, or NULL when all hold; the counter taken then.
 */
static const char *
passkey_assert_why(struct ctx *ctx, const struct assertion *a,
    const struct passkey *p)
{
	const struct config *cfg = ctx->cfg;
	struct cose_key	 k;
	const char	*why;

	if (p->disabled)
		return "passkey disabled (a counter regression)";
	if (p->locked)
		return "locked";
	if (a->handlelen > 0 && (a->handlelen != strlen(p->user_id) ||
	    memcmp(a->handle, p->user_id, a->handlelen) != 0))
		return "userHandle is another user's";
	if ((why = webauthn_authdata_check(&a->auth, cfg->webauthn_rp_id,
	    cfg->webauthn_uv_required)) != NULL)
		return why;
	if (cose_key_parse(&k, p->cose, p->cose_len) != JA_OK)
		return "stored key unreadable";
	if (webauthn_sig_verify(&k, a->ad, a->adlen, a->cd, a->cdlen,
	    a->sig, a->siglen, cfg->webauthn_rp_id,
	    cfg->webauthn_uv_required) != JA_OK)
		return "signature";
	if (!webauthn_count_ok(p->sign_count, a->auth.sign_count)) {
		db_passkey_disable(ctx->db, p->id);
		event_log("passkey_clone_suspected", ctx->req, p->username,
		    NULL, "passkey", p->id, NULL, NULL);
		return "signCount regression: a possible clone, disabled";
	}
	if (db_passkey_use(ctx->db, p->id, a->auth.sign_count,
	    (a->auth.flags & WA_FLAG_BS) != 0) != JA_OK)
		return "signCount taken by a concurrent sign-in";
	return NULL;
}

/*
 * The checks of the passkey p (found by its credential id) against
 * assertion a: not disabled, its user not locked, userHandle, the
 * authenticator data (rpIdHash, UP, UV when required), the signature
 * with the stored COSE key (webauthn_sig.c), the counter moving forward
 * (a regression disables the passkey, logged as a possible clone).  The
 * client data is the caller's to check, with its challenge.  Returns
 * OUT_OK (the counter and last use stored), or OUT_BAD_CREDENTIALS set
 * in o, logged once and audited as detail ("passkey": a failed
 * sign-in).
 */
int
passkey_assert_verify(struct ctx *ctx, const struct assertion *a,
    const struct passkey *p, const char *detail, struct outcome *o)
{
	const char	*why;

	if ((why = passkey_assert_why(ctx, a, p)) == NULL)
		return outcome_set(o, OUT_OK);
	db_audit(ctx->db, "login_failed", p->user_id, p->username, NULL,
	    ctx->req, detail);
	return passkey_refuse_login(ctx, o, OUT_BAD_CREDENTIALS, p->username,
	    why, "This passkey could not be verified.");
}
