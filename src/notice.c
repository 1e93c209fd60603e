/*
 * notice.c: the notices mailed to a user when the password changes,
 * two-factor sign-in is turned on or off, or (login_notice = on, the
 * default) someone signs in from a browser and address never seen for
 * the user.  Their link (mail_link) starts
 * with site_url, from the config alone, never from the request (its
 * Host header is the client's to choose).  A notice
 * goes only to a verified address, and only when mail is on (site_url
 * set); whether it went changes no answer (mail_send.c).
 */
#include <string.h>

#include "jwtauth.h"

/*
 * Queues the notice of kind (a link to the account page) to the
 * verified address of user_id, if mail is on and the user has one.
 */
void
notice_send(struct ctx *ctx, const char *user_id, enum mail_kind kind)
{
	char		 name[JA_NAME_MAX + 1], email[MAIL_ADDRESS_MAX + 1];
	struct buf	 url;

	if (ctx->cfg->site_url == NULL ||
	    db_user_email(ctx->db, user_id, name, email) != JA_OK)
		return;
	buf_init(&url);
	mail_link(&url, ctx->cfg, "/account", NULL);
	if (!url.failed)
		(void)mail_queue(ctx, email, kind, name, url.data);
	buf_free(&url);
}

/*
 * After a sign-in of user_id: with login_notice on, the browser and
 * address recorded (db_known.c), and when they were never seen for the
 * user while others were, the notice queued.  A database error only
 * skips the notice.
 */
void
notice_sign_in(struct ctx *ctx, const char *user_id)
{
	int	 news = 0;

	if (!ctx->cfg->login_notice_on || ctx->cfg->site_url == NULL)
		return;
	if (db_known_seen(ctx->db, user_id, ctx->req, &news) == JA_OK &&
	    news)
		notice_send(ctx, user_id, MAIL_NEW_SIGNIN);
}
