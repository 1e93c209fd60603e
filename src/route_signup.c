/*
 * route_signup.c: accounts made by their users (signup = invite or
 * open; with off, the default, this route answers 404).
 *
 *   GET  BASE/signup[?token=T]  the form (with an invitation: its
 *                               address shown, not asked)
 *   POST BASE/signup            {"username","email","password"} (and
 *                               "token", the invitation, with invite;
 *                               the address is then the invitation's)
 *
 * The answer is the same whether or not the name or the address is
 * taken: 202 {"status":"check_your_email"} (a page for a form), after
 * the same work (a password hash, one statement, one mail queued).
 * What the mail says differs, and only the owner of the address reads
 * it:
 *   - name and address free: the account is made, unverified
 *     (db_signup.c), and the mail carries its verification link
 *     (route_verify.c, VERIFY_TTL);
 *   - the address is an account's: no account made; the mail says
 *     someone tried to sign up with it and links to the reset form;
 *   - the name is taken, the address free: no account made; the mail
 *     says the name is taken and links back to the sign-up.
 * So whether a name or an address has an account is told to no one but
 * the owner of the address, and a sign-up for someone else's address
 * only sends its owner a mail.  Password rules are those of a password
 * change.  A request counts toward the throttle before its input is
 * checked and before any work or lookup, per address as typed (as
 * "signup:" and its lower case; with invite, per invitation) and per
 * client, as a reset request does (reset_throttle).  An invitation (authctl invite) is
 * used up when, and only when, an account is made with it.
 * Referrer-Policy: strict-origin (RESPONSE_LINK_REFERRER), so that an
 * invitation's token leaves in no Referer.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/* The form again: the invitation and its address, when there is one. */
struct signup_again {
	const char	*invite;
	const char	*email;
};

/* answer_refuse()'s page (struct again, PAGE): the form again. */
static void
signup_form_page(struct ctx *ctx, int status, const char *msg, void *arg)
{
	const struct signup_again *s = arg;
	struct buf	 page;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	if (answer_form_token(ctx, csrf, sizeof(csrf)) != JA_OK)
		return;
	buf_init(&page);
	html_signup_form(&page, ctx->cfg, msg, csrf, s->invite, s->email);
	response_html(ctx->resp, status, &page);
}

/*
 * Returns 1 when a visitor may choose name: 1 to max bytes of UTF-8
 * without control characters (mail_value_ok: it is written into mails),
 * no '@' (a reset by address would find the account of that name,
 * db_reset.c) and no space at either end (it would pass for another
 * name in REMOTE_USER).
 */
static int
signup_name_ok(const char *name, size_t max)
{
	size_t	 len;

	if (name == NULL || (len = strlen(name)) == 0 ||
	    !mail_value_ok(name, max))
		return 0;
	return strchr(name, '@') == NULL && name[0] != ' ' &&
	    name[len - 1] != ' ';
}

/*
 * Checks the name, address (with an invitation: its own) and password
 * typed.  Returns OUT_OK or OUT_BAD_REQUEST with its words,
 * set in o (msg holds them, msglen bytes).
 */
static int
signup_valid(struct ctx *ctx, const char *name, const char *email,
    const char *pw, struct outcome *o, char *msg, size_t msglen)
{
	size_t	 plen = pw != NULL ? strlen(pw) : 0;

	outcome_set(o, OUT_BAD_REQUEST);
	if (!signup_name_ok(name, (size_t)ctx->cfg->username_max)) {
		snprintf(msg, msglen, "Choose a user name of 1 to %ld "
		    "characters, without @ and without spaces at either end.",
		    ctx->cfg->username_max);
		o->message = msg;
	} else if (email == NULL || !mail_address_ok(email)) {
		o->message = "Enter a valid email address.";
	} else if (pw == NULL || plen < (size_t)ctx->cfg->password_min ||
	    plen > (size_t)ctx->cfg->password_max ||
	    !text_utf8_valid(pw, plen)) {
		snprintf(msg, msglen, "Choose a password of at least %ld "
		    "characters.", ctx->cfg->password_min);
		o->message = msg;
	} else
		outcome_set(o, OUT_OK);
	return o->kind;
}

