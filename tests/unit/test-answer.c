/*
 * test-answer.c: unit tests for the answering layer's pure parts:
 * response.c building a response (headers without CR or LF, an
 * over-long header refused whole, JSON errors for API clients and pages
 * for browsers, cookies, route URLs, reason phrases), outcome.c's table
 * of spellings, and answer.c turning outcome x client kind into the
 * response, as the REFUSALS table of jwtauth.fcgi(8) says; the pages'
 * script (ANSWER_SCRIPT, html_passkey.c) and the CSP that allows it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

static struct config	 cfg;

/* A fresh request of the client kind (front, page) and its response. */
struct fake {
	struct request	 req;
	struct response	 resp;
	struct ctx	 ctx;
};

static void
fake_init(struct fake *f, enum front front, int page)
{
	memset(f, 0, sizeof(*f));
	f->req.role = front == FRONT_RESPONDER ? ROLE_RESPONDER :
	    ROLE_AUTHORIZER;
	f->req.front = front;
	f->req.html = page;
	f->req.path = (char *)(uintptr_t)"/auth/me";
	response_init(&f->resp);
	f->ctx.cfg = &cfg;
	f->ctx.req = &f->req;
	f->ctx.resp = &f->resp;
}

static void
fake_free(struct fake *f)
{
	response_free(&f->resp);
}

/* Returns 1 if the response's headers have the line "name: value". */
static int
has_header(const struct response *r, const char *name, const char *value)
{
	char	 line[512];

	snprintf(line, sizeof(line), "%s: %s\r\n", name, value);
	return r->headers.data != NULL && strstr(r->headers.data, line) != NULL;
}

/* Returns 1 if the response has a header named name. */
static int
has_name(const struct response *r, const char *name)
{
	char	 line[128];

	snprintf(line, sizeof(line), "%s: ", name);
	return r->headers.data != NULL && strstr(r->headers.data, line) != NULL;
}

static int
body_has(const struct response *r, const char *s)
{
	return r->body.data != NULL && strstr(r->body.data, s) != NULL;
}

static void
test_response(void)
{
	struct response	 r;
	struct request	 req;
	struct buf	 b;
	char		 big[RESPONSE_HEADER_MAX + 10];

	response_init(&r);
	response_header(&r, "X-A", "one\r\nX-Injected: two");
	tap_ok(r.headers.data != NULL && strcmp(r.headers.data,
	    "X-A: oneX-Injected: two\r\n") == 0,
	    "response_header drops CR and LF: no header can be injected");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	tap_ok(response_header(&r, "X-Big", "%s", big) == JA_ETOOBIG &&
	    r.headers.failed && !has_name(&r, "X-Big"),
	    "a header value over RESPONSE_HEADER_MAX is refused whole and "
	    "marks the headers failed");
	response_free(&r);

	memset(&req, 0, sizeof(req));
	response_init(&r);
	response_error(&r, &req, 400, "invalid_request", "Say <it>.");
	tap_ok(r.status == 400 && r.body.data != NULL && strcmp(r.body.data,
	    "{\"error\":\"invalid_request\",\"error_description\":"
	    "\"Say <it>.\"}") == 0 &&
	    has_header(&r, "Content-Type", "application/json"),
	    "response_error answers an API client with the JSON error");
	response_free(&r);
	req.html = 1;
	response_init(&r);
	response_error(&r, &req, 400, "invalid_request", "Say <it>.");
	tap_ok(r.status == 400 && body_has(&r, "Say &lt;it&gt;.") &&
	    has_header(&r, "X-Frame-Options", "DENY") &&
	    has_name(&r, "Content-Security-Policy"),
	    "response_error answers a browser with an escaped page and the "
	    "page headers");
	response_free(&r);

	req.html = 0;
	req.https = 1;
	response_init(&r);
	response_cookie(&r, &req, &cfg, COOKIE_REFRESH, "v", 60);
	tap_ok(has_header(&r, "Set-Cookie", "__Secure-jwtauth_rt=v; "
	    "Path=/auth; Max-Age=60; HttpOnly; SameSite=Strict; Secure"),
	    "the refresh cookie: its prefix, under base_path, Strict, "
	    "Secure over HTTPS");
	response_free(&r);
	response_init(&r);
	response_cookie(&r, &req, &cfg, COOKIE_ACCESS, NULL, 60);
	tap_ok(has_header(&r, "Set-Cookie", "__Host-jwtauth_at=; Path=/; "
	    "Max-Age=0; HttpOnly; SameSite=Lax; Secure"),
	    "deleting the access cookie: empty, Max-Age=0, Path=/, Lax");
	response_free(&r);

	buf_init(&b);
	response_route_url(&b, &cfg, "/login", "/a b?x=1&y");
	tap_ok(b.data != NULL && strncmp(b.data, "/auth/login?next=", 17) ==
	    0 && strchr(b.data + 17, '&') == NULL && strchr(b.data + 17,
	    ' ') == NULL && strstr(b.data, "%26") != NULL,
	    "a route URL carries next percent-encoded");
	buf_free(&b);
	tap_ok(strcmp(response_reason(429), "Too Many Requests") == 0 &&
	    strcmp(response_reason(409), "Conflict") == 0 &&
	    strcmp(response_reason(503), "Service Unavailable") == 0,
	    "the reason phrases of 409, 429 and 503");
}

