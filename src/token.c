/*
 * token.c: the verification of access tokens, JWTs (RFC 7519) signed
 * HS256, RS256 or ES256 (RFC 7518 §3.2 to §3.4) with the key that the
 * header's kid names (keys.c).
 *
 * Debian 12's libjwt 1.10.2 signs and checks the signature, but it
 * trusts the header's "alg" (case-insensitively), skips the signature
 * with an empty key, checks no claim, crashes on tokens of a few MB and
 * on empty segments, and its base64 decoder skips invalid characters.
 * So libjwt only signs (token_issue.c).  token_verify() checks the
 * token's shape, decodes header and payload itself, strictly, selects
 * the key by kid and pins the algorithm to that key's own (RFC 8725
 * §3.1), checks an HMAC with libsodium in constant time and an RSA or
 * ECDSA signature with OpenSSL, and takes the claims from its own
 * strict parse (duplicate keys refused, each claim of its JSON type).
 */
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

#define TOKEN_HDR_MAX	512
#define TOKEN_PAY_MAX	3072
#define TOKEN_SIG_MAX	512	/* an RSA-4096 signature */
#define TOKEN_TTL_MAX	86400	/* the upper bound of access_ttl */
#define TOKEN_AMR_MAX	8	/* amr values at the most */

/*
 * Returns 1 if token is shaped like a compact JWS (RFC 7515 §7.1): at
 * most JA_TOKEN_MAX bytes, exactly three non-empty base64url segments.
 * This runs before libjwt sees the token, which crashes on long tokens
 * and writes out of bounds on empty segments.
 */
int
token_shape_ok(const char *token)
{
	const char	*seg, *dot;
	size_t		 len, n;
	int		 i;

	if (token == NULL)
		return 0;
	len = strnlen(token, JA_TOKEN_MAX + 1);
	if (len == 0 || len > JA_TOKEN_MAX)
		return 0;
	seg = token;
	for (i = 0; i < 3; i++) {
		dot = memchr(seg, '.', len - (size_t)(seg - token));
		if ((dot == NULL) != (i == 2))
			return 0;
		n = dot != NULL ? (size_t)(dot - seg) :
		    len - (size_t)(seg - token);
		if (n == 0 || !b64url_is_alphabet(seg, n))
			return 0;
		seg += n + 1;
	}
	return 1;
}

/* Decodes segment [s, s+len) strictly and parses it as a JSON object. */
static json_t *
token_segment_json(const char *s, size_t len, size_t max)
{
	unsigned char	 raw[TOKEN_PAY_MAX];
	size_t		 rawlen;
	json_t		*j;

	if (max > sizeof(raw) ||
	    b64url_decode(raw, max, &rawlen, s, len) != JA_OK)
		return NULL;
	j = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES,
	    NULL);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/*
 * Checks the JOSE header (RFC 7515 §4.1): "alg", "typ" and "kid" all
 * present, strings, and no other member ("crit", "jku", "x5u" ... are
 * refused); "typ" exactly "JWT"; "kid" names one of our keys and "alg"
 * is exactly that key's algorithm (pinned per key, case-sensitive: RFC
 * 8725 §3.1), so an HS256 token with the kid of an RSA key is refused,
 * never MACed with its public key.  Fills ref with the key.
 */
static int
token_check_header(const struct config *cfg, json_t *h, struct keyref *ref)
{
	const char	*key, *alg = NULL, *kid = NULL;
	json_t		*v;
	int		 typ = 0;

	json_object_foreach(h, key, v) {
		if (!json_is_string(v))
			return 0;
		if (strcmp(key, "alg") == 0)
			alg = json_string_value(v);
		else if (strcmp(key, "typ") == 0) {
			if (strcmp(json_string_value(v), "JWT") != 0)
				return 0;
			typ = 1;
		} else if (strcmp(key, "kid") == 0)
			kid = json_string_value(v);
		else
			return 0;
	}
	return alg != NULL && kid != NULL && typ &&
	    keys_select(cfg, kid, ref) == JA_OK &&
	    strcmp(alg, keys_alg_name(ref->alg)) == 0;
}

/* Copies the string claim name (at most max bytes) into dst. */
static int
token_claim_str(const json_t *p, const char *name, char *dst, size_t max)
{
	json_t	*v = json_object_get(p, name);
	size_t	 len;

	if (!json_is_string(v))
		return 0;
	len = json_string_length(v);
	if (len == 0 || len > max || strlen(json_string_value(v)) != len)
		return 0;
	memcpy(dst, json_string_value(v), len + 1);
	return 1;
}

/* Reads the integer claim name (RFC 7519 §2 NumericDate) into *out. */
static int
token_claim_int(const json_t *p, const char *name, int64_t *out, int need)
{
	json_t	*v = json_object_get(p, name);

	if (v == NULL)
		return !need;
	if (!json_is_integer(v))
		return 0;
	*out = (int64_t)json_integer_value(v);
	return 1;
}