/*
 * The mail of a sign-up to email: its verification link (token), or,
 * with nothing made, what was taken; a taken address is written to as
 * its account has it, greeting that account (holder).  Else no one is
 * greeted by name: the name was chosen by whoever signed up, who may
 * not be the owner of the address.
 */
static void
signup_mail(struct ctx *ctx, enum signup_result result,
    const char *email, const char *token,
    const struct signup_holder *holder, const char *invite)
{
	struct buf	 url;

	buf_init(&url);
	url.secret = 1;
	if (result == SIGNUP_MADE)
		mail_link(&url, ctx->cfg, "/verify", token);
	else if (result == SIGNUP_ADDRESS_TAKEN)
		mail_link(&url, ctx->cfg, "/reset", NULL);
	else
		mail_link(&url, ctx->cfg, "/signup", invite);
	if (!url.failed)
		(void)mail_queue(ctx, result == SIGNUP_ADDRESS_TAKEN ?
		    holder->email : email, result == SIGNUP_MADE ?
		    MAIL_VERIFY : result == SIGNUP_ADDRESS_TAKEN ?
		    MAIL_SIGNUP_ADDRESS : MAIL_SIGNUP_NAME, result ==
		    SIGNUP_ADDRESS_TAKEN ? holder->name : NULL, url.data);
	buf_free(&url);
}

/*
 * The work of a sign-up, the same whatever is taken: the password
 * hashed in a hashing slot, one statement (db_signup_add), one audit
 * row, one mail queued.  Returns OUT_OK, or OUT_BUSY, OUT_UNAVAILABLE,
 * OUT_BAD_LINK (the invitation used meanwhile) or OUT_SERVER_ERROR.
 */
static int
signup_work(struct ctx *ctx, const char *name, const char *email,
    const char *pw, const char *invite)
{
	static const char *const what[] = {
		[SIGNUP_MADE] = "account made, not verified",
		[SIGNUP_ADDRESS_TAKEN] = "address in use: nothing made",
		[SIGNUP_NAME_TAKEN] = "name in use: nothing made",
	};
	enum signup_result	 result;
	struct signup_holder	 holder;
	char			 hash[PASSWORD_HASH_MAX];
	char			 token[JA_RT_LEN + 1];
	int			 slot = -1, rc, out;

	memset(hash, 0, sizeof(hash));
	if ((rc = pwslot_enter(ctx->db, ctx->cfg, &slot)) != JA_OK)
		return rc == JA_EBUSY ? OUT_BUSY : OUT_UNAVAILABLE;
	rc = password_hash(ctx->cfg, pw, hash, sizeof(hash));
	pwslot_leave(ctx->db, slot);
	if (rc != JA_OK) {
		out = OUT_SERVER_ERROR;
		goto out;
	}
	rc = db_signup_add(ctx->db, name, hash, email, invite, token,
	    sizeof(token), &result, &holder);
	if (rc != JA_OK) {
		out = rc == JA_ENOTFOUND ? OUT_BAD_LINK : OUT_UNAVAILABLE;
		goto out;
	}
	db_audit(ctx->db, "signup", NULL, name, NULL, ctx->req, what[result]);
	event_log("signup", ctx->req, result == SIGNUP_MADE ? name : NULL,
	    NULL, "result", result == SIGNUP_MADE ? "made" : "taken", NULL,
	    NULL);
	signup_mail(ctx, result, email, token, &holder, invite);
	out = OUT_OK;
out:
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(token, sizeof(token));
	sodium_memzero(&holder, sizeof(holder));
	return out;
}

/*
 * With signup = invite, the invitation invite (NULL: none given): its
 * address into email (MAIL_ADDRESS_MAX + 1 bytes).  Returns OUT_OK,
 * OUT_INVITE_ONLY (none given), OUT_BAD_LINK or OUT_UNAVAILABLE.
 */
static int
signup_invite(struct ctx *ctx, const char *invite, char *email)
{
	int	 rc;

	if (invite == NULL || *invite == '\0')
		return OUT_INVITE_ONLY;
	rc = db_invite_peek(ctx->db, invite, email);
	return rc == JA_OK ? OUT_OK : rc == JA_EDB ? OUT_UNAVAILABLE :
	    OUT_BAD_LINK;
}

