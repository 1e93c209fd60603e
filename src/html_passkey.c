/*
 * html_passkey.c: the passkey parts of the pages: the button of the
 * sign-in page, "Use a passkey" on the code page of a sign-in's second
 * step, and the section of the account page (the user's passkeys
 * with name, created, last used, a rename, a removal confirmed by the
 * password (a plain form too) or a passkey, and "Add a passkey").  They work with the one script of the service,
 * BASE/passkey.js (src/passkey.js), which the page loads from our own
 * origin; every control it drives is hidden until the script finds a
 * browser with passkeys, so that without it the page is the same as
 * before and the password forms work.  The page's CSP allows that
 * script (response.c, resp->scripted).  Every value printed goes
 * through buf_html().
 */
#include <string.h>

#include "jwtauth.h"

/* The script's tag, at the end of main. */
void
html_passkey_script(struct buf *b, const struct config *cfg)
{
	buf_puts(b, "<script src=\"");
	buf_html(b, cfg->base_path);
	buf_puts(b, "/passkey.js\" defer></script>\n");
}

/* The status line the script speaks in (aria-live, empty at first). */
static void
html_passkey_status(struct buf *b)
{
	buf_puts(b, "<p id=\"passkey-status\" role=\"status\" "
	    "aria-live=\"polite\"></p>\n");
}

/* Opens the block the script looks for, naming the base path. */
static void
html_passkey_open(struct buf *b, const struct config *cfg)
{
	buf_puts(b, "<div class=\"passkeys\" data-passkey-base=\"");
	buf_html(b, cfg->base_path);
	buf_puts(b, "\">\n");
}

/*
 * The sign-in page's "Sign in with a passkey" (no user name asked: a
 * discoverable credential), after the password form; and the code form
 * of the second step, hidden, which the script fills with the mfa_token
 * and shows when a passkey that did not verify its user (no UV) signs
 * in a user with two-factor sign-in on: it posts to BASE/login as the
 * code step after a password does, with next and the CSRF token.
 */
