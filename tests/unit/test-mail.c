/*
 * test-mail.c: unit tests for mail.c and mail_text.c: the message built
 * (RFC 5322 header fields, RFC 2047 encoded words for a subject that is
 * not ASCII, MIME text/plain; charset=utf-8, 8bit), header values with
 * CR or LF refused with nothing built, addresses, the host of site_url,
 * and the words of each mail ending with its link.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

/* Builds a message into b; returns mail_build()'s result. */
static int
build(struct buf *b, const char *to, const char *subject, const char *body)
{
	buf_init(b);
	return mail_build(b, "noreply@example.com", to, subject, body,
	    (time_t)1700000000, "example.com");
}

static void
test_headers(void)
{
	struct buf	 b;
	const char	*hdr_end;

	tap_ok(build(&b, "alice@example.org", "Reset your password",
	    "Hello alice,\n") == JA_OK, "build: a plain message is built");
	tap_ok(b.data != NULL && strncmp(b.data,
	    "Date: Tue, 14 Nov 2023 22:13:20 +0000\n", 38) == 0,
	    "build: Date first, RFC 5322 §3.3 form, in UTC");
	tap_ok(b.data != NULL && strstr(b.data, "\nMessage-ID: <") != NULL &&
	    strstr(b.data, "@example.com>\n") != NULL,
	    "build: a Message-ID at the site's domain");
	tap_ok(b.data != NULL && strstr(b.data, "\nFrom: noreply@example.com\n"
	    "To: alice@example.org\nSubject: Reset your password\n") != NULL,
	    "build: From, To and an ASCII Subject as given");
	tap_ok(b.data != NULL && strstr(b.data, "\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\nHello alice,\n") != NULL,
	    "build: MIME text/plain UTF-8 8bit, then the body");
	hdr_end = b.data != NULL ? strstr(b.data, "\n\n") : NULL;
	tap_ok(hdr_end != NULL && memchr(b.data, '\r', (size_t)(hdr_end -
	    b.data)) == NULL, "build: no CR in the header (sendmail -t)");
	buf_free(&b);
}

static void
test_refused(void)
{
	struct buf	 b;

	tap_ok(build(&b, "alice@example.org\nBcc: eve@example.net", "Hi",
	    "x\n") == JA_EINVAL && b.len == 0,
	    "refused: LF in the address, nothing built");
	buf_free(&b);
	tap_ok(build(&b, "alice@example.org\r", "Hi", "x\n") == JA_EINVAL &&
	    b.len == 0, "refused: CR in the address, nothing built");
	buf_free(&b);
	tap_ok(build(&b, "alice@example.org", "Hi\r\nBcc: eve@example.net",
	    "x\n") == JA_EINVAL && b.len == 0,
	    "refused: CR LF in the subject, nothing built");
	buf_free(&b);
	tap_ok(build(&b, "alice@example.org", "Hi", "\xff\n") == JA_EINVAL,
	    "refused: a body that is not UTF-8");
	buf_free(&b);
	tap_ok(!mail_value_ok("a\nb", 100) && !mail_value_ok("a\rb", 100) &&
	    !mail_value_ok("a\x01", 100) && mail_value_ok("caf\xc3\xa9", 100),
	    "value: control characters refused, UTF-8 kept");
}

static void
test_encoded_subject(void)
{
	struct buf	 b;
	char		 longs[400];
	size_t		 i;

	tap_ok(build(&b, "a@example.org", "Caf\xc3\xa9", "x\n") == JA_OK &&
	    strstr(b.data, "\nSubject: =?UTF-8?B?Q2Fmw6k=?=\n") != NULL,
	    "subject: not ASCII, one RFC 2047 B encoded word");
	buf_free(&b);
	for (i = 0; i + 2 < sizeof(longs) - 1 && i < 150; i += 2)
		memcpy(longs + i, "\xc3\xa9", 2);
	longs[i] = '\0';
	tap_ok(build(&b, "a@example.org", longs, "x\n") == JA_OK &&
	    strstr(b.data, "?=\n =?UTF-8?B?") != NULL,
	    "subject: a long one folds into several encoded words");
	/* Each word at most 75 characters (RFC 2047 §2). */
	{
		const char	*p = strstr(b.data, "Subject: ") + 9, *e;
		int		 ok = 1;

		while ((e = strstr(p, "?=")) != NULL && p < strstr(b.data,
		    "\nMIME")) {
			if (e + 2 - p > 75)
				ok = 0;
			p = e + 2;
			while (*p == '\n' || *p == ' ')
				p++;
		}
		tap_ok(ok, "subject: every encoded word is at most 75 "
		    "characters");
	}
	buf_free(&b);
}

