/*
 * daemon.c: jwtauth.fcgi as a FastCGI server of its own (-s ADDRESS),
 * for web servers that connect to a FastCGI application instead of
 * starting it: Apache's mod_authnz_fcgi (AuthnzFcgiDefineProvider ...
 * fcgi://127.0.0.1:PORT/) above all.  It listens on ADDRESS (":PORT",
 * "HOST:PORT" or a Unix socket path, as FCGX_OpenSocket takes it) and
 * keeps -n processes accepting on that one socket, each running the
 * same accept loop as under a web server (the socket becomes their
 * standard input, FastCGI 1.0 §2.2).  A request that finds them all busy
 * waits in the socket's backlog, not in mod_fcgid's one-second sleep.
 * A process that exits is started again; SIGTERM or SIGINT stops them
 * all.  SIGHUP makes every worker read the configuration again before
 * its next request (reload.c; a request in hand is answered first): the
 * daemon passes it on to them, and a worker started later reads it at
 * its first request, the count of SIGHUPs being inherited.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "jwtauth.h"

#define DAEMON_BACKLOG	256
#define DAEMON_MAX	256	/* processes at most */

static volatile sig_atomic_t	 daemon_stop;
static volatile sig_atomic_t	 daemon_hup;	/* SIGHUPs received */

static void
daemon_signal(int sig)
{
	if (sig == SIGHUP)
		daemon_hup++;
	else
		daemon_stop = 1;
}

/*
 * The number of SIGHUPs this process (or the daemon before it forked
 * it) received: when it moved, the configuration is read again.  Always
 * 0 outside the -s daemon.
 */
unsigned long
daemon_hups(void)
{
	return (unsigned long)daemon_hup;
}

/* Installs daemon_signal for sig, restarting system calls or not. */
static void
daemon_catch(int sig, int restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = daemon_signal;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/*
 * Starts one worker; returns its pid in the parent, 0 in the worker.
 * In the worker a SIGHUP interrupts nothing: libfcgi's reads and
 * accept(2) go on (SA_RESTART), the count alone moves.
 */
static pid_t
daemon_spawn(void)
{
	pid_t	 pid;

	if ((pid = fork()) == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		daemon_catch(SIGHUP, 1);
	}
	return pid;
}

/* Passes a SIGHUP on to the n workers of pid[]. */
static void
daemon_forward(const pid_t *pid, long n)
{
	long	 i;

	log_msg("SIGHUP: each worker reads the configuration again before "
	    "its next request");
	for (i = 0; i < n; i++)
		if (pid[i] > 0)
			kill(pid[i], SIGHUP);
}

/*
 * Listens on addr and starts nproc workers.  Returns JA_OK in each
 * worker, which then serves requests as usual.  The parent never
 * returns: it watches the workers until told to stop, then exits 0 (1
 * when the socket cannot be opened: the reason is logged).  Call it
 * before anything asks libfcgi whether this is FastCGI.
 */
int
daemon_start(const char *addr, long nproc)
{
	pid_t		 pid[DAEMON_MAX], p;
	long		 i, n = nproc < 1 ? 1 : (nproc > DAEMON_MAX ?
			    DAEMON_MAX : nproc);
	sig_atomic_t	 hups = 0;
	int		 fd, status;

	if ((fd = FCGX_OpenSocket(addr, DAEMON_BACKLOG)) < 0) {
		log_msg("cannot listen on %s", addr);
		exit(1);
	}
	if (fd != 0 && (dup2(fd, 0) != 0 || close(fd) != 0)) {
		log_msg("cannot use the socket as standard input: %s",
		    strerror(errno));
		exit(1);
	}
	/* Without SA_RESTART: the signal must interrupt waitpid(). */
	daemon_catch(SIGTERM, 0);
	daemon_catch(SIGINT, 0);
	daemon_catch(SIGHUP, 0);
	for (i = 0; i < n; i++) {
		if ((pid[i] = daemon_spawn()) == 0)
			return JA_OK;
		if (pid[i] < 0)
			log_msg("fork: %s", strerror(errno));
	}
	log_msg("listening on %s with %ld processes", addr, n);
	while (!daemon_stop) {
		if (hups != daemon_hup) {
			hups = daemon_hup;
			daemon_forward(pid, n);
		}
		p = waitpid(-1, &status, 0);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < n; i++) {
			if (pid[i] != p)
				continue;
			log_msg("worker %ld ended; starting another",
			    (long)p);
			sleep(1);	/* no busy loop of failing starts */
			if (daemon_stop)
				break;
			if ((pid[i] = daemon_spawn()) == 0)
				return JA_OK;
		}
	}
	for (i = 0; i < n; i++)
		if (pid[i] > 0)
			kill(pid[i], SIGTERM);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	exit(0);
}
