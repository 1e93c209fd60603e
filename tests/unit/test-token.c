/*
 * test-token.c: unit tests for token.c, the access tokens (RFC 7519,
 * signed HS256 per RFC 7518 §3.2, verified per RFC 8725).
 *
 * Apart from the round trips through token_issue(), every token here is
 * built by hand: a JSON header and payload, base64url without padding
 * (RFC 7515 §2), and libsodium's HMAC-SHA256 over "header.payload".  A
 * rejection check changes one property of the valid token and MACs the
 * result again with the right key, so that token_verify() must refuse
 * the property named, not a bad signature.  The "control" checks show
 * that the hand-built valid token is accepted, so that the rejections
 * are not vacuous.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

#define NOW	((time_t)1699999800)	/* exp of 1.7e9 is then valid */
#define TTL	300
#define LEEWAY	30
#define SUB	"0b0e6c1e-5b8f-4d4e-9a3c-2f1d6e7a8b9c"
#define SID	"5f3c2b1a-0e9d-4c8b-a7f6-e5d4c3b2a190"
#define JTI	"AAECAwQFBgcICQoLDA0ODw"	/* 16 bytes, 22 characters */
#define ISSUER	"https://auth.example"
#define HDR	"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}"
#define Q(s)	"\"" s "\""

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static const unsigned char key[32] = {
	0x6a, 0x77, 0x74, 0x61, 0x75, 0x74, 0x68, 0x20, 0x74, 0x65, 0x73,
	0x74, 0x20, 0x6b, 0x65, 0x79, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
	0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10
};
static const unsigned char other_key[32] = {
	0x6a, 0x77, 0x74, 0x61, 0x75, 0x74, 0x68, 0x20, 0x74, 0x65, 0x73,
	0x74, 0x20, 0x6b, 0x65, 0x79, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
	0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x11
};

/* A throwaway public key, as an RS256 verifier would hold it. */
static const char pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzFCzthX7oXzeo/M9RDYZ\n"
    "5pcPGJS9d1rVCmPk1T80/zZO0Enc62Pf47E4IYzop903Plt2ST/L2NI/pRBzf8aY\n"
    "zwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

static struct config cfg;
static char issuer[] = ISSUER;
static char key_id[] = "k1";
static char audience[] = "https://api.example";

/* The payload's members as JSON text; NULL leaves the member out. */
struct payload {
	const char	*iss;
	const char	*sub;
	const char	*sid;
	const char	*jti;
	const char	*username;
	const char	*token_use;
	const char	*iat;
	const char	*exp;
	const char	*nbf;
	const char	*aud;
	const char	*extra;		/* raw members: "\"a\":1" */
};

static struct payload
payload_valid(void)
{
	struct payload	 p;

	memset(&p, 0, sizeof(p));
	p.iss = Q(ISSUER);
	p.sub = Q(SUB);
	p.sid = Q(SID);
	p.jti = Q(JTI);
	p.username = Q("alice");
	p.token_use = Q("access");
	p.iat = "1699999800";		/* NOW */
	p.exp = "1700000100";		/* NOW + TTL */
	return p;
}

static void
member(char *dst, size_t dstlen, const char *name, const char *value)
{
	size_t	 len = strlen(dst);

	if (value == NULL)
		return;
	if (name == NULL)
		snprintf(dst + len, dstlen - len, "%s%s",
		    len > 1 ? "," : "", value);
	else
		snprintf(dst + len, dstlen - len, "%s\"%s\":%s",
		    len > 1 ? "," : "", name, value);
}

/* The JSON text of p, in a static buffer. */
static const char *
payload_json(const struct payload *p)
{
	static char	 s[8192];

	snprintf(s, sizeof(s), "{");
	member(s, sizeof(s), "iss", p->iss);
	member(s, sizeof(s), "sub", p->sub);
	member(s, sizeof(s), "sid", p->sid);
	member(s, sizeof(s), "jti", p->jti);
	member(s, sizeof(s), "username", p->username);
	member(s, sizeof(s), "token_use", p->token_use);
	member(s, sizeof(s), "iat", p->iat);
	member(s, sizeof(s), "exp", p->exp);
	member(s, sizeof(s), "nbf", p->nbf);
	member(s, sizeof(s), "aud", p->aud);
	member(s, sizeof(s), NULL, p->extra);
	strncat(s, "}", sizeof(s) - strlen(s) - 1);
	return s;
}

