/*
 * passkey.c: what the passkey routes share (route_passkey.c,
 * route_passkey_login.c): passkeys on or off, the JSON body, the
 * base64url members of a credential (W3C WebAuthn Level 3 §5.1, the
 * JSON forms of §5.1.8 and §5.1.9), a new challenge, and a refusal
 * logged once.
 */
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * The start of every passkey route: passkeys on (webauthn_rp_id known,
 * OUT_NOT_FOUND otherwise) and a JSON object for a body (OUT_MEDIA_TYPE
 * for a form or no body: application/json is no simple request of the
 * Fetch standard, §3.2.3, so another site's page cannot send one
 * without a CORS preflight, which is never granted).  A body with "csrf" comes from our pages' script: the
 * form token must pass (csrf.c: the origin, the nonce cookie, the
 * session; OUT_CSRF otherwise) and the request is answered as
 * ANSWER_SCRIPT (answer.c).  Returns OUT_OK or the refusal, set in o;
 * free b with body_free() in any case.
 */
int
passkey_begin(struct ctx *ctx, struct body *b, struct outcome *o)
{
	return passkey_begin_form(ctx, b, 0, o);
}

/*
 * passkey_begin, with a form taken too when forms is 1 (the account
 * page's removal without script, route_passkey.c): a form's CSRF token
 * is the caller's to check (auth_form_request), and it is answered as
 * the route's kind says (ANSWER_FORM: a page).
 */
int
passkey_begin_form(struct ctx *ctx, struct body *b, int forms,
    struct outcome *o)
{
	const char	*csrf;
	int		 bad = 0;

	memset(b, 0, sizeof(*b));
	if (ctx->cfg->webauthn_rp_id == NULL)
		return outcome_set(o, OUT_NOT_FOUND);
	if (body_read(ctx, b, o) != OUT_OK)
		return o->kind;
	if (b->is_form && forms)
		return outcome_set(o, OUT_OK);
	if (b->is_form || b->json == NULL || ctx->req->ctype != CTYPE_JSON)
		return outcome_set(o, OUT_MEDIA_TYPE);
	/* A form token in the body: our pages' script (passkey.js). */
	csrf = body_get(b, "csrf", &bad);
	if (bad || (csrf != NULL && csrf_check_request(ctx->cfg, ctx->req,
	    csrf) != JA_OK))
		return outcome_set(o, OUT_CSRF);
	if (csrf != NULL)
		answer_kind_set(ctx, ANSWER_SCRIPT);
	return outcome_set(o, OUT_OK);
}

/*
 * The count of a request for passkey options from the client's address
 * (throttle_options_take).  Returns OUT_OK, OUT_THROTTLED with the
 * seconds to wait in o->retry, or OUT_UNAVAILABLE; o is set to it.
 */
int
passkey_options_throttle(struct ctx *ctx, struct outcome *o)
{
	long	 wait = 0;
	int	 rc;

	rc = throttle_options_take(ctx->db, ctx->cfg, ctx->req->client,
	    &wait);
	return auth_throttle_outcome(rc, wait, o);
}

/*
 * Decodes the base64url string member name of obj into dst (max bytes),
 * its length in *len.  Returns JA_OK, JA_ENOTFOUND (absent), JA_ETOOBIG
 * (more than max bytes) or JA_EINVAL (not a string, not base64url, or
 * empty).
 */
int
passkey_b64(const json_t *obj, const char *name, unsigned char *dst,
    size_t max, size_t *len)
{
	const json_t	*v = json_object_get(obj, name);
	size_t		 n;

	*len = 0;
	if (v == NULL)
		return JA_ENOTFOUND;
	if (!json_is_string(v) || (n = json_string_length(v)) == 0)
		return JA_EINVAL;
	return b64url_decode(dst, max, len, json_string_value(v), n);
}

/*
 * The credential of the request body b ({"credential": {...}}): its
 * response object in *resp and its raw id (rawId, or id when absent)
 * decoded into id (WA_CRED_MAX bytes), its length in *idlen.  type must
 * be "public-key" (§5.1).  Returns JA_OK or JA_EINVAL.
 */
int
passkey_credential(const struct body *b, const json_t **resp,
    unsigned char *id, size_t *idlen)
{
	const json_t	*cred, *t;
	int		 rc;

	*resp = NULL;
	*idlen = 0;
	if (b->json == NULL ||
	    !json_is_object(cred = json_object_get(b->json, "credential")) ||
	    !json_is_object(*resp = json_object_get(cred, "response")) ||
	    !json_is_string(t = json_object_get(cred, "type")) ||
	    strcmp(json_string_value(t), "public-key") != 0)
		return JA_EINVAL;
	rc = passkey_b64(cred, "rawId", id, WA_CRED_MAX, idlen);
	if (rc == JA_ENOTFOUND)
		rc = passkey_b64(cred, "id", id, WA_CRED_MAX, idlen);
	return rc == JA_OK ? JA_OK : JA_EINVAL;
}

/*
 * A new challenge of WA_CHALLENGE_LEN random bytes into c, its base64url
 * into b64 (len > 43 bytes).  Returns JA_OK or JA_ETOOBIG.
 */
int
passkey_challenge(unsigned char *c, char *b64, size_t len)
{
	randombytes_buf(c, WA_CHALLENGE_LEN);
	return b64url_encode(b64, len, c, WA_CHALLENGE_LEN);
}

