/*
 * html.c: the few HTML pages the service shows a browser.  Every value
 * printed goes through buf_html(); no page has script but the passkey
 * buttons' one file from our origin (html_passkey.c; the CSP in
 * response.c forbids any other), the style sheet is served at
 * BASE/style.css.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jwtauth.h"

static const char html_css[] =
	":root{color-scheme:light dark;--accent:#2457c5;--err:#b3261e}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;min-height:100vh;display:flex;align-items:center;"
	"justify-content:center;font:16px/1.5 system-ui,-apple-system,"
	"'Segoe UI',Roboto,sans-serif;background:#f3f5f9;color:#1b1f24}\n"
	"@media (prefers-color-scheme:dark){body{background:#15181d;"
	"color:#e6e8eb}main{background:#1f242b!important;"
	"border-color:#333a44!important}input{background:#15181d;"
	"color:#e6e8eb;border-color:#4a5360!important}}\n"
	"main{width:100%;max-width:24rem;margin:1rem;padding:2rem;"
	"background:#fff;border:1px solid #dde1e7;border-radius:12px;"
	"box-shadow:0 2px 12px rgba(0,0,0,.06)}\n"
	"h1{font-size:1.4rem;margin:0 0 1.25rem}\n"
	"label{display:block;font-weight:600;margin:1rem 0 .3rem}\n"
	"input{width:100%;padding:.65rem .75rem;font:inherit;"
	"border:1px solid #b8c0cc;border-radius:8px}\n"
	"input:focus,button:focus{outline:3px solid var(--accent);"
	"outline-offset:2px}\n"
	"button{width:100%;margin-top:1.5rem;padding:.7rem;font:inherit;"
	"font-weight:600;color:#fff;background:var(--accent);border:0;"
	"border-radius:8px;cursor:pointer}\n"
	"button:hover{filter:brightness(1.1)}\n"
	".error{margin:0 0 1rem;padding:.75rem;border-radius:8px;"
	"color:var(--err);background:#fdecea;border:1px solid #f5c2bd}\n"
	"dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;"
	"margin:0}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}\n"
	"a{color:var(--accent)}\n"
	/* The account page, the demo site and the bar of protected pages. */
	"main.wide{max-width:40rem}\n"
	"h2{font-size:1.1rem;margin:2rem 0 .5rem;padding-top:1rem;"
	"border-top:1px solid #dde1e7}\n"
	"a:focus{outline:3px solid var(--accent);outline-offset:2px}\n"
	".muted{color:#5b6573;font-size:.9rem}\n"
	".badge{display:inline-block;padding:0 .5rem;border-radius:999px;"
	"font-size:.8rem;font-weight:600;color:#fff;background:#1e7d45}\n"
	".notice{margin:0 0 1rem;padding:.75rem;border-radius:8px;"
	"background:#e7f4ec;border:1px solid #b6dcc4;color:#14532d}\n"
	".sessions{list-style:none;padding:0;margin:0}\n"
	".session{padding:.75rem 0;border-bottom:1px solid #dde1e7}\n"
	".session p{margin:0}.session button{width:auto;margin-top:.5rem}\n"
	"button.secondary{color:var(--accent);background:transparent;"
	"border:2px solid var(--accent)}\n"
	"button.danger{background:var(--err)}\n"
	".check{display:flex;gap:.5rem;align-items:center;font-weight:400}"
	".check input{width:auto}\n"
	".qr-box{display:flex;justify-content:center;padding:.5rem}"
	".qr{max-width:100%;height:auto}\n"
	".secret code,.codes code{font-size:1.05rem;letter-spacing:.05em;"
	"overflow-wrap:anywhere}\n"
	".codes{columns:2;gap:2rem}\n"
	".back{margin-top:1.5rem}\n"
	".bar{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;"
	"justify-content:space-between;margin:0 0 1.25rem;padding:0 0 .75rem;"
	"border-bottom:1px solid #dde1e7}\n"
	".bar form{margin:0}.bar button{width:auto;margin:0;padding:.4rem .9rem}\n"
	"ul.links{padding-left:1.2rem}ul.links li{margin:.4rem 0}\n"
	/* The passkey controls (html_passkey.c). */
	".or{margin:1.25rem 0 0;text-align:center;color:#5b6573}"
	".or+button{margin-top:.5rem}\n"
	".badge.off{background:var(--err)}"
	"#passkey-status{margin:1rem 0 0}\n";

