/*
 * route_login.c: BASE/login.  GET shows the form; POST takes a form
 * (browser: cookies and a 303 to next) or JSON {"username","password"}
 * (API: tokens in the body, RFC 6749 §5.1).  A user with a second
 * factor on gets its step after the password (mfa.c); the form or JSON
 * of that step comes back here with an mfa_token.  A wrong password, an
 * unknown user and a locked user get the same answer after the same
 * work: one argon2id verification each.
 *
 * "Keep me signed in" (remember_me = on, the default, offers it): the
 * form's box "remember" (unticked unless the user ticks it), JSON's
 * "remember" true or false (true when absent, as before it existed).
 * A session not remembered gets browser-session cookies and ends after
 * session_idle_timeout_short of inactivity (db_session_rotate.c); with
 * remember_me = off every session is remembered.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * GET: the form, with next from the query.  Shown by the web server as
 * its 401 ErrorDocument for a protected page, it answers as the
 * authorizer does for that page (authz_decide, answer.c): JSON 401 for
 * API clients, the way back into the session or the form for browsers.
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
		rc = authz_decide(ctx, &c);
		if (rc == OUT_OK)
			answer_login_form(ctx, 401, target.data, NULL, NULL);
		else
			answer_refuse_kind(ctx, rc, target.failed ? "/" :
			    target.data);
		buf_free(&target);
		return;
	}
	memset(&q, 0, sizeof(q));
	if (ctx->req->query != NULL && form_parse(&q, ctx->req->query,
	    strlen(ctx->req->query)) == JA_OK)
		answer_login_form(ctx, 200, form_get(&q, "next"), NULL, NULL);
	else
		answer_login_form(ctx, 200, NULL, NULL, NULL);
	form_free(&q);
}

/*
 * Whether the sign-in in b asks to be remembered (see the top of the
 * file): 1 or 0; *bad is set for a JSON "remember" that is not a
 * boolean.  Also for a passkey's sign-in (route_passkey_login.c).
 */
int
login_remember(const struct ctx *ctx, const struct body *b, int *bad)
{
	const char	*v;
	json_t		*j;

	if (!ctx->cfg->remember_offered)
		return 1;
	if (b->is_form) {
		v = form_get(&b->form, "remember");
		return v != NULL && strcmp(v, "on") == 0;
	}
	if ((j = json_object_get(b->json, "remember")) == NULL)
		return 1;
	if (!json_is_boolean(j))
		*bad = 1;
	return json_is_true(j);
}

/* Checks name and password against the limits: OUT_BAD_REQUEST if not. */
static int
login_valid(struct ctx *ctx, const char *name, const char *pw, int bad,
    struct outcome *o)
{
	size_t	 nlen = name != NULL ? strlen(name) : 0;
	size_t	 plen = pw != NULL ? strlen(pw) : 0;

	if (bad || nlen == 0 || plen == 0 ||
	    nlen > (size_t)ctx->cfg->username_max ||
	    plen > (size_t)ctx->cfg->password_max) {
		outcome_set(o, OUT_BAD_REQUEST);
		o->message = "Enter a user name and a password of a sensible "
		    "length.";
		return OUT_BAD_REQUEST;
	}
	return outcome_set(o, OUT_OK);
}

/*
 * The password step: the guess taken off the throttle (counted before
 * it is checked), then a hashing slot, before any hashing (a refused
 * guess costs a query or two), then one argon2id verification whether
 * the user exists or not.  Returns OUT_OK with the user in u, or the
 * refusal (set in o): OUT_THROTTLED, OUT_BUSY, OUT_UNAVAILABLE,
 * OUT_BAD_CREDENTIALS (a wrong password, an unknown or a locked user
 * alike: audited, logged, and its count left standing), OUT_UNVERIFIED
 * (the right password of an account signed up and not yet verified:
 * its count given back).
 */
static int
login_password(struct ctx *ctx, const char *name, const char *pw,
    struct user *u, struct outcome *o)
{
	int	 slot = -1, rc;