/* The base64url text (no padding) of len bytes at p; free(3) it. */
static char *
b64(const void *p, size_t len)
{
	size_t	 n = sodium_base64_ENCODED_LEN(len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char	*s;

	if ((s = malloc(n)) == NULL)
		abort();
	sodium_bin2base64(s, n, p, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return s;
}

/* Returns hp + "." + base64url(HMAC-SHA256(k, hp)); free(3) it. */
static char *
sign(const char *hp, const unsigned char *k, size_t klen)
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 mac[crypto_auth_hmacsha256_BYTES];
	char				*sig, *tok;
	size_t				 len;

	crypto_auth_hmacsha256_init(&st, k, klen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)hp,
	    strlen(hp));
	crypto_auth_hmacsha256_final(&st, mac);
	sig = b64(mac, sizeof(mac));
	len = strlen(hp) + 1 + strlen(sig) + 1;
	if ((tok = malloc(len)) == NULL)
		abort();
	snprintf(tok, len, "%s.%s", hp, sig);
	free(sig);
	return tok;
}

/* Returns the token of header and payload JSON, MACed with k. */
static char *
make(const char *hdr, const char *pay, const unsigned char *k, size_t klen)
{
	char	*h, *p, *hp, *tok;
	size_t	 len;

	h = b64(hdr, strlen(hdr));
	p = b64(pay, strlen(pay));
	len = strlen(h) + 1 + strlen(p) + 1;
	if ((hp = malloc(len)) == NULL)
		abort();
	snprintf(hp, len, "%s.%s", h, p);
	tok = sign(hp, k, klen);
	free(h);
	free(p);
	free(hp);
	return tok;
}

static int
accepts(const char *tok)
{
	struct claims	 c;

	return token_verify(&cfg, tok, NOW, &c) == JA_OK;
}

/* Builds the token of hdr and p with our key and verifies it. */
static int
accepts_parts(const char *hdr, const struct payload *p)
{
	char	*tok = make(hdr, payload_json(p), key, sizeof(key));
	int	 ok = accepts(tok);

	free(tok);
	return ok;
}

static int
accepts_payload(const struct payload *p)
{
	return accepts_parts(HDR, p);
}

static char *
valid_token(void)
{
	struct payload	 p = payload_valid();

	return make(HDR, payload_json(&p), key, sizeof(key));
}

static void
test_round_trip(void)
{
	struct claims	 issued, got;
	char		*tok = NULL, *tok2 = NULL;
	int		 rc;

	rc = token_issue(&cfg, SUB, "alice", SID, NOW, &issued, &tok);
	tap_ok(rc == JA_OK && tok != NULL, "token_issue issues a token");
	tap_ok(tok != NULL && token_shape_ok(tok),
	    "an issued token has the shape of a compact JWS");
	tap_ok(tok != NULL && token_verify(&cfg, tok, NOW, &got) == JA_OK,
	    "an issued token verifies");
	tap_ok(strcmp(got.sub, SUB) == 0 && strcmp(got.sid, SID) == 0 &&
	    strcmp(got.username, "alice") == 0,
	    "verify returns the sub, sid and username issued");
	tap_ok(strcmp(got.jti, issued.jti) == 0 &&
	    strlen(got.jti) == JA_JTI_LEN,
	    "verify returns the 22-character jti issued");
	tap_ok(got.iat == (int64_t)NOW && got.exp == (int64_t)NOW + TTL &&
	    issued.exp == got.exp,
	    "iat is the issue time and exp is iat + access_ttl");
	tap_ok(tok != NULL &&
	    token_verify(&cfg, tok, NOW + TTL + LEEWAY, &got) != JA_OK,
	    "an issued token is refused once exp + leeway has passed");
	tap_ok(got.sub[0] == '\0' && got.username[0] == '\0',
	    "the claims are wiped when a token is refused");
	rc = token_issue(&cfg, SUB, "alice", SID, NOW, &issued, &tok2);
	tap_ok(rc == JA_OK && tok != NULL && tok2 != NULL &&
	    strcmp(tok, tok2) != 0,
	    "two tokens issued alike differ (fresh jti)");
	free(tok);
	free(tok2);

	cfg.audience = audience;
	rc = token_issue(&cfg, SUB, "alice", SID, NOW, &issued, &tok);
	tap_ok(rc == JA_OK && token_verify(&cfg, tok, NOW, &got) == JA_OK,
	    "a token issued with an audience configured verifies");
	cfg.audience = NULL;
	tap_ok(token_verify(&cfg, tok, NOW, &got) != JA_OK,
	    "a token with aud is refused once no audience is configured");
	free(tok);

	tap_ok(token_issue(&cfg, SUB "0", "alice", SID, NOW, &issued,
	    &tok) == JA_EINVAL && tok == NULL,
	    "token_issue refuses a sub longer than a UUID");
}

