/*
 * route_sessions.c: GET BASE/sessions, the signed-in user's live
 * sessions as JSON: {"sessions":[{"id","created","last_used",
 * "user_agent","ip","current"}]}, oldest first.
 */
#include <string.h>

#include "jwtauth.h"

struct sessions_list {
	json_t		*arr;
	const char	*current;
};

static void
sessions_add(const char *const *row, void *arg)
{
	struct sessions_list	*l = arg;

	json_array_append_new(l->arr, json_pack("{s:s, s:s, s:s, s:s, s:s, "
	    "s:b}", "id", row[0], "created", row[1], "last_used", row[2],
	    "user_agent", row[3], "ip", row[4], "current",
	    strcmp(row[0], l->current) == 0));
}

void
route_sessions(struct ctx *ctx)
{
	struct sessions_list	 l;
	struct claims		 c;
	int			 rc;

	ctx->req->html = 0;
	rc = auth_request(ctx, &c);
	if (rc == JA_OK) {
		l.arr = json_array();
		l.current = c.sid;
		rc = db_session_list(ctx->db, ctx->cfg, c.sub, sessions_add,
		    &l);
		if (rc == JA_OK)
			response_json(ctx->resp, 200, json_pack("{s:o}",
			    "sessions", l.arr));
		else
			json_decref(l.arr);
	}
	if (rc != JA_OK)
		bounce(ctx, rc, ctx->req->path);
}
