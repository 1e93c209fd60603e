/*
 * test-csrf.c: unit tests for csrf.c: the form token (HMAC of the nonce
 * cookie under the secret), csrf_check() with the current and the old
 * secrets, the token bound to a session (a nonce planted before sign-in
 * does not carry over), and csrf_origin_ok(), the Origin / Referer check (RFC 6454
 * §7; OWASP CSRF cheat sheet, "verifying origin with standard headers").
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

#define HOST	"auth.example.org"
#define SITE	"https://" HOST
#define NONCE	"AAAAAAAAAAAAAAAAAAAAAA"	/* 22 base64url characters */
#define NONCE2	"BBBBBBBBBBBBBBBBBBBBBB"

static struct config	 cfg;
static struct request	 req;
static char		 cookies[256];

/* Fills key with JA_KEY_MIN bytes of value v; its length in *keylen. */
static void
key_fill(unsigned char *key, size_t *keylen, int v)
{
	memset(key, v, JA_KEY_MIN);
	*keylen = JA_KEY_MIN;
}

/*
 * Resets cfg (secret of 0x11 bytes, no old secrets) and req (a POST
 * over HTTPS to HOST from SITE, carrying the nonce cookie NONCE).
 */
static void
reset(void)
{
	memset(&cfg, 0, sizeof(cfg));
	key_fill(cfg.secret, &cfg.secretlen, 0x11);
	memset(&req, 0, sizeof(req));
	req.https = 1;
	req.host = (char *)(uintptr_t)HOST;
	req.origin = (char *)(uintptr_t)SITE;
	snprintf(cookies, sizeof(cookies), "a=1; __Host-jwtauth_csrf=%s",
	    NONCE);
	req.cookies = cookies;
}

/* The form token of nonce under the secret key v into out. */
static void
token_under(int v, const char *nonce, char *out, size_t outlen)
{
	struct config	 c;

	memset(&c, 0, sizeof(c));
	key_fill(c.secret, &c.secretlen, v);
	if (csrf_token(&c, nonce, NULL, out, outlen) != JA_OK)
		out[0] = '\0';
}

static void
test_token(void)
{
	char	 a[CSRF_TOKEN_LEN + 1], b[CSRF_TOKEN_LEN + 1];

	reset();
	tap_ok(csrf_token(&cfg, NONCE, NULL, a, sizeof(a)) == JA_OK &&
	    strlen(a) == CSRF_TOKEN_LEN && b64url_is_alphabet(a,
	    CSRF_TOKEN_LEN), "the form token is CSRF_TOKEN_LEN characters "
	    "of base64url");
	token_under(0x11, NONCE, b, sizeof(b));
	tap_ok(strcmp(a, b) == 0,
	    "the same nonce and secret give the same token");
	token_under(0x11, NONCE2, b, sizeof(b));
	tap_ok(strcmp(a, b) != 0, "another nonce gives another token");
	token_under(0x22, NONCE, b, sizeof(b));
	tap_ok(strcmp(a, b) != 0, "another secret gives another token");
	tap_ok(csrf_token(&cfg, NONCE, NULL, a, CSRF_TOKEN_LEN) != JA_OK,
	    "a buffer without room for the NUL is refused");
}

static void
test_check(void)
{
	char	 t[CSRF_TOKEN_LEN + 1], longer[CSRF_TOKEN_LEN + 2];

	reset();
	token_under(0x11, NONCE, t, sizeof(t));
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_OK,
	    "the token of the cookie's nonce from our origin passes");
	tap_ok(csrf_check(&cfg, &req, NULL, NULL) == JA_EAUTH,
	    "a form without the token is refused");
	tap_ok(csrf_check(&cfg, &req, "", NULL) == JA_EAUTH,
	    "an empty token is refused");
	token_under(0x11, NONCE2, t, sizeof(t));
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_EAUTH,
	    "the token of another nonce is refused");
	token_under(0x22, NONCE, t, sizeof(t));
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_EAUTH,
	    "the token under another secret is refused");

	token_under(0x11, NONCE, t, sizeof(t));
	t[5] = t[5] == 'A' ? 'B' : 'A';
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_EAUTH,
	    "a token with one character changed is refused");
	token_under(0x11, NONCE, t, sizeof(t));
	t[CSRF_TOKEN_LEN - 1] = '\0';
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_EAUTH,
	    "a token one character short is refused");
	token_under(0x11, NONCE, t, sizeof(t));
	snprintf(longer, sizeof(longer), "%sA", t);
	tap_ok(csrf_check(&cfg, &req, longer, NULL) == JA_EAUTH,
	    "the right token with a character appended is refused");
}

