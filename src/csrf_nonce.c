/*
 * csrf_nonce.c: the CSRF nonce cookie of a form this response carries
 * (see csrf.c).  Apart from csrf.c because it writes to the response:
 * the checks in csrf.c stay free of FastCGI, for the unit tests.
 */
#include "jwtauth.h"

/*
 * Writes the form token for this browser into token, setting a new nonce
 * cookie on resp when the request has none.  Returns JA_OK or JA_EINVAL.
 */
int
csrf_ensure_nonce(const struct config *cfg, const struct request *req,
    struct response *resp, char *token, size_t tokenlen)
{
	char	 nonce[CSRF_NONCE_LEN + 1];

	if (!csrf_nonce(req, nonce, sizeof(nonce))) {
		if (random_b64url(nonce, sizeof(nonce), 16) != JA_OK)
			return JA_EINVAL;
		response_cookie(resp, req, cfg, COOKIE_CSRF, nonce,
		    cfg->refresh_ttl);
	}
	return csrf_token(cfg, nonce, token, tokenlen);
}
