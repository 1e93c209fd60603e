/*
 * test-keys.c: unit tests for keys.c, keygen.c, jwks.c and the key
 * selection of token.c: RS256 and ES256 (RFC 7518 §3.3, §3.4), one
 * algorithm per key and the kid pinning of RFC 8725 §3.1, verify-only
 * keys, the JWK Set (RFC 7517), and the versions of the secret.
 *
 * The keys are made afresh in a temporary directory by keygen_pem(), as
 * authctl keygen makes them.  Tokens signed by hand here use OpenSSL
 * directly (and libsodium for HMAC), so that token_verify() must refuse
 * the property named, not a malformed signature.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

#define NOW	((time_t)1699999800)
#define SUB	"0b0e6c1e-5b8f-4d4e-9a3c-2f1d6e7a8b9c"
#define SID	"5f3c2b1a-0e9d-4c8b-a7f6-e5d4c3b2a190"
#define PAYLOAD	"{\"iss\":\"jwtauth\",\"sub\":\"" SUB "\",\"sid\":\"" SID \
	"\",\"jti\":\"AAECAwQFBgcICQoLDA0ODw\",\"username\":\"alice\"," \
	"\"token_use\":\"access\",\"iat\":1699999800,\"exp\":1700000100}"

static char	 dir[] = "/tmp/test-keys-XXXXXX";
static char	 err[1024];

static char *
path(const char *name)
{
	static char	 p[4][256];
	static int	 i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void
put(const char *name, const char *text, mode_t mode)
{
	FILE	*fp;

	unlink(path(name));
	if ((fp = fopen(path(name), "w")) == NULL)
		abort();
	fputs(text, fp);
	fclose(fp);
	chmod(path(name), mode);
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

/* "b64(hdr).b64(PAYLOAD)" in a static buffer. */
static const char *
signing_input(const char *hdr)
{
	static char	 hp[2048];
	char		*h = b64(hdr, strlen(hdr)), *p = b64(PAYLOAD,
			    strlen(PAYLOAD));

	snprintf(hp, sizeof(hp), "%s.%s", h, p);
	free(h);
	free(p);
	return hp;
}

/* A token of hdr and PAYLOAD with an HMAC-SHA256 under k (klen bytes). */
static char *
make_hs(const char *hdr, const void *k, size_t klen)
{
	unsigned char	 mac[32];
	const char	*hp = signing_input(hdr);
	char		*sig, *tok;

	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, k, klen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)hp,
	    strlen(hp));
	crypto_auth_hmacsha256_final(&st, mac);
	sig = b64(mac, sizeof(mac));
	if (asprintf(&tok, "%s.%s", hp, sig) < 0)
		abort();
	free(sig);
	return tok;
}

