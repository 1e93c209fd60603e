/*
 * route_account.c: GET BASE/account, the signed-in user's own page in
 * the browser: who they are, where they are signed in (each session
 * with its browser and system in words, address, times, this one
 * marked, and a sign-out for it), sign out everywhere else, the
 * password, the email address (while mail is on), the passkeys (while
 * they are on: html_passkey.c) and the second factor.
 * Its forms post to the routes that do the work (BASE/sessions/ID/end,
 * BASE/logout, BASE/password, BASE/email, BASE/2fa/...),
 * which come back here with ?m=WHAT: a fixed word that picks a fixed
 * message, so nothing a link carries is shown as it was sent, and a
 * message about the account's state only while the state is so (a
 * link cannot make the page say two-factor sign-in is off when it is
 * on).
 */
#include <string.h>

#include "jwtauth.h"

static const struct {
	const char	*m;
	const char	*text;
	int		 error;
	int		 if_2fa_off;	/* shown only while it is off */
} account_notes[] = {
	{ "ended", "That device is signed out.", 0, 0 },
	{ "others", "Every other session is signed out.", 0, 0 },
	{ "2fa_off", "Two-factor sign-in is off.", 0, 1 },
	{ "passkey_added", "The passkey is added: you can sign in with it.",
	    0, 0 },
	{ "passkey_removed", "The passkey is removed.", 0, 0 },
	{ "passkey_renamed", "The passkey is renamed.", 0, 0 },
	{ "email_sent", "A link is on its way to the new address. Your "
	    "address changes when it is opened.", 0, 0 },
	{ "address", "Enter a valid email address.", 1, 0 },
	{ "password", "The current password is not right.", 1, 0 },
	{ "code", "That code is not right, or was used already.", 1, 0 },
	{ "missing", "Fill in every field of the form.", 1, 0 },
	{ "state", "That did not match the state of your account. "
	    "Try again from here.", 1, 0 },
};

struct account_list {
	struct buf		*page;
	const struct config	*cfg;
	const char		*current;
	const char		*csrf;
};

/* A passkey of the list (db_passkey_list), counted in *arg's n. */
struct account_keys {
	struct buf		*section;
	const struct config	*cfg;
	const char		*csrf;	/* the page's form token */
	size_t			 n;
};

static void
account_passkey(const char *const *row, void *arg)
{
	struct account_keys	*k = arg;

	html_passkey_row(k->section, k->cfg, row, k->csrf);
	k->n++;
}

/*
 * The passkeys section of user sub into section (html_passkey.c), its
 * forms carrying the page's form token csrf, its script allowed on the
 * page.  Returns JA_OK or JA_EDB.
 */
static int
account_passkeys(struct ctx *ctx, const char *sub, const char *csrf,
    struct buf *section)
{
	struct account_keys	 k;

	k.section = section;
	k.cfg = ctx->cfg;
	k.csrf = csrf;
	k.n = 0;
	html_passkey_begin(section, ctx->cfg);
	if (db_passkey_list(ctx->db, sub, account_passkey, &k) != JA_OK)
		return JA_EDB;
	html_passkey_end(section, ctx->cfg, k.n);
	ctx->resp->scripted = 1;
	return JA_OK;
}

static void
account_row(const char *const *row, void *arg)
{
	struct account_list	*l = arg;

	html_account_session(l->page, l->cfg, row,
	    strcmp(row[0], l->current) == 0, l->csrf);
}

void
route_account(struct ctx *ctx)
{
	struct account_list	 l;
	struct mfa_state	 m;
	struct claims		 c;
	struct buf		 page, keys;
	struct form		 q;
	char			 csrf[CSRF_TOKEN_LEN + 1];
	char			 email[MAIL_ADDRESS_MAX + 1];
	const char		*note = NULL, *error = NULL, *which;
	size_t			 i;
	int			 rc, verified = 0;

	memset(&q, 0, sizeof(q));
	buf_init(&page);
	buf_init(&keys);
	if ((rc = auth_request(ctx, &c)) != OUT_OK) {
		answer_refuse_kind(ctx, rc, ctx->req->path);
		goto out;
	}
	rc = db_mfa_get(ctx->db, c.sub, &m);
	if (rc == JA_EDB) {
		answer_refuse_kind(ctx, OUT_UNAVAILABLE, NULL);
		goto out;
	}
	if (db_user_address(ctx->db, c.sub, email, &verified) == JA_EDB) {
		answer_refuse_kind(ctx, OUT_UNAVAILABLE, NULL);
		goto out;
	}
	if (answer_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		goto out;
	if (ctx->cfg->webauthn_rp_id != NULL &&
	    account_passkeys(ctx, c.sub, csrf, &keys) != JA_OK) {
		answer_refuse_kind(ctx, OUT_UNAVAILABLE, NULL);
		goto out;
	}
	if (ctx->req->query != NULL && form_parse(&q, ctx->req->query,
	    strlen(ctx->req->query)) == JA_OK &&
	    (which = form_get(&q, "m")) != NULL) {
		for (i = 0; i < sizeof(account_notes) /
		    sizeof(account_notes[0]); i++) {
			if (strcmp(which, account_notes[i].m) != 0 ||
			    (account_notes[i].if_2fa_off && rc == JA_OK &&
			    m.enabled))
				continue;
			if (account_notes[i].error)
				error = account_notes[i].text;
			else
				note = account_notes[i].text;
		}
	}
	html_account_begin(&page, ctx->cfg, c.username, note, error);
	l.page = &page;
	l.cfg = ctx->cfg;
	l.current = c.sid;
	l.csrf = csrf;
	if (db_session_list(ctx->db, ctx->cfg, c.sub, account_row, &l) !=
	    JA_OK) {
		answer_refuse_kind(ctx, OUT_UNAVAILABLE, NULL);
		goto out;
	}
	html_account_end(&page, ctx->cfg, rc == JA_OK && m.enabled,
	    m.codes_left, email, verified, csrf,
	    ctx->cfg->webauthn_rp_id != NULL ? &keys : NULL);
	response_html(ctx->resp, 200, &page);
out:
	buf_free(&page);
	buf_free(&keys);
	form_free(&q);
}
