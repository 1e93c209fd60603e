/*
 * test-libjwt.c: what Debian 12's libjwt 1.10.2 (libjwt0 1.10.2-1+deb12u1,
 * OpenSSL backend, libb64 base64) really does in jwt_decode(3) and
 * jwt_encode_str(3).
 *
 * jwtauth does not rely on jwt_decode to enforce anything: the guards in
 * front of it bound the token size, require the exact header, fix the
 * algorithm and the key, and check the claims themselves.  Each check
 * below pins one library behaviour that a guard exists for, and is named
 * for that behaviour.  If a check starts failing, libjwt has changed
 * (a fixed Debian package, say): revisit the guard it names, do not
 * "fix" the test.  Checks marked "(control)" show that the others are not
 * vacuous: there, libjwt does verify.
 *
 * Not checked here: an empty header or payload segment ("..",
 * "header..sig", ".payload.sig"), or an empty RS256 signature, makes
 * jwt_decode write one byte past a malloc(0) block (in libb64's
 * base64_decode_block, then jwt_decode's own NUL terminator) and let
 * jansson read it; valgrind reports it, ASan does not (libjwt is not
 * instrumented).  glibc's minimum chunk absorbs the byte, so the call
 * returns EINVAL and nothing observable happens: there is nothing
 * deterministic to assert.  The guard refuses empty segments instead.
 *
 * Build: cc -Wall -Wextra -o test-libjwt test-libjwt.c \
 *            -ljwt -ljansson -lsodium
 * Under ASan, set ASAN_OPTIONS=allocator_may_return_null=1:handle_segv=0:
 * the key_len -1 checks make libjwt call malloc((size_t)-1), which ASan
 * aborts on, and ASan turns the stack check's SIGSEGV into exit(1).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* asprintf */
#endif

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jwt.h>
#include <sodium.h>

#include "tap.h"

#define MiB	(1024 * 1024)

/* An HS256-sized secret: 32 bytes (RFC 7518 §3.2). */
static const char key[] = "0123456789abcdef0123456789abcdef";
#define KEYLEN	((int)sizeof(key) - 1)

static const char claims[] = "{\"sub\":\"alice\"}";

/*
 * A throwaway RSA-2048 public key and an RS256 token its private key
 * signed (the private key is not kept): header {"alg":"RS256","typ":"JWT"},
 * payload {"sub":"alice"}.  RSASSA-PKCS1-v1_5 is deterministic, so the
 * token is a constant.
 */