/* passkey_refuse() and passkey_refuse_login(), with the event's name. */
static int
passkey_refuse_as(struct ctx *ctx, const char *event, struct outcome *o,
    enum outcome_kind kind, const char *name, const char *why,
    const char *message)
{
	event_log(event, ctx->req, name != NULL ? name : "?unknown", NULL,
	    "reason", why, NULL, NULL);
	outcome_set(o, kind);
	o->message = message;
	return kind;
}

/*
 * A refused registration: one escaped log line (event "passkey_refused",
 * name the user's, why the check that failed), and o set to kind with
 * message (NULL: the kind's own words).  Returns kind.
 */
int
passkey_refuse(struct ctx *ctx, struct outcome *o, enum outcome_kind kind,
    const char *name, const char *why, const char *message)
{
	return passkey_refuse_as(ctx, "passkey_refused", o, kind, name, why,
	    message);
}

/*
 * A refused sign-in, as passkey_refuse(), as event
 * "passkey_login_failed", which the metrics count as a failed login.
 */
int
passkey_refuse_login(struct ctx *ctx, struct outcome *o,
    enum outcome_kind kind, const char *name, const char *why,
    const char *message)
{
	return passkey_refuse_as(ctx, "passkey_login_failed", o, kind, name,
	    why, message);
}

/*
 * Adds the credential id (hex, row[0]) to the JSON array arg as a
 * PublicKeyCredentialDescriptorJSON (§5.8.3), for db_passkey_cred_ids.
 */
void
passkey_cred_one(const char *const *row, void *arg)
{
	unsigned char	 id[WA_CRED_MAX];
	char		 b64[WA_CRED_MAX * 4 / 3 + 4];
	size_t		 n;

	if (sodium_hex2bin(id, sizeof(id), row[0], strlen(row[0]), NULL, &n,
	    NULL) != 0 || b64url_encode(b64, sizeof(b64), id, n) != JA_OK)
		return;
	json_array_append_new((json_t *)arg, json_pack("{s:s, s:s}", "type",
	    "public-key", "id", b64));
}

/*
 * New request options (§5.5, PublicKeyCredentialRequestOptionsJSON) for
 * the passkeys of user_id (NULL: any, usernameless), their challenge
 * stored for purpose, bound to session sid or token (one NULL).  Returns
 * {"publicKey": ...} (the caller owns it), or NULL with o set.
 */
json_t *
passkey_request_options(struct ctx *ctx, const char *user_id,
    const char *purpose, const char *sid, const char *token,
    struct outcome *o)
{
	unsigned char	 chal[WA_CHALLENGE_LEN];
	char		 chal64[64];
	json_t		*allow, *j = NULL;

	if ((allow = json_array()) == NULL ||
	    passkey_challenge(chal, chal64, sizeof(chal64)) != JA_OK) {
		outcome_set(o, OUT_SERVER_ERROR);
		goto out;
	}
	if ((user_id != NULL && db_passkey_cred_ids(ctx->db, user_id,
	    passkey_cred_one, allow) != JA_OK) ||
	    db_wa_challenge_new(ctx->db, chal, purpose, sid, token) !=
	    JA_OK) {
		outcome_set(o, OUT_UNAVAILABLE);
		goto out;
	}
	j = json_pack("{s:{s:s, s:s, s:i, s:s, s:O}}", "publicKey",
	    "challenge", chal64, "rpId", ctx->cfg->webauthn_rp_id,
	    "timeout", 300000, "userVerification",
	    ctx->cfg->webauthn_user_verification, "allowCredentials", allow);
	outcome_set(o, j != NULL ? OUT_OK : OUT_SERVER_ERROR);
out:
	json_decref(allow);
	sodium_memzero(chal, sizeof(chal));
	return j;
}

/*
 * Takes the challenge of assertion a (purpose, bound to session sid or
 * token, one NULL: used up whatever follows) and checks its client data
 * (§7.2 steps 10-14: type webauthn.get, origin, no crossOrigin).  A
 * refusal counts as a failed guess of this client (auth_throttle with
 * no name), so that challenges guessed or replayed meet the throttle,
 * unless the caller took the guess off the throttle already (taken).
 * Returns OUT_OK, OUT_UNAVAILABLE, or OUT_BAD_CREDENTIALS set in o and
 * logged once (name: the user, when known).
 */
int
passkey_assert_challenge(struct ctx *ctx, const struct assertion *a,
    const char *purpose, const char *sid, const char *token,
    const char *name, int taken, struct outcome *o)
{
	struct outcome	 t;
	const char	*why = NULL;
	int		 rc;

	rc = db_wa_challenge_take(ctx->db, a->client.challenge, purpose, sid,
	    token);
	if (rc == JA_EDB)
		return outcome_set(o, OUT_UNAVAILABLE);
	if (rc != JA_OK)
		why = "challenge unknown, used, expired or another's";
	else
		why = webauthn_client_check(&a->client, WA_GET,
		    a->client.challenge, ctx->cfg->webauthn_origins);
	if (why == NULL)
		return outcome_set(o, OUT_OK);
	outcome_set(&t, OUT_OK);
	if (!taken)
		auth_throttle(ctx, NULL, &t);
	return passkey_refuse_login(ctx, o, OUT_BAD_CREDENTIALS, name, why,
	    rc != JA_OK ? "This sign-in has expired: start again." :
	    "This passkey could not be verified.");
}
