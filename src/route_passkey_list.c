/*
 * route_passkey_list.c: a signed-in user's passkeys, listed and renamed
 * (issue 17; the account page shows the same list).
 *   GET BASE/passkeys (Bearer, or the access cookie) -> {"passkeys":
 *	[{"id","name","created","last_used","backup_eligible",
 *	"backed_up","disabled"}]}, oldest first; last_used null when never.
 *   POST BASE/passkey/rename {"id","name"} -> 204: the name bounded as
 *	at registration; a passkey unknown or another user's is 404.
 */
#include <string.h>

#include "jwtauth.h"

/* Adds one row of db_passkey_list to the JSON array arg. */
static void
passkey_list_one(const char *const *row, void *arg)
{
	json_array_append_new((json_t *)arg, json_pack("{s:s, s:s, s:s, "
	    "s:s?, s:b, s:b, s:b}", "id", row[0], "name", row[1], "created",
	    row[2], "last_used", row[3][0] != '\0' ? row[3] : NULL,
	    "backup_eligible", row[4][0] == 't', "backed_up",
	    row[5][0] == 't', "disabled", row[6][0] == 't'));
}

/* GET BASE/passkeys. */
void
route_passkeys(struct ctx *ctx)
{
	struct claims	 c;
	json_t		*arr;
	int		 rc;

	if (ctx->cfg->webauthn_rp_id == NULL)
		rc = OUT_NOT_FOUND;
	else if ((rc = auth_request(ctx, &c)) == OUT_OK) {
		if ((arr = json_array()) == NULL)
			rc = OUT_SERVER_ERROR;
		else if (db_passkey_list(ctx->db, c.sub, passkey_list_one,
		    arr) != JA_OK) {
			json_decref(arr);
			rc = OUT_UNAVAILABLE;
		} else
			response_json(ctx->resp, 200, json_pack("{s:o}",
			    "passkeys", arr));
	}
	if (rc != OUT_OK)
		answer_refuse_kind(ctx, rc, ctx->req->path);
}

/* POST BASE/passkey/rename. */
void
route_passkey_rename(struct ctx *ctx)
{
	struct body	 b;
	struct claims	 c;
	struct outcome	 o;
	const char	*id, *name;
	int		 bad = 0, rc;

	if (passkey_begin(ctx, &b, &o) != OUT_OK ||
	    outcome_set(&o, auth_form_request(ctx, &b, &c, NULL)) != OUT_OK)
		goto out;
	id = body_get(&b, "id", &bad);
	name = body_get(&b, "name", &bad);
	if (bad || id == NULL || !text_is_uuid(id) || name == NULL ||
	    *name == '\0' || strlen(name) > PASSKEY_NAME_MAX) {
		outcome_set(&o, OUT_BAD_REQUEST);
		o.message = "Give the passkey's id and a name (1 to 64 bytes).";
		goto out;
	}
	rc = db_passkey_rename(ctx->db, c.sub, id, name);
	if (rc != JA_OK) {
		outcome_set(&o, rc == JA_ENOTFOUND ? OUT_NOT_FOUND :
		    OUT_UNAVAILABLE);
		goto out;
	}
	db_audit(ctx->db, "passkey_renamed", c.sub, c.username, c.sid,
	    ctx->req, id);
	answer_done(ctx, "/account", NULL);
out:
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, NULL);
	body_free(&b);
}