/*
 * Reads the optional amr claim (RFC 8176 §2): when present, an array of
 * at most TOKEN_AMR_MAX short strings; *otp is 1 if it holds "otp" or
 * "mfa" (a passkey with user verification: token_issue.c).  A
 * token without amr (issued before it existed) says no second factor.
 */
static int
token_claim_amr(const json_t *p, int *otp)
{
	json_t	*a = json_object_get(p, "amr"), *v;
	size_t	 i;

	*otp = 0;
	if (a == NULL)
		return 1;
	if (!json_is_array(a) || json_array_size(a) > TOKEN_AMR_MAX)
		return 0;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > 16)
			return 0;
		if (strcmp(json_string_value(v), "otp") == 0 ||
		    strcmp(json_string_value(v), "mfa") == 0)
			*otp = 1;
	}
	return 1;
}

/*
 * Checks the claims (RFC 7519 §4.1): iss equal to ours; aud, when
 * present or configured, ours (§4.1.3: present but not ours is a
 * rejection); sub and sid UUIDs; jti of 128 bits; token_use "access";
 * iat, exp (and nbf if present) integers, with now inside
 * [nbf - leeway, exp + leeway), iat not in the future and exp - iat at
 * most a day (the bound of access_ttl).
 */
static int
token_check_claims(const struct config *cfg, const json_t *p, time_t now,
    struct claims *c)
{
	char		 buf[JA_NAME_MAX + 1];
	json_t		*aud;
	int64_t		 nbf = 0;

	if (!token_claim_str(p, "iss", buf, sizeof(buf) - 1) ||
	    strcmp(buf, cfg->issuer) != 0)
		return 0;
	aud = json_object_get(p, "aud");
	if (cfg->audience != NULL || aud != NULL) {
		if (cfg->audience == NULL || !json_is_string(aud) ||
		    strcmp(json_string_value(aud), cfg->audience) != 0)
			return 0;
	}
	if (!token_claim_str(p, "token_use", buf, sizeof(buf) - 1) ||
	    strcmp(buf, TOKEN_USE) != 0)
		return 0;
	if (!token_claim_str(p, "sub", c->sub, JA_UUID_LEN) ||
	    !text_is_uuid(c->sub) ||
	    !token_claim_str(p, "sid", c->sid, JA_UUID_LEN) ||
	    !text_is_uuid(c->sid) ||
	    !token_claim_str(p, "jti", c->jti, JA_JTI_LEN) ||
	    strlen(c->jti) != JA_JTI_LEN ||
	    !b64url_is_alphabet(c->jti, JA_JTI_LEN) ||
	    !token_claim_str(p, "username", c->username, JA_NAME_MAX))
		return 0;
	if (!token_claim_amr(p, &c->otp))
		return 0;
	if (!token_claim_int(p, "iat", &c->iat, 1) ||
	    !token_claim_int(p, "exp", &c->exp, 1) ||
	    !token_claim_int(p, "nbf", &nbf, 0))
		return 0;
	/* Ordered so that nothing can overflow: iat is positive and the
	 * lifetime bounded by access_ttl's bound, so exp is small too. */
	if (c->iat <= 0 || c->exp <= c->iat ||
	    c->exp - c->iat > TOKEN_TTL_MAX ||
	    (int64_t)now - cfg->leeway >= c->exp ||
	    c->iat > (int64_t)now + cfg->leeway ||
	    nbf > (int64_t)now + cfg->leeway)
		return 0;
	return 1;
}

/*
 * Checks sig (32 bytes) against HMAC-SHA256 under our key of the signing
 * input, the first len bytes of token (RFC 7515 §5.2), comparing in
 * constant time.  libjwt checks the signature too; this check does not
 * rely on how it compares.
 */
static int
token_mac_ok(const struct keyref *ref, const char *token, size_t len,
    const unsigned char *sig)
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 mac[crypto_auth_hmacsha256_BYTES];
	int				 ok;

	crypto_auth_hmacsha256_init(&st, ref->hs, ref->hslen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)token, len);
	crypto_auth_hmacsha256_final(&st, mac);
	ok = sodium_memcmp(mac, sig, sizeof(mac)) == 0;
	sodium_memzero(mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
	return ok;
}

/*
 * Returns 1 if the header segment [seg, seg+len) is a header we accept
 * (token_check_header), with its key in ref.  Every token signed with
 * one key has the same header bytes, so the last header that passed is
 * kept for each key (slot 0 the signing key, then the verify keys) with
 * the kid and algorithm it passed for; a byte-equal one passes without
 * being decoded again while that key is unchanged.  Any other header
 * goes through the strict decode and check.
 */
static int
token_header_ok(const struct config *cfg, const char *seg, size_t len,
    struct keyref *ref)
{
	static struct {
		char		 hdr[TOKEN_HDR_MAX * 2];
		size_t		 len;
		char		 kid[JA_KID_MAX + 1];
		enum key_alg	 alg;
	} last[1 + JA_VERIFY_MAX];
	json_t		*hdr;
	size_t		 i;
	int		 ok;

