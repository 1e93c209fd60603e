/*
 * route_passkey.c: a signed-in user adds a passkey (W3C WebAuthn Level
 * 3 §7.1, registration).
 *   POST BASE/passkey/register/options  {} ->
 *	{"publicKey": PublicKeyCredentialCreationOptionsJSON} (§5.4), its
 *	challenge bound to the session that asked, for 5 minutes, once.
 *   POST BASE/passkey/register {"credential": RegistrationResponseJSON,
 *	"name"} -> 201 {"id","name"}.
 *   POST BASE/passkey/remove {"id","password"} -> 204: the current
 *	password confirms it (throttled and audited as at a password
 *	change); or {"id","credential"}: an assertion of any of the
 *	user's passkeys over a challenge of {"purpose":"confirm"}
 *	(passkey_confirm.c) does.  Removing a passkey ends no session.
 *	The account page's form without script posts id, password and
 *	csrf form-encoded: a 303 to BASE/account?m=passkey_removed, a
 *	refusal the account page with its note.
 * What is checked, in order: the body's shape and bounds; the client
 * data (type webauthn.create, the challenge this session was given,
 * which is used up whatever follows, the origin one of
 * webauthn_origins, no crossOrigin); the attestation object (fmt none:
 * attobj.c says why) and its authenticator data (rpIdHash of
 * webauthn_rp_id, UP, UV when webauthn_user_verification is required, a
 * COSE key of a type we take); the credential id the same as the one
 * the browser reports, and no other passkey's (409).  Registration needs
 * no signature check: with fmt none there is no signature to check.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/* POST BASE/passkey/register/options. */
void
route_passkey_ropt(struct ctx *ctx)
{
	struct body	 b;
	struct claims	 c;
	struct outcome	 o;
	unsigned char	 chal[WA_CHALLENGE_LEN];
	char		 chal64[64], uid64[64];
	json_t		*ex = NULL, *j;

	if (passkey_begin(ctx, &b, &o) != OUT_OK ||
	    outcome_set(&o, auth_form_request(ctx, &b, &c, NULL)) != OUT_OK)
		goto out;
	if ((ex = json_array()) == NULL ||
	    passkey_challenge(chal, chal64, sizeof(chal64)) != JA_OK ||
	    b64url_encode(uid64, sizeof(uid64), (const unsigned char *)c.sub,
	    strlen(c.sub)) != JA_OK) {
		outcome_set(&o, OUT_SERVER_ERROR);
		goto out;
	}
	if (db_passkey_cred_ids(ctx->db, c.sub, passkey_cred_one, ex) !=
	    JA_OK || db_wa_challenge_new(ctx->db, chal, "register", c.sid,
	    NULL) != JA_OK) {
		outcome_set(&o, OUT_UNAVAILABLE);
		goto out;
	}
	/* §5.4: ES256 and EdDSA first, RS256 for Windows Hello. */
	j = json_pack("{s:{s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:s, "
	    "s:[{s:s, s:i}, {s:s, s:i}, {s:s, s:i}], s:i, s:s, s:O, "
	    "s:{s:s, s:b, s:s}}}", "publicKey",
	    "rp", "id", ctx->cfg->webauthn_rp_id, "name", ctx->cfg->issuer,
	    "user", "id", uid64, "name", c.username, "displayName",
	    c.username,
	    "challenge", chal64,
	    "pubKeyCredParams", "type", "public-key", "alg", COSE_ALG_ES256,
	    "type", "public-key", "alg", COSE_ALG_EDDSA, "type",
	    "public-key", "alg", COSE_ALG_RS256,
	    "timeout", 300000, "attestation", "none",
	    "excludeCredentials", ex,
	    "authenticatorSelection", "residentKey", "required",
	    "requireResidentKey", 1, "userVerification",
	    ctx->cfg->webauthn_user_verification);
	if (j == NULL) {
		outcome_set(&o, OUT_SERVER_ERROR);
		goto out;
	}
	response_json(ctx->resp, 200, j);
out:
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, NULL);
	json_decref(ex);
	sodium_memzero(chal, sizeof(chal));
	body_free(&b);
}

