/*
 * route_passkey_mfa.c: a passkey as the second factor of a sign-in
 * (issue 17), in place of a TOTP or recovery code (mfa.c).
 *   POST BASE/passkey/login/options {"mfa_token"} -> {"publicKey":
 *	PublicKeyCredentialRequestOptionsJSON} (W3C WebAuthn Level 3 §5.5)
 *	with allowCredentials the passkeys of the mfa_token's user, its
 *	challenge bound to that mfa_token (purpose "mfa", 5 minutes, once,
 *	stored hashed).  Asking uses no try of the mfa_token.
 *   POST BASE/passkey/login {"mfa_token", "credential"} -> the answer of
 *	a right code at BASE/login: the session, tokens for API clients.
 * The step counts one try of the mfa_token (db_mfa_challenge_try, at
 * most MFA_CHALLENGE_TRIES) and one guess of the login throttle, as a
 * code does; a success ends the mfa_token.  Refused with 401, writing
 * nothing but the counts and the audit: an mfa_token unknown, expired,
 * used or worn out (invalid_mfa_token); a challenge of another
 * mfa_token, of an anonymous attempt or of none; a credential of
 * another user, or the passkey that was the first factor (a passkey
 * without UV is one factor: it cannot be its own second); and every
 * check of passkey_assert_verify.  The session says how it signed in
 * (RFC 8176 amr): ["pwd","hwk","user","mfa"] after a password,
 * ["hwk","user","mfa"] after another passkey.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/* The refusal of an mfa_token unknown, expired, used or worn out. */
static int
passkey_mfa_expired(struct ctx *ctx, int rc, struct outcome *o)
{
	if (rc == JA_EDB)
		return outcome_set(o, OUT_UNAVAILABLE);
	auth_log_refusal(ctx, "mfa_token", "unknown, expired, used or tried "
	    "too often");
	return outcome_set(o, OUT_MFA_EXPIRED);
}

/*
 * The options of the second step of mfa_token token.  Returns them (the
 * caller owns them), or NULL with the refusal set in o.
 */
json_t *
passkey_mfa_options(struct ctx *ctx, const char *token, struct outcome *o)
{
	char	 uid[JA_UUID_LEN + 1], name[JA_NAME_MAX + 1];
	int	 rc;

	rc = db_mfa_challenge_peek(ctx->db, token, uid, name);
	if (rc != JA_OK) {
		passkey_mfa_expired(ctx, rc, o);
		return NULL;
	}
	return passkey_request_options(ctx, uid, "mfa", NULL, token, o);
}

/*
 * The checks of the step after its try was counted: the challenge of
 * this mfa_token, the passkey known, uid's, not the first factor
 * (first: its id, "" after a password), verified, and after a passkey
 * one that verified the user (UV): two passkeys that did not are two
 * things the user has, not two factors (RFC 8176 "mfa").  Returns OUT_OK or
 * the refusal, set in o.
 */
static int
passkey_mfa_check(struct ctx *ctx, const struct assertion *a,
    const char *token, const char *uid, const char *name,
    const char *first, struct passkey *p, struct outcome *o)
{
	int	 rc;

	if (passkey_assert_challenge(ctx, a, "mfa", NULL, token, name, 1, o) !=
	    OUT_OK)
		return o->kind;
	rc = db_passkey_find(ctx->db, a->id, a->idlen, p);
	if (rc == JA_EDB || rc == JA_ENOMEM)
		return outcome_set(o, OUT_UNAVAILABLE);
	if (rc != JA_OK || strcmp(p->user_id, uid) != 0)
		rc = passkey_refuse_login(ctx, o, OUT_BAD_CREDENTIALS, name,
		    rc != JA_OK ? "unknown credential" :
		    "credential of another user",
		    "This passkey is not one of this account's.");
	else if (strcmp(p->id, first) == 0)
		rc = passkey_refuse_login(ctx, o, OUT_BAD_CREDENTIALS, name,
		    "the first factor's passkey again",
		    "Use another passkey, or a code from your app.");
	else if (passkey_assert_verify(ctx, a, p, "second factor", o) !=
	    OUT_OK)
		return o->kind;
	else if (first[0] != '\0' && (a->auth.flags & WA_FLAG_UV) == 0)
		rc = passkey_refuse_login(ctx, o, OUT_BAD_CREDENTIALS, name,
		    "a passkey without UV after a passkey",
		    "After a passkey, use a code from your app, or a passkey "
		    "that verifies you.");
	else
		return OUT_OK;
	db_audit(ctx->db, "login_failed", uid, name, NULL, ctx->req,
	    "second factor");
	return rc;
}

/*
 * POST BASE/passkey/login {"mfa_token", "credential"}: the second step
 * with the assertion of body b (read into a, the caller's) for mfa_token
 * token.  Answers a success (auth_sign_in); returns OUT_OK, or the
 * refusal set in o for the caller to answer.
 */
int
passkey_mfa_login(struct ctx *ctx, const struct body *b,
    struct assertion *a, const char *token, struct outcome *o)
{
	struct passkey	 p;
	struct user	 u;
	char		 uid[JA_UUID_LEN + 1], name[JA_NAME_MAX + 1];
	char		 first[JA_UUID_LEN + 1];
	int		 rc, remember = 1, taken = 0;

	memset(&p, 0, sizeof(p));
	memset(&u, 0, sizeof(u));
	memset(name, 0, sizeof(name));
	if (passkey_assert_parse(ctx, b, a, o) != OUT_OK)
		goto out;
	/* Whose, without a try: a throttled attempt must cost none. */
	if ((rc = db_mfa_challenge_peek(ctx->db, token, uid, name)) !=
	    JA_OK) {
		passkey_mfa_expired(ctx, rc, o);
		goto out;
	}
	if (auth_throttle(ctx, name, o) != OUT_OK)
		goto out;
	taken = 1;
	if ((rc = db_mfa_challenge_try(ctx->db, token, uid, name, &remember,
	    first)) != JA_OK) {
		passkey_mfa_expired(ctx, rc, o);
		goto out;
	}
	if (passkey_mfa_check(ctx, a, token, uid, name, first, &p, o) !=
	    OUT_OK)
		goto out;
	if ((rc = db_mfa_challenge_end(ctx->db, token)) != JA_OK) {
		passkey_mfa_expired(ctx, rc, o);
		goto out;
	}
	if (p.pending) {
		outcome_set(o, OUT_UNVERIFIED);
		goto out;
	}
	snprintf(u.id, sizeof(u.id), "%s", uid);
	snprintf(u.username, sizeof(u.username), "%s", name);
	outcome_set(o, auth_sign_in(ctx, &u, first[0] != '\0' ?
	    AMR_HWK | AMR_MFA : AMR_PWD | AMR_HWK | AMR_MFA, remember,
	    "second factor: passkey", NULL));
out:
	if (taken)
		auth_throttle_end(ctx, name, o);
	sodium_memzero(&p, sizeof(p));
	sodium_memzero(&u, sizeof(u));
	return o->kind;
}
