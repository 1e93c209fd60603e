/*
 * auth.c: who is asking, and handing out tokens.  auth_request() is the
 * check every protected request goes through: find the token (Bearer
 * header, RFC 6750 §2.1, else the access cookie), verify it
 * (token_verify), then ask the database whether it was revoked.  Any
 * doubt rejects; a database error is reported as such, never as a pass.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * Copies the access token of the request into out: the Bearer header
 * if present, else the access cookie; *cookie says which.  Returns
 * JA_OK, JA_ENOTFOUND (none), or JA_EAUTH (malformed or too long).
 */
int
auth_find_token(const struct ctx *ctx, char *out, size_t outlen, int *cookie)
{
	int	 rc;

	*cookie = 0;
	rc = request_bearer(ctx->req, out, outlen);
	if (rc == JA_OK)
		return JA_OK;
	if (rc != JA_ENOTFOUND)
		return JA_EAUTH;
	rc = cookie_get(ctx->req->cookies, cookie_name(ctx->req,
	    COOKIE_ACCESS), out, outlen);
	if (rc == JA_ENOTFOUND || (rc == JA_OK && out[0] == '\0'))
		return JA_ENOTFOUND;
	if (rc != JA_OK)
		return JA_EAUTH;
	*cookie = 1;
	return JA_OK;
}

/*
 * Logs one line saying that a token presented by the client was refused
 * and why: reason is a fixed phrase, never the token; the client's
 * address is escaped (log_escape).  Refusals are not the hot path.
 */
void
auth_log_refusal(const struct ctx *ctx, const char *what, const char *reason)
{
	char	 ip[LOG_IP_MAX];

	log_escape(ip, sizeof(ip), ctx->req->client);
	log_msg("%s refused from %s: %s", what, ip[0] != '\0' ? ip : "-",
	    reason);
}

/*
 * Authenticates the request.  Returns OUT_OK with the verified claims
 * in c, or why not: OUT_MISSING (no token), OUT_INVALID (malformed, or
 * a Bearer token that does not verify), OUT_EXPIRED (the access
 * cookie's token does not verify: expired, most likely, and worth a
 * refresh), OUT_REVOKED (valid, but its session ended), or
 * OUT_UNAVAILABLE when revocation could not be checked (fail closed).
 * A token this process verified before is taken from tokcache.c;
 * revocation is decided on every request (revcache.c).  Nothing is
 * answered here (answer.c does), and the token is wiped.
 */
int
auth_request(struct ctx *ctx, struct claims *c)
{
	char	 token[JA_TOKEN_MAX + 1];
	int	 rc, cookie;

	memset(c, 0, sizeof(*c));
	rc = auth_find_token(ctx, token, sizeof(token), &cookie);
	if (rc == JA_EAUTH) {
		metrics_count(METRIC_REFUSE_MALFORMED);
		auth_log_refusal(ctx, "access token", cookie ?
		    "malformed cookie" : "malformed or too long");
		return OUT_INVALID;
	}
	if (rc != JA_OK) {
		metrics_count(METRIC_REFUSE_NO_TOKEN);
		return OUT_MISSING;
	}
	rc = tokcache_verify(ctx->cfg, token, ctx->now, c);
	if (rc != JA_OK) {
		metrics_count(token_shape_ok(token) ? METRIC_REFUSE_INVALID :
		    METRIC_REFUSE_MALFORMED);
		auth_log_refusal(ctx, "access token", token_shape_ok(token) ?
		    "bad header, signature or claims, or expired" :
		    "not a compact JWS");
	}
	sodium_memzero(token, sizeof(token));
	if (rc != JA_OK)
		return cookie ? OUT_EXPIRED : OUT_INVALID;
	rc = revcache_check(ctx->db, ctx->cfg, c, ctx->now);
	if (rc == JA_OK)
		return OUT_OK;
	memset(c, 0, sizeof(*c));
	if (rc == JA_EDB) {
		metrics_count(METRIC_REFUSE_UNAVAILABLE);
		return OUT_UNAVAILABLE;
	}
	metrics_count(METRIC_REFUSE_REVOKED);
	auth_log_refusal(ctx, "access token", "revoked, or its session ended");
	return OUT_REVOKED;
}