static const char rsa_pub[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzFCzthX7oXzeo/M9RDYZ\n"
    "5pcPGJS9d1rVCmPk1T80/zZO0Enc62Pf47E4IYzop903Plt2ST/L2NI/pRBzf8aY\n"
    "KXpQUByYw2CQ15789DRDgWY3cLnraPQB+BDuFlbaabHQ8DHMWie0ZNj0oBygOAr3\n"
    "fMbANvqng72LGWGvhMhPYgBpG1ehJO34/9vykRKDMARb9BI6a+JZu790tiFAaOvB\n"
    "uTzLqz9MZHWVN630R4m7zVJzKvdMucCVTTdr2PsfdPusMhilwkQiY/aG/N40mack\n"
    "CWEODZTQXuefuG6kpw7otz8SkEjTApTmoc14uMgGZ1hMF533lsks2GTtcxIDVS5Y\n"
    "zwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
#define RSA_PUBLEN	((int)sizeof(rsa_pub) - 1)

static const char rs256_token[] =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9."
    "V-lTiZdde62e25kH7TVNJtmYzjCwN80fOYp8VkfN8DHPmqoie4-p86g_JPBM6n-OjZEC"
    "03vd_RcSkynOwmpmFqQdYyW849KTf8v_nc6j_e94IQpw0SryG1RthZj3bvRILBFUMfhq"
    "inRq4viY4SHx45SICuUDuKHvdv0zD0H9u0iQ124Fl315vCv-zbvO-9x5CgTgaRPGhmrx"
    "BazKGgX65MIJYForc17y72_23RB3bzoS5X8w0VVM5i4cIJMkczWfQ9Emt-X2Sht_Jusf"
    "3rpAMAuY_6HZ3L8zLfC1lZA01bjbrY9HghTBOZka0ckpxoNHOiPSGglzlErrpVQOiyN3og";

/*
 * Returns the unpadded base64url encoding (RFC 7515 §2) of the n bytes
 * at p as a string the caller frees.
 */
static char *
b64url(const void *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *in = p;
	char *out, *o;
	size_t i;

	if ((out = malloc(n / 3 * 4 + 5)) == NULL)
		err(1, NULL);
	o = out;
	for (i = 0; i + 2 < n; i += 3) {
		*o++ = tab[in[i] >> 2];
		*o++ = tab[(in[i] & 0x03) << 4 | in[i + 1] >> 4];
		*o++ = tab[(in[i + 1] & 0x0f) << 2 | in[i + 2] >> 6];
		*o++ = tab[in[i + 2] & 0x3f];
	}
	if (n - i == 1) {
		*o++ = tab[in[i] >> 2];
		*o++ = tab[(in[i] & 0x03) << 4];
	} else if (n - i == 2) {
		*o++ = tab[in[i] >> 2];
		*o++ = tab[(in[i] & 0x03) << 4 | in[i + 1] >> 4];
		*o++ = tab[(in[i + 1] & 0x0f) << 2];
	}
	*o = '\0';
	return out;
}

/*
 * Returns a compact JWS (RFC 7515 §7.1) with the header and payload JSON
 * given, MACed with HMAC-SHA-256 (bits 256) or HMAC-SHA-512 (bits 512)
 * under the klen bytes at k, whatever the header's "alg" says.  Built by
 * hand, not with libjwt, so the header can be anything.  The caller
 * frees the string.
 */
static char *
mint(const char *hdr, const char *pay, const void *k, size_t klen, int bits)
{
	unsigned char mac[crypto_auth_hmacsha512_BYTES];
	char *h, *p, *input, *sig, *tok;
	size_t maclen;

	h = b64url(hdr, strlen(hdr));
	p = b64url(pay, strlen(pay));
	if (asprintf(&input, "%s.%s", h, p) == -1)
		err(1, NULL);
	if (bits == 256) {
		crypto_auth_hmacsha256_state st;

		crypto_auth_hmacsha256_init(&st, k, klen);
		crypto_auth_hmacsha256_update(&st,
		    (const unsigned char *)input, strlen(input));
		crypto_auth_hmacsha256_final(&st, mac);
		maclen = crypto_auth_hmacsha256_BYTES;
	} else {
		crypto_auth_hmacsha512_state st;

		crypto_auth_hmacsha512_init(&st, k, klen);
		crypto_auth_hmacsha512_update(&st,
		    (const unsigned char *)input, strlen(input));
		crypto_auth_hmacsha512_final(&st, mac);
		maclen = crypto_auth_hmacsha512_BYTES;
	}
	sig = b64url(mac, maclen);
	if (asprintf(&tok, "%s.%s", input, sig) == -1)
		err(1, NULL);
	free(h);
	free(p);
	free(input);
	free(sig);
	return tok;
}

/*
 * Returns a copy of tok with s inserted off bytes into segment seg
 * (0 header, 1 payload, 2 signature).  The caller frees it.
 */
static char *
insert(const char *tok, int seg, size_t off, const char *s)
{
	const char *at = tok;
	char *out;

	while (seg-- > 0)
		at = strchr(at, '.') + 1;
	at += off;
	if (asprintf(&out, "%.*s%s%s", (int)(at - tok), tok, s, at) == -1)
		err(1, NULL);
	return out;
}

/* Returns a copy of tok with its signature segment replaced by sig. */
static char *
resign(const char *tok, const char *sig)
{
	const char *dot = strrchr(tok, '.');
	char *out;

	if (asprintf(&out, "%.*s.%s", (int)(dot - tok), tok, sig) == -1)
		err(1, NULL);
	return out;
}

/*
 * Returns 1 if jwt_decode(3) accepts tok with the key given and the
 * decoded object has algorithm alg and a "sub" claim equal to sub (NULL:
 * no "sub" claim at all); 0 otherwise.
 */
static int
accepts(const char *tok, const void *k, int klen, jwt_alg_t alg,
    const char *sub)
{
	jwt_t *jwt = NULL;
	const char *got;
	int ok;

	if (jwt_decode(&jwt, tok, k, klen) != 0)
		return 0;
	got = jwt_get_grant(jwt, "sub");
	ok = jwt_get_alg(jwt) == alg &&
	    (sub == NULL ? got == NULL : got != NULL && strcmp(got, sub) == 0);
	jwt_free(jwt);
	return ok;
}

/* Returns 1 if jwt_decode(3) refuses tok with the key given. */
static int
rejects(const char *tok, const void *k, int klen)
{
	jwt_t *jwt = NULL;
	int rc;

	rc = jwt_decode(&jwt, tok, k, klen);
	jwt_free(jwt);
	return rc != 0;
}

/*
 * Returns 1 if segment seg of tok is exactly the base64url encoding of
 * the JSON text given.
 */
static int
segment_is(const char *tok, int seg, const char *json)
{
	const char *at = tok;
	char *want;
	size_t len;
	int ok;

	while (seg-- > 0)
		at = strchr(at, '.') + 1;
	len = strcspn(at, ".");
	want = b64url(json, strlen(json));
	ok = strlen(want) == len && strncmp(at, want, len) == 0;
	free(want);
	return ok;
}

/*
 * Runs jwt_decode(3) on tok with the key in a child process and returns
 * the child's status as waitpid(2) gives it.  The child turns off its own
 * core dump with prctl(2), which leaves the resource limits (the stack
 * limit under test) alone.
 */
static int
decode_in_child(const char *tok, const void *k, int klen)
{
	pid_t pid;
	int status;

	fflush(stdout);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		_exit(rejects(tok, k, klen));
	}
	if (waitpid(pid, &status, 0) == -1)
		err(1, "waitpid");
	return status;
}

