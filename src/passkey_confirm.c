/*
 * passkey_confirm.c: a signed-in user confirms an action with one of
 * their passkeys, in place of the current password (issue 17: the
 * removal of a passkey).
 *   POST BASE/passkey/login/options {"purpose": "confirm"} (signed in:
 *	Bearer, or the cookie and the CSRF token) -> {"publicKey":
 *	PublicKeyCredentialRequestOptionsJSON} (W3C WebAuthn Level 3
 *	§5.5), allowCredentials the user's passkeys, the challenge bound
 *	to the session that asked (purpose "confirm", 5 minutes, once).
 *   The action's body then carries {"credential":
 *	AuthenticationResponseJSON}: an assertion of any of the user's
 *	passkeys over that challenge (passkey_confirm).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * The options of a confirmation for the signed-in user of the request
 * (body b).  Returns them (the caller owns them), or NULL with the
 * refusal set in o.
 */
json_t *
passkey_confirm_options(struct ctx *ctx, const struct body *b,
    struct outcome *o)
{
	struct claims	 c;

	if (outcome_set(o, auth_form_request(ctx, b, &c, NULL)) != OUT_OK)
		return NULL;
	return passkey_request_options(ctx, c.sub, "confirm", c.sid, NULL,
	    o);
}

/*
 * Checks the assertion in body b as the confirmation of the user of c:
 * the challenge given to c's session for it (taken), the client data,
 * a passkey of c's user, passkey_assert_verify.  The guess is taken off
 * the throttle of c's user first, as a password's (auth_throttle): the
 * caller ends it (auth_throttle_end) when *taken.  Returns OUT_OK, or
 * the refusal set in o (401 for a passkey that does not confirm).
 */
int
passkey_confirm(struct ctx *ctx, const struct body *b,
    const struct claims *c, struct outcome *o, int *taken)
{
	struct assertion *a;
	struct passkey	 p;
	int		 rc;

	memset(&p, 0, sizeof(p));
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return outcome_set(o, OUT_SERVER_ERROR);
	if (passkey_assert_parse(ctx, b, a, o) != OUT_OK ||
	    auth_throttle(ctx, c->username, o) != OUT_OK)
		goto out;
	*taken = 1;
	if (passkey_assert_challenge(ctx, a, "confirm", c->sid, NULL,
	    c->username, 1, o) != OUT_OK)
		goto out;
	rc = db_passkey_find(ctx->db, a->id, a->idlen, &p);
	if (rc == JA_EDB || rc == JA_ENOMEM)
		outcome_set(o, OUT_UNAVAILABLE);
	else if (rc != JA_OK || strcmp(p.user_id, c->sub) != 0) {
		db_audit(ctx->db, "passkey_change_failed", c->sub,
		    c->username, c->sid, ctx->req, "passkey not the user's");
		passkey_refuse_login(ctx, o, OUT_BAD_CREDENTIALS, c->username,
		    rc != JA_OK ? "unknown credential" :
		    "credential of another user",
		    "This passkey is not one of this account's.");
	} else
		passkey_assert_verify(ctx, a, &p, "passkey confirmation", o);
out:
	sodium_memzero(&p, sizeof(p));
	free(a);
	return o->kind;
}