/*
 * The checks of a registration (see the top) for the user of c, with
 * the body b; the attestation read into att.  Returns OUT_OK, or the
 * refusal set in o and logged.
 */
static int
passkey_register_check(struct ctx *ctx, const struct body *b,
    const struct claims *c, struct wa_attobj *att, struct outcome *o)
{
	const struct config *cfg = ctx->cfg;
	const json_t	*resp;
	unsigned char	 id[WA_CRED_MAX], cd[WA_CLIENT_MAX], ao[WA_ATTOBJ_MAX];
	size_t		 idlen, cdlen, aolen;
	struct wa_client wc;
	const char	*why;
	int		 rc;

	if (passkey_credential(b, &resp, id, &idlen) != JA_OK ||
	    passkey_b64(resp, "clientDataJSON", cd, sizeof(cd), &cdlen) !=
	    JA_OK || webauthn_client_parse(&wc, cd, cdlen) != JA_OK)
		return passkey_refuse(ctx, o, OUT_BAD_REQUEST, c->username,
		    "malformed credential", "The passkey's answer is "
		    "malformed.");
	rc = db_wa_challenge_take(ctx->db, wc.challenge, "register", c->sid,
	    NULL);
	if (rc == JA_EDB)
		return outcome_set(o, OUT_UNAVAILABLE);
	if (rc != JA_OK)
		return passkey_refuse(ctx, o, OUT_BAD_REQUEST, c->username,
		    "challenge unknown, used, expired or another session's",
		    "This passkey request has expired: start again.");
	if ((why = webauthn_client_check(&wc, WA_CREATE, wc.challenge,
	    cfg->webauthn_origins)) != NULL)
		return passkey_refuse(ctx, o, OUT_BAD_REQUEST, c->username,
		    why, "The passkey could not be verified.");
	rc = passkey_b64(resp, "attestationObject", ao, sizeof(ao), &aolen);
	if (rc != JA_OK || attobj_parse(att, ao, aolen) != JA_OK)
		return passkey_refuse(ctx, o, OUT_BAD_REQUEST, c->username,
		    "attestation object malformed, too large, not fmt none, "
		    "or a key of a type we do not take", "This passkey is "
		    "not supported, or its answer is malformed.");
	if ((why = webauthn_authdata_check(&att->ad, cfg->webauthn_rp_id,
	    cfg->webauthn_uv_required)) != NULL)
		return passkey_refuse(ctx, o, OUT_BAD_REQUEST, c->username,
		    why, "The passkey could not be verified.");
	if (idlen != att->ad.cred_id_len ||
	    memcmp(id, att->ad.cred_id, idlen) != 0)
		return passkey_refuse(ctx, o, OUT_BAD_REQUEST, c->username,
		    "credential id differs from the attested one",
		    "The passkey's answer is malformed.");
	return outcome_set(o, OUT_OK);
}

/* POST BASE/passkey/register. */
void
route_passkey_reg(struct ctx *ctx)
{
	struct body	 b;
	struct claims	 c;
	struct outcome	 o;
	struct wa_attobj *att = NULL;
	const char	*name;
	char		 id[JA_UUID_LEN + 1];
	int		 bad = 0, rc;

	if (passkey_begin(ctx, &b, &o) != OUT_OK ||
	    outcome_set(&o, auth_form_request(ctx, &b, &c, NULL)) != OUT_OK)
		goto out;
	name = body_get(&b, "name", &bad);
	if (bad || name == NULL || *name == '\0' ||
	    strlen(name) > PASSKEY_NAME_MAX) {
		outcome_set(&o, OUT_BAD_REQUEST);
		o.message = "Name the passkey (1 to 64 bytes).";
		goto out;
	}
	if ((att = calloc(1, sizeof(*att))) == NULL) {
		outcome_set(&o, OUT_SERVER_ERROR);
		goto out;
	}
	if (passkey_register_check(ctx, &b, &c, att, &o) != OUT_OK)
		goto out;
	rc = db_passkey_add(ctx->db, c.sub, &att->ad, name, id);
	if (rc == JA_EEXIST) {
		passkey_refuse(ctx, &o, OUT_CONFLICT, c.username,
		    "credential id registered already",
		    "This passkey is registered already.");
		o.code = "passkey_exists";
		goto out;
	}
	if (rc == JA_ETOOBIG) {
		passkey_refuse(ctx, &o, OUT_CONFLICT, c.username,
		    "too many passkeys", "You have " PASSKEY_MAX_STR
		    " passkeys: remove one before adding another.");
		o.code = "too_many_passkeys";
		goto out;
	}
	if (rc != JA_OK) {
		outcome_set(&o, OUT_UNAVAILABLE);
		goto out;
	}
	db_audit(ctx->db, "passkey_added", c.sub, c.username, c.sid, ctx->req,
	    name);
	event_log("passkey_added", ctx->req, c.username, c.sid, "passkey", id,
	    NULL, NULL);
	response_json(ctx->resp, 201, json_pack("{s:s, s:s}", "id", id,
	    "name", name));
out:
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, NULL);
	free(att);
	body_free(&b);
}