static void
test_old_secrets(void)
{
	char	 t[CSRF_TOKEN_LEN + 1];

	reset();
	key_fill(cfg.old_secrets[0].key, &cfg.old_secrets[0].len, 0x22);
	key_fill(cfg.old_secrets[1].key, &cfg.old_secrets[1].len, 0x33);
	cfg.nold_secrets = 2;
	token_under(0x22, NONCE, t, sizeof(t));
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_OK,
	    "a form served before a rotation (an old secret) still passes");
	token_under(0x33, NONCE, t, sizeof(t));
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_OK,
	    "every old secret is tried, not only the first");
	token_under(0x44, NONCE, t, sizeof(t));
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_EAUTH,
	    "a secret neither current nor old is refused");
	cfg.nold_secrets = 0;
	token_under(0x22, NONCE, t, sizeof(t));
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_EAUTH,
	    "a form of a secret dropped from old_secrets no longer passes");
}

static void
test_nonce(void)
{
	char	 t[CSRF_TOKEN_LEN + 1];

	reset();
	token_under(0x11, NONCE, t, sizeof(t));
	req.cookies = NULL;
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_EAUTH,
	    "without the nonce cookie the token is refused");
	snprintf(cookies, sizeof(cookies), "jwtauth_csrf=%s", NONCE);
	req.cookies = cookies;
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_EAUTH,
	    "over HTTPS a nonce cookie without __Host- is not read");
	req.https = 0;
	req.origin = (char *)(uintptr_t)"http://" HOST;
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_OK,
	    "over plain HTTP the nonce cookie is jwtauth_csrf");

	reset();
	token_under(0x11, "short", t, sizeof(t));
	snprintf(cookies, sizeof(cookies), "__Host-jwtauth_csrf=short");
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_EAUTH,
	    "a nonce cookie of the wrong length is refused with its token");
	token_under(0x11, "AAAAAAAAAAAAAAAAAAAAA.", t, sizeof(t));
	snprintf(cookies, sizeof(cookies),
	    "__Host-jwtauth_csrf=AAAAAAAAAAAAAAAAAAAAA.");
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_EAUTH,
	    "a nonce cookie outside base64url is refused with its token");
	reset();
	token_under(0x11, NONCE, t, sizeof(t));
	req.origin = (char *)(uintptr_t)"https://evil.example";
	tap_ok(csrf_check(&cfg, &req, t, NULL) == JA_EAUTH,
	    "the right token from another origin is refused");
}

#define SID	"0b9c7a52-3f4e-4d8a-9a51-6c2f1e0d7b43"
#define SID2	"5d0e2c1a-7b6f-4e3d-8c9b-0a1f2e3d4c5b"

static void
test_session_bound(void)
{
	char	 unbound[CSRF_TOKEN_LEN + 1], bound[CSRF_TOKEN_LEN + 1];

	reset();
	if (csrf_token(&cfg, NONCE, NULL, unbound, sizeof(unbound)) != JA_OK ||
	    csrf_token(&cfg, NONCE, SID, bound, sizeof(bound)) != JA_OK)
		unbound[0] = bound[0] = '\0';
	tap_ok(strcmp(unbound, bound) != 0,
	    "a token bound to a session differs from the nonce's alone");
	tap_ok(csrf_check(&cfg, &req, bound, SID) == JA_OK,
	    "the token bound to the request's session passes");
	tap_ok(csrf_check(&cfg, &req, unbound, SID) == JA_EAUTH,
	    "the nonce's token of before sign-in is refused once there is a "
	    "session");
	tap_ok(csrf_check(&cfg, &req, bound, SID2) == JA_EAUTH,
	    "a token bound to another session is refused");
	tap_ok(csrf_check(&cfg, &req, bound, NULL) == JA_EAUTH &&
	    csrf_check(&cfg, &req, bound, "") == JA_EAUTH,
	    "a bound token is refused where the request names no session");
	tap_ok(csrf_check(&cfg, &req, unbound, "") == JA_OK,
	    "without a session the nonce's token passes");
}

/* csrf_origin_ok() on req with origin and referer (either NULL). */
static int
origin_ok(const char *origin, const char *referer)
{
	req.origin = (char *)(uintptr_t)origin;
	req.referer = (char *)(uintptr_t)referer;
	return csrf_origin_ok(&cfg, &req);
}