/*
 * The start of every POST that acts for the signed-in user: a request
 * whose token came from the access cookie must carry the form's CSRF
 * token too (csrf.c; OUT_CSRF otherwise), then the token is checked
 * (auth_request).  Returns OUT_OK with the claims in c, and in *cookie
 * (may be NULL) whether the token was the cookie's; or the refusal,
 * for the caller to answer.
 */
int
auth_form_request(struct ctx *ctx, const struct body *b, struct claims *c,
    int *cookie)
{
	char	 tok[JA_TOKEN_MAX + 1];
	int	 bad = 0, from_cookie = 0, rc;

	memset(c, 0, sizeof(*c));
	rc = auth_find_token(ctx, tok, sizeof(tok), &from_cookie);
	sodium_memzero(tok, sizeof(tok));
	if (cookie != NULL)
		*cookie = rc == JA_OK && from_cookie;
	if (rc == JA_OK && from_cookie && csrf_check_request(ctx->cfg,
	    ctx->req, body_get(b, "csrf", &bad)) != JA_OK)
		return OUT_CSRF;
	return auth_request(ctx, c);
}

/*
 * Takes one guess of name (NULL: the address alone) from the client's
 * address off the login throttle: counted as a failure before it is
 * checked (throttle_take), so guesses sent at once are counted one by
 * one and no more than throttle_user_max of them pass before the first
 * block.  Returns OUT_OK (the guess is taken: the caller gives it back
 * with auth_throttle_end() unless it failed), OUT_THROTTLED with the
 * seconds to wait in o->retry, or OUT_UNAVAILABLE; o is set to it.
 */
int
auth_throttle(struct ctx *ctx, const char *name, struct outcome *o)
{
	long	 wait = 0;
	int	 rc;

	rc = throttle_take(ctx->db, ctx->cfg, name, ctx->req->client,
	    ctx->req, &wait);
	return auth_throttle_outcome(rc, wait, o);
}

/*
 * The outcome of a throttle's count rc (JA_OK, JA_EBUSY with wait
 * seconds to wait, JA_EDB): OUT_OK, OUT_THROTTLED with o->retry, or
 * OUT_UNAVAILABLE; o is set to it.
 */
int
auth_throttle_outcome(int rc, long wait, struct outcome *o)
{
	if (rc == JA_EBUSY) {
		outcome_set(o, OUT_THROTTLED);
		o->retry = wait;
		return OUT_THROTTLED;
	}
	return outcome_set(o, rc == JA_OK ? OUT_OK : OUT_UNAVAILABLE);
}

/*
 * The end of a guess taken by auth_throttle() for name, with o its
 * outcome: a wrong password or code leaves its count standing; any
 * other outcome (success, a busy slot, the database gone) was no failed
 * guess, and its count is given back.
 */
void
auth_throttle_end(struct ctx *ctx, const char *name,
    const struct outcome *o)
{
	if (o->kind == OUT_BAD_CREDENTIALS || o->kind == OUT_WRONG_PASSWORD ||
	    o->kind == OUT_WRONG_CODE)
		return;
	throttle_refund(ctx->db, ctx->cfg, name, ctx->req->client);
}

/*
 * Checks pw against the current password of c's account, as changing
 * an authentication factor requires (ASVS 5.0 7.5.1), once the caller
 * has taken the guess off the throttle (auth_throttle), which counts it:
 * in a password-hashing slot (pwslot.c), held in *slot for the caller's
 * pwslot_leave().  Returns OUT_OK, OUT_WRONG_PASSWORD (also for an
 * account no longer c's), OUT_BUSY (every slot taken) or
 * OUT_UNAVAILABLE.
 */
int
auth_password(struct ctx *ctx, const struct claims *c, const char *pw,
    int *slot)
{
	struct user	 u;
	int		 rc, out = OUT_OK;

	memset(&u, 0, sizeof(u));
	if ((rc = pwslot_enter(ctx->db, ctx->cfg, slot)) != JA_OK)
		return rc == JA_EBUSY ? OUT_BUSY : OUT_UNAVAILABLE;
	rc = db_user_find(ctx->db, c->username, &u);
	if (rc == JA_EDB)
		out = OUT_UNAVAILABLE;
	else if (rc != JA_OK || strcmp(u.id, c->sub) != 0 ||
	    password_verify(ctx->cfg, u.hash, pw) != JA_OK)
		out = OUT_WRONG_PASSWORD;
	sodium_memzero(&u, sizeof(u));
	return out;
}

