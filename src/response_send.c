/*
 * response_send.c: sending the response built in response.c (RFC 3875
 * §6): the Status header, the default headers, the headers set, a blank
 * line and the body, from a buffer or a file, through io.c.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "jwtauth.h"

/*
 * Writes file_len bytes of resp's file from file_off, in chunks (the
 * gatekeeper's files may be large).  Returns JA_OK or JA_EIO (a read
 * error, the file shrank, or the client is gone).
 */
static int
response_send_file(const struct response *resp)
{
	char		 chunk[65536];
	int64_t		 off = resp->file_off, left = resp->file_len;
	ssize_t		 n;

	while (left > 0) {
		n = pread(resp->file_fd, chunk, left < (int64_t)sizeof(chunk) ?
		    (size_t)left : sizeof(chunk), (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_msg("a file being served could not be read: %s",
			    n < 0 ? strerror(errno) : "it shrank");
			return JA_EIO;
		}
		if (io_write(chunk, (size_t)n) != 0)
			return JA_EIO;
		off += n;
		left -= n;
	}
	return JA_OK;
}

/*
 * Writes resp (the body only if method is not HEAD); a bare response is
 * its Status and the headers set, without the defaults and the body.
 * The body is resp's file when it has one (file_fd), else its buffer.
 * A 304 has no Content-Length (RFC 9110 §8.6: it would have to be that
 * of the 200), nor a 204 (§8.6: a server must not send one).  Returns JA_OK, or JA_EIO when the client is gone or
 * memory ran out building it.
 */
int
response_send(struct response *resp, enum method method)
{
	struct buf	 head;
	int64_t		 len;
	int		 rc = JA_OK;

	if (resp->sent)
		return JA_OK;
	resp->sent = 1;
	if (resp->headers.failed || resp->body.failed) {
		buf_free(&resp->headers);
		buf_free(&resp->body);
		if (resp->file_fd >= 0)
			(void)close(resp->file_fd);
		resp->file_fd = -1;
		resp->status = 500;
		buf_puts(&resp->body, "{\"error\":\"server_error\"}");
		response_header(resp, "Content-Type", "application/json");
	}
	len = resp->file_fd >= 0 ? resp->file_len : (int64_t)resp->body.len;
	buf_init(&head);
	buf_printf(&head, "Status: %d %s\r\n", resp->status,
	    response_reason(resp->status));
	/* Bare (an authorizer's refusal under mod_fcgid): the status and
	 * our own headers only, no body. */
	if (!resp->bare) {
		buf_printf(&head, "Cache-Control: %s\r\n",
		    resp->cache_control != NULL ? resp->cache_control :
		    "no-store");
		buf_puts(&head, "X-Content-Type-Options: nosniff\r\n");
	}
	if (resp->headers.len > 0)
		buf_append(&head, resp->headers.data, resp->headers.len);
	if (resp->bare || resp->status == 304 || resp->status == 204)
		buf_puts(&head, "\r\n");
	else
		buf_printf(&head, "Content-Length: %lld\r\n\r\n",
		    (long long)len);
	if (head.failed || io_write(head.data, head.len) != 0)
		rc = JA_EIO;
	else if (resp->bare || method == METHOD_HEAD || resp->status == 304 ||
	    resp->status == 204)
		;
	else if (resp->file_fd >= 0)
		rc = response_send_file(resp);
	else if (resp->body.len > 0 &&
	    io_write(resp->body.data, resp->body.len) != 0)
		rc = JA_EIO;
	buf_free(&head);
	return rc;
}