/*
 * Returns an HS256 token whose header segment carries n extra 'A's
 * (NUL bytes once decoded); the caller frees it.
 */
static char *
big_token(size_t n)
{
	static const char hdr[] = "eyJhbGciOiJIUzI1NiJ9";	/* {"alg":"HS256"} */
	static const char rest[] = ".eyJzdWIiOiJhbGljZSJ9.sig";
	char *tok;

	if ((tok = malloc(sizeof(hdr) - 1 + n + sizeof(rest))) == NULL)
		err(1, NULL);
	memcpy(tok, hdr, sizeof(hdr) - 1);
	memset(tok + sizeof(hdr) - 1, 'A', n);
	memcpy(tok + sizeof(hdr) - 1 + n, rest, sizeof(rest));
	return tok;
}

/*
 * RFC 8725 §3.1: a verifier must fix the algorithm; RFC 7515 §4.1.1:
 * "alg" is case-sensitive.  jwt_decode takes no algorithm: it verifies
 * with whatever the header names, matched with strcasecmp, and applies no
 * minimum key length (RFC 7518 §3.2).  So the guard compares the raw
 * header with the one header jwtauth issues and refuses short keys.
 */
static void
check_alg(void)
{
	char *tok;

	tok = mint("{\"alg\":\"HS256\"}", claims, key, KEYLEN, 256);
	tap_ok(accepts(tok, key, KEYLEN, JWT_ALG_HS256, "alice"),
	    "libjwt accepts a HS256 token under its key (control)");
	tap_ok(rejects(tok, "0123456789abcdef0123456789abcdeX", KEYLEN),
	    "libjwt rejects a HS256 token under another key (control)");
	free(tok);

	tok = mint("{\"alg\":\"hs256\"}", claims, key, KEYLEN, 256);
	tap_ok(accepts(tok, key, KEYLEN, JWT_ALG_HS256, "alice"),
	    "libjwt accepts alg \"hs256\" and jwt_get_alg says JWT_ALG_HS256");
	free(tok);

	tok = mint("{\"alg\":\"Hs256\"}", claims, key, KEYLEN, 256);
	tap_ok(accepts(tok, key, KEYLEN, JWT_ALG_HS256, "alice"),
	    "libjwt accepts alg \"Hs256\"");
	free(tok);

	tok = mint("{\"alg\":\"HS512\"}", claims, key, KEYLEN, 512);
	tap_ok(accepts(tok, key, KEYLEN, JWT_ALG_HS512, "alice"),
	    "libjwt accepts a token signed HS512 when asked to verify "
	    "with the HS256 key");
	free(tok);

	tok = mint("{\"alg\":\"HS256\"}", claims, "short", 5, 256);
	tap_ok(accepts(tok, "short", 5, JWT_ALG_HS256, "alice"),
	    "libjwt accepts a HS256 token under a 5-byte key");
	free(tok);
}

