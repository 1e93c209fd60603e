/*
 * outcome.c: what each kind of refusal is on the wire, the same on
 * every route: its status, its error code (RFC 6749 §5.2, RFC 6750
 * §3.1, RFC 9470 §3 names where one applies), its words to a person,
 * whether it carries a Bearer challenge.  Pure: answer.c reads the
 * table and writes the response; jwtauth.fcgi(8) prints it (REFUSALS).
 */
#include <stddef.h>

#include "jwtauth.h"

static const struct spelling outcome_spellings[OUT_COUNT] = {
	[OUT_OK] = { 200, NULL, NULL, 0, 0 },
	[OUT_MISSING] = { 401, "invalid_request",
	    "A valid access token is required.", 1, 1 },
	[OUT_INVALID] = { 401, "invalid_token",
	    "A valid access token is required.", 1, 1 },
	[OUT_EXPIRED] = { 401, "invalid_token",
	    "A valid access token is required.", 1, 1 },
	[OUT_REVOKED] = { 401, "invalid_token",
	    "A valid access token is required.", 1, 1 },
	[OUT_NO_OTP] = { 401, "insufficient_user_authentication",
	    "This page needs a sign-in with two-factor authentication. Turn "
	    "it on from your account page, then sign out and sign in again "
	    "with a code.", 1, 1 },
	[OUT_UNAVAILABLE] = { 503, "temporarily_unavailable",
	    "The service is unavailable. Try again shortly.", 0, 1 },
	[OUT_BUSY] = { 503, "temporarily_unavailable",
	    "Too many people are signing in right now. Try again in a "
	    "moment.", 0, 1 },
	[OUT_THROTTLED] = { 429, "too_many_attempts", NULL, 0, 1 },
	[OUT_CSRF] = { 403, "invalid_request",
	    "This request came from another site or its form has expired.",
	    0, 1 },
	[OUT_BAD_REQUEST] = { 400, "invalid_request",
	    "Fill in every field of the form.", 0, 1 },
	[OUT_BAD_CREDENTIALS] = { 401, "invalid_credentials",
	    "That user name and password do not match. Check both and try "
	    "again.", 0, 0 },
	[OUT_WRONG_PASSWORD] = { 401, "invalid_credentials",
	    "The current password is not right. Try again.", 0, 0 },
	[OUT_WRONG_CODE] = { 401, "invalid_code",
	    "That code is not right, or was used already.", 0, 0 },
	[OUT_MFA_EXPIRED] = { 401, "invalid_mfa_token",
	    "That sign-in has expired. Sign in again.", 0, 0 },
	[OUT_INVALID_GRANT] = { 401, "invalid_grant",
	    "The session has ended. Sign in again.", 0, 1 },
	[OUT_CONFLICT] = { 409, "conflict", "That did not match the state "
	    "of your account. Try again from there.", 0, 1 },
	[OUT_NOT_FOUND] = { 404, "not_found", "There is nothing here.", 0,
	    1 },
	[OUT_TOO_LARGE] = { 413, "invalid_request",
	    "The request body is too large.", 0, 1 },
	[OUT_MEDIA_TYPE] = { 415, "invalid_request",
	    "Send application/json or a form.", 0, 1 },
	[OUT_BAD_BODY] = { 400, "invalid_request",
	    "The request body is malformed.", 0, 1 },
	[OUT_BAD_LINK] = { 400, "invalid_link", "This link is not valid: it "
	    "was used, has expired, or a newer one was sent. Ask for a new "
	    "one.", 0, 1 },
	[OUT_UNVERIFIED] = { 403, "email_not_verified", "Your email address "
	    "is not confirmed yet. Open the link in the mail we sent you, "
	    "then sign in.", 0, 1 },
	[OUT_INVITE_ONLY] = { 403, "invitation_required", "Sign-up here is "
	    "by invitation only. Ask the site's administrator for one.", 0,
	    1 },
	[OUT_SERVER_ERROR] = { 500, "server_error", "Something went wrong.",
	    0, 1 },
};

/* The spelling of kind (OUT_SERVER_ERROR's for a kind out of range). */
const struct spelling *
outcome_spelling(enum outcome_kind kind)
{
	if ((unsigned int)kind >= OUT_COUNT)
		kind = OUT_SERVER_ERROR;
	return &outcome_spellings[kind];
}

/*
 * The note of the account page (route_account.c, ?m=) that tells a
 * browser sent back there what went wrong, or NULL when kind has none
 * (a refusal that keeps its status is not sent back there).
 */
const char *
outcome_account_note(enum outcome_kind kind)
{
	switch (kind) {
	case OUT_WRONG_PASSWORD:
	case OUT_BAD_CREDENTIALS:
		return "password";
	case OUT_WRONG_CODE:
		return "code";
	case OUT_BAD_REQUEST:
		return "missing";
	case OUT_CONFLICT:
		return "state";
	default:
		return NULL;
	}
}

/* Resets o to kind, without message or wait; returns kind. */
int
outcome_set(struct outcome *o, enum outcome_kind kind)
{
	o->kind = kind;
	o->retry = 0;
	o->message = NULL;
	o->code = NULL;
	return kind;
}
