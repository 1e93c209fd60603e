/*
 * mail_send.c: sending the mail a request asked for.  A handler queues
 * up to MAIL_PER_REQUEST messages (mail_queue: built and checked by
 * mail.c, nothing sent);
 * main.c hands it on after the answer is out (mail_flush), so that the
 * visitor's answer, its status and its time, is the same whether a
 * mail went, failed or was never made.  With mail_dir each message is
 * written there as a file; else mail_command (default "sendmail -t -i")
 * is split on blanks and run with execve(2), never a shell, the message
 * on its standard input, for at most mail_timeout seconds (then it is
 * killed): a hung sendmail cannot hold a FastCGI process.  A failure is
 * logged, without the message (its link is a secret), and counted
 * (jwtauth_mails_total{result="failed"}).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "jwtauth.h"

#define MAIL_ARGV_MAX	32

/* Milliseconds left until deadline (CLOCK_MONOTONIC), 0 when past. */
static int
mail_left(const struct timespec *deadline)
{
	struct timespec	 now;
	long long	 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms <= 0 ? 0 : ms > 600000 ? 600000 : (int)ms;
}

/*
 * Writes msg as a new file of dir: a temporary name first, renamed to
 * <seconds>.<nanoseconds>-<random>.eml once complete (names sort in the
 * order written), so a reader never sees half a message.  Returns JA_OK
 * or JA_EIO (logged).
 */
static int
mail_to_dir(const char *dir, const struct buf *msg)
{
	struct timespec	 now;
	unsigned char	 raw[8];
	char		 id[2 * sizeof(raw) + 1], tmp[4096], path[4096];
	int		 fd, rc = JA_EIO;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(id, sizeof(id), raw, sizeof(raw));
	clock_gettime(CLOCK_REALTIME, &now);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", dir, id) >=
	    sizeof(tmp) || (size_t)snprintf(path, sizeof(path),
	    "%s/%lld.%09ld-%s.eml", dir, (long long)now.tv_sec, now.tv_nsec,
	    id) >= sizeof(path))
		return JA_EIO;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0640)) < 0) {
		log_msg("mail not sent: mail_dir: %s", strerror(errno));
		return JA_EIO;
	}
	if (write(fd, msg->data, msg->len) == (ssize_t)msg->len &&
	    close(fd) == 0) {
		fd = -1;
		if (rename(tmp, path) == 0)
			rc = JA_OK;
	}
	if (rc != JA_OK) {
		log_msg("mail not sent: mail_dir: %s", strerror(errno));
		(void)unlink(tmp);
	}
	if (fd >= 0)
		(void)close(fd);
	return rc;
}

/*
 * The child: fd the message's end of the pipe as standard input,
 * /dev/null as standard output (a CGI program's is the client's),
 * standard error kept (the web server's log), nothing else open, the
 * signals as the program expects them; then argv.  Never returns.
 */
static void
mail_child(int fd, char **argv)
{
	static char	 path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	char		*envp[] = { path, NULL };
	long		 i, max = sysconf(_SC_OPEN_MAX);
	int		 null;

	if (dup2(fd, 0) != 0)
		_exit(127);
	if ((null = open("/dev/null", O_WRONLY)) >= 0 && null != 1)
		(void)dup2(null, 1);
	if (max < 0 || max > 4096)
		max = 4096;
	for (i = 3; i < max; i++)
		(void)close((int)i);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	execve(argv[0], argv, envp);
	_exit(127);
}

/*
 * Writes msg to the pipe fd (non-blocking) until deadline; returns 0
 * when all of it went, -1 otherwise.
 */
static int
mail_feed(int fd, const struct buf *msg, const struct timespec *deadline)
{
	struct pollfd	 p;
	size_t		 off = 0;
	ssize_t		 n;

	p.fd = fd;
	p.events = POLLOUT;
	while (off < msg->len) {
		if (poll(&p, 1, mail_left(deadline)) <= 0)
			return -1;
		n = write(fd, msg->data + off, msg->len - off);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (n > 0)
			off += (size_t)n;
	}
	return 0;
}

/* Waits for pid until deadline, then kills it; its exit status or -1. */
static int
mail_reap(pid_t pid, const struct timespec *deadline)
{
	struct timespec	 nap = { 0, 10 * 1000 * 1000 };
	int		 status;
	pid_t		 p;

	while ((p = waitpid(pid, &status, WNOHANG)) == 0 &&
	    mail_left(deadline) > 0)
		nanosleep(&nap, NULL);
	if (p == pid)
		return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
	log_msg("mail not sent: mail_command took longer than mail_timeout");
	return -1;
}

/*
 * Runs command (mail_command: words split on blanks) with msg on its
 * standard input, for at most timeout seconds.  Returns JA_OK when it
 * took all of the message and exited 0, else JA_EIO (logged).
 */
