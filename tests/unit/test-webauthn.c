/*
 * test-webauthn.c: unit tests for cose.c, webauthn.c, attobj.c and
 * webauthn_sig.c (passkeys, W3C WebAuthn Level 3): the bounded CBOR walk
 * (truncated, oversized, indefinite, tagged, too deep), COSE keys of the
 * three types and the ones refused, clientDataJSON and its checks,
 * authenticator data and its checks, the attestation object ("none"
 * only), the signature counter rule, and signatures made here with
 * OpenSSL (ES256 and Ed25519) checked by libfido2.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

#define RP	"example.com"
#define ORIGIN	"https://example.com"
#define SHORT	"{\"type\":\"webauthn.get\",\"challenge\":\"MDEy\"," \
	"\"origin\":\"" ORIGIN "\"}"

static const unsigned char chal[WA_CHALLENGE_LEN] =
    "0123456789abcdef0123456789abcde";

struct bytes {
	unsigned char	 b[4096];
	size_t		 n;
};

static void
put(struct bytes *o, const void *p, size_t n)
{
	if (o->n + n > sizeof(o->b))
		abort();
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void
put1(struct bytes *o, unsigned int c)
{
	unsigned char	 b = (unsigned char)c;

	put(o, &b, 1);
}

/* The COSE_Key of an ES256 key (x and y), as authenticators write it. */
static void
cose_es256(struct bytes *o, const unsigned char *x, const unsigned char *y)
{
	put(o, "\xa5\x01\x02\x03\x26\x20\x01\x21\x58\x20", 10);
	put(o, x, 32);
	put(o, "\x22\x58\x20", 3);
	put(o, y, 32);
}

static void
cose_eddsa(struct bytes *o, const unsigned char *x)
{
	put(o, "\xa4\x01\x01\x03\x27\x20\x06\x21\x58\x20", 10);
	put(o, x, 32);
}

/* Authenticator data: rpIdHash of rp, flags, count, and cred/cose. */
static void
authdata(struct bytes *o, const char *rp, unsigned int flags,
    uint32_t count, const struct bytes *cose)
{
	unsigned char	 h[32];
	static const unsigned char cred[16] = "credential-id-16";

	crypto_hash_sha256(h, (const unsigned char *)rp, strlen(rp));
	put(o, h, 32);
	put1(o, flags);
	put1(o, count >> 24);
	put1(o, count >> 16);
	put1(o, count >> 8);
	put1(o, count);
	if (cose != NULL) {
		put(o, "AAGUID-AAGUID-16", 16);
		put(o, "\x00\x10", 2);
		put(o, cred, 16);
		put(o, cose->b, cose->n);
	}
}

static void
clientdata(struct bytes *o, const char *type, const unsigned char *c,
    const char *origin, const char *extra)
{
	char	 b64[64], s[512];

	b64url_encode(b64, sizeof(b64), c, WA_CHALLENGE_LEN);
	snprintf(s, sizeof(s), "{\"type\":\"%s\",\"challenge\":\"%s\","
	    "\"origin\":\"%s\"%s}", type, b64, origin, extra);
	put(o, s, strlen(s));
}

static void
test_cbor_walk(void)
{
	struct bytes	 b;
	size_t		 n, i;

	tap_ok(cose_item_len((const unsigned char *)"\x43" "abc!", 5, &n) ==
	    JA_OK && n == 4, "cbor: an item's length, bytes after it left");
	tap_ok(cose_item_len((const unsigned char *)"\x58\x20" "abc", 5,
	    &n) == JA_EINVAL, "cbor: a truncated byte string is refused");
	tap_ok(cose_item_len((const unsigned char *)"\x9a\xff\xff\xff\xff"
	    "\x01", 6, &n) == JA_EINVAL,
	    "cbor: an array announcing 2^32 items in 6 bytes is refused");
	tap_ok(cose_item_len((const unsigned char *)"\xbb\x00\x00\x00\x01"
	    "\x00\x00\x00\x00\x01\x01", 11, &n) == JA_EINVAL,
	    "cbor: a map announcing 2^32 pairs is refused");
	tap_ok(cose_item_len((const unsigned char *)"\x9f\x01\xff", 3, &n) ==
	    JA_EINVAL, "cbor: an indefinite length is refused");
	tap_ok(cose_item_len((const unsigned char *)"\xc0\x01", 2, &n) ==
	    JA_EINVAL, "cbor: a tag is refused");
	tap_ok(cose_item_len((const unsigned char *)"\x1c", 1, &n) ==
	    JA_EINVAL, "cbor: a reserved additional value is refused");
	tap_ok(cose_item_len((const unsigned char *)"\x19\x01", 2, &n) ==
	    JA_EINVAL, "cbor: a truncated head is refused");
	memset(&b, 0, sizeof(b));
	for (i = 0; i < 8; i++)
		put1(&b, 0x81);
	put1(&b, 0x01);
	tap_ok(cose_item_len(b.b, b.n, &n) == JA_OK && n == 9,
	    "cbor: arrays nested 8 deep are taken");
	memset(&b, 0, sizeof(b));
	for (i = 0; i < 9; i++)
		put1(&b, 0x81);
	put1(&b, 0x01);
	tap_ok(cose_item_len(b.b, b.n, &n) == JA_EINVAL,
	    "cbor: arrays nested 9 deep are refused");
	tap_ok(cose_load((const unsigned char *)"\x43" "abc!", 5) == NULL,
	    "cbor: cose_load refuses bytes after the item");
}