/* amr (RFC 8176 §2): issued, kept through verify, strictly typed. */
/* 1 if the payload of token tok holds "amr":want. */
static int
amr_is(const char *tok, const char *want)
{
	char		 pay[1024], needle[128];
	const char	*p, *e;
	size_t		 n = 0;

	if ((p = strchr(tok, '.')) == NULL || (e = strchr(++p, '.')) == NULL ||
	    b64url_decode((unsigned char *)pay, sizeof(pay) - 1, &n, p,
	    (size_t)(e - p)) != JA_OK)
		return 0;
	pay[n] = '\0';
	snprintf(needle, sizeof(needle), "\"amr\":%s", want);
	return strstr(pay, needle) != NULL;
}

static void
test_amr(void)
{
	struct payload	 p;
	struct claims	 issued, got;
	char		*tok = NULL;

	tap_ok(token_issue_amr(&cfg, SUB, "alice", SID, 1, NOW, &issued,
	    &tok) == JA_OK && token_verify(&cfg, tok, NOW, &got) == JA_OK &&
	    issued.otp == 1 && got.otp == 1, "amr: a token issued with otp "
	    "verifies with otp");
	free(tok);
	tap_ok(token_issue_amr(&cfg, SUB, "alice", SID, 0, NOW, &issued,
	    &tok) == JA_OK && token_verify(&cfg, tok, NOW, &got) == JA_OK &&
	    got.otp == 0, "amr: a token issued without otp verifies without");
	free(tok);
	tap_ok(token_issue_amr(&cfg, SUB, "alice", SID, AMR_HWK | AMR_MFA,
	    NOW, &issued, &tok) == JA_OK && token_verify(&cfg, tok, NOW,
	    &got) == JA_OK && issued.otp == 1 && got.otp == 1,
	    "amr: a passkey with UV (hwk, user, mfa) verifies with two "
	    "factors");
	free(tok);
	tap_ok(token_issue_amr(&cfg, SUB, "alice", SID, AMR_HWK, NOW, &issued,
	    &tok) == JA_OK && token_verify(&cfg, tok, NOW, &got) == JA_OK &&
	    got.otp == 0, "amr: a passkey without UV (hwk, user) verifies "
	    "with one factor");
	free(tok);
	tap_ok(token_issue_amr(&cfg, SUB, "alice", SID, AMR_PWD | AMR_HWK |
	    AMR_MFA, NOW, &issued, &tok) == JA_OK && token_verify(&cfg, tok,
	    NOW, &got) == JA_OK && got.otp == 1 && amr_is(tok,
	    "[\"pwd\",\"hwk\",\"user\",\"mfa\"]"), "amr: a password then a "
	    "passkey says [pwd, hwk, user, mfa], two factors");
	free(tok);
	p = payload_valid();
	tap_ok(accepts_payload(&p), "amr: control: a token without amr is "
	    "accepted");
	p.extra = "\"amr\":[\"pwd\",\"otp\"]";
	tap_ok(accepts_payload(&p), "amr: control: amr [pwd, otp] is accepted");
	p.extra = "\"amr\":[\"hwk\",\"user\",\"mfa\"]";
	tap_ok(accepts_payload(&p), "amr: [hwk, user, mfa] is accepted");
	p.extra = "\"amr\":\"otp\"";
	tap_ok(!accepts_payload(&p), "amr: a string, not an array, is "
	    "refused");
	p.extra = "\"amr\":[\"pwd\",1]";
	tap_ok(!accepts_payload(&p), "amr: a number in the array is refused");
	p.extra = "\"amr\":[\"\"]";
	tap_ok(!accepts_payload(&p), "amr: an empty string is refused");
	p.extra = "\"amr\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\","
	    "\"h\",\"otp\"]";
	tap_ok(!accepts_payload(&p), "amr: more than eight values are "
	    "refused");
}

