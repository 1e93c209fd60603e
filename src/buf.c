/*
 * buf.c: a growable byte buffer for building responses.  Appends never
 * fail loudly: on allocation failure the buffer is marked failed and
 * later appends do nothing, so callers check once, at the end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

void
buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
}

/* Zeroes every byte b holds, its whole capacity, and empties it. */
void
buf_wipe(struct buf *b)
{
	if (b->data != NULL)
		sodium_memzero(b->data, b->cap);
	b->len = 0;
}

/*
 * Frees the contents, wiped first when b->secret (which stays set);
 * accepts NULL.  The buffer may be reused after.
 */
void
buf_free(struct buf *b)
{
	int	 secret;

	if (b == NULL)
		return;
	if ((secret = b->secret))
		buf_wipe(b);
	free(b->data);
	buf_init(b);
	b->secret = secret;
}

/* Appends len bytes of p, keeping the data NUL-terminated. */
void
buf_append(struct buf *b, const void *p, size_t len)
{
	size_t	 ncap;
	char	*n;

	if (b->failed)
		return;
	if (len > SIZE_MAX / 2 - b->len - 1) {
		b->failed = 1;
		return;
	}
	if (b->len + len + 1 > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < b->len + len + 1)
			ncap *= 2;
		/* A secret is copied, and the old block wiped: realloc
		 * would leave it behind in freed memory. */
		if (b->secret && (n = malloc(ncap)) != NULL &&
		    b->data != NULL) {
			memcpy(n, b->data, b->len + 1);
			sodium_memzero(b->data, b->cap);
			free(b->data);
		} else if (!b->secret)
			n = realloc(b->data, ncap);
		if (n == NULL) {
			b->failed = 1;
			return;
		}
		b->data = n;
		b->cap = ncap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	 small[512];
	char	*big;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		buf_append(b, small, (size_t)n);
		return;
	}
	if ((big = malloc((size_t)n + 1)) == NULL) {
		b->failed = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf_append(b, big, (size_t)n);
	free(big);
}

/* Appends s escaped for HTML text and attribute values. */
void
buf_html(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&#39;");
			break;
		default:
			buf_append(b, s, 1);
			break;
		}
	}
}

/* Appends s percent-encoded for a query string value (RFC 3986 §2.1). */
void
buf_url(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;
	char			 esc[3];

	for (; s != NULL && *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '/') {
			buf_append(b, s, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 0xf];
		buf_append(b, esc, 3);
	}
}

/*
 * Returns the data, now owned by the caller (free(3)), or NULL if an
 * append failed; the buffer is left empty either way.
 */
char *
buf_steal(struct buf *b)
{
	char	*p;

	if (b->failed) {
		buf_free(b);
		return NULL;
	}
	p = b->data != NULL ? b->data : strdup("");
	buf_init(b);
	return p;
}