static void
test_cose(void)
{
	struct bytes	 b;
	struct cose_key	 k;
	unsigned char	 x[32], y[32], n[256];

	memset(x, 0x11, sizeof(x));
	memset(y, 0x22, sizeof(y));
	memset(n, 0xc3, sizeof(n));
	memset(&b, 0, sizeof(b));
	cose_es256(&b, x, y);
	tap_ok(cose_key_parse(&k, b.b, b.n) == JA_OK &&
	    k.alg == COSE_ALG_ES256 && k.pklen == 64 &&
	    memcmp(k.pk, x, 32) == 0 && memcmp(k.pk + 32, y, 32) == 0,
	    "cose: ES256 (kty 2, crv 1) gives x||y");
	tap_ok(cose_key_parse(&k, b.b, b.n - 1) == JA_EINVAL,
	    "cose: a truncated ES256 key is refused");
	b.b[8] = 0x02;		/* crv 2: P-384 */
	tap_ok(cose_key_parse(&k, b.b, b.n) == JA_EINVAL,
	    "cose: EC2 on another curve is refused");
	b.b[8] = 0x01;
	b.b[4] = 0x27;		/* alg -8 with kty 2 */
	tap_ok(cose_key_parse(&k, b.b, b.n) == JA_EINVAL,
	    "cose: alg disagreeing with kty is refused");
	b.b[4] = 0x38;		/* alg -25 (ECDH-ES): one byte more */
	tap_ok(cose_key_parse(&k, b.b, b.n) == JA_EINVAL,
	    "cose: a malformed key (wrong head) is refused");

	memset(&b, 0, sizeof(b));
	cose_eddsa(&b, x);
	tap_ok(cose_key_parse(&k, b.b, b.n) == JA_OK &&
	    k.alg == COSE_ALG_EDDSA && k.pklen == 32,
	    "cose: EdDSA (kty 1, crv 6) gives x");
	b.b[7] = 0x07;		/* crv 7: Ed448 */
	tap_ok(cose_key_parse(&k, b.b, b.n) == JA_EINVAL,
	    "cose: OKP on Ed448 is refused");

	memset(&b, 0, sizeof(b));
	put(&b, "\xa4\x01\x03\x03\x39\x01\x00\x20\x59\x01\x00", 11);
	put(&b, n, 256);
	put(&b, "\x21\x43\x01\x00\x01", 5);
	tap_ok(cose_key_parse(&k, b.b, b.n) == JA_OK &&
	    k.alg == COSE_ALG_RS256 && k.pklen == 259 &&
	    memcmp(k.pk + 256, "\x01\x00\x01", 3) == 0,
	    "cose: RS256 (kty 3) gives n||e");

	memset(&b, 0, sizeof(b));
	put(&b, "\xa5\x01\x02\x03\x38\x22\x20\x02\x21\x58\x20", 11);
	put(&b, x, 32);
	put(&b, "\x22\x58\x20", 3);
	put(&b, y, 32);
	tap_ok(cose_key_parse(&k, b.b, b.n) == JA_EINVAL,
	    "cose: ES384 (alg -35) is a type we do not take");
	memset(&b, 0, sizeof(b));
	put(&b, "\xa3\x01\x01\x01\x01\x03\x27", 7);
	tap_ok(cose_key_parse(&k, b.b, b.n) == JA_EINVAL,
	    "cose: a label twice is refused");
	memset(&b, 0, sizeof(b));
	put(&b, "\x59\x02\x01", 3);
	b.n += 513;
	tap_ok(cose_key_parse(&k, b.b, b.n) == JA_ETOOBIG,
	    "cose: a key over COSE_KEY_MAX is refused");
	tap_ok(cose_key_parse(&k, (const unsigned char *)"\x82\x01\x02", 3) ==
	    JA_EINVAL, "cose: an array is no key");
}

