/*
 * route_passkey_login.c: sign-in with a passkey, no user name asked (a
 * discoverable credential; W3C WebAuthn Level 3 §7.2, authentication).
 *   POST BASE/passkey/login/options {} -> {"publicKey":
 *	PublicKeyCredentialRequestOptionsJSON (§5.5, allowCredentials
 *	empty), "attempt"}: the challenge is bound to this anonymous
 *	attempt, for 5 minutes, once; the client sends "attempt" back.
 *   POST BASE/passkey/login {"credential": AuthenticationResponseJSON,
 *	"attempt"} -> the answer of BASE/login (auth_sign_in), or its
 *	second step (an mfa_token) when the user has a second factor and
 *	the authenticator did not verify the user (no UV).
 * Checked here, in order: the body's shape and bounds (400); the client
 * data (type webauthn.get, the challenge of this attempt, used up
 * whatever follows, the origin, no crossOrigin); the passkey known and
 * in use, its user not locked; the throttle of that user as for a
 * password; userHandle, when given, that user's id; the authenticator
 * data (rpIdHash, UP, UV when required); the signature with the stored
 * COSE key (libfido2, webauthn_sig.c, which checks rpIdHash, UP and UV
 * again); the counter moving forward (a regression disables the passkey
 * and is logged as a possible clone).  Every refusal after the shape is
 * 401 invalid_credentials, logged once, and writes nothing but the
 * challenge's use, the throttle's count and the audit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/* POST BASE/passkey/login/options. */
void
route_passkey_lopt(struct ctx *ctx)
{
	struct body	 b;
	struct outcome	 o;
	unsigned char	 chal[WA_CHALLENGE_LEN];
	char		 chal64[64], attempt[JA_RT_LEN + 1];
	json_t		*j;

	memset(attempt, 0, sizeof(attempt));
	if (passkey_begin(ctx, &b, &o) != OUT_OK)
		goto out;
	if (passkey_challenge(chal, chal64, sizeof(chal64)) != JA_OK ||
	    random_b64url(attempt, sizeof(attempt), 32) != JA_OK) {
		outcome_set(&o, OUT_SERVER_ERROR);
		goto out;
	}
	if (db_wa_challenge_new(ctx->db, chal, "login", NULL, attempt) !=
	    JA_OK) {
		outcome_set(&o, OUT_UNAVAILABLE);
		goto out;
	}
	j = json_pack("{s:{s:s, s:s, s:i, s:s, s:[]}, s:s}", "publicKey",
	    "challenge", chal64, "rpId", ctx->cfg->webauthn_rp_id,
	    "timeout", 300000, "userVerification",
	    ctx->cfg->webauthn_user_verification, "allowCredentials",
	    "attempt", attempt);
	response_json(ctx->resp, 200, j);
out:
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, NULL);
	sodium_memzero(chal, sizeof(chal));
	sodium_memzero(attempt, sizeof(attempt));
	body_free(&b);
}

/* The parts of an assertion, decoded (see passkey_login_parse). */
struct assertion {
	unsigned char	 id[WA_CRED_MAX];
	size_t		 idlen;
	unsigned char	 cd[WA_CLIENT_MAX];
	size_t		 cdlen;
	unsigned char	 ad[WA_AUTHDATA_MAX];
	size_t		 adlen;
	unsigned char	 sig[WA_SIG_MAX];
	size_t		 siglen;
	unsigned char	 handle[64];
	size_t		 handlelen;	/* 0: no userHandle */
	struct wa_client client;
	struct wa_authdata auth;
	const char	*attempt;
};

/* The shape of the body b into a.  Returns OUT_OK or OUT_BAD_REQUEST. */
static int
passkey_login_parse(struct ctx *ctx, const struct body *b,
    struct assertion *a, struct outcome *o)
{
	const json_t	*resp;
	int		 bad = 0, rc;