/* A token of hdr and PAYLOAD signed with pkey (RSA or EC, SHA-256). */
static char *
make_pk(const char *hdr, EVP_PKEY *pkey)
{
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	unsigned char	 sig[1024], raw[64];
	const unsigned char *p = sig;
	size_t		 len = sizeof(sig);
	const char	*hp = signing_input(hdr);
	char		*s, *tok;
	ECDSA_SIG	*es;

	if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL,
	    pkey) != 1 || EVP_DigestSign(md, sig, &len,
	    (const unsigned char *)hp, strlen(hp)) != 1)
		abort();
	EVP_MD_CTX_free(md);
	if (EVP_PKEY_is_a(pkey, "EC")) {
		if ((es = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
			abort();
		BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
		BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
		ECDSA_SIG_free(es);
		s = b64(raw, sizeof(raw));
	} else
		s = b64(sig, len);
	if (asprintf(&tok, "%s.%s", hp, s) < 0)
		abort();
	free(s);
	return tok;
}

/* Reads a key file made by keygen_pem into an EVP_PKEY. */
static EVP_PKEY *
pkey_of(const char *name, enum key_alg alg)
{
	EVP_PKEY	*pk = NULL;
	char		*pem;
	size_t		 len;
	int		 priv;

	if (keyfile_read_pem(path(name), &pem, &len, err, sizeof(err)) !=
	    JA_OK || keys_pem_parse(pem, len, alg, &pk, &priv, err,
	    sizeof(err)) != JA_OK)
		abort();
	free(pem);
	return pk;
}

/* Writes conf with the given lines after the required ones; loads it. */
static int
load(struct config *c, const char *extra)
{
	char	 text[4096];

	snprintf(text, sizeof(text), "database = dbname=x\n"
	    "secret_file = %s\n%s", path("secret"), extra);
	put("jwtauth.conf", text, 0600);
	err[0] = '\0';
	return config_load(c, path("jwtauth.conf"), 1, err, sizeof(err));
}

static int
verifies(const struct config *c, const char *tok)
{
	struct claims	 cl;

	return token_verify(c, tok, NOW, &cl) == JA_OK &&
	    strcmp(cl.username, "alice") == 0;
}

static void
test_keygen(void)
{
	struct stat	 st;
	char		*pub = NULL;

	tap_ok(keygen_pem(path("rs1.pem"), KEY_RS256, err, sizeof(err)) ==
	    JA_OK, "keygen_pem makes an RS256 key");
	tap_ok(keygen_pem(path("es1.pem"), KEY_ES256, err, sizeof(err)) ==
	    JA_OK, "keygen_pem makes an ES256 key");
	tap_ok(keygen_pem(path("rs2.pem"), KEY_RS256, err, sizeof(err)) ==
	    JA_OK && keygen_pem(path("es2.pem"), KEY_ES256, err,
	    sizeof(err)) == JA_OK, "and a second key of each kind");
	tap_ok(stat(path("es1.pem"), &st) == 0 &&
	    (st.st_mode & 0777) == 0600, "a new key file has mode 0600");
	tap_ok(keygen_pem(path("es1.pem"), KEY_ES256, err, sizeof(err)) ==
	    JA_EEXIST, "keygen_pem refuses to overwrite a file");
	tap_ok(keygen_pem(path("hs.pem"), KEY_HS256, err, sizeof(err)) ==
	    JA_EINVAL, "keygen_pem leaves HS256 to keyfile_write");
	tap_ok(keyfile_write(path("hs1.key"), err, sizeof(err)) == JA_OK &&
	    keyfile_write(path("hs2.key"), err, sizeof(err)) == JA_OK &&
	    keyfile_write(path("secret"), err, sizeof(err)) == JA_OK &&
	    keyfile_write(path("secret.old"), err, sizeof(err)) == JA_OK,
	    "HS256 keys and secrets as before");
	tap_ok(keygen_public(path("rs1.pem"), &pub, err, sizeof(err)) ==
	    JA_OK && strstr(pub, "-----BEGIN PUBLIC KEY-----") == pub &&
	    strstr(pub, "PRIVATE") == NULL,
	    "keygen_public writes the public half, nothing private");
	if (pub != NULL)
		put("rs1.pub", pub, 0644);
	free(pub);
	pub = NULL;
	tap_ok(keygen_public(path("es1.pem"), &pub, err, sizeof(err)) ==
	    JA_OK, "keygen_public reads an ES256 key too");
	if (pub != NULL)
		put("es1.pub", pub, 0644);
	free(pub);
}

static void
test_parse(void)
{
	EVP_PKEY	*small, *p384, *pk = NULL;
	BIO		*mem;
	char		*data, *text;
	size_t		 len;
	long		 n;
	int		 priv;
	struct config	 c;

	tap_ok(keys_pem_parse("x", 1, KEY_RS256, &pk, &priv, err,
	    sizeof(err)) == JA_ECONFIG && pk == NULL,
	    "text that is not PEM is refused");
	if (keyfile_read_pem(path("es1.pem"), &text, &len, err,
	    sizeof(err)) != JA_OK)
		abort();
	tap_ok(keys_pem_parse(text, len, KEY_RS256, &pk, &priv, err,
	    sizeof(err)) == JA_ECONFIG && strstr(err, "RS256") != NULL,
	    "an EC key is not an RS256 key");
	tap_ok(keys_pem_parse(text, len, KEY_ES256, &pk, &priv, err,
	    sizeof(err)) == JA_OK && priv, "it is an ES256 private key");
	EVP_PKEY_free(pk);
	free(text);

	small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	mem = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(mem, small, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(mem, &data);
	tap_ok(keys_pem_parse(data, (size_t)n, KEY_RS256, &pk, &priv, err,
	    sizeof(err)) == JA_ECONFIG, "an RSA key of 1024 bits is refused");
	BIO_free(mem);
	mem = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(mem, p384, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(mem, &data);
	tap_ok(keys_pem_parse(data, (size_t)n, KEY_ES256, &pk, &priv, err,
	    sizeof(err)) == JA_ECONFIG, "an EC key on P-384 is not ES256");
	BIO_free(mem);
	EVP_PKEY_free(small);
	EVP_PKEY_free(p384);

	chmod(path("es1.pem"), 0640);
	tap_ok(load(&c, "key_alg = ES256\nkey_file = ") == JA_ECONFIG,
	    "an empty key_file is refused");
	config_free(&c);
	{
		char	 extra[512];

		snprintf(extra, sizeof(extra), "key_alg = ES256\n"
		    "key_file = %s\n", path("es1.pem"));
		tap_ok(load(&c, extra) == JA_ECONFIG &&
		    strstr(err, "group or others") != NULL,
		    "a private PEM readable by the group is refused");
		config_free(&c);
		chmod(path("es1.pem"), 0600);
		snprintf(extra, sizeof(extra), "key_alg = ES256\n"
		    "key_file = %s\n", path("es1.pub"));
		tap_ok(load(&c, extra) == JA_ECONFIG &&
		    strstr(err, "cannot sign") != NULL,
		    "a public key cannot be the signing key");
		config_free(&c);
		snprintf(extra, sizeof(extra), "key_alg = RS256\n"
		    "key_file = %s\n", path("es1.pem"));
		tap_ok(load(&c, extra) == JA_ECONFIG &&
		    strstr(err, path("es1.pem")) == err,
		    "an EC key as an RS256 key_file is refused, naming it");
		config_free(&c);
		snprintf(extra, sizeof(extra), "key_alg = rs256\n"
		    "key_file = %s\n", path("rs1.pem"));
		tap_ok(load(&c, extra) == JA_ECONFIG &&
		    strstr(err, "key_alg") != NULL,
		    "key_alg is case-sensitive");
		config_free(&c);
		snprintf(extra, sizeof(extra), "key_file = %s\n"
		    "\nverify_keys = r1:RS256:%s, r1:RS256:%s\n",
		    path("hs1.key"), path("rs1.pub"), path("rs1.pub"));
		tap_ok(load(&c, extra) == JA_ECONFIG &&
		    strstr(err, ":5: verify_keys: r1: given twice") != NULL,
		    "a kid given twice in verify_keys is refused at "
		    "file:line");
		config_free(&c);
		snprintf(extra, sizeof(extra), "key_file = %s\n"
		    "verify_keys = k1:RS256:%s\n", path("hs1.key"),
		    path("rs1.pub"));
		tap_ok(load(&c, extra) == JA_ECONFIG &&
		    strstr(err, "verify_keys") != NULL,
		    "a verify key may not reuse key_id's kid");
		config_free(&c);
		snprintf(extra, sizeof(extra), "key_file = %s\n"
		    "verify_keys = r1:HS256:%s\n", path("hs1.key"),
		    path("rs1.pub"));
		tap_ok(load(&c, extra) == JA_ECONFIG &&
		    strstr(err, "verify_keys: r1:") != NULL,
		    "a public PEM is not an HS256 key");
		config_free(&c);
		snprintf(extra, sizeof(extra), "key_file = %s\n"
		    "verify_keys = r1:PS256:%s\n", path("hs1.key"),
		    path("rs1.pub"));
		tap_ok(load(&c, extra) == JA_ECONFIG &&
		    strstr(err, "PS256") != NULL,
		    "an algorithm we do not have is refused");
		config_free(&c);
	}
}

/* The config used by the token tests: signing key name of alg. */
static int
setup(struct config *c, const char *alg, const char *key,
    const char *verify)
{
	char	 extra[1024];

	snprintf(extra, sizeof(extra), "key_alg = %s\nkey_file = %s\n"
	    "key_id = %s\n%s%s\n", alg, path(key), strcmp(alg, "HS256") ==
	    0 ? "h1" : alg[0] == 'R' ? "r1" : "e1", verify[0] ?
	    "verify_keys = " : "", verify);
	return load(c, extra);
}

static void
test_tokens(void)
{
	struct config	 c, hs, rot;
	struct claims	 cl;
	EVP_PKEY	*rs1 = pkey_of("rs1.pem", KEY_RS256);
	EVP_PKEY	*rs2 = pkey_of("rs2.pem", KEY_RS256);
	EVP_PKEY	*es1 = pkey_of("es1.pem", KEY_ES256);
	EVP_PKEY	*es2 = pkey_of("es2.pem", KEY_ES256);
	char		 verify[1024], *tok = NULL, *pub, *hstok;
	size_t		 publen;
	unsigned char	 hk[64];
	size_t		 hklen;

	/* Signs with RS256 r1; verifies also ES256 e1 and HS256 h1. */
	snprintf(verify, sizeof(verify), "e1:ES256:%s h1:HS256:%s",
	    path("es1.pub"), path("hs1.key"));
	tap_ok(setup(&c, "RS256", "rs1.pem", verify) == JA_OK,
	    "RS256 signing key with ES256 and HS256 verify keys loads");
	tap_ok(c.sign_alg == KEY_RS256 && c.nverify == 2,
	    "the keys are where they should be");

	tap_ok(token_issue(&c, SUB, "alice", SID, NOW, &cl, &tok) == JA_OK &&
	    verifies(&c, tok), "an RS256 token issued verifies");
	tap_ok(tok != NULL && strncmp(tok, "eyJhbGciOiJSUzI1NiIsImtpZCI6InIxIi",
	    34) == 0, "its header is {\"alg\":\"RS256\",\"kid\":\"r1\",...");
	free(tok);
	tok = NULL;
	tok = make_pk("{\"alg\":\"ES256\",\"kid\":\"e1\",\"typ\":\"JWT\"}", es1);
	tap_ok(verifies(&c, tok), "an ES256 token of verify key e1 verifies");
	free(tok);
	tok = make_pk("{\"alg\":\"RS256\",\"kid\":\"r1\",\"typ\":\"JWT\"}", rs1);
	tap_ok(verifies(&c, tok), "an RS256 token signed by hand verifies "
	    "(control)");
	tap_ok(verifies(&c, tok), "and again, from the header kept");
	free(tok);

	if (keyfile_read(path("hs1.key"), hk, sizeof(hk), &hklen, err,
	    sizeof(err)) != JA_OK)
		abort();
	hstok = make_hs("{\"alg\":\"HS256\",\"kid\":\"h1\",\"typ\":\"JWT\"}", hk,
	    hklen);
	tap_ok(verifies(&c, hstok), "an HS256 token of verify key h1 "
	    "verifies");
	free(hstok);

	tok = make_pk("{\"alg\":\"RS256\",\"kid\":\"r1\",\"typ\":\"JWT\"}", rs2);
	tap_ok(!verifies(&c, tok), "an RS256 token of another RSA key with "
	    "our kid is refused");
	free(tok);
	tok = make_pk("{\"alg\":\"ES256\",\"kid\":\"e1\",\"typ\":\"JWT\"}", es2);
	tap_ok(!verifies(&c, tok), "an ES256 token of another EC key with "
	    "our kid is refused");
	free(tok);
	tok = make_pk("{\"alg\":\"ES256\",\"kid\":\"zz\",\"typ\":\"JWT\"}", es1);
	tap_ok(!verifies(&c, tok), "an unknown kid is refused");
	free(tok);
	tok = make_pk("{\"alg\":\"ES256\",\"typ\":\"JWT\"}", es1);
	tap_ok(!verifies(&c, tok), "a token without kid is refused");
	free(tok);
	tok = make_pk("{\"alg\":\"RS256\",\"kid\":\"e1\",\"typ\":\"JWT\"}", rs1);
	tap_ok(!verifies(&c, tok), "an RS256 token with the kid of an ES256 "
	    "key is refused");
	free(tok);
	tok = make_pk("{\"alg\":\"ES256\",\"kid\":\"r1\",\"typ\":\"JWT\"}", es1);
	tap_ok(!verifies(&c, tok), "an ES256 token with the kid of an RS256 "
	    "key is refused");
	free(tok);
	tok = make_pk("{\"alg\":\"RS256\",\"kid\":\"h1\",\"typ\":\"JWT\"}", rs1);
	tap_ok(!verifies(&c, tok), "an RS token with the kid of an HS256 "
	    "key is refused");
	free(tok);
	tok = make_hs("{\"alg\":\"HS256\",\"kid\":\"r1\",\"typ\":\"JWT\"}", hk,
	    hklen);
	tap_ok(!verifies(&c, tok), "an HS256 token with the kid of an RS256 "
	    "key is refused");
	free(tok);
	if (keyfile_read_pem(path("rs1.pub"), &pub, &publen, err,
	    sizeof(err)) != JA_OK)
		abort();
	tok = make_hs("{\"alg\":\"HS256\",\"kid\":\"r1\",\"typ\":\"JWT\"}", pub,
	    publen);
	tap_ok(!verifies(&c, tok), "an HS256 token MACed with the RS256 "
	    "public key PEM, kid r1, is refused");
	free(tok);
	tok = make_hs("{\"alg\":\"HS256\",\"kid\":\"h1\",\"typ\":\"JWT\"}", pub,
	    publen);
	tap_ok(!verifies(&c, tok), "and with kid h1");
	free(tok);
	free(pub);
	tok = make_pk("{\"alg\":\"rs256\",\"kid\":\"r1\",\"typ\":\"JWT\"}", rs1);
	tap_ok(!verifies(&c, tok), "alg rs256 (lower case) is refused");
	free(tok);
	tok = make_pk("{\"alg\":\"RS256\",\"kid\":\"r1\",\"typ\":\"JWT\","
	    "\"jku\":\"https://evil.example/jwks\"}", rs1);
	tap_ok(!verifies(&c, tok), "a header with jku is refused");
	free(tok);

	/* An HS256 service (the old default) still works with kid pinning. */
	tap_ok(setup(&hs, "HS256", "hs1.key", "") == JA_OK &&
	    token_issue(&hs, SUB, "alice", SID, NOW, &cl, &tok) == JA_OK &&
	    verifies(&hs, tok), "HS256 signing as before");
	tap_ok(tok != NULL && verifies(&c, tok),
	    "where h1 is a verify key, that HS256 token verifies too");
	free(tok);
	tok = make_pk("{\"alg\":\"RS256\",\"kid\":\"h1\",\"typ\":\"JWT\"}", rs1);
	tap_ok(!verifies(&hs, tok), "an RS256 token with the HS256 kid is "
	    "refused by an HS256 service");
	free(tok);

	/* Rotation: sign with rs2 (r2), rs1 (r1) verify-only. */
	snprintf(verify, sizeof(verify), "r1:RS256:%s", path("rs1.pub"));
	{
		char	 extra[2048];

		snprintf(extra, sizeof(extra), "key_alg = RS256\n"
		    "key_file = %s\nkey_id = r2\nverify_keys = %s\n",
		    path("rs2.pem"), verify);
		tap_ok(load(&rot, extra) == JA_OK, "rotated config loads");
	}
	tok = make_pk("{\"alg\":\"RS256\",\"kid\":\"r1\",\"typ\":\"JWT\"}", rs1);
	tap_ok(verifies(&rot, tok), "after rotation an r1 token still "
	    "verifies with r1's public key");
	free(tok);
	tap_ok(token_issue(&rot, SUB, "alice", SID, NOW, &cl, &tok) == JA_OK &&
	    verifies(&rot, tok) && !verifies(&c, tok),
	    "new tokens are signed by r2, unknown to the old config");
	free(tok);

	config_free(&c);
	config_free(&hs);
	config_free(&rot);
	EVP_PKEY_free(rs1);
	EVP_PKEY_free(rs2);
	EVP_PKEY_free(es1);
	EVP_PKEY_free(es2);
}

static void
test_es256_sign(void)
{
	struct config	 c;
	struct claims	 cl;
	char		*tok = NULL;
	const char	*sig;

	tap_ok(setup(&c, "ES256", "es1.pem", "") == JA_OK &&
	    token_issue(&c, SUB, "alice", SID, NOW, &cl, &tok) == JA_OK &&
	    verifies(&c, tok), "an ES256 token issued verifies");
	sig = tok != NULL ? strrchr(tok, '.') + 1 : "";
	tap_ok(strlen(sig) == 86, "its signature is r || s, 64 bytes "
	    "(RFC 7518 §3.4)");
	free(tok);
	config_free(&c);
}

static void
test_jwks(void)
{
	struct config	 c;
	json_t		*set, *k;
	char		 verify[1024], *text;

	snprintf(verify, sizeof(verify), "e1:ES256:%s h1:HS256:%s "
	    "r2:RS256:%s", path("es1.pub"), path("hs1.key"),
	    path("rs2.pem"));
	if (setup(&c, "RS256", "rs1.pem", verify) != JA_OK)
		abort();
	set = jwks_json(&c);
	tap_ok(set != NULL && json_array_size(json_object_get(set, "keys")) ==
	    3, "the JWK Set has the three RSA and EC keys, not the HS256 "
	    "one");
	k = json_array_get(json_object_get(set, "keys"), 0);
	tap_ok(k != NULL && strcmp(json_string_value(json_object_get(k,
	    "kid")), "r1") == 0 && strcmp(json_string_value(json_object_get(k,
	    "kty")), "RSA") == 0 && strcmp(json_string_value(
	    json_object_get(k, "alg")), "RS256") == 0 &&
	    strcmp(json_string_value(json_object_get(k, "use")), "sig") == 0,
	    "the signing key comes first: kty RSA, kid, alg RS256, use sig");
	tap_ok(k != NULL && json_string_length(json_object_get(k, "n")) ==
	    342 && strcmp(json_string_value(json_object_get(k, "e")),
	    "AQAB") == 0, "n is 256 bytes of base64url, e is AQAB");
	tap_ok(k != NULL && json_object_get(k, "d") == NULL &&
	    json_object_get(k, "p") == NULL && json_object_size(k) == 6,
	    "and nothing private: six members");
	k = json_array_get(json_object_get(set, "keys"), 1);
	tap_ok(k != NULL && strcmp(json_string_value(json_object_get(k,
	    "crv")), "P-256") == 0 && json_string_length(json_object_get(k,
	    "x")) == 43 && json_string_length(json_object_get(k, "y")) == 43 &&
	    json_object_size(k) == 7,
	    "an EC key: crv P-256, x and y of 32 bytes, no d");
	k = json_array_get(json_object_get(set, "keys"), 2);
	tap_ok(k != NULL && strcmp(json_string_value(json_object_get(k,
	    "kid")), "r2") == 0 && json_object_get(k, "d") == NULL,
	    "a verify key given as a private PEM is published public only");
	text = set != NULL ? json_dumps(set, JSON_COMPACT) : NULL;
	tap_ok(text != NULL && strstr(text, "HS256") == NULL &&
	    strstr(text, "\"h1\"") == NULL, "no trace of the HS256 key");
	free(text);
	json_decref(set);
	config_free(&c);

	if (setup(&c, "HS256", "hs1.key", "") != JA_OK)
		abort();
	set = jwks_json(&c);
	tap_ok(set != NULL && json_array_size(json_object_get(set, "keys")) ==
	    0, "an HS256-only service publishes an empty set");
	json_decref(set);
	config_free(&c);
}

static void
test_secrets(void)
{
	struct config	 c;
	const unsigned char *k;
	size_t		 len;
	char		 extra[1024], rt1[JA_RT_LEN + 1], rt2[JA_RT_LEN + 1];
	unsigned char	 seed[REFRESH_SEED_LEN] = { 1, 2, 3 };

	snprintf(extra, sizeof(extra), "key_file = %s\n"
	    "old_secret_files = %s\n", path("hs1.key"), path("secret.old"));
	tap_ok(load(&c, extra) == JA_OK && c.nold_secrets == 1,
	    "old_secret_files loads");
	tap_ok(strlen(c.secret_id) == JA_SECRET_ID_LEN &&
	    strcmp(c.secret_id, c.old_secrets[0].id) != 0,
	    "each secret has its own version");
	tap_ok(secret_find(&c, c.secret_id, &k, &len) == JA_OK &&
	    k == c.secret, "the current version finds the current secret");
	tap_ok(secret_find(&c, c.old_secrets[0].id, &k, &len) == JA_OK &&
	    k == c.old_secrets[0].key, "an old version finds the old one");
	tap_ok(secret_find(&c, "0000000000000000", &k, &len) ==
	    JA_ENOTFOUND, "an unknown version finds none");
	refresh_derive(&c, seed, SID, 1, rt1, sizeof(rt1));
	refresh_derive_with(c.old_secrets[0].key, c.old_secrets[0].len,
	    seed, SID, 1, rt2, sizeof(rt2));
	tap_ok(strcmp(rt1, rt2) != 0, "the secrets derive other tokens");
	config_free(&c);

	snprintf(extra, sizeof(extra), "key_file = %s\n"
	    "old_secret_files = %s\n", path("hs1.key"), path("secret"));
	tap_ok(load(&c, extra) == JA_ECONFIG &&
	    strstr(err, "old_secret_files") != NULL,
	    "the current secret among the old ones is refused");
	config_free(&c);
	chmod(path("secret.old"), 0644);
	snprintf(extra, sizeof(extra), "key_file = %s\n"
	    "old_secret_files = %s\n", path("hs1.key"), path("secret.old"));
	tap_ok(load(&c, extra) == JA_ECONFIG &&
	    strstr(err, "group or others") != NULL &&
	    strstr(err, "jwtauth.conf:4: old_secret_files") != NULL,
	    "an old secret readable by others is refused at file:line");
	config_free(&c);
}

int
main(void)
{
	char	 cmd[300];

	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return EXIT_FAILURE;
	test_keygen();
	test_parse();
	test_tokens();
	test_es256_sign();
	test_jwks();
	test_secrets();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return EXIT_FAILURE;
	return tap_done();
}
