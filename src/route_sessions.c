/*
 * route_sessions.c: GET BASE/sessions, the signed-in user's live
 * sessions as JSON: {"sessions":[{"id","created","last_used",
 * "user_agent","ip","current"}]}, oldest first (a browser is sent to
 * BASE/account instead); POST
 * BASE/sessions/ID/end ends one of them (204), and 404 for any id that
 * is not a live session of this user, another user's included.
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
	    "s:b, s:b}", "id", row[0], "created", row[1], "last_used", row[2],
	    "user_agent", row[3], "ip", row[4], "current",
	    strcmp(row[0], l->current) == 0, "remembered",
	    strcmp(row[5], "true") == 0));
}

void
route_sessions(struct ctx *ctx)
{
	struct sessions_list	 l;
	struct claims		 c;
	int			 rc;

	/* A person in a browser wants the account page, not JSON. */
	if (answer_is_page(ctx)) {
		answer_account(ctx, NULL);
		return;
	}
	rc = auth_request(ctx, &c);
	if (rc == OUT_OK) {
		if ((l.arr = json_array()) == NULL) {
			response_error(ctx->resp, ctx->req, 500,
			    "server_error", "Something went wrong.");
			return;
		}
		l.current = c.sid;
		rc = db_session_list(ctx->db, ctx->cfg, c.sub, sessions_add,
		    &l);
		if (rc == JA_OK)
			response_json(ctx->resp, 200, json_pack("{s:o}",
			    "sessions", l.arr));
		else {
			json_decref(l.arr);
			rc = OUT_UNAVAILABLE;
		}
	}
	if (rc != OUT_OK)
		answer_refuse_kind(ctx, rc, ctx->req->path);
}

/*
 * POST BASE/sessions/ID/end: ends session ID of the signed-in user.  A
 * cookie-authenticated request needs the CSRF token (form field csrf);
 * ending the session in use also clears its cookies.
 */
void
route_session_end(struct ctx *ctx)
{
	struct body	 b;
	struct claims	 c;
	struct outcome	 o;
	char		 sid[JA_UUID_LEN + 1];
	const char	*rest = ctx->route_rest;
	int		 cookie = 0, rc;

	if (body_read(ctx, &b, &o) != OUT_OK)
		goto out;
	if (outcome_set(&o, auth_form_request(ctx, &b, &c, &cookie)) != OUT_OK)
		goto out;
	if (strlen(rest) != JA_UUID_LEN + 4 ||
	    strcmp(rest + JA_UUID_LEN, "/end") != 0) {
		outcome_set(&o, OUT_NOT_FOUND);
		goto out;
	}
	memcpy(sid, rest, JA_UUID_LEN);
	sid[JA_UUID_LEN] = '\0';
	rc = db_mfa_session_end(ctx->db, sid, c.sub);
	if (rc == JA_ENOTFOUND) {
		outcome_set(&o, OUT_NOT_FOUND);
		o.message = "You have no such session.";
		goto out;
	}
	if (rc != JA_OK) {
		outcome_set(&o, OUT_UNAVAILABLE);
		goto out;
	}
	db_audit(ctx->db, "logout", c.sub, c.username, sid, ctx->req,
	    "device: ended by its user");
	if (strcmp(sid, c.sid) == 0 && cookie)
		auth_clear_cookies(ctx);
	if (strcmp(sid, c.sid) == 0)
		answer_done(ctx, "/login", NULL);
	else
		answer_done(ctx, "/account", "ended");
out:
	if (o.kind != OUT_OK)
		answer_refuse_at(ctx, &o, ctx->req->path);
	body_free(&b);
}
