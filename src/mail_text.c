/*
 * mail_text.c: the words of each mail the service sends, short and in
 * the voice of its pages.  Pure: the unit tests link it.  Every link is
 * given by the caller, built from site_url (never from the request).
 */
#include <string.h>

#include "jwtauth.h"

/* One mail: its subject and the lines of its body before the link. */
struct mail_words {
	const char	*subject;
	const char	*says;		/* "%s" once: the site's host */
	const char	*after;		/* after the link; may be NULL */
};

static const struct mail_words mail_words[] = {
	[MAIL_RESET] = { "Reset your password",
	    "Someone asked to reset the password of your account at %s.\n"
	    "If it was you, open this link within 30 minutes and choose a\n"
	    "new password:",
	    "The link works once. If you did not ask, ignore this mail:\n"
	    "your password stays as it is." },
	[MAIL_PASSWORD_CHANGED] = { "Your password was changed",
	    "The password of your account at %s was changed, and every\n"
	    "session of the account was signed out.\n\n"
	    "If this was not you, reset your password at once and check\n"
	    "your account:", NULL },
	[MAIL_2FA_ON] = { "Two-factor sign-in is on",
	    "Two-factor sign-in was turned on for your account at %s.\n"
	    "Signing in now asks for a code from your app.\n\n"
	    "If this was not you, check your account:", NULL },
	[MAIL_2FA_OFF] = { "Two-factor sign-in is off",
	    "Two-factor sign-in was turned off for your account at %s.\n"
	    "Signing in now asks for your password only.\n\n"
	    "If this was not you, reset your password and check your "
	    "account:", NULL },
	[MAIL_VERIFY] = { "Confirm your email address",
	    "Someone signed up at %s with this address.\n"
	    "If it was you, open this link within 24 hours and press the\n"
	    "button to confirm the address; then you can sign in:",
	    "The link works once. If it was not you, ignore this mail: the\n"
	    "account is deleted after a day." },
	[MAIL_SIGNUP_ADDRESS] = { "Someone tried to sign up with your address",
	    "Someone tried to sign up at %s with this address, which\n"
	    "already belongs to an account there. No new account was made.\n\n"
	    "If it was you and you forgot your password, reset it here:",
	    "If it was not you, ignore this mail: nothing changed." },
	[MAIL_SIGNUP_NAME] = { "That user name is taken",
	    "Someone tried to sign up at %s with this address, but the\n"
	    "user name they chose is taken. No account was made.\n\n"
	    "If it was you, sign up again with another user name:",
	    "If it was not you, ignore this mail: nothing changed." },
	[MAIL_EMAIL_CONFIRM] = { "Confirm your new email address",
	    "Someone asked to use this address for their account at %s.\n"
	    "If it was you, open this link within 24 hours and press the\n"
	    "button to confirm it; until then the account keeps its old\n"
	    "address:",
	    "The link works once. If it was not you, ignore this mail:\n"
	    "nothing changes." },
	[MAIL_EMAIL_TAKEN] = { "Someone tried to use your address",
	    "Someone asked to use this address for their account at %s,\n"
	    "but it already belongs to an account there. Nothing changed.\n\n"
	    "If you forgot the password of that account, reset it here:",
	    "If it was not you, ignore this mail: nothing changed." },
	[MAIL_EMAIL_ASKED] = { "A change of your email address was asked",
	    "Someone signed in to your account at %s asked to change its\n"
	    "email address. It changes only when the link mailed to the new\n"
	    "address is opened.\n\n"
	    "If this was not you, change your password at once and check\n"
	    "your account:", NULL },
	[MAIL_EMAIL_CHANGED] = { "Your email address was changed",
	    "The email address of your account at %s was changed. Mail\n"
	    "about the account now goes to the new address, not this one.\n\n"
	    "If this was not you, check your account at once:", NULL },
	[MAIL_NEW_SIGNIN] = { "A new sign-in to your account",
	    "Someone signed in to your account at %s from a browser and\n"
	    "address not seen before for it.\n\n"
	    "If it was you, ignore this mail. If it was not you, change your\n"
	    "password at once and sign out the sessions you do not know:",
	    NULL },
};

/*
 * Writes the body of the mail of kind for username (NULL: no account
 * yet, a greeting without a name) into body (appended), naming the site
 * by host and ending with link; returns its subject.
 */
const char *
mail_text(struct buf *body, enum mail_kind kind, const char *username,
    const char *host, const char *link)
{
	const struct mail_words	*w = &mail_words[kind];
	const char		*at = strstr(w->says, "%s");

	if (username != NULL)
		buf_printf(body, "Hello %s,\n\n", username);
	else
		buf_puts(body, "Hello,\n\n");
	buf_append(body, w->says, (size_t)(at - w->says));
	buf_puts(body, host);
	buf_puts(body, at + 2);
	buf_printf(body, "\n\n%s\n", link);
	if (w->after != NULL)
		buf_printf(body, "\n%s\n", w->after);
	buf_puts(body, "\n-- \nThis mail was sent by the sign-in service of ");
	buf_puts(body, host);
	buf_puts(body, ".\n");
	return w->subject;
}
