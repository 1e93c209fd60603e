/*
 * io.c: the only file that speaks FastCGI.  libfcgi's stdio layer runs
 * the same code as a FastCGI responder or authorizer (FastCGI 1.0 §6)
 * and, when not started by a FastCGI server, as plain CGI: then
 * io_accept() returns one request, the process's own environment and
 * standard streams, and then reports the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "jwtauth.h"

/* After jwtauth.h: fcgi_stdio.h redefines printf and friends. */
#include <fcgi_stdio.h>
#include <fcgiapp.h>
#include <fastcgi.h>

/* Waits for the next request; returns 1 with one ready, 0 at the end. */
int
io_accept(void)
{
	return FCGI_Accept() >= 0;
}

/* Ends the current request's output so that the client has it all. */
void
io_finish(void)
{
	if (FCGX_IsCGI())
		(void)fflush(stdout);
	FCGI_Finish();
}

/*
 * Stops taking new connections, for a process that will exit after the
 * request in hand: closes the listening socket the web server gave it
 * (FastCGI 1.0 §2.2, FCGI_LISTENSOCK_FILENO).  The web server may send
 * the next request to this process as soon as the answer is out; with
 * the socket still open that connection would be accepted by the
 * kernel and reset at exit (a 500), closed it is refused and mod_fcgid
 * tries another process.  The connection of the current request is
 * another descriptor and stays.
 */
void
io_retire(void)
{
	if (!FCGX_IsCGI())
		(void)close(FCGI_LISTENSOCK_FILENO);
}

/* Returns 1 when running as plain CGI. */
int
io_is_cgi(void)
{
	return FCGX_IsCGI();
}

/* The current request's variable name, or NULL.  Valid until io_accept. */
const char *
io_getenv(const char *name)
{
	return getenv(name);
}

/* Reads up to len bytes of the request body; returns the count read. */
size_t
io_read(void *p, size_t len)
{
	return fread(p, 1, len, stdin);
}

/* Writes len bytes of the response; returns 0, or -1 on error. */
int
io_write(const void *p, size_t len)
{
	if (len == 0)
		return 0;
	return fwrite((void *)(uintptr_t)p, 1, len, stdout) == len ? 0 : -1;
}