static void
test_outcome(void)
{
	struct outcome	 o;
	int		 k, all = 1;

	for (k = OUT_MISSING; k < OUT_COUNT; k++)
		if (outcome_spelling((enum outcome_kind)k)->status < 400 ||
		    outcome_spelling((enum outcome_kind)k)->error == NULL)
			all = 0;
	tap_ok(all, "every refusal has a 4xx or 5xx status and an error "
	    "code");
	tap_ok(outcome_spelling(OUT_COUNT)->status == 500 &&
	    outcome_spelling((enum outcome_kind)-1)->status == 500,
	    "a kind out of range is spelled as a server error");
	tap_ok(strcmp(outcome_spelling(OUT_MISSING)->error,
	    "invalid_request") == 0 &&
	    strcmp(outcome_spelling(OUT_REVOKED)->error, "invalid_token") == 0 &&
	    strcmp(outcome_spelling(OUT_EXPIRED)->error, "invalid_token") == 0,
	    "no token is invalid_request, a refused one invalid_token "
	    "(RFC 6750 §3.1)");
	tap_ok(outcome_spelling(OUT_THROTTLED)->status == 429 &&
	    outcome_spelling(OUT_BUSY)->status == 503 &&
	    outcome_spelling(OUT_UNAVAILABLE)->status == 503,
	    "throttled is 429, busy and unavailable 503");
	tap_ok(strcmp(outcome_account_note(OUT_WRONG_PASSWORD), "password") ==
	    0 && strcmp(outcome_account_note(OUT_WRONG_CODE), "code") == 0 &&
	    strcmp(outcome_account_note(OUT_BAD_REQUEST), "missing") == 0 &&
	    strcmp(outcome_account_note(OUT_CONFLICT), "state") == 0 &&
	    outcome_account_note(OUT_THROTTLED) == NULL,
	    "the account page's notes of each refusal sent back there");
	o.retry = 9;
	o.message = "x";
	tap_ok(outcome_set(&o, OUT_CSRF) == OUT_CSRF && o.kind == OUT_CSRF &&
	    o.retry == 0 && o.message == NULL && o.code == NULL,
	    "outcome_set starts over: no wait, words or code left");
}

/* answer_refuse_kind(kind) for client kind (front, page). */
static void
refuse(struct fake *f, enum front front, int page, enum outcome_kind kind)
{
	fake_init(f, front, page);
	answer_refuse_kind(&f->ctx, kind, "/app/x");
}

