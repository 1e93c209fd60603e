/*
 * html_account.c: the pages of the account (route_account.c,
 * route_2fa.c): who is signed in, the sessions with a sign-out for each,
 * the password, the second factor and the steps that turn it on.  No
 * script but the passkeys section's (html_passkey.c); every form posts with the CSRF token (csrf.c); every value
 * printed goes through buf_html().
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"

/*
 * A session of the list (db_session_list's row): "BROWSER on OS",
 * address, times, whether it is remembered, a sign-out.
 */
void
html_account_session(struct buf *b, const struct config *cfg,
    const char *const *row, int current, const char *csrf)
{
	char	 what[64];

	ua_describe(row[3], what, sizeof(what));
	buf_puts(b, "<li class=\"session\">\n<p><strong>");
	buf_html(b, what);
	buf_puts(b, "</strong>");
	if (current)
		buf_puts(b, " <span class=\"badge\">This device</span>");
	buf_puts(b, "<br>\n<span class=\"muted\">From ");
	buf_html(b, row[4][0] != '\0' ? row[4] : "an unknown address");
	buf_puts(b, " &middot; signed in ");
	html_time(b, row[1]);
	buf_puts(b, " &middot; last used ");
	html_time(b, row[2]);
	/* "Keep me signed in" (route_login.c) */
	buf_puts(b, strcmp(row[5], "true") == 0 ? " &middot; kept signed in" :
	    " &middot; signed out when the browser closes");
	buf_puts(b, "</span></p>\n<form method=\"post\" action=\"");
	buf_html(b, cfg->base_path);
	buf_puts(b, "/sessions/");
	buf_html(b, row[0]);
	buf_puts(b, "/end\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, csrf);
	buf_puts(b, "\">\n<button type=\"submit\" class=\"secondary\" "
	    "aria-label=\"Sign out this device: ");
	buf_html(b, what);
	buf_puts(b, "\">Sign out this device</button>\n</form>\n</li>\n");
}

/*
 * The top of the account page: title, who, an optional message (notice,
 * may be NULL), and the opening of the session list.
 */
void
html_account_begin(struct buf *b, const struct config *cfg,
    const char *username, const char *notice, const char *error)
{
	html_begin_class(b, cfg, "Your account", NULL, "wide");
	buf_puts(b, "<h1>Your account</h1>\n<p>Signed in as <strong>");
	buf_html(b, username);
	buf_puts(b, "</strong></p>\n");
	if (notice != NULL) {
		buf_puts(b, "<p class=\"notice\" role=\"status\">");
		buf_html(b, notice);
		buf_puts(b, "</p>\n");
	}
	html_alert(b, error);
	buf_puts(b, "<h2>Where you are signed in</h2>\n<ul class=\"sessions\">\n");
}

/*
 * The rest of the account page after the sessions: sign out elsewhere,
 * the password, the address (email, "" for none; verified) while mail
 * is on (html_email.c), the passkeys section (NULL while passkeys are
 * off; html_passkey.c), the second factor (mfa_on; codes_left recovery
 * codes), and the way out.
 */
void
html_account_end(struct buf *b, const struct config *cfg, int mfa_on,
    long codes_left, const char *email, int verified, const char *csrf,
    const struct buf *passkeys)
{
	buf_puts(b, "</ul>\n");
	html_form(b, cfg, "/logout", csrf);
	buf_puts(b, "<input type=\"hidden\" name=\"scope\" value=\"others\">\n"
	    "<button type=\"submit\" class=\"secondary\">Sign out everywhere "
	    "else</button>\n</form>\n");

	buf_puts(b, "<h2>Password</h2>\n");
	html_form(b, cfg, "/password", csrf);
	buf_printf(b, "<label for=\"current\">Current password</label>\n"
	    "<input id=\"current\" name=\"current_password\" type=\"password\" "
	    "autocomplete=\"current-password\" required>\n"
	    "<label for=\"new\">New password (at least %ld characters)</label>\n"
	    "<input id=\"new\" name=\"new_password\" type=\"password\" "
	    "autocomplete=\"new-password\" minlength=\"%ld\" required>\n"
	    "<p class=\"muted\">Changing it signs you out everywhere, here "
	    "too.</p>\n<button type=\"submit\">Change password</button>\n"
	    "</form>\n", cfg->password_min, cfg->password_min);
	if (cfg->site_url != NULL)
		html_account_email(b, cfg, email, verified, csrf);
	if (passkeys != NULL && passkeys->data != NULL)
		buf_append(b, passkeys->data, passkeys->len);

	buf_puts(b, "<h2>Two-factor sign-in</h2>\n");
	if (mfa_on) {
		buf_printf(b, "<p>On. %ld recovery code%s left.</p>\n",
		    codes_left, codes_left == 1 ? "" : "s");
		html_form(b, cfg, "/2fa/disable", csrf);
		buf_puts(b, "<label for=\"off-password\">Current password"
		    "</label>\n<input id=\"off-password\" name=\"password\" "
		    "type=\"password\" autocomplete=\"current-password\" "
		    "required>\n<label for=\"off-code\">Code from your app, or "
		    "a recovery code</label>\n<input id=\"off-code\" "
		    "name=\"code\" type=\"text\" inputmode=\"numeric\" "
		    "autocomplete=\"one-time-code\" maxlength=\"64\" required>\n"
		    "<label class=\"check\"><input type=\"checkbox\" "
		    "name=\"end_other_sessions\"> Also sign out everywhere "
		    "else</label>\n<button type=\"submit\" class=\"danger\">"
		    "Turn off two-factor sign-in</button>\n</form>\n");
	} else {
		buf_puts(b, "<p>Off. With it on, signing in also asks for a "
		    "code from an authenticator app on your phone.</p>\n");
		html_form(b, cfg, "/2fa/setup", csrf);
		buf_puts(b, "<label for=\"on-password\">Current password"
		    "</label>\n<input id=\"on-password\" name=\"password\" "
		    "type=\"password\" autocomplete=\"current-password\" "
		    "required>\n<button type=\"submit\">Turn on two-factor "
		    "sign-in</button>\n</form>\n");
	}
	buf_puts(b, "<h2>Leave</h2>\n");
	html_form(b, cfg, "/logout", csrf);
	buf_puts(b, "<button type=\"submit\" class=\"secondary\">Sign out"
	    "</button>\n</form>\n");
	html_back(b, cfg, NULL, "Back to the home page");
	html_end(b);
}

/*
 * The first step of turning the second factor on: the QR code (svg,
 * made by qr.c), the secret in text for typing, and the form that
 * confirms with a code and the password.
 */
void
html_2fa_setup(struct buf *b, const struct config *cfg, const char *svg,
    const char *secret, const char *message, const char *csrf)
{
	size_t	 i;

	html_begin(b, cfg, "Turn on two-factor sign-in", NULL);
	buf_puts(b, "<h1>Turn on two-factor sign-in</h1>\n");
	html_alert(b, message);
	buf_puts(b, "<p>1. Scan this code with an authenticator app (such as "
	    "FreeOTP, Aegis, Google Authenticator or 1Password).</p>\n"
	    "<div class=\"qr-box\">");
	buf_puts(b, svg);
	buf_puts(b, "</div>\n<p>Cannot scan? Enter this key in the app:</p>\n"
	    "<p class=\"secret\"><code>");
	for (i = 0; secret[i] != '\0'; i++) {
		if (i > 0 && i % 4 == 0)
			buf_puts(b, " ");
		buf_append(b, &secret[i], 1);
	}
	buf_puts(b, "</code></p>\n<p>2. Enter the 6-digit code the app shows "
	    "and your password to confirm.</p>\n");
	html_form(b, cfg, "/2fa/enable", csrf);
	buf_puts(b, "<label for=\"code\">Code</label>\n<input id=\"code\" "
	    "name=\"code\" type=\"text\" inputmode=\"numeric\" "
	    "autocomplete=\"one-time-code\" pattern=\"[0-9]{6}\" "
	    "maxlength=\"6\" required autofocus>\n"
	    "<label for=\"password\">Current password</label>\n"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required>\n"
	    "<label class=\"check\"><input type=\"checkbox\" "
	    "name=\"end_other_sessions\"> Also sign out everywhere "
	    "else</label>\n<button type=\"submit\">Turn on</button>\n"
	    "</form>\n<p class=\"back\"><a href=\"");
	buf_html(b, cfg->base_path);
	buf_puts(b, "/account\">Cancel</a></p>\n");
	html_end(b);
}

/* The last step: the recovery codes, shown this once. */
void
html_2fa_codes(struct buf *b, const struct config *cfg,
    char codes[][RECOVERY_TEXT_LEN + 1], size_t n)
{
	size_t	 i;

	html_begin(b, cfg, "Two-factor sign-in is on", NULL);
	buf_puts(b, "<h1>Two-factor sign-in is on</h1>\n<p>Keep these "
	    "recovery codes somewhere safe. Each one signs you in once "
	    "without your phone. They are shown only now.</p>\n"
	    "<ol class=\"codes\">\n");
	for (i = 0; i < n; i++) {
		buf_puts(b, "<li><code>");
		buf_html(b, codes[i]);
		buf_puts(b, "</code></li>\n");
	}
	buf_puts(b, "</ol>\n<p class=\"back\"><a href=\"");
	buf_html(b, cfg->base_path);
	buf_puts(b, "/account\">Back to your account</a></p>\n");
	html_end(b);
}