static void
test_control(void)
{
	struct claims	 c;
	char		*tok = valid_token();

	tap_ok(token_verify(&cfg, tok, NOW, &c) == JA_OK,
	    "control: the hand-built valid token is accepted");
	tap_ok(strcmp(c.username, "alice") == 0 && c.exp == 1700000100,
	    "control: its claims are returned");
	free(tok);
}

static void
test_alg(void)
{
	static const char *const algs[] = {
		"hs256", "Hs256", "HS512", "HS384", "none", "None", "RS256",
		"ES256", "", "HS256 "
	};
	struct payload	 p = payload_valid();
	char		 hdr[256], name[128];
	size_t		 i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"typ\":\"JWT\","
		    "\"kid\":\"k1\"}", algs[i]);
		snprintf(name, sizeof(name), "alg \"%s\" is refused",
		    algs[i]);
		tap_ok(!accepts_parts(hdr, &p), name);
	}
	tap_ok(!accepts_parts("{\"typ\":\"JWT\",\"kid\":\"k1\"}", &p),
	    "a header without alg is refused");
	tap_ok(!accepts_parts("{\"alg\":[\"HS256\"],\"typ\":\"JWT\","
	    "\"kid\":\"k1\"}", &p), "alg as an array is refused");
}

static void
test_header(void)
{
	struct payload	 p = payload_valid();

	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", &p),
	    "a header without kid is refused");
	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"kid\":\"k2\"}", &p), "a kid other than ours is refused");
	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"kid\":\"K1\"}", &p), "kid is compared case-sensitively");
	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"kid\":1}", &p), "kid as a number is refused");
	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"typ\":\"at+jwt\","
	    "\"kid\":\"k1\"}", &p), "typ \"at+jwt\" is refused");
	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"typ\":\"jwt\","
	    "\"kid\":\"k1\"}", &p), "typ \"jwt\" (lower case) is refused");
	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"kid\":\"k1\",\"crit\":[\"exp\"]}", &p),
	    "a header with crit is refused");
	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"kid\":\"k1\",\"jku\":\"https://evil.example/jwks\"}", &p),
	    "a header with jku is refused");
	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"kid\":\"k1\",\"x5u\":\"https://evil.example/x5\"}", &p),
	    "a header with x5u is refused");
	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"kid\":\"k1\",\"jwk\":{\"kty\":\"oct\"}}", &p),
	    "a header with jwk is refused");
	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"kid\":\"k1\",\"zip\":\"DEF\"}", &p),
	    "a header with zip is refused");
	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"kid\":\"k1\",\"kid\":\"k1\"}", &p),
	    "a header with a duplicate member (kid twice) is refused");
	tap_ok(!accepts_parts("{\"alg\":\"HS256\",\"alg\":\"HS256\","
	    "\"typ\":\"JWT\",\"kid\":\"k1\"}", &p),
	    "a header with alg twice is refused");
	tap_ok(!accepts_parts("[\"HS256\"]", &p),
	    "a header that is not a JSON object is refused");
	tap_ok(!accepts_parts(HDR "x", &p),
	    "a header with bytes after the JSON object is refused");
}

static void
test_payload_json(void)
{
	struct payload	 p = payload_valid();

	p.extra = "\"sub\":" Q(SUB);
	tap_ok(!accepts_payload(&p),
	    "a payload with a duplicate member (sub twice) is refused");
	p.extra = "\"exp\":1700000100";
	tap_ok(!accepts_payload(&p),
	    "a payload with exp twice is refused");
	p.extra = "\"role\":\"admin\"";
	tap_ok(accepts_payload(&p),
	    "control: a payload with an extra, unknown claim is accepted");
}

