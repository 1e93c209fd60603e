/*
 * route_login.c: BASE/login.  GET shows the form; POST takes a form
 * (browser: cookies and a 303 to next) or JSON {"username","password"}
 * (API: tokens in the body, RFC 6749 §5.1).  A user with a second
 * factor on gets its step after the password (mfa.c); the form or JSON
 * of that step comes back here with an mfa_token.  A wrong password, an
 * unknown user and a locked user get the same answer after the same
 * work: one argon2id verification each.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

#define LOGIN_FAILED	"That user name and password do not match. " \
			"Check both and try again."

/*
 * GET: the form, with next from the query.  Shown by the web server as
 * its 401 ErrorDocument for a protected page, it answers as bounce()
 * does for that page: JSON 401 for API clients, the way back into the
 * session or the form for browsers.
 */
static void
login_get(struct ctx *ctx)
{
	struct form	 q;
	struct buf	 target;

	struct claims	 c;
	int		 rc;

	buf_init(&target);
	if (request_target(ctx->req, ctx->cfg->base_path, &target)) {
		/* Apache turns every refusal, 503 included, into a 401:
		 * find out again why this request was refused. */
		rc = auth_request(ctx, &c);
		if (rc == JA_OK && !c.otp &&
		    authz_otp_needed(ctx->cfg, ctx->req->uri_path))
			authz_refuse_otp(ctx);
		else if (rc == JA_OK)
			bounce_login_page(ctx, 401, target.data, NULL);
		else
			bounce(ctx, rc, target.failed ? "/" : target.data);
		buf_free(&target);
		return;
	}
	memset(&q, 0, sizeof(q));
	if (ctx->req->query != NULL && form_parse(&q, ctx->req->query,
	    strlen(ctx->req->query)) == JA_OK)
		bounce_login_page(ctx, 200, form_get(&q, "next"), NULL);
	else
		bounce_login_page(ctx, 200, NULL, NULL);
	form_free(&q);
}

/* Checks name and password against the limits: 400 when outside. */
static int
login_valid(struct ctx *ctx, const char *name, const char *pw, int bad)
{
	size_t	 nlen, plen;

	if (bad || name == NULL || pw == NULL) {
		response_error(ctx->resp, ctx->req, 400, "invalid_request",
		    "Enter a user name and a password.");
		return 0;
	}
	nlen = strlen(name);
	plen = strlen(pw);
	if (nlen == 0 || plen == 0 || nlen > (size_t)ctx->cfg->username_max ||
	    plen > (size_t)ctx->cfg->password_max) {
		if (ctx->req->html)
			bounce_login_page(ctx, 400, NULL, "Enter a user "
			    "name and a password of a sensible length.");
		else
			response_error(ctx->resp, ctx->req, 400,
			    "invalid_request", "The user name or password is "
			    "empty or too long.");
		return 0;
	}
	return 1;
}

static void
login_post(struct ctx *ctx)
{
	struct body	 b;
	struct user	 u;
	struct session	 s;
	char		 rt[JA_RT_LEN + 1];
	const char	*name, *pw, *next, *mfa;
	long		 wait;
	int		 bad = 0, slot = -1, rc;

	memset(&u, 0, sizeof(u));
	memset(rt, 0, sizeof(rt));
	if (body_read(ctx, &b) != JA_OK)
		return;
	if (b.is_form && csrf_check(ctx->cfg, ctx->req, body_get(&b, "csrf",
	    &bad)) != JA_OK) {
		response_error(ctx->resp, ctx->req, 403, "invalid_request",
		    "This form has expired or came from another site. "
		    "Reload the sign-in page and try again.");
		goto out;
	}
	if (!b.is_form && ctx->req->ctype != CTYPE_JSON) {
		response_error(ctx->resp, ctx->req, 415, "invalid_request",
		    "Send application/json or a form.");
		goto out;
	}
	next = b.is_form ? body_get(&b, "next", &bad) : NULL;
	/* The second step of a sign-in with a second factor (mfa.c). */
	if ((mfa = body_get(&b, "mfa_token", &bad)) != NULL && !bad) {
		mfa_login_finish(ctx, &b, mfa, next);
		goto out;
	}
	name = body_get(&b, "username", &bad);
	pw = body_get(&b, "password", &bad);
	if (!login_valid(ctx, name, pw, bad))
		goto out;

	/* The throttle, then a hashing slot, before any hashing: a refused
	 * guess costs a query or two. */
	rc = throttle_check(ctx->db, ctx->cfg, name, ctx->req->client, &wait);
	if (rc != JA_OK) {
		if (rc == JA_EBUSY)
			event_log("login_throttled", ctx->req, name, NULL,
			    NULL, NULL, NULL, NULL);
		if (rc == JA_EBUSY)
			bounce_throttled(ctx, next, wait);
		else
			bounce_unavailable(ctx);
		goto out;
	}
	rc = pwgate_enter(ctx->db, ctx->cfg, &slot);
	if (rc != JA_OK) {
		if (rc == JA_EBUSY)
			metrics_count(METRIC_LOGIN_BUSY);
		if (rc == JA_EBUSY)
			bounce_busy(ctx, next);
		else
			bounce_unavailable(ctx);
		goto out;
	}
	password_prepare(ctx->cfg);
	rc = db_user_find(ctx->db, name, &u);
	if (rc == JA_EDB) {
		bounce_unavailable(ctx);
		goto out;
	}
	rc = password_verify(ctx->cfg, rc == JA_OK ? u.hash : NULL, pw);
	pwgate_leave(ctx->db, slot);
	slot = -1;
	if (rc != JA_OK || u.locked) {
		db_audit(ctx->db, "login_failed", u.id[0] ? u.id : NULL, name,
		    NULL, ctx->req, u.locked ? "locked" : NULL);
		/* A name that is no user's may be a password typed into
		 * the wrong field: it stays out of the log. */
		event_log("login_failed", ctx->req, u.id[0] ? u.username :
		    "?unknown", NULL, "reason", u.locked ? "locked" :
		    "bad_credentials", NULL, NULL);
		throttle_fail(ctx->db, ctx->cfg, name, ctx->req->client,
		    ctx->req);
		if (ctx->req->html)
			bounce_login_again(ctx, 401, next, LOGIN_FAILED,
			    name);
		else
			response_json(ctx->resp, 401, json_pack("{s:s}",
			    "error", "invalid_credentials"));
		goto out;
	}
	if (mfa_login_begin(ctx, &u, next) != JA_OK)
		goto out;
	if (db_session_create(ctx->db, ctx->cfg, &u, ctx->req, 0, &s, rt,
	    sizeof(rt)) != JA_OK) {
		bounce_unavailable(ctx);
		goto out;
	}
	throttle_success(ctx->db, u.username);
	db_audit(ctx->db, "login", u.id, u.username, s.id, ctx->req, NULL);
	event_log("login_ok", ctx->req, u.username, s.id, NULL, NULL, NULL,
	    NULL);
	auth_respond(ctx, &s, rt, text_local_or_root(next), 0);
out:
	pwgate_leave(ctx->db, slot);
	sodium_memzero(rt, sizeof(rt));
	sodium_memzero(&u, sizeof(u));
	body_free(&b);
}

void
route_login(struct ctx *ctx)
{
	if (ctx->req->method == METHOD_POST)
		login_post(ctx);
	else
		login_get(ctx);
}