	a->attempt = body_get(b, "attempt", &bad);
	if (bad || a->attempt == NULL || !refresh_shape_ok(a->attempt) ||
	    passkey_credential(b, &resp, a->id, &a->idlen) != JA_OK ||
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
passkey_login_why(struct ctx *ctx, const struct assertion *a,
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
 * assertion a.  Returns OUT_OK, or OUT_BAD_CREDENTIALS (logged, and
 * audited as a failed sign-in).
 */
static int
passkey_login_verify(struct ctx *ctx, const struct assertion *a,
    const struct passkey *p, struct outcome *o)
{
	const char	*why;

	if ((why = passkey_login_why(ctx, a, p)) == NULL)
		return outcome_set(o, OUT_OK);
	db_audit(ctx->db, "login_failed", p->user_id, p->username, NULL,
	    ctx->req, "passkey");
	return passkey_refuse_login(ctx, o, OUT_BAD_CREDENTIALS, p->username,
	    why, "This passkey could not be verified.");
}

/*
 * The sign-in of p's user after a passkey with or without UV: with UV
 * it counts as two factors (RFC 8176 "hwk" and "user"); without, a
 * second factor of the user's is asked next (mfa.c), as after a
 * password.
 */
static int
passkey_login_finish(struct ctx *ctx, const struct assertion *a,
    const struct passkey *p, int remember)
{
	struct user	 u;
	char		 mfa_token[JA_RT_LEN + 1];
	int		 uv = (a->auth.flags & WA_FLAG_UV) != 0, rc;

	memset(&u, 0, sizeof(u));
	memset(mfa_token, 0, sizeof(mfa_token));
	snprintf(u.id, sizeof(u.id), "%s", p->user_id);
	snprintf(u.username, sizeof(u.username), "%s", p->username);
	if (!uv && (rc = mfa_login_begin(ctx, &u, remember, mfa_token,
	    sizeof(mfa_token))) != OUT_OK)
		goto out;
	if (mfa_token[0] != '\0') {
		answer_mfa_required(ctx, mfa_token, NULL);
		rc = OUT_OK;
	} else
		rc = auth_sign_in(ctx, &u, uv ? AMR_HWK | AMR_MFA : AMR_HWK,
		    remember, "passkey", NULL);
out:
	sodium_memzero(mfa_token, sizeof(mfa_token));
	return rc;
}

/* POST BASE/passkey/login. */
void
route_passkey_login(struct ctx *ctx)
{
	struct body	 b;
	struct outcome	 o;
	struct assertion *a = NULL;
	struct passkey	 p;
	const char	*name = NULL, *why;
	int		 rc, bad = 0, remember;

	memset(&p, 0, sizeof(p));
	if (passkey_begin(ctx, &b, &o) != OUT_OK)
		goto out;
	/* "Keep me signed in", as at BASE/login (true when absent). */
	remember = login_remember(ctx, &b, &bad);
	if (bad) {
		outcome_set(&o, OUT_BAD_REQUEST);
		goto out;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		outcome_set(&o, OUT_SERVER_ERROR);
		goto out;
	}
	if (passkey_login_parse(ctx, &b, a, &o) != OUT_OK)
		goto out;
	rc = db_wa_challenge_take(ctx->db, a->client.challenge, "login", NULL,
	    a->attempt);
	if (rc == JA_EDB) {
		outcome_set(&o, OUT_UNAVAILABLE);
		goto out;
	}
	if (rc != JA_OK) {
		passkey_refuse_login(ctx, &o, OUT_BAD_CREDENTIALS, NULL,
		    "challenge unknown, used, expired or another attempt's",
		    "This sign-in has expired: start again.");
		goto out;
	}
	if ((why = webauthn_client_check(&a->client, WA_GET,
	    a->client.challenge, ctx->cfg->webauthn_origins)) != NULL) {
		passkey_refuse_login(ctx, &o, OUT_BAD_CREDENTIALS, NULL, why,
		    "This passkey could not be verified.");
		goto out;
	}
	rc = db_passkey_find(ctx->db, a->id, a->idlen, &p);
	if (rc != JA_OK && rc != JA_ENOTFOUND) {
		outcome_set(&o, OUT_UNAVAILABLE);
		goto out;
	}
	name = rc == JA_OK ? p.username : NULL;
	if (auth_throttle(ctx, name, &o) != OUT_OK)
		goto out;
	if (rc == JA_ENOTFOUND)
		passkey_refuse_login(ctx, &o, OUT_BAD_CREDENTIALS, NULL,
		    "unknown credential", "This passkey is not known here.");
	else if (passkey_login_verify(ctx, a, &p, &o) == OUT_OK) {
		if (p.pending)
			outcome_set(&o, OUT_UNVERIFIED);
		else
			outcome_set(&o, passkey_login_finish(ctx, a, &p,
			    remember));
	}
	auth_throttle_end(ctx, name, &o);
out:
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, NULL);
	sodium_memzero(&p, sizeof(p));
	free(a);
	body_free(&b);
}
