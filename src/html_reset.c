/*
 * html_reset.c: the pages of a password reset by email (route_reset.c):
 * the request form, the "check your email" page, the form a mailed link
 * opens (a new password, and a code when two-factor sign-in is on), and
 * the page after.  Every value printed goes through buf_html().
 */
#include <stdio.h>

#include "jwtauth.h"

/* The request form of BASE/reset: a user name or an address. */
void
html_reset_ask(struct buf *b, const struct config *cfg, const char *message,
    const char *csrf)
{
	html_begin(b, cfg, "Forgot your password?", NULL);
	buf_puts(b, "<h1>Forgot your password?</h1>\n");
	html_alert(b, message);
	buf_puts(b, "<p>Enter your user name or email address. If the "
	    "account has an email address, we send it a link to choose a "
	    "new password.</p>\n");
	html_form(b, cfg, "/reset", csrf);
	buf_puts(b, "<label for=\"login\">User name or email address</label>\n"
	    "<input id=\"login\" name=\"login\" type=\"text\" "
	    "autocomplete=\"username\" autocapitalize=\"none\" "
	    "spellcheck=\"false\" maxlength=\"254\" required autofocus>\n"
	    "<button type=\"submit\">Send me a link</button>\n</form>\n");
	html_back(b, cfg, "/login", "Back to sign in");
	html_end(b);
}

/* After a request, whoever asked, whatever the account. */
void
html_reset_sent(struct buf *b, const struct config *cfg)
{
	html_begin(b, cfg, "Check your email", NULL);
	buf_printf(b, "<h1>Check your email</h1>\n<p>If an account with that "
	    "name or address has an email address, a link to choose a new "
	    "password is on its way there. The link works once, for %d "
	    "minutes.</p>\n", RESET_TTL / 60);
	html_back(b, cfg, "/login", "Back to sign in");
	html_end(b);
}

/*
 * The form a reset link opens: the token carried on, a new password,
 * and a code when the account's two-factor sign-in is on (code).
 */
void
html_reset_form(struct buf *b, const struct config *cfg, const char *token,
    int code, const char *message, const char *csrf)
{
	html_begin(b, cfg, "Choose a new password", NULL);
	buf_puts(b, "<h1>Choose a new password</h1>\n");
	html_alert(b, message);
	html_form(b, cfg, "/reset/confirm", csrf);
	buf_puts(b, "<input type=\"hidden\" name=\"token\" value=\"");
	buf_html(b, token);
	buf_printf(b, "\">\n<label for=\"new\">New password (at least %ld "
	    "characters)</label>\n<input id=\"new\" name=\"password\" "
	    "type=\"password\" autocomplete=\"new-password\" minlength=\"%ld\" "
	    "required autofocus>\n", cfg->password_min, cfg->password_min);
	if (code)
		buf_puts(b, "<label for=\"code\">Code from your app, or a "
		    "recovery code</label>\n<input id=\"code\" name=\"code\" "
		    "type=\"text\" inputmode=\"numeric\" "
		    "autocomplete=\"one-time-code\" autocapitalize=\"none\" "
		    "spellcheck=\"false\" maxlength=\"64\" required>\n");
	buf_puts(b, "<button type=\"submit\">Set password and sign out "
	    "everywhere</button>\n</form>\n");
	html_end(b);
}

/*
 * A mailed link that is no more (used, expired, replaced), with the way
 * on: BASE/route, its button saying label.
 */
void
html_link_dead(struct buf *b, const struct config *cfg, const char *message,
    const char *route, const char *label)
{
	html_begin(b, cfg, "Link not valid", NULL);
	buf_puts(b, "<h1>Link not valid</h1>\n<p>");
	buf_html(b, message);
	buf_puts(b, "</p>\n");
	html_back(b, cfg, route, label);
	html_end(b);
}

/* Done: the password is set, every session ended. */
void
html_reset_done(struct buf *b, const struct config *cfg)
{
	html_begin(b, cfg, "Password set", NULL);
	buf_puts(b, "<h1>Password set</h1>\n<p class=\"notice\">Your new "
	    "password is set, and every session of your account is signed "
	    "out. Sign in with the new password.</p>\n");
	html_back(b, cfg, "/login", "Sign in");
	html_end(b);
}
