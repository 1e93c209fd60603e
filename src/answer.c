/*
 * answer.c: the answering layer.  The checks (auth.c, throttle, the
 * hashing slot, the password, the second factor, CSRF, the body) say
 * what they found as an outcome; this module alone turns outcome x
 * client kind (enum front and html, settled by request_parse()) into
 * the response, with one spelling per kind of refusal and client kind,
 * the same on every route (outcome.c holds the status, error code and
 * words; jwtauth.fcgi(8), REFUSALS, prints the table):
 *
 * - Apache's authorizer (mod_fcgid access checker, mod_authnz_fcgi): a
 *   bare status, 401 or 503.  mod_fcgid drops the authorizer's body but
 *   keeps its headers, and Apache adds them to those of its
 *   ErrorDocument 401, our login route, which answers in full: any
 *   header of ours would be sent twice.
 * - API clients: JSON {"error","error_description"} (RFC 6749 §5.2),
 *   a Bearer challenge on a token refusal (RFC 6750 §3), Retry-After on
 *   429 (RFC 6585 §4) and on a busy 503 (RFC 9110 §10.2.3).
 * - Browsers without a valid session: the way back in.  An access
 *   cookie that is no longer valid in itself (expired) may live on in
 *   the refresh cookie, which only BASE/refresh can see (its Path): a
 *   page that moves on there at once (meta refresh, no script), which
 *   rotates the tokens and comes back; otherwise the login form, which
 *   leads back to the page asked for.  A meta refresh and not a 303: it
 *   also works as the body of a web server's 401 ErrorDocument, and the
 *   navigation it starts is same-site, so the SameSite=Strict refresh
 *   cookie goes with it.  lighttpd's authorizer sets no cookie (its
 *   answer is the client's), so it sends the browser on to the form.
 * - Browsers after a form: the form again (struct again), with the
 *   status and the words of the refusal.
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"

/*
 * A route whose answer has one kind whatever the client asked for: a
 * page, JSON, or a page exactly when the body is a form (the account
 * page's forms posting to routes that otherwise answer JSON); or a web
 * server's subrequest (BASE/check), whose refusals are an empty 401.
 * ANSWER_SCRIPT is JSON for our pages' own script (BASE/passkey.js),
 * known by the form token it sent (passkey.c): its refusals are JSON,
 * each with its words for the page to show (error_description), and a
 * sign-in ends with the session cookies and no tokens in the body
 * (auth_respond), as after the password form.
 */
void
answer_kind_set(struct ctx *ctx, enum answer_kind kind)
{
	if (kind == ANSWER_SUBREQUEST)
		ctx->req->front = FRONT_SUBREQUEST;
	ctx->req->script = kind == ANSWER_SCRIPT;
	ctx->req->html = kind == ANSWER_HTML || (kind == ANSWER_FORM &&
	    ctx->req->ctype == CTYPE_FORM);
}

/* Returns 1 when this request is answered with a page, 0 with JSON. */
int
answer_is_page(const struct ctx *ctx)
{
	return ctx->req->html;
}

/* Returns 1 when this request is our pages' script's (ANSWER_SCRIPT). */
int
answer_is_script(const struct ctx *ctx)
{
	return ctx->req->script;
}

/*
 * Writes the CSRF token of a form this response will carry into csrf
 * (csrflen > CSRF_TOKEN_LEN), bound to the browser's session if it has
 * one (csrf_form_sid), setting the nonce cookie if the browser has
 * none.  Returns JA_OK, or an error with a 500 already answered.
 */
int
answer_form_token(struct ctx *ctx, char *csrf, size_t csrflen)
{
	char	 sid[JA_UUID_LEN + 1];
	int	 rc;

	csrf_form_sid(ctx->cfg, ctx->req, sid);
	rc = csrf_ensure_nonce(ctx->cfg, ctx->req, sid, ctx->resp, csrf,
	    csrflen);
	if (rc != JA_OK)
		response_error(ctx->resp, ctx->req, 500, "server_error",
		    "Something went wrong.");
	return rc;
}

/*
 * The login form with status, next (NULL: "/"), message and the user
 * name typed before (both may be NULL).  Always a page.
 */
