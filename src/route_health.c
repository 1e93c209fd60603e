/*
 * route_health.c: GET BASE/health, for load balancers and monitoring:
 * 200 {"status":"ok","database":"ok","revocation_cache":STATE} when the
 * database answers and takes writes, else 503 with "status"
 * "unavailable" and "database" "unavailable" (no answer) or "read-only"
 * (the server reached answers but refuses writes: one fenced with
 * default_transaction_read_only, or a standby reached with
 * target_session_attrs=any).
 * STATE is this process's revocation cache (revcache_health): "strict",
 * "listening" or "reloading".  A load balancer may take a 503 out of
 * rotation; "reloading" alone is no fault (checks go to the database).
 */
#include <string.h>

#include "jwtauth.h"

void
route_health(struct ctx *ctx)
{
	const char	*state, *database;
	int		 up;

	up = db_ping(ctx->db);
	if (up)
		database = "ok";
	else if (strcmp(db_sqlstate(ctx->db), "25006") == 0)
		database = "read-only";
	else
		database = "unavailable";
	state = revcache_health(ctx->db, ctx->cfg, ctx->now);
	response_json(ctx->resp, up ? 200 : 503, json_pack("{s:s,s:s,s:s}",
	    "status", up ? "ok" : "unavailable", "database", database,
	    "revocation_cache", state));
}
