/*
 * fuzz-token.c: fuzz harness for the access-token parser in token.c,
 * token_shape_ok() and token_verify() (RFC 7519, RFC 8725).
 *
 * Each input is tried twice:
 *  1. as a token, as it would come from a cookie or an Authorization
 *     header, against a fixed config;
 *  2. as "HEADER\nPAYLOAD" JSON text (no newline: PAYLOAD with our
 *     usual header), which the harness encodes and MACs with the
 *     config's key, so that the fuzzer reaches the header and claim
 *     checks that a forged signature never gets to.
 * Whatever token_verify() accepts must hold claims that fit their
 * contract; the harness aborts otherwise.  Seeds in seeds/token/ that
 * carry a valid signature were MACed with the key below.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"
#include "fuzz.h"

#define NOW	((time_t)1699999800)
#define HDR	"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}"

static struct config	 cfg, cfg_aud;
static char		 issuer[] = "https://auth.example";
static char		 key_id[] = "k1";
static char		 audience[] = "https://api.example";

static void
fuzz_setup(void)
{
	static int	 ready;

	if (ready)
		return;
	if (sodium_init() < 0)
		abort();
	cfg.issuer = issuer;
	cfg.key_id = key_id;
	cfg.access_ttl = 300;
	cfg.leeway = 30;
	cfg.username_max = 64;
	memcpy(cfg.key, "jwtauth fuzz key, 32 bytes long!", 32);
	cfg.keylen = 32;
	cfg_aud = cfg;
	cfg_aud.audience = audience;
	ready = 1;
}

/*
 * Verifies tok against c; aborts if accepted claims break their contract
 * (token_check_claims): the username is bounded by JA_NAME_MAX, not by
 * username_max, so that lowering username_max does not make the tokens
 * of longer existing names unverifiable (test-token.c says why).
 */
static void
fuzz_verify(const struct config *c, const char *tok)
{
	struct claims	 cl;

	if (token_verify(c, tok, NOW, &cl) != JA_OK) {
		if (cl.sub[0] != '\0' || cl.username[0] != '\0')
			abort();	/* claims must be wiped on refusal */
		return;
	}
	if (!token_shape_ok(tok) || strlen(tok) > JA_TOKEN_MAX ||
	    !text_is_uuid(cl.sub) || !text_is_uuid(cl.sid) ||
	    strlen(cl.jti) != JA_JTI_LEN ||
	    !b64url_is_alphabet(cl.jti, JA_JTI_LEN) ||
	    strlen(cl.username) == 0 ||
	    strlen(cl.username) > JA_NAME_MAX ||
	    cl.exp <= cl.iat || cl.iat > (int64_t)NOW + c->leeway ||
	    (int64_t)NOW - c->leeway >= cl.exp)
		abort();
}

/* Returns base64url(a) "." base64url(b) "." base64url(HMAC), or NULL. */
static char *
fuzz_sign(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	unsigned char	 mac[crypto_auth_hmacsha256_BYTES];
	size_t		 la, lb, lm, n;
	char		*t;

	la = sodium_base64_ENCODED_LEN(alen,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	lb = sodium_base64_ENCODED_LEN(blen,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	lm = sodium_base64_ENCODED_LEN(sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if ((t = malloc(la + lb + lm + 2)) == NULL)
		return NULL;
	sodium_bin2base64(t, la, a, alen,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	n = strlen(t);
	t[n++] = '.';
	sodium_bin2base64(t + n, lb, b, blen,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	n += strlen(t + n);
	crypto_auth_hmacsha256(mac, (const unsigned char *)t, n, cfg.key);
	t[n++] = '.';
	sodium_bin2base64(t + n, lm, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nl;
	char		*s, *t;

	fuzz_setup();

	/* 1. The input as a token. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)token_shape_ok(s);
	fuzz_verify(&cfg, s);
	fuzz_verify(&cfg_aud, s);
	free(s);

	/* 2. The input as header and payload JSON, MACed with our key. */
	if (size > 2 * JA_TOKEN_MAX)
		return 0;
	if ((nl = memchr(data, '\n', size)) != NULL)
		t = fuzz_sign(data, (size_t)(nl - data), nl + 1,
		    size - (size_t)(nl - data) - 1);
	else
		t = fuzz_sign((const uint8_t *)HDR, sizeof(HDR) - 1, data,
		    size);
	if (t != NULL) {
		fuzz_verify(&cfg, t);
		fuzz_verify(&cfg_aud, t);
		free(t);
	}
	return 0;
}