static void
test_time(void)
{
	struct payload	 p;

	p = payload_valid();
	p.iat = "1699999469";		/* exp - 300 */
	p.exp = "1699999769";		/* NOW - leeway - 1 */
	tap_ok(!accepts_payload(&p),
	    "exp in the past by more than the leeway is refused");
	p.iat = "1699999470";
	p.exp = "1699999770";		/* NOW - leeway */
	tap_ok(!accepts_payload(&p),
	    "exp exactly leeway seconds ago is refused");
	p.iat = "1699999471";
	p.exp = "1699999771";		/* NOW - leeway + 1 */
	tap_ok(accepts_payload(&p),
	    "exp in the past but within the leeway is accepted");

	p = payload_valid();
	p.nbf = "1699999831";		/* NOW + leeway + 1 */
	tap_ok(!accepts_payload(&p),
	    "nbf in the future by more than the leeway is refused");
	p.nbf = "1699999830";		/* NOW + leeway */
	tap_ok(accepts_payload(&p),
	    "nbf in the future within the leeway is accepted");
	p.nbf = "1699999000";
	tap_ok(accepts_payload(&p), "nbf in the past is accepted");
	p.nbf = Q("1699999000");
	tap_ok(!accepts_payload(&p), "nbf as a string is refused");

	p = payload_valid();
	p.iat = "1699999831";		/* NOW + leeway + 1 */
	p.exp = "1700000131";
	tap_ok(!accepts_payload(&p),
	    "iat in the future by more than the leeway is refused");
	p.iat = "1699999830";		/* NOW + leeway */
	p.exp = "1700000130";
	tap_ok(accepts_payload(&p),
	    "iat in the future within the leeway is accepted");

	p = payload_valid();
	p.exp = p.iat;
	tap_ok(!accepts_payload(&p), "exp equal to iat is refused");
	p.exp = "1699999799";
	p.iat = "1699999800";
	tap_ok(!accepts_payload(&p), "exp before iat is refused");

	p = payload_valid();
	p.exp = Q("1700000100");
	tap_ok(!accepts_payload(&p), "exp as a string is refused");
	p.exp = "1.7e9";
	tap_ok(!accepts_payload(&p), "exp as a float (1.7e9) is refused");
	p.exp = "1700000100.0";
	tap_ok(!accepts_payload(&p),
	    "exp as a float with a zero fraction is refused");
	p.exp = "true";
	tap_ok(!accepts_payload(&p), "exp as a boolean is refused");
	p.exp = "null";
	tap_ok(!accepts_payload(&p), "exp null is refused");
	p.exp = NULL;
	tap_ok(!accepts_payload(&p), "a payload without exp is refused");

	p = payload_valid();
	p.iat = Q("1699999800");
	tap_ok(!accepts_payload(&p), "iat as a string is refused");
	p.iat = NULL;
	tap_ok(!accepts_payload(&p), "a payload without iat is refused");

	p = payload_valid();
	p.exp = "1700000000";		/* 1.7e9 as an integer */
	tap_ok(accepts_payload(&p),
	    "control: exp 1700000000 as an integer is accepted");
}

static void
test_claims(void)
{
	struct payload	 p;
	char		 name[JA_NAME_MAX + 8], *tok;

	p = payload_valid();
	p.iss = Q("https://evil.example");
	tap_ok(!accepts_payload(&p), "an iss other than ours is refused");
	p.iss = Q("https://auth.example/");
	tap_ok(!accepts_payload(&p), "iss with a trailing slash is refused");
	p.iss = NULL;
	tap_ok(!accepts_payload(&p), "a payload without iss is refused");
	p.iss = "1";
	tap_ok(!accepts_payload(&p), "iss as a number is refused");

	p = payload_valid();
	p.aud = Q("https://api.example");
	tap_ok(!accepts_payload(&p),
	    "aud present when no audience is configured is refused");
	cfg.audience = audience;
	tap_ok(accepts_payload(&p),
	    "control: aud equal to the configured audience is accepted");
	p.aud = NULL;
	tap_ok(!accepts_payload(&p),
	    "aud absent when an audience is configured is refused");
	p.aud = Q("https://web.example");
	tap_ok(!accepts_payload(&p),
	    "aud other than the configured audience is refused");
	cfg.audience = NULL;

	p = payload_valid();
	p.token_use = NULL;
	tap_ok(!accepts_payload(&p), "a payload without token_use is refused");
	p.token_use = Q("refresh");
	tap_ok(!accepts_payload(&p), "token_use \"refresh\" is refused");
	p.token_use = Q("Access");
	tap_ok(!accepts_payload(&p), "token_use \"Access\" is refused");

	p = payload_valid();
	p.sub = Q("alice");
	tap_ok(!accepts_payload(&p), "sub that is not a UUID is refused");
	p.sub = Q("0B0E6C1E-5B8F-4D4E-9A3C-2F1D6E7A8B9C");
	tap_ok(!accepts_payload(&p), "sub as an upper-case UUID is refused");
	p.sub = Q("0b0e6c1e5b8f4d4e9a3c2f1d6e7a8b9c");
	tap_ok(!accepts_payload(&p), "sub as a UUID without dashes is "
	    "refused");
	p.sub = NULL;
	tap_ok(!accepts_payload(&p), "a payload without sub is refused");

	p = payload_valid();
	p.sid = Q("session-1");
	tap_ok(!accepts_payload(&p), "sid that is not a UUID is refused");
	p.sid = Q("5F3C2B1A-0E9D-4C8B-A7F6-E5D4C3B2A190");
	tap_ok(!accepts_payload(&p), "sid as an upper-case UUID is refused");
	p.sid = NULL;
	tap_ok(!accepts_payload(&p), "a payload without sid is refused");

	p = payload_valid();
	p.jti = Q("AAECAwQFBgcICQoLDA0OD");
	tap_ok(!accepts_payload(&p), "jti of 21 characters is refused");
	p.jti = Q("AAECAwQFBgcICQoLDA0ODwA");
	tap_ok(!accepts_payload(&p), "jti of 23 characters is refused");
	p.jti = Q("AAECAwQFBgcICQoLDA0OD+");
	tap_ok(!accepts_payload(&p), "jti outside base64url is refused");
	p.jti = NULL;
	tap_ok(!accepts_payload(&p), "a payload without jti is refused");

	p = payload_valid();
	memset(name, 0, sizeof(name));
	name[0] = '"';
	/* The hard cap, not username_max: lowering username_max later must
	 * not make the tokens of existing longer names unverifiable. */
	memset(name + 1, 'a', JA_NAME_MAX);
	name[JA_NAME_MAX + 1] = '"';
	p.username = name;
	tap_ok(accepts_payload(&p),
	    "a username of JA_NAME_MAX bytes is accepted");
	name[JA_NAME_MAX + 1] = 'a';
	name[JA_NAME_MAX + 2] = '"';
	tap_ok(!accepts_payload(&p),
	    "a username longer than JA_NAME_MAX is refused");
	p.username = Q("");
	tap_ok(!accepts_payload(&p), "an empty username is refused");
	p.username = NULL;
	tap_ok(!accepts_payload(&p), "a payload without username is refused");
	p.username = Q("al\\u0000ice");
	tap_ok(!accepts_payload(&p), "a username holding NUL is refused");

	tok = make(HDR, "[1,2]", key, sizeof(key));
	tap_ok(!accepts(tok), "a payload that is not an object is refused");
	free(tok);
}