static int
mail_to_command(const char *command, long timeout, const struct buf *msg)
{
	struct timespec	 deadline;
	char		*copy, *argv[MAIL_ARGV_MAX + 1], *w, *save = NULL;
	int		 fds[2] = { -1, -1 }, argc = 0, rc = JA_EIO, st;
	pid_t		 pid;

	if ((copy = strdup(command)) == NULL)
		return JA_EIO;
	for (w = strtok_r(copy, " \t", &save); w != NULL &&
	    argc < MAIL_ARGV_MAX; w = strtok_r(NULL, " \t", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	if (argc == 0 || pipe2(fds, O_CLOEXEC) != 0)
		goto out;
	if ((pid = fork()) < 0) {
		log_msg("mail not sent: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		mail_child(fds[0], argv);
	(void)close(fds[0]);
	fds[0] = -1;
	(void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
	if (mail_feed(fds[1], msg, &deadline) != 0)
		log_msg("mail not sent: %s did not take the message",
		    argv[0]);
	else
		rc = JA_OK;
	(void)close(fds[1]);
	fds[1] = -1;
	st = mail_reap(pid, &deadline);
	if (rc == JA_OK && st != 0) {
		log_msg("mail not sent: %s exited with %d", argv[0], st);
		rc = JA_EIO;
	}
out:
	if (fds[0] >= 0)
		(void)close(fds[0]);
	if (fds[1] >= 0)
		(void)close(fds[1]);
	free(copy);
	return rc;
}

/*
 * Queues for ctx's request the mail of kind to address to for username,
 * with link (a URL from site_url: a secret for MAIL_RESET).  At most
 * MAIL_PER_REQUEST mails a request: one more replaces nothing and is
 * refused.
 * Returns JA_OK, or JA_EINVAL (a value fit for no header: CR or LF, or
 * not an address) or JA_ENOMEM, logged and counted as a failed mail;
 * the caller's answer does not change with it.
 */
int
mail_queue(struct ctx *ctx, const char *to, enum mail_kind kind,
    const char *username, const char *link)
{
	struct buf	 body, *msg = NULL;
	char		 host[256], from[MAIL_ADDRESS_MAX + 16];
	const char	*subject;
	size_t		 slot;
	int		 rc = JA_ENOMEM;

	buf_init(&body);
	body.secret = 1;
	for (slot = 0; slot < MAIL_PER_REQUEST && ctx->mail[slot] != NULL;
	    slot++)
		continue;
	if (slot == MAIL_PER_REQUEST || mail_url_host(ctx->cfg->site_url, host,
	    sizeof(host)) != JA_OK) {
		rc = JA_EINVAL;
		goto out;
	}
	snprintf(from, sizeof(from), "%s", ctx->cfg->mail_from != NULL ?
	    ctx->cfg->mail_from : "");
	if (ctx->cfg->mail_from == NULL)
		snprintf(from, sizeof(from), "noreply@%s", host);
	subject = mail_text(&body, kind, username, host, link);
	if (body.failed || (msg = calloc(1, sizeof(*msg))) == NULL)
		goto out;
	buf_init(msg);
	msg->secret = 1;
	rc = mail_build(msg, from, to, subject, body.data, ctx->now, host);
	if (rc == JA_OK)
		ctx->mail[slot] = msg;
out:
	if (rc != JA_OK) {
		log_msg("mail not made: %s", rc == JA_EINVAL ? "an address or "
		    "header value is not fit for a mail (CR, LF or not an "
		    "address)" : "out of memory");
		metrics_count(METRIC_MAIL_FAILED);
		if (msg != NULL)
			buf_free(msg);
		free(msg);
	}
	buf_free(&body);
	return rc;
}

/* Returns 1 when ctx's request queued a mail, else 0. */
int
mail_pending(const struct ctx *ctx)
{
	size_t	 i;

	for (i = 0; i < MAIL_PER_REQUEST; i++)
		if (ctx->mail[i] != NULL)
			return 1;
	return 0;
}

/*
 * Sends the mails queued in mail (MAIL_PER_REQUEST slots, NULL when
 * empty), in order, by mail_dir or mail_command, counts each, and frees
 * them (each slot becomes NULL).  For after the answer.
 */
void
mail_flush(const struct config *cfg, struct buf **mail)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < MAIL_PER_REQUEST; i++) {
		if (mail[i] == NULL)
			continue;
		if (cfg->mail_dir != NULL)
			rc = mail_to_dir(cfg->mail_dir, mail[i]);
		else
			rc = mail_to_command(cfg->mail_command,
			    cfg->mail_timeout, mail[i]);
		metrics_count(rc == JA_OK ? METRIC_MAIL_SENT :
		    METRIC_MAIL_FAILED);
		buf_free(mail[i]);
		free(mail[i]);
		mail[i] = NULL;
	}
}
