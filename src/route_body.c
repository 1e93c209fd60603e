/*
 * route_body.c: the body of a POST, JSON or form, read once and bounded
 * by max_body.  A failure is an outcome for the caller to answer
 * (answer.c): OUT_TOO_LARGE over the limit (without reading it),
 * OUT_MEDIA_TYPE for another media type, OUT_BAD_BODY for an
 * incomplete or malformed one.
 */
#include <string.h>

#include "jwtauth.h"

/*
 * Reads and parses the body into b.  An empty body without a media type
 * is an empty set of fields (an API logout needs none).  Returns OUT_OK
 * or the refusal, also set in o.  Free b with body_free() in any case.
 */
int
body_read(struct ctx *ctx, struct body *b, struct outcome *o)
{
	struct request	*req = ctx->req;
	int		 rc;

	memset(b, 0, sizeof(*b));
	outcome_set(o, OUT_OK);
	if (req->ctype == CTYPE_NONE && req->content_length <= 0)
		return OUT_OK;
	if (req->ctype != CTYPE_JSON && req->ctype != CTYPE_FORM)
		return outcome_set(o, OUT_MEDIA_TYPE);
	rc = request_read_body(req, ctx->cfg->max_body);
	if (rc == JA_ETOOBIG)
		return outcome_set(o, OUT_TOO_LARGE);
	if (rc != JA_OK) {
		outcome_set(o, OUT_BAD_BODY);
		o->message = "The request body is incomplete.";
		return OUT_BAD_BODY;
	}
	if (req->ctype == CTYPE_FORM) {
		b->is_form = 1;
		rc = form_parse(&b->form, req->body, req->bodylen);
	} else
		rc = jbody_parse(&b->json, req->body, req->bodylen);
	if (rc != JA_OK)
		return outcome_set(o, OUT_BAD_BODY);
	return OUT_OK;
}

/*
 * The string field name of b, or NULL when absent; *bad is set when the
 * field is present but not a valid string (JSON of another type).
 */
const char *
body_get(const struct body *b, const char *name, int *bad)
{
	const char	*s;
	int		 rc;

	if (b->is_form)
		return form_get(&b->form, name);
	if (b->json == NULL)
		return NULL;
	rc = jbody_string(b->json, name, &s);
	if (rc == JA_EINVAL)
		*bad = 1;
	return rc == JA_OK ? s : NULL;
}

/* Frees what b owns; accepts NULL. */
void
body_free(struct body *b)
{
	if (b == NULL)
		return;
	form_free(&b->form);
	json_decref(b->json);
	memset(b, 0, sizeof(*b));
}