/* Replaces token's last character by the one with the next low bit set. */
static void
non_canonical_last(char *tok)
{
	size_t	 len = strlen(tok);
	char	*p = strchr(b64chars, tok[len - 1]);

	tok[len - 1] = b64chars[(p - b64chars) | 1];
}

static void
test_signature(void)
{
	struct payload	 p = payload_valid();
	struct config	 weak;
	char		*tok;
	size_t		 len;

	tok = make(HDR, payload_json(&p), other_key, sizeof(other_key));
	tap_ok(!accepts(tok), "a token MACed with another key is refused");
	free(tok);

	tok = valid_token();
	len = strlen(tok);
	tok[len - 10] = tok[len - 10] == 'A' ? 'B' : 'A';
	tap_ok(!accepts(tok),
	    "a signature altered in one character is refused");
	free(tok);

	tok = valid_token();
	non_canonical_last(tok);
	tap_ok(!accepts(tok), "a signature whose last character is not "
	    "canonical (same bytes, other text) is refused");
	free(tok);

	tok = valid_token();
	tok[strlen(tok) - 1] = '\0';
	tap_ok(!accepts(tok), "a signature of 42 characters is refused");
	free(tok);

	tok = valid_token();
	len = strlen(tok);
	if ((tok = realloc(tok, len + 2)) == NULL)
		abort();
	memcpy(tok + len, "A", 2);
	tap_ok(!accepts(tok), "a signature of 44 characters is refused");
	free(tok);

	weak = cfg;
	weak.keylen = 0;
	tok = valid_token();
	tap_ok(token_verify(&weak, tok, NOW, &(struct claims){ 0 }) != JA_OK,
	    "with keylen 0 in the config a valid token is refused");
	free(tok);
	tok = make(HDR, payload_json(&p), key, 0);
	tap_ok(token_verify(&weak, tok, NOW, &(struct claims){ 0 }) != JA_OK,
	    "with keylen 0 a token MACed with the empty key is refused");
	free(tok);
	weak.keylen = JA_KEY_MIN - 1;
	tok = make(HDR, payload_json(&p), key, JA_KEY_MIN - 1);
	tap_ok(token_verify(&weak, tok, NOW, &(struct claims){ 0 }) != JA_OK,
	    "with a key of 31 bytes a token MACed with it is refused");
	free(tok);

	tok = make(HDR, payload_json(&p), (const unsigned char *)pem,
	    strlen(pem));
	tap_ok(!accepts(tok), "a token MACed with a PEM public key as the "
	    "HMAC key is refused");
	free(tok);
}