/*
 * The current password of c's user, pw, checked as at a password change
 * (ASVS 5.0 7.5.1): off the throttle first, in a hashing slot, audited
 * when wrong.  *taken is 1 once the throttle took the guess.  Returns
 * OUT_OK or the refusal, set in o.
 */
static int
passkey_password(struct ctx *ctx, const struct claims *c, const char *pw,
    struct outcome *o, int *taken)
{
	int	 slot = -1;

	if (auth_throttle(ctx, c->username, o) != OUT_OK)
		return o->kind;
	*taken = 1;
	if (outcome_set(o, auth_password(ctx, c, pw, &slot)) ==
	    OUT_WRONG_PASSWORD)
		db_audit(ctx->db, "passkey_change_failed", c->sub,
		    c->username, c->sid, ctx->req, "wrong password");
	pwslot_leave(ctx->db, slot);
	return o->kind;
}

/* POST BASE/passkey/remove. */
void
route_passkey_rm(struct ctx *ctx)
{
	struct body	 b;
	struct claims	 c;
	struct outcome	 o;
	struct again	 a;
	const char	*id, *pw;
	int		 bad = 0, taken = 0, cred, rc;

	memset(&c, 0, sizeof(c));
	memset(&a, 0, sizeof(a));
	a.kind = AGAIN_ACCOUNT;		/* a form: the account page's note */
	a.next = ctx->req->path;
	if (passkey_begin_form(ctx, &b, 1, &o) != OUT_OK ||
	    outcome_set(&o, auth_form_request(ctx, &b, &c, NULL)) != OUT_OK)
		goto out;
	id = body_get(&b, "id", &bad);
	pw = body_get(&b, "password", &bad);
	cred = json_object_get(b.json, "credential") != NULL;
	if (bad || id == NULL || !text_is_uuid(id) || (cred && pw != NULL) ||
	    (!cred && (pw == NULL || *pw == '\0' ||
	    strlen(pw) > (size_t)ctx->cfg->password_max))) {
		outcome_set(&o, OUT_BAD_REQUEST);
		o.message = "Give the passkey's id and your current password, "
		    "or a passkey's answer.";
		goto out;
	}
	if (cred ? passkey_confirm(ctx, &b, &c, &o, &taken) != OUT_OK :
	    passkey_password(ctx, &c, pw, &o, &taken) != OUT_OK)
		goto out;
	rc = db_passkey_remove(ctx->db, c.sub, id);
	if (rc != JA_OK) {
		outcome_set(&o, rc == JA_ENOTFOUND ? OUT_NOT_FOUND :
		    OUT_UNAVAILABLE);
		goto out;
	}
	db_audit(ctx->db, "passkey_removed", c.sub, c.username, c.sid,
	    ctx->req, id);
	event_log("passkey_removed", ctx->req, c.username, c.sid, "passkey",
	    id, NULL, NULL);
	answer_done(ctx, "/account", "passkey_removed");
	if (cred)	/* the count its options took, given back */
		throttle_options_refund(ctx->db, ctx->cfg, ctx->req->client);
out:
	if (taken)
		auth_throttle_end(ctx, c.username, &o);
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, &a);
	body_free(&b);
}