static void
test_client(void)
{
	struct bytes	 b;
	struct wa_client c;
	unsigned char	 other[WA_CHALLENGE_LEN];
	const char	*origins = "https://a.example " ORIGIN;

	memset(other, 'z', sizeof(other));
	memset(&b, 0, sizeof(b));
	clientdata(&b, "webauthn.create", chal, ORIGIN,
	    ",\"crossOrigin\":false,\"other\":1");
	tap_ok(webauthn_client_parse(&c, b.b, b.n) == JA_OK &&
	    c.type == WA_CREATE && strcmp(c.origin, ORIGIN) == 0 &&
	    memcmp(c.challenge, chal, sizeof(chal)) == 0 && !c.cross_origin,
	    "client: webauthn.create read, unknown members ignored");
	tap_ok(webauthn_client_check(&c, WA_CREATE, chal, origins) == NULL,
	    "client: the right type, challenge and origin pass");
	tap_ok(webauthn_client_check(&c, WA_GET, chal, origins) != NULL,
	    "client: webauthn.create at a sign-in is refused");
	tap_ok(webauthn_client_check(&c, WA_CREATE, other, origins) != NULL,
	    "client: another challenge is refused");
	tap_ok(webauthn_client_check(&c, WA_CREATE, chal,
	    "https://example.co https://example.com.evil") != NULL,
	    "client: an origin not exactly listed is refused");

	memset(&b, 0, sizeof(b));
	clientdata(&b, "webauthn.get", chal, ORIGIN, ",\"crossOrigin\":true");
	tap_ok(webauthn_client_parse(&c, b.b, b.n) == JA_OK &&
	    c.type == WA_GET && c.cross_origin &&
	    webauthn_client_check(&c, WA_GET, chal, origins) != NULL,
	    "client: crossOrigin true is refused");
	memset(&b, 0, sizeof(b));
	clientdata(&b, "webauthn.get", chal, ORIGIN, ",\"crossOrigin\":1");
	tap_ok(webauthn_client_parse(&c, b.b, b.n) == JA_EINVAL,
	    "client: crossOrigin not a boolean is refused");
	memset(&b, 0, sizeof(b));
	clientdata(&b, "payment.get", chal, ORIGIN, "");
	tap_ok(webauthn_client_parse(&c, b.b, b.n) == JA_EINVAL,
	    "client: another type is refused");
	memset(&b, 0, sizeof(b));
	clientdata(&b, "webauthn.get", chal, ORIGIN, ",\"type\":\"x\"");
	tap_ok(webauthn_client_parse(&c, b.b, b.n) == JA_EINVAL,
	    "client: a member twice is refused");
	memset(&b, 0, sizeof(b));
	put(&b, SHORT, strlen(SHORT));
	tap_ok(webauthn_client_parse(&c, b.b, b.n) == JA_EINVAL,
	    "client: a challenge of 3 bytes is refused");
	memset(&b, 0, sizeof(b));
	clientdata(&b, "webauthn.get", chal, "https://a b", "");
	tap_ok(webauthn_client_parse(&c, b.b, b.n) == JA_EINVAL,
	    "client: an origin with a space is refused");
	memset(&b, 0, sizeof(b));
	b.n = WA_CLIENT_MAX + 1;
	tap_ok(webauthn_client_parse(&c, b.b, b.n) == JA_ETOOBIG,
	    "client: clientDataJSON over WA_CLIENT_MAX is refused");
}