/*
 * Inserts ch at every position of a valid token.  An insertion into the
 * header or payload is MACed again, so only the stray byte is wrong.
 * Returns the number of positions at which the token was accepted.
 */
static int
accepted_with_insertion(char ch)
{
	char	*tok = valid_token(), *hp, *sig, *mod, *t;
	size_t	 len = strlen(tok), hplen, i;
	int	 bad = 0;

	sig = strrchr(tok, '.');
	hplen = (size_t)(sig - tok);
	if ((mod = malloc(len + 2)) == NULL)
		abort();
	for (i = 0; i <= len; i++) {
		memcpy(mod, tok, i);
		mod[i] = ch;
		memcpy(mod + i + 1, tok + i, len - i + 1);
		if (i <= hplen) {
			if ((hp = strndup(mod, hplen + 1)) == NULL)
				abort();
			t = sign(hp, key, sizeof(key));
			free(hp);
			bad += accepts(t);
			free(t);
		} else
			bad += accepts(mod);
	}
	free(mod);
	free(tok);
	return bad;
}

static void
test_insertion(void)
{
	tap_ok(accepted_with_insertion('!') == 0,
	    "a valid token with \"!\" inserted anywhere is refused");
	tap_ok(accepted_with_insertion('=') == 0,
	    "a valid token with \"=\" inserted anywhere is refused");
	tap_ok(accepted_with_insertion('\n') == 0,
	    "a valid token with a newline inserted anywhere is refused");
	tap_ok(accepted_with_insertion(' ') == 0,
	    "a valid token with a space inserted anywhere is refused");
	tap_ok(accepted_with_insertion('+') == 0,
	    "a valid token with \"+\" (base64, not base64url) inserted "
	    "anywhere is refused");
	tap_ok(accepted_with_insertion('/') == 0,
	    "a valid token with \"/\" inserted anywhere is refused");
}

static void
test_canonical_segments(void)
{
	struct payload	 p = payload_valid();
	char		*h, *pay, hp[4096], *tok;

	/* Payload text chosen so that its base64url has a partial group. */
	p.extra = "\"x\":\"y\"";
	h = b64(HDR, strlen(HDR));
	pay = b64(payload_json(&p), strlen(payload_json(&p)));
	if (strlen(pay) % 4 == 0) {
		p.extra = "\"x\":\"yy\"";
		free(pay);
		pay = b64(payload_json(&p), strlen(payload_json(&p)));
	}
	snprintf(hp, sizeof(hp), "%s.%s", h, pay);
	tok = sign(hp, key, sizeof(key));
	tap_ok(accepts(tok), "control: the payload with a partial final "
	    "base64 group is accepted");
	free(tok);
	non_canonical_last(hp);
	tok = sign(hp, key, sizeof(key));
	tap_ok(!accepts(tok), "a payload whose last character is not "
	    "canonical is refused, even MACed");
	free(tok);

	snprintf(hp, sizeof(hp), "%s==.%s", h, pay);
	tok = sign(hp, key, sizeof(key));
	tap_ok(!accepts(tok), "a header with \"=\" padding is refused, "
	    "even MACed");
	free(tok);
	free(h);
	free(pay);
}