static void
test_tokens(void)
{
	struct fake	 f;

	refuse(&f, FRONT_APACHE, 1, OUT_EXPIRED);
	tap_ok(f.resp.status == 401 && f.resp.bare && f.resp.headers.len ==
	    0 && f.resp.body.len == 0,
	    "Apache's authorizer: an expired cookie is a bare 401");
	fake_free(&f);
	refuse(&f, FRONT_APACHE, 0, OUT_UNAVAILABLE);
	tap_ok(f.resp.status == 503 && f.resp.bare && f.resp.headers.len == 0,
	    "Apache's authorizer: the database down is a bare 503");
	fake_free(&f);
	refuse(&f, FRONT_APACHE, 0, OUT_NO_OTP);
	tap_ok(f.resp.status == 401 && f.resp.bare,
	    "Apache's authorizer: no second factor is a bare 401");
	fake_free(&f);

	refuse(&f, FRONT_RESPONDER, 0, OUT_MISSING);
	tap_ok(f.resp.status == 401 && body_has(&f.resp,
	    "\"error\":\"invalid_request\"") && has_header(&f.resp,
	    "WWW-Authenticate", "Bearer realm=\"jwtauth\""),
	    "an API client without a token: 401 invalid_request and a bare "
	    "Bearer challenge");
	fake_free(&f);
	refuse(&f, FRONT_AUTHORIZER, 0, OUT_REVOKED);
	tap_ok(f.resp.status == 401 && body_has(&f.resp,
	    "\"error\":\"invalid_token\"") && has_header(&f.resp,
	    "WWW-Authenticate", "Bearer realm=\"jwtauth\", "
	    "error=\"invalid_token\"") && !f.resp.bare,
	    "lighttpd's authorizer, an API client with a revoked token: 401 "
	    "invalid_token and the challenge");
	fake_free(&f);
	refuse(&f, FRONT_RESPONDER, 1, OUT_REVOKED);
	tap_ok(f.resp.status == 401 && body_has(&f.resp,
	    "action=\"/auth/login\"") && body_has(&f.resp,
	    "name=\"next\" value=\"/app/x\"") &&
	    !has_name(&f.resp, "WWW-Authenticate"),
	    "a browser with a revoked cookie: the login form leading back");
	fake_free(&f);
	refuse(&f, FRONT_RESPONDER, 1, OUT_EXPIRED);
	tap_ok(f.resp.status == 401 && body_has(&f.resp,
	    "url=/auth/refresh?next=/app/x\""),
	    "a browser with an expired cookie: on to the refresh");
	fake_free(&f);
	refuse(&f, FRONT_AUTHORIZER, 1, OUT_MISSING);
	tap_ok(f.resp.status == 401 && body_has(&f.resp,
	    "url=/auth/login?next=") && !body_has(&f.resp, "<form"),
	    "lighttpd's authorizer, a browser without a token: a page moving "
	    "on to the login form, no form (it may set no cookie)");
	fake_free(&f);
	refuse(&f, FRONT_RESPONDER, 1, OUT_NO_OTP);
	tap_ok(f.resp.status == 401 && has_header(&f.resp,
	    "WWW-Authenticate", "Bearer realm=\"jwtauth\", "
	    "error=\"insufficient_user_authentication\"") &&
	    body_has(&f.resp, "two-factor"),
	    "no second factor: 401 with the RFC 9470 challenge, also to a "
	    "browser");
	fake_free(&f);
}