	if (auth_throttle(ctx, name, o) != OUT_OK) {
		if (o->kind == OUT_THROTTLED)
			event_log("login_throttled", ctx->req, name, NULL,
			    NULL, NULL, NULL, NULL);
		return o->kind;
	}
	rc = pwslot_enter(ctx->db, ctx->cfg, &slot);
	if (rc == JA_EBUSY)
		metrics_count(METRIC_LOGIN_BUSY);
	if (rc != JA_OK) {
		outcome_set(o, rc == JA_EBUSY ? OUT_BUSY : OUT_UNAVAILABLE);
		goto out;
	}
	password_prepare(ctx->cfg);
	rc = db_user_find(ctx->db, name, u);
	if (rc != JA_EDB)
		rc = password_verify(ctx->cfg, rc == JA_OK ? u->hash : NULL,
		    pw);
	pwslot_leave(ctx->db, slot);
	if (rc == JA_EDB) {
		outcome_set(o, OUT_UNAVAILABLE);
		goto out;
	}
	if (rc == JA_OK && !u->locked && u->pending) {
		/* Told only to who knows the password (route_signup.c). */
		db_audit(ctx->db, "login_failed", u->id, name, NULL, ctx->req,
		    "email not verified");
		event_log("login_failed", ctx->req, u->username, NULL,
		    "reason", "email_not_verified", NULL, NULL);
		outcome_set(o, OUT_UNVERIFIED);
		goto out;
	}
	if (rc == JA_OK && !u->locked) {
		outcome_set(o, OUT_OK);
		goto out;
	}
	db_audit(ctx->db, "login_failed", u->id[0] ? u->id : NULL, name, NULL,
	    ctx->req, u->locked ? "locked" : NULL);
	/* A name that is no user's may be a password typed into the wrong
	 * field: it stays out of the log. */
	event_log("login_failed", ctx->req, u->id[0] ? u->username :
	    "?unknown", NULL, "reason", u->locked ? "locked" :
	    "bad_credentials", NULL, NULL);
	outcome_set(o, OUT_BAD_CREDENTIALS);
out:
	auth_throttle_end(ctx, name, o);
	return o->kind;
}

/*
 * POST: the password step, or with an mfa_token the second step
 * (mfa.c); each refusal answered with the form it came from.
 */
static void
login_post(struct ctx *ctx)
{
	struct body	 b;
	struct user	 u;
	struct outcome	 o;
	struct again	 a;
	char		 mfa_token[JA_RT_LEN + 1];
	const char	*pw;
	int		 bad = 0, remember;

	memset(&u, 0, sizeof(u));
	memset(&a, 0, sizeof(a));
	memset(mfa_token, 0, sizeof(mfa_token));
	a.kind = AGAIN_LOGIN;
	if (body_read(ctx, &b, &o) != OUT_OK)
		goto out;
	if (b.is_form && csrf_check_request(ctx->cfg, ctx->req,
	    body_get(&b, "csrf", &bad)) != JA_OK) {
		outcome_set(&o, OUT_CSRF);
		goto out;
	}
	if (!b.is_form && ctx->req->ctype != CTYPE_JSON) {
		outcome_set(&o, OUT_MEDIA_TYPE);
		goto out;
	}
	a.next = b.is_form ? body_get(&b, "next", &bad) : NULL;
	/* The second step of a sign-in with a second factor (mfa.c). */
	if ((a.mfa_token = body_get(&b, "mfa_token", &bad)) != NULL && !bad) {
		a.kind = AGAIN_CODE;
		mfa_login_finish(ctx, &b, a.mfa_token, a.next, &o);
		goto out;
	}
	a.username = body_get(&b, "username", &bad);
	pw = body_get(&b, "password", &bad);
	remember = login_remember(ctx, &b, &bad);
	if (login_valid(ctx, a.username, pw, bad, &o) != OUT_OK ||
	    login_password(ctx, a.username, pw, &u, &o) != OUT_OK ||
	    outcome_set(&o, mfa_login_begin(ctx, &u, remember, NULL, mfa_token,
	    sizeof(mfa_token))) != OUT_OK)
		goto out;
	if (mfa_token[0] != '\0')
		answer_mfa_required(ctx, mfa_token, a.next);
	else
		outcome_set(&o, auth_sign_in(ctx, &u, 0, remember, NULL,
		    a.next));
out:
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, &a);
	sodium_memzero(mfa_token, sizeof(mfa_token));
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