/*
 * RFC 8725 §2.1: insufficient signature validation.  With a NULL key or
 * key_len 0 jwt_decode checks no signature and reports JWT_ALG_NONE.
 * With key_len below 0 it is worse: malloc(key_len) fails and jwt_decode
 * returns 0 with an empty object for any string with two dots.  The
 * guard never passes a key that is not a checked, non-empty secret.
 */
static void
check_no_key(void)
{
	char *good, *tok;

	good = mint("{\"alg\":\"HS256\"}", claims, key, KEYLEN, 256);
	tok = resign(good, "garbage");
	tap_ok(rejects(tok, key, KEYLEN),
	    "libjwt rejects a garbage signature under the key (control)");
	tap_ok(accepts(tok, NULL, 0, JWT_ALG_NONE, "alice"),
	    "libjwt accepts a garbage signature with a NULL key, "
	    "as JWT_ALG_NONE");
	tap_ok(accepts(tok, key, 0, JWT_ALG_NONE, "alice"),
	    "libjwt accepts a garbage signature with key_len 0");
	tap_ok(accepts(tok, key, -1, JWT_ALG_NONE, NULL),
	    "libjwt returns 0 and an empty object with key_len -1");
	tap_ok(accepts("x.y.z", key, -1, JWT_ALG_NONE, NULL),
	    "libjwt returns 0 for \"x.y.z\" with key_len -1");
	free(tok);
	free(good);
}

/*
 * RFC 7519 §4.1.4, §4.1.5: a token past "exp" or before "nbf" must not
 * be accepted.  jwt_decode looks at no claim; the guard checks them.
 */
static void
check_claims(void)
{
	char *tok;

	tok = mint("{\"alg\":\"HS256\"}", "{\"exp\":1}", key, KEYLEN, 256);
	tap_ok(accepts(tok, key, KEYLEN, JWT_ALG_HS256, NULL),
	    "libjwt accepts a token whose exp is 1970");
	free(tok);

	tok = mint("{\"alg\":\"HS256\"}", "{\"nbf\":4000000000}",
	    key, KEYLEN, 256);
	tap_ok(accepts(tok, key, KEYLEN, JWT_ALG_HS256, NULL),
	    "libjwt accepts a token whose nbf is 2096");
	free(tok);
}

/*
 * RFC 8725 §3.11 (explicit typing) and RFC 9068 §2.1 ("at+jwt"): jwt_decode
 * refuses a string "typ" other than "JWT" (compared with strcasecmp), but
 * only when "alg" is not "none".  jwtauth tokens use "typ":"JWT", so an
 * explicitly typed token cannot pass through jwt_decode.
 */