static void
test_addresses(void)
{
	char	 host[64];

	tap_ok(mail_address_ok("alice@example.org"), "address: plain");
	tap_ok(!mail_address_ok("alice"), "address: no @ refused");
	tap_ok(!mail_address_ok("a@b@c"), "address: two @ refused");
	tap_ok(!mail_address_ok("a b@example.org"), "address: blank refused");
	tap_ok(!mail_address_ok("<a@example.org>"), "address: brackets "
	    "refused");
	tap_ok(!mail_address_ok("a@example.org,b@example.org"),
	    "address: a list refused");
	tap_ok(!mail_address_ok("\xc3\xa9@example.org"),
	    "address: not ASCII refused");
	tap_ok(mail_url_host("https://example.com:8443/x", host,
	    sizeof(host)) == JA_OK && strcmp(host, "example.com") == 0,
	    "site_url: the host without port or path");
	tap_ok(mail_url_host("example.com", host, sizeof(host)) == JA_EINVAL,
	    "site_url: not absolute refused");
}

static void
test_text(void)
{
	struct buf	 b;
	const char	*subject;

	buf_init(&b);
	subject = mail_text(&b, MAIL_RESET, "alice", "example.com",
	    "https://example.com/auth/reset?token=T");
	tap_ok(strcmp(subject, "Reset your password") == 0,
	    "text: the reset mail's subject");
	tap_ok(b.data != NULL && strncmp(b.data, "Hello alice,\n\n", 14) == 0 &&
	    strstr(b.data, "account at example.com.") != NULL &&
	    strstr(b.data, "30 minutes") != NULL &&
	    strstr(b.data, "\n\nhttps://example.com/auth/reset?token=T\n") !=
	    NULL, "text: the reset mail names the user, the site, the time "
	    "and the link");
	buf_free(&b);
	subject = mail_text(&b, MAIL_2FA_OFF, "bob", "example.com",
	    "https://example.com/auth/account");
	tap_ok(strcmp(subject, "Two-factor sign-in is off") == 0 &&
	    strstr(b.data, "https://example.com/auth/account") != NULL,
	    "text: a notice links to the account page");
	buf_free(&b);
	subject = mail_text(&b, MAIL_SIGNUP_NAME, NULL, "example.com",
	    "https://example.com/auth/signup");
	tap_ok(strcmp(subject, "That user name is taken") == 0 &&
	    strncmp(b.data, "Hello,\n\n", 8) == 0,
	    "text: a mail for no account yet greets no one by name");
	buf_free(&b);
	subject = mail_text(&b, MAIL_VERIFY, "erin", "example.com",
	    "https://example.com/auth/verify?token=T");
	tap_ok(strcmp(subject, "Confirm your email address") == 0 &&
	    strstr(b.data, "24 hours") != NULL,
	    "text: the verification mail says how long the link lives");
	buf_free(&b);
	subject = mail_text(&b, MAIL_EMAIL_CONFIRM, NULL, "example.com",
	    "https://example.com/auth/email/confirm?token=T");
	tap_ok(strcmp(subject, "Confirm your new email address") == 0 &&
	    strncmp(b.data, "Hello,\n\n", 8) == 0 &&
	    strstr(b.data, "24 hours") != NULL &&
	    strstr(b.data, "\n\nhttps://example.com/auth/email/confirm?"
	    "token=T\n") != NULL,
	    "text: a new address's link greets no one and says its time");
	buf_free(&b);
	subject = mail_text(&b, MAIL_NEW_SIGNIN, "dave", "example.com",
	    "https://example.com/auth/account");
	tap_ok(strcmp(subject, "A new sign-in to your account") == 0 &&
	    strncmp(b.data, "Hello dave,\n\n", 13) == 0 &&
	    strstr(b.data, "not seen before") != NULL,
	    "text: the notice of a new browser");
	buf_free(&b);
}

static void
test_link(void)
{
	struct config	 cfg;
	struct buf	 b;

	memset(&cfg, 0, sizeof(cfg));
	cfg.site_url = (char *)(uintptr_t)"https://example.com";
	cfg.base_path = (char *)(uintptr_t)"/auth";
	buf_init(&b);
	mail_link(&b, &cfg, "/signup", "TOKEN");
	tap_ok(b.data != NULL && strcmp(b.data,
	    "https://example.com/auth/signup?token=TOKEN") == 0,
	    "link: site_url, base_path, route and token");
	buf_free(&b);
	cfg.base_path = (char *)(uintptr_t)"/";
	buf_init(&b);
	mail_link(&b, &cfg, "/reset", NULL);
	tap_ok(b.data != NULL && strcmp(b.data, "https://example.com/reset") ==
	    0, "link: base_path / adds nothing, no token no query");
	buf_free(&b);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_headers();
	test_refused();
	test_encoded_subject();
	test_addresses();
	test_text();
	test_link();
	return tap_done();
}