void
answer_login_form(struct ctx *ctx, int status, const char *next,
    const char *message, const char *username)
{
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	answer_kind_set(ctx, ANSWER_HTML);
	if (answer_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		return;
	ctx->resp->scripted = ctx->cfg->webauthn_rp_id != NULL;
	buf_init(&page);
	html_login(&page, ctx->cfg, text_local_or_root(next), message, csrf,
	    username);
	response_html(ctx->resp, status, &page);
}

/*
 * The code form of a sign-in's second step (mfa.c), with "Use a passkey"
 * when passkeys are on (the page then loads BASE/passkey.js).
 */
static void
answer_code_form(struct ctx *ctx, int status, const char *token,
    const char *next, const char *message)
{
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	if (answer_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		return;
	ctx->resp->scripted = ctx->cfg->webauthn_rp_id != NULL;
	buf_init(&page);
	html_login_code(&page, ctx->cfg, token, text_local_or_root(next),
	    message, csrf);
	response_html(ctx->resp, status, &page);
}

/* The password change form (route_password.c), message may be NULL. */
void
answer_password_form(struct ctx *ctx, int status, const char *message)
{
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	if (answer_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		return;
	buf_init(&page);
	html_password(&page, ctx->cfg, message, csrf);
	response_html(ctx->resp, status, &page);
}

/*
 * A browser without a valid session, for target (a local path; NULL:
 * "/"): the refresh page for an access cookie that expired, else the
 * login form, or, as lighttpd's authorizer, the page that moves on to
 * it.  See the top of the file.
 */
static void
answer_way_back(struct ctx *ctx, enum outcome_kind kind, const char *target)
{
	struct buf	 url, page;

	target = text_local_or_root(target);
	if (kind != OUT_EXPIRED && ctx->req->front != FRONT_AUTHORIZER) {
		answer_login_form(ctx, 401, target, NULL, NULL);
		return;
	}
	buf_init(&url);
	response_route_url(&url, ctx->cfg, kind == OUT_EXPIRED ? "/refresh" :
	    "/login", target);
	buf_init(&page);
	html_resume(&page, ctx->cfg, url.failed ? "/" : url.data);
	response_html(ctx->resp, 401, &page);
	buf_free(&url);
}

/* Returns 1 for the refusals of an access token. */
static int
answer_token_kind(enum outcome_kind kind)
{
	return kind == OUT_MISSING || kind == OUT_INVALID ||
	    kind == OUT_EXPIRED || kind == OUT_REVOKED;
}

/*
 * A browser after a refusal that has words for it: the page again (see
 * struct again) with the refusal's status, or the account page with its
 * note, or a page with the message alone.
 */
static void
answer_page_again(struct ctx *ctx, const struct outcome *o, int status,
    const char *msg, const struct again *a)
{
	const char	*note = outcome_account_note(o->kind);

	if (o->kind == OUT_CONFLICT || (a->kind == AGAIN_ACCOUNT &&
	    note != NULL)) {
		answer_account(ctx, note);
		return;
	}
	if (o->kind == OUT_MFA_EXPIRED) {
		answer_login_form(ctx, status, a->next, msg, NULL);
		return;
	}
	switch (o->kind) {
	case OUT_BUSY:
	case OUT_THROTTLED:
	case OUT_BAD_REQUEST:
	case OUT_BAD_CREDENTIALS:
	case OUT_WRONG_PASSWORD:
	case OUT_WRONG_CODE:
	case OUT_UNVERIFIED:
		break;
	default:
		response_error(ctx->resp, ctx->req, status, "", msg);
		return;
	}
	if (a->kind == AGAIN_LOGIN)
		answer_login_form(ctx, status, a->next, msg, a->username);
	else if (a->kind == AGAIN_CODE)
		answer_code_form(ctx, status, a->mfa_token, a->next, msg);
	else if (a->kind == AGAIN_PASSWORD)
		answer_password_form(ctx, status, msg);
	else if (a->kind == AGAIN_PAGE && a->page != NULL)
		a->page(ctx, status, msg, a->arg);
	else
		response_error(ctx->resp, ctx->req, status, "", msg);
}

/* An API client: the JSON error of o. */
static void
answer_json(struct ctx *ctx, const struct outcome *o,
    const struct spelling *sp, const char *msg)
{
	const char	*code = o->code != NULL ? o->code : sp->error;

	if (sp->described || answer_is_script(ctx))	/* the page says it */
		response_error(ctx->resp, ctx->req, sp->status, code, msg);
	else
		response_json(ctx->resp, sp->status, json_pack("{s:s}",
		    "error", code));
}

/*
 * Answers the refusal o for this request's client kind, as the top of
 * the file says; again (NULL: none) is the page a browser gets back,
 * and again->next the page a token refusal leads back to.
 */
void
answer_refuse(struct ctx *ctx, const struct outcome *o,
    const struct again *again)
{
	static const struct again	 none;
	const struct spelling		*sp = outcome_spelling(o->kind);
	const char			*msg = o->message;
	char				 wait[160];

	if (again == NULL)
		again = &none;
	if (ctx->req->front == FRONT_APACHE) {
		ctx->resp->status = sp->status == 503 ? 503 : 401;
		ctx->resp->bare = 1;
		return;
	}
	/* nginx makes any status but 401 and 403 a 500 of its own: its
	 * error_page 401 asks BASE/login, which spells this refusal.  No
	 * body: the server drops it. */
	if (ctx->req->front == FRONT_SUBREQUEST) {
		ctx->resp->status = 401;
		return;
	}
	if (msg == NULL && o->kind == OUT_THROTTLED) {
		snprintf(wait, sizeof(wait), "Too many failed sign-ins. Wait "
		    "%ld second%s and try again.", o->retry,
		    o->retry == 1 ? "" : "s");
		msg = wait;
	} else if (msg == NULL)
		msg = sp->message;
	if (answer_is_page(ctx) && answer_token_kind(o->kind)) {
		answer_way_back(ctx, o->kind, again->next);
		return;
	}
	if (answer_is_page(ctx))
		answer_page_again(ctx, o, sp->status, msg, again);
	else
		answer_json(ctx, o, sp, msg);
	if (sp->challenge)
		response_header(ctx->resp, "WWW-Authenticate", o->kind ==
		    OUT_MISSING ? "Bearer realm=\"jwtauth\"" : "Bearer "
		    "realm=\"jwtauth\", error=\"%s\"", sp->error);
	if (o->kind == OUT_THROTTLED)
		response_header(ctx->resp, "Retry-After", "%ld", o->retry);
	else if (o->kind == OUT_BUSY)
		response_header(ctx->resp, "Retry-After", "1");
}

/*
 * answer_refuse() of o, a browser's page again being the login form
 * with next (for a token refusal, the page it leads back to; may be
 * NULL).
 */
void
answer_refuse_at(struct ctx *ctx, const struct outcome *o, const char *next)
{
	struct again	 a;

	memset(&a, 0, sizeof(a));
	a.kind = AGAIN_LOGIN;
	a.next = next;
	answer_refuse(ctx, o, &a);
}

/* answer_refuse_at() of kind, in its own words. */
void
answer_refuse_kind(struct ctx *ctx, enum outcome_kind kind, const char *next)
{
	struct outcome	 o;

	outcome_set(&o, kind);
	answer_refuse_at(ctx, &o, next);
}

/* A 303 to our route, with ?m=note when note is not NULL. */
static void
answer_done_page(struct ctx *ctx, const char *route, const char *note)
{
	struct buf	 url;

	buf_init(&url);
	response_route_url(&url, ctx->cfg, route, NULL);
	if (note != NULL) {
		buf_puts(&url, "?m=");
		buf_url(&url, note);
	}
	response_redirect(ctx->resp, url.failed ? "/" : url.data);
	buf_free(&url);
}

/*
 * A 303 back to the account page with note m (NULL: none; one of the
 * notes of route_account.c), for the forms of the page.
 */
void
answer_account(struct ctx *ctx, const char *m)
{
	answer_done_page(ctx, "/account", m);
}

/*
 * Done: a browser goes on to our route (with ?m=note when note is not
 * NULL), an API client gets 204 No Content.
 */
void
answer_done(struct ctx *ctx, const char *route, const char *note)
{
	if (!answer_is_page(ctx))
		ctx->resp->status = 204;
	else
		answer_done_page(ctx, route, note);
}

/*
 * The right password of a user whose second factor is on: the second
 * step, with mfa_token token.  API clients: 401 {"error":"mfa_required",
 * "mfa_token"}; browsers: the code form, which carries the token and
 * next on.
 */
void
answer_mfa_required(struct ctx *ctx, const char *token, const char *next)
{
	if (answer_is_page(ctx))
		answer_code_form(ctx, 200, token, next, NULL);
	else
		response_json(ctx->resp, 401, json_pack("{s:s, s:s}", "error",
		    "mfa_required", "mfa_token", token));
}