static void
check_typ(void)
{
	char *tok;

	tok = mint("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", claims,
	    key, KEYLEN, 256);
	tap_ok(rejects(tok, key, KEYLEN),
	    "libjwt rejects typ \"at+jwt\" under the right key");
	free(tok);

	tok = mint("{\"alg\":\"HS256\",\"typ\":\"jwt\"}", claims,
	    key, KEYLEN, 256);
	tap_ok(accepts(tok, key, KEYLEN, JWT_ALG_HS256, "alice"),
	    "libjwt accepts typ \"jwt\" (case-insensitive)");
	free(tok);

	tok = mint("{\"alg\":\"none\",\"typ\":\"at+jwt\"}", claims,
	    key, KEYLEN, 256);
	tap_ok(accepts(tok, NULL, 0, JWT_ALG_NONE, "alice"),
	    "libjwt accepts typ \"at+jwt\" when alg is \"none\"");
	free(tok);
}

/*
 * jwt_b64_decode copies each segment to alloca(len + 4) before any
 * signature check, so a header segment longer than the free stack kills
 * the process (SIGSEGV), key or no key.  Measured with an 8 MiB stack
 * limit: 1 MiB and 4 MiB survive, 8 MiB and 16 MiB die; the threshold is
 * the stack limit less what is in use (8382928 bytes here).  Sizes are
 * taken from RLIMIT_STACK so the check holds under any finite limit; the
 * guard bounds the token long before this.
 */
static void
check_stack(void)
{
	struct rlimit rl;
	size_t small, large;
	char *tok;
	int st;

	if (getrlimit(RLIMIT_STACK, &rl) == -1)
		err(1, "getrlimit");
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 64 * MiB) {
		tap_ok(1, "libjwt survives a header 1/8 of the stack limit "
		    "# SKIP stack limit unlimited or above 64 MiB");
		tap_ok(1, "libjwt dies by a signal on a header 1 MiB over "
		    "the stack limit # SKIP stack limit unlimited or above "
		    "64 MiB");
		return;
	}
	small = rl.rlim_cur / 8 / 4 * 4;
	large = (rl.rlim_cur + MiB) / 4 * 4;
	printf("# stack limit %lu KiB, headers of %zu and %zu bytes\n",
	    (unsigned long)(rl.rlim_cur / 1024), small, large);

	tok = big_token(small);
	st = decode_in_child(tok, key, KEYLEN);
	tap_ok(WIFEXITED(st),
	    "libjwt survives a header 1/8 of the stack limit (control)");
	free(tok);

	tok = big_token(large);
	st = decode_in_child(tok, key, KEYLEN);
	tap_ok(WIFSIGNALED(st),
	    "libjwt dies by a signal on a header 1 MiB over the stack "
	    "limit, before checking the signature");
	free(tok);
}

/*
 * RFC 7515 §2: base64url has no line breaks, whitespace or other
 * characters.  libb64 skips any character outside the alphabet, so many
 * strings decode to one token.  The HMAC is over the raw header.payload
 * text and HS signatures are compared as strings, so a verified HS token
 * stays exact; but jwt_decode without a key, and RS/ES signature
 * segments (decoded before RSA/ECDSA verification), are malleable.  The
 * guard admits only the base64url alphabet, and jwtauth never keys
 * anything (a revocation list, a cache) on the token text alone.
 */
static void
check_base64(void)
{
	static const struct {
		const char	*s;
		const char	*name;
	} junk[] = {
		{ "!",	"\"!\"" },
		{ "=",	"\"=\"" },
		{ "\n",	"a newline" },
		{ ".",	"\".\" (a fourth segment)" },
	};
	char *good, *tok, name[160];
	size_t i;

	good = mint("{\"alg\":\"HS256\"}", claims, key, KEYLEN, 256);
	for (i = 0; i < 3; i++) {
		tok = insert(good, 1, 5, junk[i].s);
		snprintf(name, sizeof(name), "libjwt decodes a payload with "
		    "%s inserted to the same claims, without a key",
		    junk[i].name);
		tap_ok(accepts(tok, NULL, 0, JWT_ALG_NONE, "alice"), name);
		free(tok);
	}
	tok = insert(good, 1, 5, "!");
	tap_ok(rejects(tok, key, KEYLEN),
	    "libjwt rejects a HS256 payload with \"!\" inserted under "
	    "the key (control)");
	free(tok);
	tok = insert(good, 2, 10, "!");
	tap_ok(rejects(tok, key, KEYLEN),
	    "libjwt rejects a HS256 signature with \"!\" inserted (control)");
	free(tok);
	free(good);

	tap_ok(accepts(rs256_token, rsa_pub, RSA_PUBLEN, JWT_ALG_RS256,
	    "alice"), "libjwt accepts the RS256 token under its public key "
	    "(control)");
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		tok = insert(rs256_token, 2, 10, junk[i].s);
		snprintf(name, sizeof(name), "libjwt accepts an RS256 "
		    "signature with %s inserted", junk[i].name);
		tap_ok(accepts(tok, rsa_pub, RSA_PUBLEN, JWT_ALG_RS256,
		    "alice"), name);
		free(tok);
	}
}

