/*
 * route_jwks.c: GET BASE/jwks.json (also /.well-known/jwks.json by the
 * web server's config): the JWK Set of our public keys (RFC 7517 §5,
 * jwks.c), so that other services verify our RS256 and ES256 tokens on
 * their own.  Public, so it may be cached (RFC 9111 §5.2.2.9): five
 * minutes, which is as long as a new key should be published before it
 * signs (see "Rotating keys" in docs/operations.md).
 */
#include "jwtauth.h"

void
route_jwks(struct ctx *ctx)
{
	json_t	*set;

	if ((set = jwks_json(ctx->cfg)) == NULL) {
		response_error(ctx->resp, ctx->req, 500, "server_error",
		    "The key set could not be made.");
		return;
	}
	response_json(ctx->resp, 200, set);
	if (ctx->resp->status == 200)
		ctx->resp->cache_control = "public, max-age=300";
}