static void
test_segments(void)
{
	char	*tok = valid_token(), *d1, *d2, buf[8192];

	d1 = strchr(tok, '.');
	d2 = strchr(d1 + 1, '.');

	tap_ok(!accepts(NULL), "a NULL token is refused");
	tap_ok(!accepts(""), "the empty token is refused");
	tap_ok(!accepts("."), "\".\" is refused");
	tap_ok(!accepts(".."), "\"..\" is refused");
	tap_ok(!accepts("a..c"), "\"a..c\" is refused");
	tap_ok(!accepts("a.b.c"), "\"a.b.c\" is refused");

	snprintf(buf, sizeof(buf), "%.*s.", (int)(d2 - tok), tok);
	tap_ok(!accepts(buf),
	    "header.payload. (empty signature) is refused");
	snprintf(buf, sizeof(buf), "%.*s..%s", (int)(d1 - tok), tok, d2 + 1);
	tap_ok(!accepts(buf),
	    "header..signature (empty payload) is refused");
	snprintf(buf, sizeof(buf), "%s", d1);
	tap_ok(!accepts(buf),
	    ".payload.signature (empty header) is refused");
	snprintf(buf, sizeof(buf), "%.*s", (int)(d2 - tok), tok);
	tap_ok(!accepts(buf), "header.payload (two segments) is refused");
	snprintf(buf, sizeof(buf), "%s.%s", tok, d2 + 1);
	tap_ok(!accepts(buf), "a token of four segments is refused");
	snprintf(buf, sizeof(buf), "%s.", tok);
	tap_ok(!accepts(buf), "a valid token with a trailing dot is refused");
	snprintf(buf, sizeof(buf), ".%s", tok);
	tap_ok(!accepts(buf), "a valid token with a leading dot is refused");
	snprintf(buf, sizeof(buf), "Bearer %s", tok);
	tap_ok(!accepts(buf), "a token with a \"Bearer \" prefix is refused");
	free(tok);
}

/*
 * Returns a valid token of exactly len bytes, or NULL.  Base64url text
 * never has a length of 4n + 1, so both the header (by JSON white space)
 * and the payload (by a padding claim) vary.
 */
static char *
token_of_length(size_t len)
{
	struct payload	 p = payload_valid();
	char		 hdr[256], extra[8192], *tok;
	size_t		 sp, pad;

	for (sp = 0; sp < 4; sp++) {
		snprintf(hdr, sizeof(hdr), "{%*s%s", (int)sp, "", HDR + 1);
		for (pad = 0; pad < 4096; pad++) {
			snprintf(extra, sizeof(extra), "\"pad\":\"%*s\"",
			    (int)pad, "");
			p.extra = extra;
			tok = make(hdr, payload_json(&p), key, sizeof(key));
			if (strlen(tok) == len)
				return tok;
			free(tok);
			if (strlen(payload_json(&p)) * 4 / 3 > len)
				break;
		}
	}
	return NULL;
}

static void
test_size(void)
{
	char	*tok, *big, *sig;
	size_t	 n = 5 * 1024 * 1024, hlen;

	tok = token_of_length(JA_TOKEN_MAX);
	tap_ok(tok != NULL && accepts(tok),
	    "a valid token of JA_TOKEN_MAX bytes is accepted");
	free(tok);
	tok = token_of_length(JA_TOKEN_MAX + 1);
	tap_ok(tok != NULL && !accepts(tok),
	    "a valid token but for its JA_TOKEN_MAX + 1 bytes is refused");
	free(tok);

	/* A valid header and signature around 5 MB of payload. */
	tok = valid_token();
	hlen = (size_t)(strchr(tok, '.') - tok) + 1;
	sig = strrchr(tok, '.');
	if ((big = malloc(hlen + n + strlen(sig) + 1)) == NULL)
		abort();
	memcpy(big, tok, hlen);
	memset(big + hlen, 'A', n);
	strcpy(big + hlen + n, sig);
	tap_ok(!token_shape_ok(big) && !accepts(big),
	    "a 5 MB token is refused without a crash");
	free(big);
	free(tok);
}

static void
test_shape(void)
{
	char	*tok = valid_token();

	tap_ok(token_shape_ok(tok), "token_shape_ok accepts a valid token");
	tap_ok(!token_shape_ok("a.b"), "token_shape_ok refuses two segments");
	tap_ok(!token_shape_ok("a.b.c.d"),
	    "token_shape_ok refuses four segments");
	tap_ok(!token_shape_ok("a.b!.c"),
	    "token_shape_ok refuses a byte outside base64url");
	tap_ok(!token_shape_ok("a.b.c\n"),
	    "token_shape_ok refuses a trailing newline");
	free(tok);
}

int
main(void)
{
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	memset(&cfg, 0, sizeof(cfg));
	cfg.issuer = issuer;
	cfg.key_id = key_id;
	cfg.access_ttl = TTL;
	cfg.leeway = LEEWAY;
	cfg.username_max = 64;
	memcpy(cfg.key, key, sizeof(key));
	cfg.keylen = sizeof(key);

	test_control();
	test_round_trip();
	test_amr();
	test_alg();
	test_header();
	test_payload_json();
	test_time();
	test_claims();
	test_signature();
	test_insertion();
	test_canonical_segments();
	test_segments();
	test_size();
	test_shape();
	return tap_done();
}