	for (i = 0; i <= cfg->nverify && i <= JA_VERIFY_MAX; i++) {
		if (last[i].len != len || memcmp(seg, last[i].hdr, len) != 0)
			continue;
		if (keys_select(cfg, last[i].kid, ref) == JA_OK &&
		    ref->slot == i && ref->alg == last[i].alg)
			return 1;
		break;
	}
	hdr = token_segment_json(seg, len, TOKEN_HDR_MAX);
	ok = hdr != NULL && token_check_header(cfg, hdr, ref);
	json_decref(hdr);
	if (ok && len <= sizeof(last[0].hdr) && ref->slot <= JA_VERIFY_MAX &&
	    strlen(ref->kid) < sizeof(last[0].kid)) {
		i = ref->slot;
		memcpy(last[i].hdr, seg, len);
		last[i].len = len;
		memcpy(last[i].kid, ref->kid, strlen(ref->kid) + 1);
		last[i].alg = ref->alg;
	}
	return ok;
}

/*
 * Returns 1 if the signature segment sig64 is a valid signature of the
 * signing input [token, token+len) (RFC 7515 §5.2) under key ref: of
 * exactly the length of that key's signatures, then an HMAC compared in
 * constant time (HS256) or an RSA or ECDSA signature (keys.c).
 */
static int
token_sig_ok(const struct keyref *ref, const char *token, size_t len,
    const char *sig64)
{
	unsigned char	 sig[TOKEN_SIG_MAX];
	size_t		 want = keys_sig_len(ref), siglen;

	if (want == 0 || want > sizeof(sig) ||
	    strlen(sig64) != (want * 4 + 2) / 3 ||
	    b64url_decode(sig, sizeof(sig), &siglen, sig64,
	    strlen(sig64)) != JA_OK || siglen != want)
		return 0;
	if (ref->alg == KEY_HS256)
		return token_mac_ok(ref, token, len, sig);
	return keys_verify_sig(ref, (const unsigned char *)token, len, sig,
	    siglen);
}

/*
 * The session id (sid) of token when its header and signature are ours
 * (RFC 7515 §5.2), whether or not its exp has passed: what a browser's
 * access cookie names for binding a form's CSRF token to its session
 * (csrf.c), an expired cookie included, since a refresh keeps the sid.
 * Nothing else of the claims is checked: it grants nothing.  Returns
 * JA_OK with the id in sid (JA_UUID_LEN + 1 bytes), or JA_EAUTH.
 */
int
token_sid(const struct config *cfg, const char *token, char *sid)
{
	struct keyref	 ref;
	const char	*d1, *d2;
	json_t		*pay = NULL;
	int		 rc = JA_EAUTH;

	sid[0] = '\0';
	if (!token_shape_ok(token))
		return JA_EAUTH;
	d1 = strchr(token, '.');
	d2 = strchr(d1 + 1, '.');
	if (token_header_ok(cfg, token, (size_t)(d1 - token), &ref) &&
	    token_sig_ok(&ref, token, (size_t)(d2 - token), d2 + 1) &&
	    (pay = token_segment_json(d1 + 1, (size_t)(d2 - d1 - 1),
	    TOKEN_PAY_MAX)) != NULL &&
	    token_claim_str(pay, "sid", sid, JA_UUID_LEN) && text_is_uuid(sid))
		rc = JA_OK;
	if (rc != JA_OK)
		sid[0] = '\0';
	json_decref(pay);
	return rc;
}

/*
 * Verifies token as one of our access tokens at time now: shape, header
 * (the key its kid names and that key's algorithm only, RFC 8725 §3.1),
 * the signature under that key (RFC 7515 §5.2; an HMAC compared in
 * constant time), then the claims from our own strict parse.  libjwt is
 * not asked: its decoder trusts the header's alg and computes the same
 * HMAC again, at twice the cost of all the rest.  Returns JA_OK with the
 * claims in c, or JA_EAUTH for any doubt at all.  It does not consult
 * the database: the caller checks revocation (revcache_check) next.
 */
int
token_verify(const struct config *cfg, const char *token, time_t now,
    struct claims *c)
{
	struct keyref	 ref;
	const char	*d1, *d2;
	json_t		*pay = NULL;
	int		 rc = JA_EAUTH;

	memset(c, 0, sizeof(*c));
	if (!token_shape_ok(token))
		return JA_EAUTH;
	d1 = strchr(token, '.');
	d2 = strchr(d1 + 1, '.');
	if (!token_header_ok(cfg, token, (size_t)(d1 - token), &ref))
		goto out;
	if (!token_sig_ok(&ref, token, (size_t)(d2 - token), d2 + 1))
		goto out;
	if ((pay = token_segment_json(d1 + 1, (size_t)(d2 - d1 - 1),
	    TOKEN_PAY_MAX)) == NULL || !token_check_claims(cfg, pay, now, c))
		goto out;
	rc = JA_OK;
out:
	if (rc != JA_OK)
		memset(c, 0, sizeof(*c));
	json_decref(pay);
	return rc;
}
