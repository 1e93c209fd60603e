/*
 * csrf.c: protection of cookie-authenticated forms against cross-site
 * request forgery, login included (OWASP CSRF cheat sheet: "signed
 * double-submit cookie" plus origin verification).
 *
 * A random nonce lives in an HttpOnly cookie; each form carries
 * HMAC(secret, nonce) in a hidden field, or, once the browser has a
 * session, HMAC(secret, nonce, sid): bound to the session its access
 * cookie names (token_sid(), whose signature is ours, expired or not,
 * so a page outlives a refresh).  A request passes when its Origin (or,
 * without one, its Referer) is one of our site's origins and the field
 * matches the cookie's nonce and the session of the request (compared in
 * constant time).  An attacker who can plant a cookie still cannot
 * compute the field; one who planted a nonce before the victim signed in,
 * and read the form token of it, holds a token the signed-in session no
 * longer accepts (OWASP CSRF cheat sheet: tie the token to the session).
 * These checks write no answer (the unit tests link them without
 * FastCGI); csrf_nonce.c sets the nonce cookie.
 */
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "jwtauth.h"

#define CSRF_LABEL	"jwtauth csrf v1"

/*
 * The form token for nonce and session sid (NULL or "": none) under
 * secret key (keylen bytes) into out.
 */
static int
csrf_token_with(const unsigned char *key, size_t keylen, const char *nonce,
    const char *sid, char *out, size_t outlen)
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 mac[crypto_auth_hmacsha256_BYTES];
	int				 rc;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)CSRF_LABEL,
	    sizeof(CSRF_LABEL));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)nonce,
	    strlen(nonce));
	if (sid != NULL && *sid != '\0') {
		/* A NUL between them: no (nonce, sid) reads as another. */
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)"",
		    1);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)sid,
		    strlen(sid));
	}
	crypto_auth_hmacsha256_final(&st, mac);
	rc = b64url_encode(out, outlen, mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(mac, sizeof(mac));
	return rc;
}

/*
 * Writes the form token for nonce and session sid (NULL or "": no
 * session) under the current secret into out (outlen > CSRF_TOKEN_LEN).
 */
int
csrf_token(const struct config *cfg, const char *nonce, const char *sid,
    char *out, size_t outlen)
{
	return csrf_token_with(cfg->secret, cfg->secretlen, nonce, sid, out,
	    outlen);
}

/*
 * Returns 1 if the n bytes at given are the origin "scheme://host" +
 * rest (compared without regard to case, RFC 6454 §6.2: scheme and host
 * are case-insensitive).
 */
static int
csrf_origin_is(const char *given, size_t n, const char *scheme,
    const char *host, size_t hostlen)
{
	size_t	 slen = strlen(scheme);

	return n == slen + 3 + hostlen && strncasecmp(given, scheme, slen) ==
	    0 && strncmp(given + slen, "://", 3) == 0 &&
	    strncasecmp(given + slen + 3, host, hostlen) == 0;
}

/*
 * Returns 1 if the request comes from one of our site's origins: its
 * Origin header (RFC 6454 §7), or without one the origin part of its
 * Referer, is the request's own scheme://Host, or one of the origins
 * listed in the config's origin (separated by spaces; for a proxy that
 * ends TLS, or a form on another of our host names).  A browser cannot
 * be made to send another site's Host, so the request's own origin is
 * never a cross-site one.  Neither header, or "null": 0.
 */
int
csrf_origin_ok(const struct config *cfg, const struct request *req)
{
	const char	*given, *p, *end;
	size_t		 n, len;

	if ((given = req->origin) != NULL)
		n = strlen(given);
	else if ((given = req->referer) != NULL &&
	    (p = strstr(given, "://")) != NULL)
		n = (size_t)(p + 3 - given) + strcspn(p + 3, "/?#");
	else
		return 0;
	if (req->host != NULL && csrf_origin_is(given, n, req->https ?
	    "https" : "http", req->host, strlen(req->host)))
		return 1;
	for (p = cfg->origin; p != NULL && *p != '\0'; p = end) {
		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		end = p + len;
		if (len > 0 && len == n && strncasecmp(given, p, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * Reads the nonce cookie into nonce (len > CSRF_NONCE_LEN); returns 1 if
 * it has our shape, else 0.
 */
int
csrf_nonce(const struct request *req, char *nonce, size_t len)
{
	return cookie_get(req->cookies, cookie_name(req, COOKIE_CSRF), nonce,
	    len) == JA_OK && strlen(nonce) == CSRF_NONCE_LEN &&
	    b64url_is_alphabet(nonce, CSRF_NONCE_LEN);
}

/* Returns 1 if given is the form token of nonce and sid under key. */
static int
csrf_matches(const unsigned char *key, size_t keylen, const char *nonce,
    const char *sid, const char *given)
{
	char	 want[CSRF_TOKEN_LEN + 1];
	int	 ok;

	if (csrf_token_with(key, keylen, nonce, sid, want, sizeof(want)) !=
	    JA_OK)
		return 0;
	ok = sodium_memcmp(want, given, CSRF_TOKEN_LEN) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}

/*
 * Returns JA_OK if the request passes both checks above with form token
 * given (may be NULL), bound to session sid (NULL or "": the request
 * names none), else JA_EAUTH.  The token may be one of the current
 * secret or of an old one (old_secret_files), so that forms served
 * before a rotation of the secret still work; each is compared in
 * constant time, and all of them are tried.
 */
int
csrf_check(const struct config *cfg, const struct request *req,
    const char *given, const char *sid)
{
	char	 nonce[CSRF_NONCE_LEN + 1];
	size_t	 i;
	int	 ok;

	if (!csrf_origin_ok(cfg, req))
		return JA_EAUTH;
	if (given == NULL || strlen(given) != CSRF_TOKEN_LEN ||
	    !csrf_nonce(req, nonce, sizeof(nonce)))
		return JA_EAUTH;
	ok = csrf_matches(cfg->secret, cfg->secretlen, nonce, sid, given);
	for (i = 0; i < cfg->nold_secrets; i++)
		ok |= csrf_matches(cfg->old_secrets[i].key,
		    cfg->old_secrets[i].len, nonce, sid, given);
	return ok ? JA_OK : JA_EAUTH;
}