/*
 * RFC 8725 §2.1 and §3.1 (each key with exactly one algorithm): the key
 * passed to jwt_decode is untyped bytes; the token's "alg" decides
 * whether they are an HMAC secret or a PEM to parse.  A verifier that
 * passes an RSA public key therefore accepts HS256 tokens MACed with the
 * text of that public key, which anyone can compute (the same bytes, so
 * the same length and trailing newline).  jwtauth uses HS256 only and
 * passes its secret only after the guard has fixed the header.
 */
static void
check_key_confusion(void)
{
	char *tok;

	tok = mint("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"mallory\"}",
	    rsa_pub, RSA_PUBLEN, 256);
	tap_ok(accepts(tok, rsa_pub, RSA_PUBLEN, JWT_ALG_HS256, "mallory"),
	    "libjwt accepts a HS256 token MACed with the RSA public key PEM "
	    "when given that PEM as the key");
	free(tok);
}

/*
 * What jwt_encode_str(3) emits, which the guard's exact-header check
 * depends on.  jansson sorts the keys, so the segments are exact.
 * jwt_encode_str also writes "alg" and "typ" into the object's headers,
 * so a "typ" added after an encode fails with EEXIST.
 */
static void
check_encode(void)
{
	jwt_t *jwt;
	char *tok;

	if (jwt_new(&jwt) != 0)
		err(1, "jwt_new");
	jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)key, KEYLEN);
	tok = jwt_encode_str(jwt);
	tap_ok(tok != NULL && segment_is(tok, 0,
	    "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"),
	    "jwt_encode_str adds \"typ\":\"JWT\" to the header");
	free(tok);
	jwt_free(jwt);

	if (jwt_new(&jwt) != 0)
		err(1, "jwt_new");
	jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)key, KEYLEN);
	tap_ok(jwt_add_header(jwt, "typ", "at+jwt") == 0,
	    "jwt_add_header accepts \"typ\"");
	tok = jwt_encode_str(jwt);
	tap_ok(tok != NULL && segment_is(tok, 0,
	    "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"),
	    "jwt_encode_str replaces a \"typ\" header with \"JWT\"");
	free(tok);
	jwt_free(jwt);

	if (jwt_new(&jwt) != 0)
		err(1, "jwt_new");
	jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)key, KEYLEN);
	tap_ok(jwt_add_header(jwt, "kid", "k1") == 0,
	    "jwt_add_header accepts \"kid\"");
	tap_ok(jwt_add_grant_int(jwt, "exp", 1700000000L) == 0,
	    "jwt_add_grant_int accepts \"exp\"");
	tok = jwt_encode_str(jwt);
	tap_ok(tok != NULL && segment_is(tok, 0,
	    "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}"),
	    "jwt_encode_str emits \"kid\" in the header");
	tap_ok(tok != NULL && segment_is(tok, 1, "{\"exp\":1700000000}"),
	    "jwt_add_grant_int emits a JSON integer");
	free(tok);
	jwt_free(jwt);
}

int
main(void)
{
	if (sodium_init() == -1)
		errx(1, "sodium_init");

	check_alg();
	check_no_key();
	check_claims();
	check_typ();
	check_stack();
	check_base64();
	check_key_confusion();
	check_encode();
	return tap_done();
}
