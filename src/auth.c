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
 * Authenticates the request.  Returns JA_OK with the verified claims in
 * c, JA_ENOTFOUND when no token was presented, JA_EAUTH when one was but
 * is invalid, expired or revoked, or JA_EDB when revocation could not be
 * checked (the caller answers 503: fail closed).  A token this process
 * verified before is taken from tokcache.c; revocation is decided on
 * every request (revcache.c).
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
	} else if (rc == JA_ENOTFOUND)
		metrics_count(METRIC_REFUSE_NO_TOKEN);
	if (rc != JA_OK)
		return rc;
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
		return JA_EAUTH;
	rc = revcache_check(ctx->db, ctx->cfg, c, ctx->now);
	if (rc == JA_EAUTH) {
		metrics_count(METRIC_REFUSE_REVOKED);
		auth_log_refusal(ctx, "access token",
		    "revoked, or its session ended");
	} else if (rc == JA_EDB)
		metrics_count(METRIC_REFUSE_UNAVAILABLE);
	if (rc != JA_OK)
		memset(c, 0, sizeof(*c));
	return rc;
}

/*
 * The start of every POST that acts for the signed-in user: a request
 * whose token came from the access cookie must carry the form's CSRF
 * token too (csrf.c; 403 otherwise), then the token is checked
 * (auth_request; a refusal answered by bounce()).  Returns JA_OK with
 * the claims in c, and in *cookie (may be NULL) whether the token was
 * the cookie's; or an error with the answer given.
 */
int
auth_form_request(struct ctx *ctx, const struct body *b, struct claims *c,
    int *cookie)
{
	char	 tok[JA_TOKEN_MAX + 1];
	int	 bad = 0, from_cookie = 0, rc;

	rc = auth_find_token(ctx, tok, sizeof(tok), &from_cookie);
	sodium_memzero(tok, sizeof(tok));
	if (cookie != NULL)
		*cookie = rc == JA_OK && from_cookie;
	if (rc == JA_OK && from_cookie && csrf_check(ctx->cfg, ctx->req,
	    body_get(b, "csrf", &bad)) != JA_OK) {
		response_error(ctx->resp, ctx->req, 403, "invalid_request",
		    "This request came from another site or its form has "
		    "expired.");
		return JA_EAUTH;
	}
	if ((rc = auth_request(ctx, c)) != JA_OK)
		bounce(ctx, rc, ctx->req->path);
	return rc;
}

/*
 * Checks pw against the current password of c's account, as changing
 * an authentication factor requires (ASVS 5.0 7.5.1), once the caller
 * has consulted the throttle: in a password-hashing slot (pwgate.c),
 * held in *slot for the caller's pwgate_leave().  A wrong password, or
 * an account no longer c's, is counted by the throttle and returned as
 * JA_EAUTH for the caller to answer; any other error is answered here
 * (503: every slot busy, or the database).  Returns JA_OK otherwise.
 */
int
auth_password(struct ctx *ctx, const struct claims *c, const char *pw,
    int *slot)
{
	struct user	 u;
	int		 rc;

	memset(&u, 0, sizeof(u));
	if ((rc = pwgate_enter(ctx->db, ctx->cfg, slot)) != JA_OK) {
		if (rc == JA_EBUSY)
			bounce_busy(ctx, NULL);
		else
			bounce_unavailable(ctx);
		return rc;
	}
	rc = db_user_find(ctx->db, c->username, &u);
	if (rc == JA_EDB)
		bounce_unavailable(ctx);
	else if (rc != JA_OK || strcmp(u.id, c->sub) != 0 ||
	    password_verify(ctx->cfg, u.hash, pw) != JA_OK) {
		throttle_fail(ctx->db, ctx->cfg, c->username,
		    ctx->req->client, ctx->req);
		rc = JA_EAUTH;
	}
	sodium_memzero(&u, sizeof(u));
	return rc;
}

/*
 * Answers a successful login or refresh with a new access token for
 * session s and refresh token rt: JSON (RFC 6749 §5.1) for API clients,
 * also setting the cookies when set_cookies is non-zero; for forms, the
 * cookies and a 303 to next.  Returns JA_OK or JA_ENOMEM.
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
	if (ctx->req->html || set_cookies) {
		response_cookie(ctx->resp, ctx->req, ctx->cfg, COOKIE_ACCESS,
		    at, s->refresh_expires_in);
		response_cookie(ctx->resp, ctx->req, ctx->cfg,
		    COOKIE_REFRESH, rt, s->refresh_expires_in);
	}
	if (ctx->req->html)
		response_redirect(ctx->resp, next);
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

/* Deletes the session cookies (logout, a refused refresh). */
void
auth_clear_cookies(struct ctx *ctx)
{
	response_cookie(ctx->resp, ctx->req, ctx->cfg, COOKIE_ACCESS, NULL, 0);
	response_cookie(ctx->resp, ctx->req, ctx->cfg, COOKIE_REFRESH, NULL, 0);
}
