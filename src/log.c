/*
 * log.c: log lines on standard error, which the web server puts in its
 * error log, and, when log_open() was called, also appended to a file
 * of the user's own (log_file in jwtauth.conf): on a shared host the
 * error log is the host's.  Callers never pass a token or a password;
 * untrusted bytes go through log_escape() first, as do the client's
 * User-Agent and address before they are stored (log_client).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jwtauth.h"

#define LOG_LINE_MAX	1024

static int	 log_fd = -1;

static void	 log_line(const char *, int);
static int	 log_events_quiet;

/*
 * Appends every later log line to path as well, creating it with mode
 * 0600.  Returns JA_OK, or JA_EIO (lines then go to standard error
 * only; the reason is logged there unless quiet is set and the file
 * was merely not ours to create or write, EACCES).  Called again, it
 * closes the file it had first.
 */
int
log_open(const char *path, int quiet)
{
	int	 fd;

	if (log_fd != -1)
		close(log_fd);
	log_fd = -1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd == -1) {
		if (!quiet || errno != EACCES)
			log_msg("log_file %s: %s; logging to standard "
			    "error only", path, strerror(errno));
		return JA_EIO;
	}
	log_fd = fd;
	return JA_OK;
}

/*
 * Moves the log file out: later lines go to standard error only until
 * log_unstash() or log_open().  Returns its descriptor (-1: none).
 */
int
log_stash(void)
{
	int	 fd = log_fd;

	log_fd = -1;
	return fd;
}

/* Closes the log file in place, then appends to fd (-1: none) again. */
void
log_unstash(int fd)
{
	if (log_fd != -1)
		close(log_fd);
	log_fd = fd;
}

/*
 * Writes one line "jwtauth: MESSAGE" to standard error and, with a log
 * file open, "TIME jwtauth[PID]: MESSAGE" to it in one write(2), so that
 * the lines of concurrent processes do not mix.  Lines longer than
 * LOG_LINE_MAX bytes are cut.
 */
void
log_msg(const char *fmt, ...)
{
	va_list		 ap;
	char		 msg[LOG_LINE_MAX];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line(msg, 1);
}

/*
 * Writes the security event line msg (event.c) as log_msg() would,
 * but to the log file only after log_quiet(1).
 */
void
log_event(const char *msg)
{
	log_line(msg, !log_events_quiet);
}

/* Writes msg to standard error if to_stderr, and to the log file. */
static void
log_line(const char *msg, int to_stderr)
{
	char		 line[LOG_LINE_MAX + 64];
	char		 stamp[32];
	struct tm	 tm;
	time_t		 now = time(NULL);
	int		 n;

	if (to_stderr) {
		fprintf(stderr, "jwtauth: %s\n", msg);
		fflush(stderr);
	}
	if (log_fd == -1)
		return;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		stamp[0] = '\0';
	n = snprintf(line, sizeof(line), "%s jwtauth[%ld]: %s\n", stamp,
	    (long)getpid(), msg);
	if (n > 0)
		(void)!write(log_fd, line, (size_t)n < sizeof(line) ?
		    (size_t)n : sizeof(line) - 1);
}

/*
 * With quiet non-zero, later security events (log_event) go to the log
 * file only (authctl: they belong in the service's log, not on the
 * operator's terminal); with 0, to standard error again.
 */
void
log_quiet(int quiet)
{
	log_events_quiet = quiet;
}

/*
 * Writes the client's User-Agent and address as they are stored (audit,
 * sessions): escaped (log_escape) and bounded, "" for what is unknown or
 * when r is NULL (authctl).  ua holds LOG_UA_MAX bytes, ip LOG_IP_MAX.
 */
void
log_client(const struct request *r, char *ua, char *ip)
{
	log_escape_max(ua, LOG_UA_MAX, r != NULL ? r->user_agent : NULL,
	    LOG_UA_MAX);
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
	log_escape_max(dst, dstlen, src, 64);
}

/*
 * log_escape() cut at max bytes of input, for what is stored rather than
 * logged: the User-Agent of a session, which the account page tells in
 * words (ua.c) and needs whole, with the browser's name at its end.
 */
void
log_escape_max(char *dst, size_t dstlen, const char *src, size_t max)
{
	log_escape_also(dst, dstlen, src, max, "");
}

/*
 * The one escaper: copies at most max bytes of src (NULL: none) into dst
 * (dstlen bytes, always NUL-terminated when dstlen > 0), writing every
 * byte that is not printable ASCII, the backslash, and each byte in also
 * as \xHH.  A byte whose escape would not fit ends the copy.
 */
void
log_escape_also(char *dst, size_t dstlen, const char *src, size_t max,
    const char *also)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o;
	unsigned char		 c;

	if (dstlen == 0)
		return;
	for (i = o = 0; src != NULL && src[i] != '\0' && i < max; i++) {
		c = (unsigned char)src[i];
		if (c >= 0x20 && c < 0x7f && c != '\\' &&
		    strchr(also, c) == NULL) {
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