static void
test_origin(void)
{
	reset();
	tap_ok(origin_ok(SITE, NULL), "Origin of the request's own "
	    "scheme://Host passes");
	tap_ok(origin_ok("HTTPS://AUTH.Example.ORG", NULL),
	    "scheme and host compare without regard to case");
	tap_ok(!origin_ok("http://" HOST, NULL),
	    "Origin with http:// is refused over HTTPS");
	tap_ok(!origin_ok("https://evil.example", NULL),
	    "Origin of another site is refused");
	tap_ok(!origin_ok(SITE ".evil.example", NULL),
	    "Origin whose host only starts with ours is refused");
	tap_ok(!origin_ok("https://org", NULL),
	    "Origin whose host is a suffix of ours is refused");
	tap_ok(!origin_ok(SITE ":8443", NULL),
	    "Origin with a port the Host does not have is refused");
	tap_ok(!origin_ok(SITE "/", NULL),
	    "Origin with a path is not an origin");
	tap_ok(!origin_ok("null", NULL), "Origin \"null\" is refused");
	tap_ok(!origin_ok("", NULL), "an empty Origin is refused");
	tap_ok(!origin_ok(NULL, NULL), "neither Origin nor Referer: refused");
	tap_ok(!origin_ok("https://evil.example", SITE "/auth/login"),
	    "a cross-site Origin is not rescued by our Referer");
	req.https = 0;
	tap_ok(origin_ok("http://" HOST, NULL),
	    "over plain HTTP Origin http://Host passes");
	tap_ok(!origin_ok(SITE, NULL),
	    "over plain HTTP Origin https://Host is another origin");
	reset();
	req.host = (char *)(uintptr_t)HOST ":8443";
	tap_ok(origin_ok(SITE ":8443", NULL),
	    "a Host with a port matches the Origin with that port");
}

static void
test_referer(void)
{
	reset();
	tap_ok(origin_ok(NULL, SITE "/auth/login?next=%2Fapp"),
	    "without Origin, a Referer on our site passes");
	tap_ok(origin_ok(NULL, SITE), "a Referer of just our origin passes");
	tap_ok(origin_ok(NULL, SITE "?x#y"),
	    "a Referer's origin ends at \"?\" as well as \"/\"");
	tap_ok(!origin_ok(NULL, "https://evil.example/" HOST),
	    "a Referer of another site naming ours in its path is refused");
	tap_ok(!origin_ok(NULL, SITE ".evil.example/x"),
	    "a Referer whose host only starts with ours is refused");
	tap_ok(!origin_ok(NULL, SITE "@evil.example/x"),
	    "a Referer with our host as userinfo is refused");
	tap_ok(!origin_ok(NULL, HOST "/x"),
	    "a Referer without a scheme is refused");
	tap_ok(!origin_ok(NULL, "http://" HOST "/x"),
	    "a Referer with http:// is refused over HTTPS");
}

static void
test_configured(void)
{
	reset();
	cfg.origin = (char *)(uintptr_t)"https://www.example.org  "
	    "https://shop.example.org:8443";
	tap_ok(origin_ok("https://www.example.org", NULL),
	    "an origin listed in the config passes");
	tap_ok(origin_ok("https://shop.example.org:8443", NULL),
	    "the last origin of the list passes");
	tap_ok(origin_ok(NULL, "https://shop.example.org:8443/buy"),
	    "a Referer on a listed origin passes");
	tap_ok(!origin_ok("https://www.example.or", NULL),
	    "a prefix of a listed origin is refused");
	tap_ok(!origin_ok("https://www.example.org.evil", NULL),
	    "a listed origin with more after it is refused");
	tap_ok(origin_ok(SITE, NULL),
	    "with origins listed, the request's own origin still passes");
	req.host = NULL;
	tap_ok(origin_ok("https://www.example.org", NULL),
	    "without a Host the listed origins still pass");
	tap_ok(!origin_ok(SITE, NULL),
	    "without a Host only the listed origins pass");
	cfg.origin = NULL;
	tap_ok(!origin_ok(SITE, NULL),
	    "without a Host or listed origins nothing passes");
}

static void
test_fetch_site(void)
{
	reset();
	req.fetch_site = (char *)(uintptr_t)"same-origin";
	tap_ok(!origin_ok(NULL, NULL), "Sec-Fetch-Site: same-origin does not "
	    "stand in for a missing Origin and Referer");
	tap_ok(!origin_ok("https://evil.example", NULL),
	    "Sec-Fetch-Site: same-origin does not rescue a cross-site Origin");
	req.fetch_site = (char *)(uintptr_t)"none";
	tap_ok(!origin_ok(NULL, NULL),
	    "Sec-Fetch-Site: none does not stand in for a missing Origin");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_token();
	test_check();
	test_old_secrets();
	test_nonce();
	test_session_bound();
	test_origin();
	test_referer();
	test_configured();
	test_fetch_site();
	return tap_done();
}
