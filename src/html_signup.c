/*
 * html_signup.c: the pages of a sign-up (route_signup.c) and of the
 * verification of its address (route_verify.c): the form, the "check
 * your email" page, the refusal of a sign-up without a valid
 * invitation, the page a verification link opens (one button: opening
 * it changes nothing), a dead link, and the page after.  Every value
 * printed goes through buf_html().
 */
#include <stdio.h>

#include "jwtauth.h"

/*
 * The sign-up form.  With an invitation (invite not NULL) its token is
 * carried on and its address (email) is shown, not asked.
 */
void
html_signup_form(struct buf *b, const struct config *cfg, const char *message,
    const char *csrf, const char *invite, const char *email)
{
	html_begin(b, cfg, "Create an account", NULL);
	buf_puts(b, "<h1>Create an account</h1>\n");
	html_alert(b, message);
	html_form(b, cfg, "/signup", csrf);
	if (invite != NULL) {
		buf_puts(b, "<input type=\"hidden\" name=\"token\" value=\"");
		buf_html(b, invite);
		buf_puts(b, "\">\n<p>Email address: <strong>");
		buf_html(b, email);
		buf_puts(b, "</strong></p>\n");
	}
	buf_puts(b, "<label for=\"username\">User name</label>\n"
	    "<input id=\"username\" name=\"username\" type=\"text\" "
	    "autocomplete=\"username\" autocapitalize=\"none\" "
	    "spellcheck=\"false\" required autofocus>\n");
	if (invite == NULL)
		buf_puts(b, "<label for=\"email\">Email address</label>\n"
		    "<input id=\"email\" name=\"email\" type=\"email\" "
		    "autocomplete=\"email\" autocapitalize=\"none\" "
		    "spellcheck=\"false\" maxlength=\"254\" required>\n");
	buf_printf(b, "<label for=\"password\">Password (at least %ld "
	    "characters)</label>\n<input id=\"password\" name=\"password\" "
	    "type=\"password\" autocomplete=\"new-password\" minlength=\"%ld\" "
	    "required>\n<button type=\"submit\">Create account</button>\n"
	    "</form>\n", cfg->password_min, cfg->password_min);
	html_back(b, cfg, "/login", "Back to sign in");
	html_end(b);
}

/* After a sign-up, whatever was taken. */
void
html_signup_sent(struct buf *b, const struct config *cfg)
{
	html_begin(b, cfg, "Check your email", NULL);
	buf_printf(b, "<h1>Check your email</h1>\n<p>We sent a mail to the "
	    "address you gave. Open the link in it within %d hours to "
	    "confirm the address, then sign in.</p>\n", VERIFY_TTL / 3600);
	html_back(b, cfg, "/login", "Back to sign in");
	html_end(b);
}

/* A sign-up by invitation without a valid one: message says why. */
void
html_signup_refused(struct buf *b, const struct config *cfg,
    const char *message)
{
	html_begin(b, cfg, "Invitation needed", NULL);
	buf_puts(b, "<h1>Invitation needed</h1>\n<p>");
	buf_html(b, message);
	buf_puts(b, "</p>\n");
	html_back(b, cfg, "/login", "Back to sign in");
	html_end(b);
}

/*
 * The page a verification link opens: one button that posts the token
 * on; nothing changes until it is pressed.
 */
void
html_verify_form(struct buf *b, const struct config *cfg, const char *token,
    const char *message, const char *csrf)
{
	html_begin(b, cfg, "Confirm your email address", NULL);
	buf_puts(b, "<h1>Confirm your email address</h1>\n");
	html_alert(b, message);
	buf_puts(b, "<p>Press the button to confirm that this address is "
	    "yours. Then you can sign in.</p>\n");
	html_form(b, cfg, "/verify", csrf);
	buf_puts(b, "<input type=\"hidden\" name=\"token\" value=\"");
	buf_html(b, token);
	buf_puts(b, "\">\n<button type=\"submit\">Confirm my address"
	    "</button>\n</form>\n");
	html_end(b);
}

/* Done: the address is confirmed. */
void
html_verify_done(struct buf *b, const struct config *cfg)
{
	html_begin(b, cfg, "Address confirmed", NULL);
	buf_puts(b, "<h1>Address confirmed</h1>\n<p class=\"notice\">Your "
	    "email address is confirmed. You can sign in now.</p>\n");
	html_back(b, cfg, "/login", "Sign in");
	html_end(b);
}