/*
 * Answers a successful login or refresh with a new access token for
 * session s and refresh token rt: JSON (RFC 6749 §5.1) for API clients,
 * also setting the cookies when set_cookies is non-zero; for forms, the
 * cookies and a 303 to next; for our pages' script (ANSWER_SCRIPT), the
 * cookies and 204, the page moving on itself.  The cookies of a session not remembered
 * ("Keep me signed in" unticked) are browser-session cookies.  Returns JA_OK or JA_ENOMEM.
 */
int
auth_respond(struct ctx *ctx, const struct session *s, const char *rt,
    const char *next, int set_cookies)
{
	struct claims	 c;
	char		*at = NULL;
	json_t		*j;

	if (token_issue_amr(ctx->cfg, s->user_id, s->username, s->id, s->otp,
	    ctx->now, &c, &at) != JA_OK) {
		response_error(ctx->resp, ctx->req, 500, "server_error",
		    "The token could not be issued.");
		return JA_ENOMEM;
	}
	if (answer_is_page(ctx) || answer_is_script(ctx) || set_cookies) {
		response_cookie(ctx->resp, ctx->req, ctx->cfg, COOKIE_ACCESS,
		    at, s->remembered ? s->refresh_expires_in :
		    COOKIE_SESSION);
		response_cookie(ctx->resp, ctx->req, ctx->cfg,
		    COOKIE_REFRESH, rt, s->remembered ? s->refresh_expires_in :
		    COOKIE_SESSION);
	}
	if (answer_is_page(ctx))
		response_redirect(ctx->resp, next);
	else if (answer_is_script(ctx))
		ctx->resp->status = 204;	/* the cookies are the answer */
	else {
		j = json_pack("{s:s, s:s, s:I, s:s, s:I}", "access_token", at,
		    "token_type", "Bearer", "expires_in",
		    (json_int_t)ctx->cfg->access_ttl, "refresh_token", rt,
		    "refresh_expires_in", (json_int_t)s->refresh_expires_in);
		response_json(ctx->resp, 200, j);
	}
	sodium_memzero(at, strlen(at));
	free(at);
	return JA_OK;
}

/*
 * The end of every sign-in, with the password alone or with the second
 * factor too (otp non-zero; how says which, for the audit): a new
 * session for u, remembered when remember is non-zero ("Keep me signed
 * in"), u's throttle count cleared, the sign-in audited and
 * logged, and the tokens answered with next (auth_respond).  Returns
 * OUT_OK, or OUT_UNAVAILABLE with nothing answered.
 */
int
auth_sign_in(struct ctx *ctx, const struct user *u, int otp, int remember,
    const char *how, const char *next)
{
	struct session	 s;
	char		 rt[JA_RT_LEN + 1];

	memset(rt, 0, sizeof(rt));
	if (db_session_create(ctx->db, ctx->cfg, u, ctx->req, otp, remember,
	    &s, rt, sizeof(rt)) != JA_OK)
		return OUT_UNAVAILABLE;
	throttle_success(ctx->db, u->username);
	notice_sign_in(ctx, u->id);
	db_audit(ctx->db, "login", u->id, u->username, s.id, ctx->req, how);
	event_log("login_ok", ctx->req, u->username, s.id, otp ? "amr" : NULL,
	    (otp & AMR_HWK) ? ((otp & AMR_PWD) ? "pwd,hwk,user,mfa" :
	    (otp & AMR_MFA) ? "hwk,user,mfa" : "hwk,user") :
	    otp ? "pwd,otp" : NULL, NULL, NULL);
	auth_respond(ctx, &s, rt, text_local_or_root(next), 0);
	sodium_memzero(rt, sizeof(rt));
	return OUT_OK;
}

/* Deletes the session cookies (logout, a refused refresh). */
void
auth_clear_cookies(struct ctx *ctx)
{
	response_cookie(ctx->resp, ctx->req, ctx->cfg, COOKIE_ACCESS, NULL, 0);
	response_cookie(ctx->resp, ctx->req, ctx->cfg, COOKIE_REFRESH, NULL, 0);
}