static void
test_authdata(void)
{
	struct bytes	 b, k;
	struct wa_authdata a;
	unsigned char	 x[32];

	memset(x, 0x11, sizeof(x));
	memset(&k, 0, sizeof(k));
	cose_eddsa(&k, x);
	memset(&b, 0, sizeof(b));
	authdata(&b, RP, WA_FLAG_UP | WA_FLAG_UV | WA_FLAG_BE | WA_FLAG_BS,
	    7, NULL);
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 0) == JA_OK &&
	    a.sign_count == 7 && (a.flags & WA_FLAG_BS) &&
	    webauthn_authdata_check(&a, RP, 1) == NULL,
	    "authdata: an assertion's 37 bytes read and pass");
	tap_ok(webauthn_authdata_check(&a, "example.org", 0) != NULL,
	    "authdata: another rpIdHash is refused");
	tap_ok(webauthn_authdata_parse(&a, b.b, 36, 0) == JA_EINVAL,
	    "authdata: 36 bytes are refused");
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 1) == JA_EINVAL,
	    "authdata: no credential where one is needed is refused");
	b.b[32] = WA_FLAG_UP | WA_FLAG_BS;
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 0) == JA_EINVAL,
	    "authdata: BS without BE is refused");
	b.b[32] = WA_FLAG_UV;
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 0) == JA_OK &&
	    webauthn_authdata_check(&a, RP, 0) != NULL,
	    "authdata: no UP is refused");
	b.b[32] = WA_FLAG_UP;
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 0) == JA_OK &&
	    webauthn_authdata_check(&a, RP, 1) != NULL &&
	    webauthn_authdata_check(&a, RP, 0) == NULL,
	    "authdata: no UV is refused only when required");
	put1(&b, 0);
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 0) == JA_EINVAL,
	    "authdata: a byte after the data is refused");
	b.n--;
	b.b[32] = WA_FLAG_UP | WA_FLAG_ED;
	put(&b, "\xa1\x61x\xf5", 4);
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 0) == JA_OK,
	    "authdata: extensions (ED, a map) are skipped");
	b.b[b.n - 4] = 0x81;
	b.n -= 2;
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 0) == JA_EINVAL,
	    "authdata: extensions not a map are refused");

	memset(&b, 0, sizeof(b));
	authdata(&b, RP, WA_FLAG_UP | WA_FLAG_AT, 0, &k);
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 1) == JA_OK &&
	    a.cred_id_len == 16 && a.cose_len == k.n &&
	    a.key.alg == COSE_ALG_EDDSA &&
	    memcmp(a.aaguid, "AAGUID-AAGUID-16", 16) == 0,
	    "authdata: attested credential data read");
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 0) == JA_EINVAL,
	    "authdata: a credential in an assertion is refused");
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n - 1, 1) == JA_EINVAL,
	    "authdata: a truncated COSE key is refused");
	b.b[37 + 16] = 0x04;	/* credential id length 1024 */
	b.b[37 + 17] = 0x00;
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 1) == JA_EINVAL,
	    "authdata: a credential id over 1023 bytes is refused");
	b.b[37 + 16] = 0x00;
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 1) == JA_EINVAL,
	    "authdata: a credential id of 0 bytes is refused");
	b.n = WA_AUTHDATA_MAX + 1;
	tap_ok(webauthn_authdata_parse(&a, b.b, b.n, 1) == JA_ETOOBIG,
	    "authdata: over WA_AUTHDATA_MAX is refused");
}

/* An attestation object of format fmt, attStmt stmt (CBOR) and ad. */
static void
attobj(struct bytes *o, const char *fmt, const char *stmt, size_t stmtlen,
    const struct bytes *ad)
{
	put(o, "\xa3\x63" "fmt", 5);
	put1(o, 0x60 + (unsigned int)strlen(fmt));
	put(o, fmt, strlen(fmt));
	put(o, "\x67" "attStmt", 8);
	put(o, stmt, stmtlen);
	put(o, "\x68" "authData\x59", 10);
	put1(o, ad->n >> 8);
	put1(o, ad->n);
	put(o, ad->b, ad->n);
}

