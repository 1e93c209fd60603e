/*
 * html_email.c: the pages of a change of address (route_email.c): its
 * part of the account page, and the page its mailed link opens (one
 * button).  No script; every form posts with the CSRF token (csrf.c);
 * every value printed goes through buf_html().
 */
#include "jwtauth.h"

/*
 * The address part of the account page: the address (email, "" for
 * none; verified says whether it is confirmed) and the form that asks
 * for a new one with the current password.
 */
void
html_account_email(struct buf *b, const struct config *cfg,
    const char *email, int verified, const char *csrf)
{
	buf_puts(b, "<h2>Email address</h2>\n<p>");
	if (email[0] == '\0')
		buf_puts(b, "None yet. With one, you can reset a forgotten "
		    "password and get a mail when your account changes.");
	else {
		buf_puts(b, "<strong>");
		buf_html(b, email);
		buf_puts(b, verified ? "</strong> (confirmed)" :
		    "</strong> (not confirmed)");
	}
	buf_puts(b, "</p>\n");
	html_form(b, cfg, "/email", csrf);
	buf_puts(b, "<label for=\"email-new\">New email address</label>\n"
	    "<input id=\"email-new\" name=\"email\" type=\"email\" "
	    "autocomplete=\"email\" maxlength=\"254\" required>\n"
	    "<label for=\"email-password\">Current password</label>\n"
	    "<input id=\"email-password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required>\n"
	    "<p class=\"muted\">A link goes to the new address; your address "
	    "changes when it is opened.</p>\n<button type=\"submit\">Change "
	    "email address</button>\n</form>\n");
}

/*
 * The page of a change's mailed link: one button that posts token to
 * BASE/email/confirm; message (may be NULL) above it.
 */
void
html_email_form(struct buf *b, const struct config *cfg, const char *token,
    const char *message, const char *csrf)
{
	html_begin(b, cfg, "Confirm your new email address", NULL);
	buf_puts(b, "<h1>Confirm your new email address</h1>\n");
	html_alert(b, message);
	buf_puts(b, "<p>Press the button to make the address this link was "
	    "mailed to the address of your account.</p>\n");
	html_form(b, cfg, "/email/confirm", csrf);
	buf_puts(b, "<input type=\"hidden\" name=\"token\" value=\"");
	buf_html(b, token);
	buf_puts(b, "\">\n<button type=\"submit\">Confirm my new address"
	    "</button>\n</form>\n");
	html_end(b);
}

/* Done: the address is changed. */
void
html_email_done(struct buf *b, const struct config *cfg)
{
	html_begin(b, cfg, "Address changed", NULL);
	buf_puts(b, "<h1>Address changed</h1>\n<p class=\"notice\">Your "
	    "account has its new email address now.</p>\n");
	html_back(b, cfg, "/account", "Your account");
	html_end(b);
}