/* POST: a sign-up; 202 whatever was taken. */
static void
signup_post(struct ctx *ctx)
{
	struct body		 b;
	struct outcome		 o;
	struct again		 a;
	struct signup_again	 s;
	char			 addr[MAIL_ADDRESS_MAX + 1], msg[160];
	char			 wait[160];
	const char		*name, *email, *pw;
	int			 bad = 0, bad_email = 0;

	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	a.kind = AGAIN_PAGE;
	a.page = signup_form_page;
	a.arg = &s;
	if (reset_body(ctx, &b, &o) != OUT_OK)
		goto out;
	name = body_get(&b, "username", &bad);
	pw = body_get(&b, "password", &bad);
	if (ctx->cfg->signup_mode == SIGNUP_INVITE)
		s.invite = body_get(&b, "token", &bad);
	email = body_get(&b, "email", &bad_email);
	/* Counted before anything is checked or looked up: per address as
	 * typed (with invite: per invitation) and per client. */
	if (reset_throttle(ctx, "signup", ctx->cfg->signup_mode ==
	    SIGNUP_INVITE ? s.invite : email, &o, wait, sizeof(wait)) !=
	    OUT_OK)
		goto out;
	if (bad || bad_email) {
		/* JSON of another type, or a string with CR, LF or NUL. */
		outcome_set(&o, OUT_BAD_REQUEST);
		if (bad_email && !bad)
			o.message = "Enter a valid email address.";
		goto out;
	}
	if (ctx->cfg->signup_mode == SIGNUP_INVITE) {
		if (outcome_set(&o, signup_invite(ctx, s.invite, addr)) !=
		    OUT_OK)
			goto out;
		s.email = email = addr;
	}
	if (signup_valid(ctx, name, email, pw, &o, msg, sizeof(msg)) !=
	    OUT_OK || outcome_set(&o, signup_work(ctx, name, email, pw,
	    s.invite)) != OUT_OK)
		goto out;
	if (answer_is_page(ctx)) {
		struct buf	 page;

		buf_init(&page);
		html_signup_sent(&page, ctx->cfg);
		response_html(ctx->resp, 202, &page);
	} else
		response_json(ctx->resp, 202, json_pack("{s:s}", "status",
		    "check_your_email"));
out:
	if (o.kind != OUT_OK)
		answer_refuse(ctx, &o, &a);
	sodium_memzero(addr, sizeof(addr));
	body_free(&b);
}

/* GET: the form; with invite, only for a live invitation. */
static void
signup_get(struct ctx *ctx)
{
	struct form		 q;
	struct signup_again	 s;
	struct buf		 page;
	char			 addr[MAIL_ADDRESS_MAX + 1];
	int			 rc;

	memset(&q, 0, sizeof(q));
	memset(&s, 0, sizeof(s));
	answer_kind_set(ctx, ANSWER_HTML);
	if (ctx->cfg->signup_mode == SIGNUP_OPEN) {
		signup_form_page(ctx, 200, NULL, &s);
		return;
	}
	if (ctx->req->query != NULL && form_parse(&q, ctx->req->query,
	    strlen(ctx->req->query)) == JA_OK)
		s.invite = form_get(&q, "token");
	rc = signup_invite(ctx, s.invite, addr);
	if (rc == OUT_OK) {
		s.email = addr;
		signup_form_page(ctx, 200, NULL, &s);
	} else if (rc == OUT_UNAVAILABLE)
		answer_refuse_kind(ctx, OUT_UNAVAILABLE, NULL);
	else {
		buf_init(&page);
		html_signup_refused(&page, ctx->cfg, rc == OUT_BAD_LINK ?
		    "This invitation is not valid: it was used or has "
		    "expired. Ask for a new one." :
		    outcome_spelling(OUT_INVITE_ONLY)->message);
		response_html(ctx->resp, outcome_spelling(rc)->status, &page);
	}
	form_free(&q);
}

/* BASE/signup: GET the form, POST a sign-up; 404 with signup = off. */
void
route_signup(struct ctx *ctx)
{
	route_link(ctx, ctx->cfg->signup_mode != SIGNUP_OFF, signup_get,
	    signup_post);
}
