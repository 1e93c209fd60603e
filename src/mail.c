/*
 * mail.c: a mail message, built and checked, nothing sent (mail_send.c
 * sends).  Pure: the unit tests link it.  A message is RFC 5322 with
 * the header fields Date (§3.3), Message-ID (§3.6.4), From, To (§3.6.2,
 * §3.6.3), Subject (§3.6.5; RFC 2047 §4.1 "B" encoded words when it is
 * not ASCII), MIME-Version, Content-Type text/plain; charset=utf-8 and
 * Content-Transfer-Encoding 8bit (RFC 2045 §6.2: lines of at most 998
 * octets), lines ending in LF as sendmail(8) -t and msmtp(1) take them
 * on standard input (they send CRLF).  A header value holding CR, LF or
 * another control character is refused before any byte is built, so
 * that no value can add a header field or a recipient.  The links a
 * mail carries are built here too (mail_link), from the config alone.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "jwtauth.h"

#define MAIL_LINE_MAX	998	/* RFC 5322 §2.1.1 */
#define MAIL_WORD_RAW	45	/* bytes per encoded word: 60 base64 */

/*
 * Returns 1 when s may be a header value: valid UTF-8 of at most max
 * bytes, no control character (CR and LF above all: RFC 5322 §2.2),
 * else 0.
 */
int
mail_value_ok(const char *s, size_t max)
{
	size_t	 len, i;

	if (s == NULL || (len = strlen(s)) > max || !text_utf8_valid(s, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * Returns 1 when a is an address we send to or from: the addr-spec of
 * RFC 5322 §3.4.1 in its plain form, ASCII, local@domain, at most 254
 * bytes (RFC 5321 §4.5.3.1), no blank, quote, bracket, comma,
 * semicolon or control character; else 0.
 */
int
mail_address_ok(const char *a)
{
	const char	*at, *p;
	size_t		 len;

	if (a == NULL || (len = strlen(a)) < 3 || len > MAIL_ADDRESS_MAX)
		return 0;
	if ((at = strchr(a, '@')) == NULL || at == a || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	for (p = a; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("()<>[]\\,;:\"", *p) != NULL)
			return 0;
	if (at[1] == '.' || a[len - 1] == '.' || strstr(at, "..") != NULL)
		return 0;
	return 1;
}

/*
 * Writes into host (hostlen bytes) the host of url, an absolute
 * http(s) URL (site_url): what follows "//" up to ":", "/" or the end.
 * Returns JA_OK or JA_EINVAL.
 */
int
mail_url_host(const char *url, char *host, size_t hostlen)
{
	const char	*p;
	size_t		 n;

	if (url == NULL || (p = strstr(url, "://")) == NULL)
		return JA_EINVAL;
	p += 3;
	n = strcspn(p, ":/?#");
	if (n == 0 || n >= hostlen)
		return JA_EINVAL;
	memcpy(host, p, n);
	host[n] = '\0';
	return JA_OK;
}

/* The Date field's value (RFC 5322 §3.3), in UTC, without the locale. */
static void
mail_date(struct buf *b, time_t now)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	 tm;

	gmtime_r(&now, &tm);
	buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\n",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Returns 1 when s is all printable ASCII (no encoding needed). */
static int
mail_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/*
 * The Subject field: s as is when ASCII, else as RFC 2047 §4.1 "B"
 * encoded words of at most 75 characters (§2), each on its own folded
 * line, none splitting a UTF-8 character (§5 (3)).
 */
static void
mail_subject(struct buf *b, const char *s)
{
	char		 enc[sodium_base64_ENCODED_LEN(MAIL_WORD_RAW,
			    sodium_base64_VARIANT_ORIGINAL)];
	size_t		 len = strlen(s), off = 0, n;

	buf_puts(b, "Subject: ");
	if (mail_ascii(s)) {
		buf_puts(b, s);
		buf_puts(b, "\n");
		return;
	}
	while (off < len) {
		n = len - off > MAIL_WORD_RAW ? MAIL_WORD_RAW : len - off;
		/* Back to the start of a character. */
		while (off + n < len && n > 0 &&
		    ((unsigned char)s[off + n] & 0xc0) == 0x80)
			n--;
		sodium_bin2base64(enc, sizeof(enc),
		    (const unsigned char *)s + off, n,
		    sodium_base64_VARIANT_ORIGINAL);
		buf_printf(b, "%s=?UTF-8?B?%s?=", off > 0 ? "\n " : "", enc);
		off += n;
	}
	buf_puts(b, "\n");
}

/*
 * Returns 1 when body is lines of UTF-8 text (no control character but
 * tab) of at most 998 octets each, ended by LF.
 */
static int
mail_body_ok(const char *body)
{
	const char	*p = body, *nl;
	size_t		 n;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (n > MAIL_LINE_MAX || !text_utf8_valid(p, n))
			return 0;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 1;
}

/*
 * Builds into out (appended) the message from from to to with subject
 * and body (text, LF line ends), dated now, its Message-ID's right side
 * domain.  Returns JA_OK, or JA_EINVAL with nothing appended when an
 * address is not one (mail_address_ok), the subject not a header value
 * (mail_value_ok: no CR or LF), or the body not UTF-8 in lines of at
 * most 998 octets.
 */
int
mail_build(struct buf *out, const char *from, const char *to,
    const char *subject, const char *body, time_t now, const char *domain)
{
	unsigned char	 raw[16];
	char		 id[2 * sizeof(raw) + 1];

	if (!mail_address_ok(from) || !mail_address_ok(to) ||
	    !mail_value_ok(subject, MAIL_SUBJECT_MAX) ||
	    !mail_value_ok(domain, 253) || *domain == '\0' ||
	    strchr(domain, '>') != NULL || !mail_body_ok(body))
		return JA_EINVAL;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(id, sizeof(id), raw, sizeof(raw));
	mail_date(out, now);
	buf_printf(out, "Message-ID: <%s@%s>\n", id, domain);
	buf_printf(out, "From: %s\nTo: %s\n", from, to);
	mail_subject(out, subject);
	buf_puts(out, "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n");
	buf_puts(out, body);
	if (*body != '\0' && body[strlen(body) - 1] != '\n')
		buf_puts(out, "\n");
	return out->failed ? JA_ENOMEM : JA_OK;
}

/*
 * Appends to url the link to our route that a mail carries: site_url
 * (from the config alone, never the request), base_path, route,
 * then "?token=" and token when token is not NULL (b64url: no escaping
 * needed).
 */
void
mail_link(struct buf *url, const struct config *cfg, const char *route,
    const char *token)
{
	buf_puts(url, cfg->site_url);
	if (strcmp(cfg->base_path, "/") != 0)
		buf_puts(url, cfg->base_path);
	buf_puts(url, route);
	if (token != NULL) {
		buf_puts(url, "?token=");
		buf_puts(url, token);
	}
}
