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
 * With an "mfa_token" both routes serve the second step of a sign-in
 * instead (route_passkey_mfa.c); options with "purpose": "confirm" a
 * signed-in user's confirmation (passkey_confirm.c).
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
 * challenge's use, the throttle's count and the audit; a refused
 * challenge or an unknown credential counts toward the client's address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * POST BASE/passkey/login/options.  Each request is counted for the
 * client's address before any work (throttle_options_take: apart from
 * its sign-in guesses, so that options never used block no password
 * sign-in), so that one client cannot fill webauthn_challenges; a
 * ceremony that succeeds gives the count back.  With "mfa_token" the
 * options of a second step (route_passkey_mfa.c), with "purpose":
 * "confirm" those of a confirmation (passkey_confirm.c).
 */
void
route_passkey_lopt(struct ctx *ctx)
{
	struct body	 b;
	struct outcome	 o;
	char		 attempt[JA_RT_LEN + 1];
	const char	*token, *purpose;
	json_t		*j = NULL;
	int		 bad = 0;

	memset(attempt, 0, sizeof(attempt));
	if (passkey_begin(ctx, &b, &o) != OUT_OK ||
	    passkey_options_throttle(ctx, &o) != OUT_OK)
		goto out;
	token = body_get(&b, "mfa_token", &bad);
	purpose = body_get(&b, "purpose", &bad);
	if (bad || (purpose != NULL && strcmp(purpose, "confirm") != 0) ||
	    (purpose != NULL && token != NULL)) {
		outcome_set(&o, OUT_BAD_REQUEST);
		goto out;
	}
	if (token != NULL)
		j = passkey_mfa_options(ctx, token, &o);
	else if (purpose != NULL)
		j = passkey_confirm_options(ctx, &b, &o);
	else if (random_b64url(attempt, sizeof(attempt), 32) != JA_OK)
		outcome_set(&o, OUT_SERVER_ERROR);
	else if ((j = passkey_request_options(ctx, NULL, "login", NULL,
	    attempt, &o)) != NULL &&
	    json_object_set_new(j, "attempt", json_string(attempt)) != 0)
		outcome_set(&o, OUT_SERVER_ERROR);
	if (o.kind == OUT_OK)
		response_json(ctx->resp, 200, j);
	else
		json_decref(j);
out:
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, NULL);
	sodium_memzero(attempt, sizeof(attempt));
	body_free(&b);
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
	if (!uv && (rc = mfa_login_begin(ctx, &u, remember, p->id,
	    mfa_token, sizeof(mfa_token))) != OUT_OK)
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
	const char	*name = NULL, *attempt;
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
	/* The second step of a sign-in, with a passkey for its code. */
	if ((attempt = body_get(&b, "mfa_token", &bad)) != NULL && !bad) {
		passkey_mfa_login(ctx, &b, a, attempt, &o);
		goto out;
	}
	attempt = body_get(&b, "attempt", &bad);
	if (bad || attempt == NULL || !refresh_shape_ok(attempt)) {
		passkey_refuse(ctx, &o, OUT_BAD_REQUEST, NULL,
		    "malformed assertion", "The passkey's answer is "
		    "malformed.");
		goto out;
	}
	if (passkey_assert_parse(ctx, &b, a, &o) != OUT_OK)
		goto out;
	if (passkey_assert_challenge(ctx, a, "login", NULL, attempt, NULL,
	    0, &o) != OUT_OK)
		goto out;
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
	else if (passkey_assert_verify(ctx, a, &p, "passkey", &o) ==
	    OUT_OK) {
		if (p.pending)
			outcome_set(&o, OUT_UNVERIFIED);
		else
			outcome_set(&o, passkey_login_finish(ctx, a, &p,
			    remember));
	}
	auth_throttle_end(ctx, name, &o);
out:
	if (o.kind == OUT_OK)	/* the count its options took, given back */
		throttle_options_refund(ctx->db, ctx->cfg, ctx->req->client);
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, NULL);
	sodium_memzero(&p, sizeof(p));
	free(a);
	body_free(&b);
}
