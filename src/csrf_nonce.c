/*
 * csrf_nonce.c: the request's side of csrf.c: the session a browser's
 * form is bound to, the check of a posted form token against it, and the
 * nonce cookie of a form this response carries.  Apart from csrf.c,
 * whose checks take every input as an argument (the unit tests).
 */
#include <sodium.h>

#include "jwtauth.h"

/*
 * The session a browser's form is bound to into sid (JA_UUID_LEN + 1
 * bytes): the sid of the access cookie when its signature is ours
 * (token_sid: expired or not, so a page outlives its access token),
 * else "".  A request with an Authorization header names none: no
 * browser form carries one, and the Bearer token goes before the cookie
 * (auth_find_token).
 */
void
csrf_form_sid(const struct config *cfg, const struct request *req,
    char *sid)
{
	char	 tok[JA_TOKEN_MAX + 1];

	sid[0] = '\0';
	if (req->authorization == NULL && cookie_get(req->cookies,
	    cookie_name(req, COOKIE_ACCESS), tok, sizeof(tok)) == JA_OK &&
	    tok[0] != '\0')
		(void)token_sid(cfg, tok, sid);
	sodium_memzero(tok, sizeof(tok));
}

/*
 * csrf_check() of the posted form token given (may be NULL), bound to
 * the session of the request (csrf_form_sid).  Returns JA_OK or
 * JA_EAUTH.
 */
int
csrf_check_request(const struct config *cfg, const struct request *req,
    const char *given)
{
	char	 sid[JA_UUID_LEN + 1];

	csrf_form_sid(cfg, req, sid);
	return csrf_check(cfg, req, given, sid);
}

/*
 * Writes the form token for this browser and its session sid (NULL or
 * "": none) into token, setting a new nonce cookie on resp when the
 * request has none.  Returns JA_OK or JA_EINVAL.
 */
int
csrf_ensure_nonce(const struct config *cfg, const struct request *req,
    const char *sid, struct response *resp, char *token, size_t tokenlen)
{
	char	 nonce[CSRF_NONCE_LEN + 1];

	if (!csrf_nonce(req, nonce, sizeof(nonce))) {
		if (random_b64url(nonce, sizeof(nonce), 16) != JA_OK)
			return JA_EINVAL;
		response_cookie(resp, req, cfg, COOKIE_CSRF, nonce,
		    cfg->refresh_ttl);
	}
	return csrf_token(cfg, nonce, sid, token, tokenlen);
}
