/*
 * route_health.c: GET BASE/health, for load balancers and monitoring:
 * 200 {"status":"ok","database":"ok","revocation_cache":STATE} when the
 * database answers, else 503 with "status" and "database" "unavailable".
 * STATE is this process's revocation cache (revcache_health): "strict",
 * "listening" or "reloading".  A load balancer may take a 503 out of
 * rotation; "reloading" alone is no fault (checks go to the database).
 */
#include "jwtauth.h"

void
route_health(struct ctx *ctx)
{
	const char	*state;
	int		 up;

	ctx->req->html = 0;
	up = db_ping(ctx->db);
	state = revcache_health(ctx->db, ctx->cfg, ctx->now);
	response_json(ctx->resp, up ? 200 : 503, json_pack("{s:s,s:s,s:s}",
	    "status", up ? "ok" : "unavailable",
	    "database", up ? "ok" : "unavailable",
	    "revocation_cache", state));
}