static void
test_attobj(void)
{
	struct bytes	 b, k, ad;
	struct wa_attobj *o;
	unsigned char	 x[32];

	if ((o = malloc(sizeof(*o))) == NULL)
		abort();
	memset(x, 0x11, sizeof(x));
	memset(&k, 0, sizeof(k));
	cose_eddsa(&k, x);
	memset(&ad, 0, sizeof(ad));
	authdata(&ad, RP, WA_FLAG_UP | WA_FLAG_AT, 0, &k);
	memset(&b, 0, sizeof(b));
	attobj(&b, "none", "\xa0", 1, &ad);
	tap_ok(attobj_parse(o, b.b, b.n) == JA_OK &&
	    o->authdata_len == ad.n && o->ad.cred_id_len == 16 &&
	    o->ad.cred_id == o->authdata + 55,
	    "attobj: fmt none read, its authData parsed");
	tap_ok(attobj_parse(o, b.b, b.n - 1) == JA_EINVAL,
	    "attobj: truncated CBOR is refused");
	b.b[1] = 0x7b;		/* a text string announcing 2^64-ish bytes */
	tap_ok(attobj_parse(o, b.b, b.n) == JA_EINVAL,
	    "attobj: a length over what remains is refused");
	memset(&b, 0, sizeof(b));
	attobj(&b, "packed", "\xa0", 1, &ad);
	tap_ok(attobj_parse(o, b.b, b.n) == JA_EINVAL,
	    "attobj: fmt packed is refused (no trust store)");
	memset(&b, 0, sizeof(b));
	attobj(&b, "none", "\xa1\x63" "alg\x26", 6, &ad);
	tap_ok(attobj_parse(o, b.b, b.n) == JA_EINVAL,
	    "attobj: fmt none with a statement is refused");
	memset(&b, 0, sizeof(b));
	attobj(&b, "none", "\xa0", 1, &ad);
	b.b[0] = 0xa4;
	put(&b, "\x61x\x01", 3);
	tap_ok(attobj_parse(o, b.b, b.n) == JA_EINVAL,
	    "attobj: a fourth member is refused");
	memset(&b, 0, sizeof(b));
	b.n = WA_ATTOBJ_MAX + 1;
	tap_ok(attobj_parse(o, b.b, b.n) == JA_ETOOBIG,
	    "attobj: over WA_ATTOBJ_MAX is refused");
	free(o);
}

static void
test_count(void)
{
	tap_ok(webauthn_count_ok(0, 0), "count: 0 then 0 (no counter) taken");
	tap_ok(webauthn_count_ok(0, 1), "count: 0 then 1 taken");
	tap_ok(webauthn_count_ok(5, 6), "count: 5 then 6 taken");
	tap_ok(!webauthn_count_ok(5, 5), "count: 5 then 5 refused");
	tap_ok(!webauthn_count_ok(5, 4), "count: 5 then 4 refused");
	tap_ok(!webauthn_count_ok(3, 0), "count: 3 then 0 refused");
}

/* A new key of type type (EVP_PKEY_EC P-256 or EVP_PKEY_ED25519). */
static EVP_PKEY *
newkey(int type)
{
	EVP_PKEY	*k = NULL;

	if (type == EVP_PKEY_EC)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (k == NULL)
		abort();
	return k;
}

/* Signs ad || SHA-256(cd) with k into sig. */
static void
sign(EVP_PKEY *k, const struct bytes *ad, const struct bytes *cd,
    struct bytes *sig)
{
	EVP_MD_CTX	*m;
	struct bytes	 msg;
	unsigned char	 h[32];
	size_t		 n = sizeof(sig->b);

	memset(&msg, 0, sizeof(msg));
	put(&msg, ad->b, ad->n);
	crypto_hash_sha256(h, cd->b, cd->n);
	put(&msg, h, 32);
	if ((m = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(m, NULL, EVP_PKEY_get_base_id(k) ==
	    EVP_PKEY_EC ? EVP_sha256() : NULL, NULL, k) != 1 ||
	    EVP_DigestSign(m, sig->b, &n, msg.b, msg.n) != 1)
		abort();
	sig->n = n;
	EVP_MD_CTX_free(m);
}

/* The COSE key of k parsed into c. */
static void
cose_of(EVP_PKEY *k, struct cose_key *c)
{
	struct bytes	 b;
	unsigned char	 pt[65];
	size_t		 n;

	memset(&b, 0, sizeof(b));
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_EC) {
		if (EVP_PKEY_get_octet_string_param(k,
		    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt),
		    &n) != 1 || n != 65)
			abort();
		cose_es256(&b, pt + 1, pt + 33);
	} else {
		n = 32;
		if (EVP_PKEY_get_raw_public_key(k, pt, &n) != 1)
			abort();
		cose_eddsa(&b, pt);
	}
	if (cose_key_parse(c, b.b, b.n) != JA_OK)
		abort();
}

