/*
 * route_health.c: GET BASE/health, for load balancers and monitoring:
 * 200 {"status":"ok"} when the database answers, 503 otherwise.
 */
#include "jwtauth.h"

void
route_health(struct ctx *ctx)
{
	ctx->req->html = 0;
	if (db_ping(ctx->db))
		response_json(ctx->resp, 200, json_pack("{s:s}", "status",
		    "ok"));
	else
		response_json(ctx->resp, 503, json_pack("{s:s}", "status",
		    "unavailable"));
}