/* The favicon, a key on a blue square (SVG). */
static const char html_favicon[] =
	"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">"
	"<rect width=\"32\" height=\"32\" rx=\"7\" fill=\"#2457c5\"/>"
	"<circle cx=\"12\" cy=\"16\" r=\"5\" fill=\"none\" stroke=\"#fff\" "
	"stroke-width=\"3\"/><path d=\"M17 16h10v4M23 16v3\" fill=\"none\" "
	"stroke=\"#fff\" stroke-width=\"3\"/></svg>\n";

/* The favicon's SVG text. */
const char *
html_favicon_svg(void)
{
	return html_favicon;
}

/* The style sheet's text. */
const char *
html_stylesheet(void)
{
	return html_css;
}

/*
 * Opens a page titled title; with refresh (may be NULL) the browser moves
 * on to that URL at once (a meta refresh: no script).
 */
void
html_begin(struct buf *b, const struct config *cfg, const char *title,
    const char *refresh)
{
	html_begin_class(b, cfg, title, refresh, NULL);
}

/* html_begin() with a class on main (NULL: none), "wide" for instance. */
void
html_begin_class(struct buf *b, const struct config *cfg, const char *title,
    const char *refresh, const char *cls)
{
	buf_puts(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n");
	if (refresh != NULL) {
		buf_puts(b, "<meta http-equiv=\"refresh\" content=\"0;url=");
		buf_html(b, refresh);
		buf_puts(b, "\">\n");
	}
	buf_puts(b, "<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_html(b, title);
	buf_puts(b, "</title>\n<link rel=\"stylesheet\" href=\"");
	buf_html(b, cfg != NULL ? cfg->base_path : "/auth");
	buf_puts(b, "/style.css\">\n<link rel=\"icon\" type=\"image/svg+xml\" "
	    "href=\"");
	buf_html(b, cfg != NULL ? cfg->base_path : "/auth");
	buf_puts(b, "/favicon.svg\">\n</head>\n<body>\n<main");
	if (cls != NULL) {
		buf_puts(b, " class=\"");
		buf_html(b, cls);
		buf_puts(b, "\"");
	}
	buf_puts(b, ">\n");
}

/*
 * Appends time t as the database gives it ("2026-12-01T02:47:07Z") in a
 * shorter form for people: "2026-12-01 02:47 UTC"; anything else as it
 * is (escaped in both cases).
 */
void
html_time(struct buf *b, const char *t)
{
	char	 s[32];

	if (strlen(t) == 20 && t[10] == 'T' && t[19] == 'Z') {
		snprintf(s, sizeof(s), "%.10s %.5s UTC", t, t + 11);
		buf_html(b, s);
	} else
		buf_html(b, t);
}

/* An error message (may be NULL: nothing) that says what to do. */
void
html_alert(struct buf *b, const char *message)
{
	if (message == NULL)
		return;
	buf_puts(b, "<p class=\"error\" role=\"alert\">");
	buf_html(b, message);
	buf_puts(b, "</p>\n");
}

/* Opens a form that posts to BASE/route with the CSRF token field. */
void
html_form(struct buf *b, const struct config *cfg, const char *route,
    const char *csrf)
{
	buf_puts(b, "<form method=\"post\" action=\"");
	buf_html(b, cfg->base_path);
	buf_puts(b, route);
	buf_puts(b, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, csrf);
	buf_puts(b, "\">\n");
}

/* A way back: a link to BASE + route (NULL: the site's home page). */
void
html_back(struct buf *b, const struct config *cfg, const char *route,
    const char *text)
{
	buf_puts(b, "<p class=\"back\"><a href=\"");
	if (route != NULL) {
		buf_html(b, cfg != NULL ? cfg->base_path : "/auth");
		buf_puts(b, route);
	} else
		buf_puts(b, "/");
	buf_puts(b, "\">");
	buf_html(b, text);
	buf_puts(b, "</a></p>\n");
}

void
html_end(struct buf *b)
{
	buf_puts(b, "</main>\n</body>\n</html>\n");
}

/*
 * The login form: posts to BASE/login with the hidden next path and the
 * CSRF token; message (may be NULL) is shown above the fields as an
 * alert that says what to do.
 */
void
html_login(struct buf *b, const struct config *cfg, const char *next,
    const char *message, const char *csrf, const char *username)
{
	int	 kept = username != NULL && *username != '\0';

	html_begin(b, cfg, "Sign in", NULL);
	buf_puts(b, "<h1>Sign in</h1>\n");
	html_alert(b, message);
	html_form(b, cfg, "/login", csrf);
	buf_puts(b, "<input type=\"hidden\" name=\"next\" value=\"");
	buf_html(b, next);
	buf_puts(b, "\">\n<label for=\"username\">User name</label>\n"
	    "<input id=\"username\" name=\"username\" type=\"text\" "
	    "autocomplete=\"username\" autocapitalize=\"none\" "
	    "spellcheck=\"false\" required");
	/* A failed sign-in keeps the name typed (never the password). */
	if (kept) {
		buf_puts(b, " value=\"");
		buf_html(b, username);
		buf_puts(b, "\">\n");
	} else
		buf_puts(b, " autofocus>\n");
	buf_printf(b, "<label for=\"password\">Password</label>\n"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required%s>\n",
	    kept ? " autofocus" : "");
	if (cfg->remember_offered)	/* route_login.c */
		buf_puts(b, "<label class=\"check\"><input type=\"checkbox\" "
		    "name=\"remember\"> Keep me signed in</label>\n");
	buf_puts(b, "<button type=\"submit\">Sign in</button>\n</form>\n");
	if (cfg->webauthn_rp_id != NULL)	/* passkeys are on */
		html_passkey_login(b, cfg, next, csrf);
	if (cfg->site_url != NULL)	/* reset by email is on */
		html_back(b, cfg, "/reset", "Forgot your password?");
	if (cfg->signup_mode == SIGNUP_OPEN)	/* route_signup.c */
		html_back(b, cfg, "/signup", "Create an account");
	html_back(b, cfg, NULL, "Back to the home page");
	html_end(b);
}

/*
 * The second step of a sign-in with a second factor: the code form,
 * posting the mfa_token, next and the CSRF token on to BASE/login; with
 * passkeys on, "Use a passkey" in its place (html_passkey_mfa).
 */
void
html_login_code(struct buf *b, const struct config *cfg, const char *token,
    const char *next, const char *message, const char *csrf)
{
	html_begin(b, cfg, "Sign in: code", NULL);
	buf_puts(b, "<h1>Enter your code</h1>\n");
	html_alert(b, message);
	buf_puts(b, "<p>Open your authenticator app and enter the 6-digit "
	    "code it shows for this site. Lost the device? Enter one of "
	    "your recovery codes.</p>\n");
	html_form(b, cfg, "/login", csrf);
	buf_puts(b, "<input type=\"hidden\" name=\"next\" value=\"");
	buf_html(b, next);
	buf_puts(b, "\">\n<input type=\"hidden\" name=\"mfa_token\" "
	    "value=\"");
	buf_html(b, token);
	buf_puts(b, "\">\n<label for=\"code\">Code</label>\n"
	    "<input id=\"code\" name=\"code\" type=\"text\" "
	    "inputmode=\"numeric\" autocomplete=\"one-time-code\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"64\" "
	    "required autofocus>\n"
	    "<button type=\"submit\">Sign in</button>\n</form>\n");
	if (cfg->webauthn_rp_id != NULL)	/* passkeys are on */
		html_passkey_mfa(b, cfg);
	html_back(b, cfg, "/login", "Start again");
	html_end(b);
}

/* The signed-in page of BASE/me, with a logout button. */
void
html_me(struct buf *b, const struct config *cfg, const struct claims *c,
    const char *csrf)
{
	char		 when[64];
	time_t		 t = (time_t)c->exp;
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", (long long)c->exp);
	html_begin(b, cfg, "Signed in", NULL);
	buf_puts(b, "<h1>Signed in as ");
	buf_html(b, c->username);
	buf_puts(b, "</h1>\n<dl>\n<dt>User id</dt><dd>");
	buf_html(b, c->sub);
	buf_puts(b, "</dd>\n<dt>Session</dt><dd>");
	buf_html(b, c->sid);
	buf_puts(b, "</dd>\n<dt>Token expires</dt><dd>");
	buf_html(b, when);
	buf_puts(b, "</dd>\n</dl>\n");
	html_form(b, cfg, "/logout", csrf);
	buf_puts(b, "<button type=\"submit\">Sign out</button>\n</form>\n");
	html_back(b, cfg, "/account", "Your account: sessions, password, "
	    "two-factor sign-in");
	html_back(b, cfg, NULL, "Back to the home page");
	html_end(b);
}

/* The password change form of BASE/password. */
void
html_password(struct buf *b, const struct config *cfg, const char *message,
    const char *csrf)
{
	html_begin(b, cfg, "Change password", NULL);
	buf_puts(b, "<h1>Change password</h1>\n");
	html_alert(b, message);
	html_form(b, cfg, "/password", csrf);
	buf_printf(b, "<label for=\"current\">Current password</label>\n"
	    "<input id=\"current\" name=\"current_password\" "
	    "type=\"password\" autocomplete=\"current-password\" required "
	    "autofocus>\n<label for=\"new\">New password (at least %ld "
	    "characters)</label>\n<input id=\"new\" name=\"new_password\" "
	    "type=\"password\" autocomplete=\"new-password\" minlength=\"%ld\" "
	    "required>\n<button type=\"submit\">Change password and sign out "
	    "everywhere</button>\n</form>\n", cfg->password_min,
	    cfg->password_min);
	html_back(b, cfg, "/account", "Back to your account");
	html_end(b);
}

/*
 * The page that takes a browser on to url (BASE/refresh?next=...) at
 * once: a meta refresh, no script, and a link for the rare browser that
 * does not follow it.
 */
void
html_resume(struct buf *b, const struct config *cfg, const char *url)
{
	html_begin(b, cfg, "Signing you in", url);
	buf_puts(b, "<h1>Signing you in</h1>\n<p>Your session is being renewed. "
	    "<a href=\"");
	buf_html(b, url);
	buf_puts(b, "\">Continue</a></p>\n");
	html_end(b);
}

/*
 * The logout confirmation, for a logout that came without our token; it
 * posts scope (local, others or global) on.
 */
void
html_logout(struct buf *b, const struct config *cfg, const char *scope,
    const char *csrf)
{
	html_begin(b, cfg, "Sign out", NULL);
	buf_printf(b, "<h1>Sign out?</h1>\n<p>You are about to end %s.</p>\n",
	    strcmp(scope, "global") == 0 ? "every session of your account" :
	    strcmp(scope, "others") == 0 ?
	    "every other session of your account" : "this session");
	html_form(b, cfg, "/logout", csrf);
	buf_puts(b, "<input type=\"hidden\" name=\"scope\" value=\"");
	buf_html(b, scope);
	buf_puts(b, "\">\n<button type=\"submit\">Sign out</button>\n"
	    "</form>\n");
	html_back(b, cfg, "/account", "Cancel: back to your account");
	html_end(b);
}

/* A page with a title and one message, and a way back to sign in. */
void
html_message(struct buf *b, const char *title, const char *message)
{
	html_begin(b, NULL, title, NULL);
	buf_puts(b, "<h1>");
	buf_html(b, title);
	buf_puts(b, "</h1>\n<p>");
	buf_html(b, message);
	buf_puts(b, "</p>\n");
	html_back(b, NULL, "/login", "Sign in");
	html_back(b, NULL, NULL, "Back to the home page");
	html_end(b);
}