static void
test_sig_one(int type, const char *name)
{
	EVP_PKEY	*k = newkey(type);
	struct cose_key	 c;
	struct bytes	 ad, cd, sig;
	char		 t[128];

	cose_of(k, &c);
	memset(&ad, 0, sizeof(ad));
	memset(&cd, 0, sizeof(cd));
	memset(&sig, 0, sizeof(sig));
	authdata(&ad, RP, WA_FLAG_UP | WA_FLAG_UV, 1, NULL);
	clientdata(&cd, "webauthn.get", chal, ORIGIN, "");
	sign(k, &ad, &cd, &sig);
	snprintf(t, sizeof(t), "sig: %s signature checked by libfido2", name);
	tap_ok(webauthn_sig_verify(&c, ad.b, ad.n, cd.b, cd.n, sig.b, sig.n,
	    RP, 1) == JA_OK, t);
	snprintf(t, sizeof(t), "sig: %s for another rp id refused", name);
	tap_ok(webauthn_sig_verify(&c, ad.b, ad.n, cd.b, cd.n, sig.b, sig.n,
	    "example.org", 1) == JA_EAUTH, t);
	cd.b[cd.n - 2] ^= 1;
	snprintf(t, sizeof(t), "sig: %s over other client data refused",
	    name);
	tap_ok(webauthn_sig_verify(&c, ad.b, ad.n, cd.b, cd.n, sig.b, sig.n,
	    RP, 1) == JA_EAUTH, t);
	cd.b[cd.n - 2] ^= 1;
	sig.b[sig.n - 1] ^= 1;
	snprintf(t, sizeof(t), "sig: %s with a bit flipped refused", name);
	tap_ok(webauthn_sig_verify(&c, ad.b, ad.n, cd.b, cd.n, sig.b, sig.n,
	    RP, 1) == JA_EAUTH, t);

	memset(&ad, 0, sizeof(ad));
	authdata(&ad, RP, WA_FLAG_UP, 2, NULL);
	sign(k, &ad, &cd, &sig);
	snprintf(t, sizeof(t), "sig: %s without UV taken when not required, "
	    "refused when required", name);
	tap_ok(webauthn_sig_verify(&c, ad.b, ad.n, cd.b, cd.n, sig.b, sig.n,
	    RP, 0) == JA_OK && webauthn_sig_verify(&c, ad.b, ad.n, cd.b, cd.n,
	    sig.b, sig.n, RP, 1) == JA_EAUTH, t);
	memset(&ad, 0, sizeof(ad));
	authdata(&ad, RP, WA_FLAG_UV, 3, NULL);
	sign(k, &ad, &cd, &sig);
	snprintf(t, sizeof(t), "sig: %s without UP refused", name);
	tap_ok(webauthn_sig_verify(&c, ad.b, ad.n, cd.b, cd.n, sig.b, sig.n,
	    RP, 0) == JA_EAUTH, t);
	EVP_PKEY_free(k);
}

static void
test_sig(void)
{
	EVP_PKEY	*ec = newkey(EVP_PKEY_EC);
	struct cose_key	 c;
	struct bytes	 ad, cd, sig;

	test_sig_one(EVP_PKEY_EC, "ES256");
	test_sig_one(EVP_PKEY_ED25519, "Ed25519");

	/* A signature of one key under another type's key. */
	memset(&ad, 0, sizeof(ad));
	memset(&cd, 0, sizeof(cd));
	memset(&sig, 0, sizeof(sig));
	authdata(&ad, RP, WA_FLAG_UP, 1, NULL);
	clientdata(&cd, "webauthn.get", chal, ORIGIN, "");
	sign(ec, &ad, &cd, &sig);
	cose_of(ec, &c);
	c.alg = COSE_ALG_EDDSA;
	c.pklen = 32;
	tap_ok(webauthn_sig_verify(&c, ad.b, ad.n, cd.b, cd.n, sig.b, sig.n,
	    RP, 0) == JA_EAUTH, "sig: an ES256 signature under an EdDSA key "
	    "refused");
	tap_ok(webauthn_sig_verify(&c, ad.b, ad.n, cd.b, cd.n, sig.b, 0,
	    RP, 0) == JA_EAUTH, "sig: an empty signature refused");
	EVP_PKEY_free(ec);
}

int
main(void)
{
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	test_cbor_walk();
	test_cose();
	test_client();
	test_authdata();
	test_attobj();
	test_count();
	test_sig();
	return tap_done();
}