static void
test_forms(void)
{
	struct fake	 f;
	struct outcome	 o;
	struct again	 a;

	fake_init(&f, FRONT_RESPONDER, 0);
	outcome_set(&o, OUT_THROTTLED);
	o.retry = 7;
	answer_refuse(&f.ctx, &o, NULL);
	tap_ok(f.resp.status == 429 && has_header(&f.resp, "Retry-After",
	    "7") && body_has(&f.resp, "\"error\":\"too_many_attempts\"") &&
	    body_has(&f.resp, "Wait 7 seconds"),
	    "an API client throttled: 429 too_many_attempts, Retry-After");
	fake_free(&f);

	fake_init(&f, FRONT_RESPONDER, 1);
	memset(&a, 0, sizeof(a));
	a.kind = AGAIN_LOGIN;
	a.next = "/app/";
	a.username = "bo";
	outcome_set(&o, OUT_BUSY);
	answer_refuse(&f.ctx, &o, &a);
	tap_ok(f.resp.status == 503 && has_header(&f.resp, "Retry-After",
	    "1") && body_has(&f.resp, "name=\"next\" value=\"/app/\"") &&
	    body_has(&f.resp, "value=\"bo\"") &&
	    body_has(&f.resp, "Try again in a moment"),
	    "a browser busy: the login form again, 503, Retry-After: 1, next "
	    "and the user name kept");
	fake_free(&f);

	fake_init(&f, FRONT_RESPONDER, 0);
	outcome_set(&o, OUT_BAD_CREDENTIALS);
	answer_refuse(&f.ctx, &o, &a);
	tap_ok(f.resp.status == 401 && f.resp.body.data != NULL &&
	    strcmp(f.resp.body.data, "{\"error\":\"invalid_credentials\"}") ==
	    0, "an API client's wrong password: 401 invalid_credentials "
	    "alone");
	fake_free(&f);

	fake_init(&f, FRONT_RESPONDER, 1);
	a.kind = AGAIN_ACCOUNT;
	outcome_set(&o, OUT_WRONG_PASSWORD);
	answer_refuse(&f.ctx, &o, &a);
	tap_ok(f.resp.status == 303 && has_header(&f.resp, "Location",
	    "/auth/account?m=password"),
	    "an account form's wrong password: back to the account page, "
	    "?m=password");
	fake_free(&f);

	fake_init(&f, FRONT_RESPONDER, 1);
	outcome_set(&o, OUT_THROTTLED);
	o.retry = 1;
	answer_refuse(&f.ctx, &o, &a);
	tap_ok(f.resp.status == 429 && has_header(&f.resp, "Retry-After",
	    "1") && body_has(&f.resp, "Wait 1 second and"),
	    "an account form throttled keeps its 429: a page, not a 303");
	fake_free(&f);

	fake_init(&f, FRONT_RESPONDER, 0);
	outcome_set(&o, OUT_CONFLICT);
	o.code = "not_enabled";
	answer_refuse(&f.ctx, &o, &a);
	tap_ok(f.resp.status == 409 && body_has(&f.resp,
	    "\"error\":\"not_enabled\""),
	    "an API client's conflict: 409 with the route's code");
	fake_free(&f);

	fake_init(&f, FRONT_RESPONDER, 1);
	outcome_set(&o, OUT_CSRF);
	a.kind = AGAIN_LOGIN;
	answer_refuse(&f.ctx, &o, &a);
	tap_ok(f.resp.status == 403 && !body_has(&f.resp, "<form"),
	    "a browser's CSRF refusal: a 403 page, not the form again");
	fake_free(&f);
}

static void
test_kinds(void)
{
	struct fake	 f;

	fake_init(&f, FRONT_RESPONDER, 1);
	answer_kind_set(&f.ctx, ANSWER_JSON);
	tap_ok(!answer_is_page(&f.ctx), "a JSON route answers JSON to a "
	    "browser");
	f.req.ctype = CTYPE_FORM;
	answer_kind_set(&f.ctx, ANSWER_FORM);
	tap_ok(answer_is_page(&f.ctx), "a form post to a FORM route gets a "
	    "page");
	f.req.ctype = CTYPE_JSON;
	answer_kind_set(&f.ctx, ANSWER_FORM);
	tap_ok(!answer_is_page(&f.ctx), "JSON to a FORM route gets JSON");
	answer_done(&f.ctx, "/account", "ended");
	tap_ok(f.resp.status == 204, "done, for an API client: 204");
	fake_free(&f);
	fake_init(&f, FRONT_RESPONDER, 1);
	answer_done(&f.ctx, "/account", "ended");
	tap_ok(f.resp.status == 303 && has_header(&f.resp, "Location",
	    "/auth/account?m=ended"), "done, for a browser: a 303 on");
	fake_free(&f);
}