void
html_passkey_login(struct buf *b, const struct config *cfg,
    const char *next, const char *csrf)
{
	html_passkey_open(b, cfg);
	buf_puts(b, "<div data-passkey hidden>\n<p class=\"or\">or</p>\n"
	    "<button type=\"button\" id=\"passkey-login\" class=\"secondary\">"
	    "Sign in with a passkey</button>\n</div>\n");
	html_passkey_status(b);
	buf_puts(b, "<form method=\"post\" action=\"");
	buf_html(b, cfg->base_path);
	buf_puts(b, "/login\" id=\"passkey-step\" hidden>\n<input "
	    "type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, csrf);
	buf_puts(b, "\">\n<input type=\"hidden\" name=\"next\" value=\"");
	buf_html(b, next);
	buf_puts(b, "\">\n<input type=\"hidden\" name=\"mfa_token\" "
	    "value=\"\">\n<label for=\"passkey-code\">Code from your app, or a "
	    "recovery code</label>\n<input id=\"passkey-code\" name=\"code\" "
	    "type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"64\" "
	    "required>\n<button type=\"submit\">Sign in</button>\n</form>\n");
	buf_puts(b, "</div>\n");
	html_passkey_script(b, cfg);
}

/*
 * The code page's "Use a passkey" (the second step of a sign-in after a
 * password, route_passkey_mfa.c): the script takes the page's mfa_token
 * to BASE/passkey/login/options and BASE/passkey/login, and on success
 * goes on to the page's next, as the code form would.
 */
void
html_passkey_mfa(struct buf *b, const struct config *cfg)
{
	html_passkey_open(b, cfg);
	buf_puts(b, "<div data-passkey hidden>\n<p class=\"or\">or</p>\n"
	    "<button type=\"button\" id=\"passkey-mfa\" class=\"secondary\">"
	    "Use a passkey</button>\n</div>\n");
	html_passkey_status(b);
	buf_puts(b, "</div>\n");
	html_passkey_script(b, cfg);
}

/* The top of the account page's section, up to its list. */
void
html_passkey_begin(struct buf *b, const struct config *cfg)
{
	buf_puts(b, "<h2>Passkeys</h2>\n");
	html_passkey_open(b, cfg);
	buf_puts(b, "<p>A passkey signs you in with your fingerprint, face, "
	    "screen lock or security key, without your password.</p>\n"
	    "<ul class=\"sessions\">\n");
}

/*
 * A passkey's rename form (row as html_passkey_row's): a new name,
 * the current one filled in, and "Rename".
 */
static void
html_passkey_rename(struct buf *b, const char *const *row)
{
	buf_puts(b, "<form class=\"passkey-rename\" data-id=\"");
	buf_html(b, row[0]);
	buf_puts(b, "\" data-passkey hidden>\n<label for=\"pkn-");
	buf_html(b, row[0]);
	buf_puts(b, "\">New name</label>\n<input id=\"pkn-");
	buf_html(b, row[0]);
	buf_puts(b, "\" type=\"text\" maxlength=\"64\" autocomplete=\"off\" "
	    "required value=\"");
	buf_html(b, row[1]);
	buf_puts(b, "\">\n<button type=\"submit\" class=\"secondary\" "
	    "aria-label=\"Rename passkey: ");
	buf_html(b, row[1]);
	buf_puts(b, "\">Rename</button>\n</form>\n");
}

/*
 * A passkey of the list (db_passkey_list's row: id, name, created, last
 * used or "", BE, BS, disabled), with its rename form and its removal,
 * which the current password confirms, or one of the user's passkeys
 * (passkey_confirm.c).  The removal is a form of its own (id, password,
 * the page's form token csrf) that posts to BASE/passkey/remove without
 * script; the script takes it over and adds "Remove with a passkey".
 */
void
html_passkey_row(struct buf *b, const struct config *cfg,
    const char *const *row, const char *csrf)
{
	buf_puts(b, "<li class=\"session\">\n<p><strong>");
	buf_html(b, row[1]);
	buf_puts(b, "</strong>");
	if (strcmp(row[6], "true") == 0)
		buf_puts(b, " <span class=\"badge off\">Disabled: it may have "
		    "been copied</span>");
	buf_puts(b, "<br>\n<span class=\"muted\">Added ");
	html_time(b, row[2]);
	if (row[3][0] != '\0') {
		buf_puts(b, " &middot; last used ");
		html_time(b, row[3]);
	} else
		buf_puts(b, " &middot; never used");
	buf_puts(b, "</span></p>\n");
	html_passkey_rename(b, row);
	buf_puts(b, "<form class=\"passkey-remove\" method=\"post\" "
	    "action=\"");
	buf_html(b, cfg->base_path);
	buf_puts(b, "/passkey/remove\" data-id=\"");
	buf_html(b, row[0]);
	buf_puts(b, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, csrf);
	buf_puts(b, "\">\n<input type=\"hidden\" name=\"id\" value=\"");
	buf_html(b, row[0]);
	buf_puts(b, "\">\n<label for=\"pk-");
	buf_html(b, row[0]);
	buf_puts(b, "\">Current password, to remove it</label>\n<input "
	    "id=\"pk-");
	buf_html(b, row[0]);
	buf_puts(b, "\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required>\n<button "
	    "type=\"submit\" class=\"danger\" "
	    "aria-label=\"Remove passkey: ");
	buf_html(b, row[1]);
	buf_puts(b, "\">Remove passkey</button>\n<button type=\"button\" "
	    "class=\"secondary passkey-confirm\" data-passkey hidden "
	    "aria-label=\"Remove with a passkey: ");
	buf_html(b, row[1]);
	buf_puts(b, "\">Remove with a passkey</button>\n</form>\n</li>\n");
}

/*
 * The rest of the section after the list of n passkeys: "Add a passkey"
 * with its name, the notes for a page without the script or a browser
 * without passkeys, the status line and the script.
 */
void
html_passkey_end(struct buf *b, const struct config *cfg, size_t n)
{
	buf_puts(b, "</ul>\n");
	if (n == 0)
		buf_puts(b, "<p class=\"muted\">No passkeys yet.</p>\n");
	buf_puts(b, "<p class=\"muted\" data-passkey-nojs>Adding or renaming "
	    "a passkey needs JavaScript.</p>\n<p class=\"muted\" "
	    "id=\"passkey-none\" hidden>This browser cannot make or use "
	    "passkeys.</p>\n<form id=\"passkey-add\" data-passkey hidden>\n"
	    "<label for=\"passkey-name\">Name of the new passkey</label>\n"
	    "<input id=\"passkey-name\" name=\"name\" type=\"text\" "
	    "maxlength=\"64\" autocomplete=\"off\" required>\n"
	    "<button type=\"submit\">Add a passkey</button>\n</form>\n");
	html_passkey_status(b);
	buf_puts(b, "</div>\n");
	html_passkey_script(b, cfg);
}
