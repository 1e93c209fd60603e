/*
 * log.c: log lines on standard error, which the web server puts in its
 * error log.  Callers never pass a token or a password; untrusted bytes
 * go through log_escape() first, as do the client's User-Agent and
 * address before they are stored (log_client).
 */
#include <stdarg.h>
#include <stdio.h>

#include "jwtauth.h"

/* Writes one line "jwtauth: MESSAGE" to standard error. */
void
log_msg(const char *fmt, ...)
{
	va_list	 ap;

	fputs("jwtauth: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/*
 * Writes the client's User-Agent and address as they are stored (audit,
 * sessions): escaped (log_escape) and bounded, "" for what is unknown or
 * when r is NULL (authctl).  ua holds LOG_UA_MAX bytes, ip LOG_IP_MAX.
 */
void
log_client(const struct request *r, char *ua, char *ip)
{
	log_escape(ua, LOG_UA_MAX, r != NULL ? r->user_agent : NULL);
	log_escape(ip, LOG_IP_MAX, r != NULL ? r->client : NULL);
}

/*
 * Copies src into dst (of size dstlen, always NUL-terminated) with every
 * byte outside printable ASCII, and the backslash, written as \xHH, and
 * cut at 64 bytes of input so that no request can flood the log.
 */
void
log_escape(char *dst, size_t dstlen, const char *src)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o;
	unsigned char		 c;

	if (dstlen == 0)
		return;
	for (i = o = 0; src != NULL && src[i] != '\0' && i < 64; i++) {
		c = (unsigned char)src[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 >= dstlen)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
		}
	}
	dst[o] = '\0';
}