/* The pages' script: its kind, its refusals, the pages that load it. */
static void
test_script(void)
{
	struct fake	 f;
	struct outcome	 o;
	struct buf	 b;
	const char	*row[7] = { "0b6c1e4e-9f0e-4d2a-8f3a-2f1d5a6b7c8d",
	    "<b>Tom's & key", "2026-12-01T02:47:07Z", "", "true", "false",
	    "false" };

	fake_init(&f, FRONT_RESPONDER, 0);
	f.req.ctype = CTYPE_JSON;
	answer_kind_set(&f.ctx, ANSWER_SCRIPT);
	tap_ok(!answer_is_page(&f.ctx) && answer_is_script(&f.ctx),
	    "the script's requests are answered JSON, as the script's");
	outcome_set(&o, OUT_BAD_CREDENTIALS);
	o.message = "This passkey could not be verified.";
	answer_refuse(&f.ctx, &o, NULL);
	tap_ok(f.resp.status == 401 && body_has(&f.resp,
	    "\"error_description\":\"This passkey could not be verified.\""),
	    "a refusal to the script carries its words for the page");
	fake_free(&f);
	fake_init(&f, FRONT_RESPONDER, 0);
	f.req.ctype = CTYPE_JSON;
	answer_kind_set(&f.ctx, ANSWER_JSON);
	tap_ok(!answer_is_script(&f.ctx), "a JSON route's client is no script");
	answer_refuse(&f.ctx, &o, NULL);
	tap_ok(!body_has(&f.resp, "error_description"),
	    "an API client's invalid_credentials stays undescribed");
	fake_free(&f);

	fake_init(&f, FRONT_RESPONDER, 1);
	answer_login_form(&f.ctx, 401, "/app/", NULL, NULL);
	tap_ok(!body_has(&f.resp, "passkey") && has_header(&f.resp,
	    "Content-Security-Policy", "default-src 'none'; style-src 'self'; "
	    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
	    "base-uri 'none'"), "passkeys off: the sign-in page has no script");
	fake_free(&f);
	cfg.webauthn_rp_id = (char *)(uintptr_t)"example.com";
	fake_init(&f, FRONT_RESPONDER, 1);
	answer_login_form(&f.ctx, 401, "/app/", NULL, NULL);
	tap_ok(body_has(&f.resp, "<script src=\"/auth/passkey.js\" defer>") &&
	    body_has(&f.resp, "Sign in with a passkey") &&
	    body_has(&f.resp, "<div data-passkey hidden>"),
	    "passkeys on: the sign-in page loads BASE/passkey.js, its button "
	    "hidden until the script shows it");
	tap_ok(f.resp.headers.data != NULL && strstr(f.resp.headers.data,
	    "; script-src 'self'; connect-src 'self'\r\n") != NULL &&
	    strstr(f.resp.headers.data, "unsafe") == NULL,
	    "and its CSP allows our own script and requests, nothing inline");
	fake_free(&f);
	fake_init(&f, FRONT_RESPONDER, 1);
	answer_mfa_required(&f.ctx, "tok", "/app/");
	tap_ok(body_has(&f.resp, "id=\"passkey-mfa\"") &&
	    body_has(&f.resp, "Use a passkey") &&
	    body_has(&f.resp, "<script src=\"/auth/passkey.js\" defer>") &&
	    f.resp.headers.data != NULL && strstr(f.resp.headers.data,
	    "; script-src 'self'; connect-src 'self'\r\n") != NULL,
	    "passkeys on: the code page offers \"Use a passkey\" and allows "
	    "our script");
	fake_free(&f);
	cfg.webauthn_rp_id = NULL;
	fake_init(&f, FRONT_RESPONDER, 1);
	answer_mfa_required(&f.ctx, "tok", "/app/");
	tap_ok(!body_has(&f.resp, "passkey") && f.resp.headers.data != NULL &&
	    strstr(f.resp.headers.data, "script-src") == NULL,
	    "passkeys off: the code page has no passkey button and no script");
	fake_free(&f);

	buf_init(&b);
	html_passkey_row(&b, &cfg, row, "tok&");
	tap_ok(b.data != NULL && strstr(b.data, "&lt;b&gt;Tom&#39;s &amp; key")
	    != NULL && strstr(b.data, "<b>Tom") == NULL &&
	    strstr(b.data, "never used") != NULL &&
	    strstr(b.data, "2026-12-01 02:47 UTC") != NULL,
	    "a passkey's row: its name escaped, its times for people");
	tap_ok(strstr(b.data, "method=\"post\" action=\"/auth/passkey/"
	    "remove\"") != NULL && strstr(b.data, "name=\"csrf\" "
	    "value=\"tok&amp;\"") != NULL && strstr(b.data,
	    "name=\"password\"") != NULL,
	    "its removal is a plain form too, with the form token");
	buf_free(&b);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.base_path = (char *)(uintptr_t)"/auth";
	cfg.issuer = (char *)(uintptr_t)"test";
	cfg.password_min = 12;
	memset(cfg.secret, 7, 32);
	cfg.secretlen = 32;
	test_response();
	test_outcome();
	test_tokens();
	test_forms();
	test_kinds();
	test_script();
	return tap_done();
}
