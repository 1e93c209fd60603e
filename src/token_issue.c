/*
 * token_issue.c: issuing access tokens, JWTs (RFC 7519) signed with the
 * signing key (key_alg, key_file, key_id: RFC 7518 §3.2 to §3.4) by
 * libjwt, which only signs: their verification is token.c's.  Each
 * token carries iss, sub, username, sid, a random jti, token_use
 * (RFC 8725 §3.11), iat, exp, amr (RFC 8176) and aud when configured;
 * its header names the key (kid).
 */
#include <string.h>

#include <jwt.h>

#include "jwtauth.h"

/*
 * Issues an access token for user sub (a UUID) named username in
 * session sid, valid from now for cfg->access_ttl seconds.  On JA_OK,
 * *out holds the token (free(3) it) and c the claims issued.
 */
int
token_issue(const struct config *cfg, const char *sub, const char *username,
    const char *sid, time_t now, struct claims *c, char **out)
{
	return token_issue_amr(cfg, sub, username, sid, 0, now, c, out);
}

/*
 * token_issue() with the amr claim (RFC 8176 §2) saying how the user
 * signed in, from the AMR_* bits of otp: ["pwd"], or ["pwd","otp"] with
 * AMR_MFA (a one-time password, TOTP or a recovery code, after the
 * password); with AMR_HWK a passkey (a key in an authenticator:
 * "hwk"; its user present, the UP flag: "user"), ["hwk","user"], and
 * ["hwk","user","mfa"] with AMR_MFA (UV: the authenticator verified the
 * user by a PIN or a biometric, which WebAuthn does not say, a second
 * factor: "mfa"); with AMR_PWD as well, a password first and a passkey
 * as its second factor: ["pwd","hwk","user","mfa"].
 */
int
token_issue_amr(const struct config *cfg, const char *sub,
    const char *username, const char *sid, int otp, time_t now,
    struct claims *c, char **out)
{
	jwt_t	*jwt = NULL;
	char	*s;
	int	 rc = JA_ENOMEM;

	*out = NULL;
	memset(c, 0, sizeof(*c));
	if (strlen(sub) > JA_UUID_LEN || strlen(sid) > JA_UUID_LEN ||
	    strlen(username) > JA_NAME_MAX)
		return JA_EINVAL;
	strcpy(c->sub, sub);
	strcpy(c->sid, sid);
	strcpy(c->username, username);
	if (random_b64url(c->jti, sizeof(c->jti), 16) != JA_OK)
		return JA_EINVAL;
	c->iat = now;
	c->exp = now + cfg->access_ttl;
	c->otp = (otp & AMR_MFA) != 0;

	if (jwt_new(&jwt) != 0)
		goto out;
	if (jwt_add_grants_json(jwt, (otp & AMR_HWK) ? ((otp & AMR_PWD) ?
	    "{\"amr\":[\"pwd\",\"hwk\",\"user\",\"mfa\"]}" : c->otp ?
	    "{\"amr\":[\"hwk\",\"user\",\"mfa\"]}" :
	    "{\"amr\":[\"hwk\",\"user\"]}") : c->otp ?
	    "{\"amr\":[\"pwd\",\"otp\"]}" : "{\"amr\":[\"pwd\"]}"))
		goto out;
	if (jwt_add_grant(jwt, "iss", cfg->issuer) ||
	    jwt_add_grant(jwt, "sub", c->sub) ||
	    jwt_add_grant(jwt, "username", c->username) ||
	    jwt_add_grant(jwt, "sid", c->sid) ||
	    jwt_add_grant(jwt, "jti", c->jti) ||
	    jwt_add_grant(jwt, "token_use", TOKEN_USE) ||
	    jwt_add_grant_int(jwt, "iat", (long)c->iat) ||
	    jwt_add_grant_int(jwt, "exp", (long)c->exp))
		goto out;
	if (cfg->audience != NULL && jwt_add_grant(jwt, "aud",
	    cfg->audience))
		goto out;
	if (jwt_add_header(jwt, "kid", cfg->key_id))
		goto out;
	if (cfg->sign_alg == KEY_HS256 ? jwt_set_alg(jwt, JWT_ALG_HS256,
	    cfg->key, (int)cfg->keylen) : cfg->sign_pem == NULL ||
	    jwt_set_alg(jwt, cfg->sign_alg == KEY_RS256 ? JWT_ALG_RS256 :
	    JWT_ALG_ES256, (const unsigned char *)cfg->sign_pem,
	    (int)cfg->sign_pemlen))
		goto out;
	if ((s = jwt_encode_str(jwt)) == NULL)
		goto out;
	*out = s;
	rc = JA_OK;
out:
	jwt_free(jwt);
	return rc;
}
