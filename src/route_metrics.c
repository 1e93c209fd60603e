/*
 * route_metrics.c: GET BASE/metrics, the shared counters (metrics.c) in
 * the Prometheus text exposition format, version 0.0.4: per family one
 * "# HELP" and one "# TYPE NAME counter" line, then one line per label
 * set.  Only for the addresses in metrics_allow (the client's address
 * as proxy.c finds it); any other client, and every client when the
 * key is unset, gets the same 404 as a path that does not exist.
 */
#include <inttypes.h>
#include <string.h>

#include "jwtauth.h"

void
route_metrics(struct ctx *ctx)
{
	const struct metrics_desc	*d;
	struct buf			*b = &ctx->resp->body;
	size_t				 i;

	if (!text_in_list(ctx->cfg->metrics_allow, ctx->req->client,
	    strlen(ctx->req->client))) {
		response_error(ctx->resp, ctx->req, 404, "not_found",
		    "There is nothing here.");
		return;
	}
	answer_kind_set(ctx, ANSWER_JSON);
	if (!metrics_on()) {
		response_error(ctx->resp, ctx->req, 503, "unavailable",
		    "The counters are off: see the error log.");
		return;
	}
	for (i = 0; i < METRIC_COUNT; i++) {
		d = &metrics_descs[i];
		if (d->help != NULL)
			buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n",
			    d->name, d->help, d->name);
		if (d->label != NULL)
			buf_printf(b, "%s{%s} %" PRIu64 "\n", d->name,
			    d->label, metrics_get((enum metric)i));
		else
			buf_printf(b, "%s %" PRIu64 "\n", d->name,
			    metrics_get((enum metric)i));
	}
	ctx->resp->status = 200;
	response_header(ctx->resp, "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
}
