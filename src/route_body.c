/*
 * route_body.c: the body of a POST, JSON or form, read once and bounded
 * by max_body.  On failure the error response is already set: 413 over
 * the limit (without reading it), 415 for another media type, 400
 * {"error":"invalid_request"} for malformed content.
 */
#include <string.h>

#include "jwtauth.h"

/*
 * Reads and parses the body into b.  An empty body without a media type
 * is an empty set of fields (an API logout needs none).  Returns JA_OK
 * or the error already answered on ctx->resp.  Free b with body_free().
 */
int
body_read(struct ctx *ctx, struct body *b)
{
	struct request	*req = ctx->req;
	int		 rc;

	memset(b, 0, sizeof(*b));
	if (req->ctype == CTYPE_NONE && req->content_length <= 0)
		return JA_OK;
	if (req->ctype != CTYPE_JSON && req->ctype != CTYPE_FORM) {
		response_error(ctx->resp, req, 415, "invalid_request",
		    "Send application/json or a form.");
		return JA_EINVAL;
	}
	rc = request_read_body(req, ctx->cfg->max_body);
	if (rc == JA_ETOOBIG) {
		response_error(ctx->resp, req, 413, "invalid_request",
		    "The request body is too large.");
		return rc;
	}
	if (rc != JA_OK) {
		response_error(ctx->resp, req, 400, "invalid_request",
		    "The request body is incomplete.");
		return rc;
	}
	if (req->ctype == CTYPE_FORM) {
		b->is_form = 1;
		rc = form_parse(&b->form, req->body, req->bodylen);
	} else
		rc = jbody_parse(&b->json, req->body, req->bodylen);
	if (rc != JA_OK) {
		response_error(ctx->resp, req, 400, "invalid_request",
		    "The request body is malformed.");
		return JA_EINVAL;
	}
	return JA_OK;
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
