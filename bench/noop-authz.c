/*
 * noop-authz.c: the smallest FastCGI authorizer, for make bench.  It
 * grants every request: "Status: 200" and no other header (FastCGI 1.0
 * §6.3), read from nothing, logged nowhere.  What a request behind it
 * costs is the floor of any authorizer on that web server: the FastCGI
 * round trip and the server's own work, with no checking at all.
 * Never install it: it lets everyone in.
 */
#include <fcgi_stdio.h>

int
main(void)
{
	while (FCGI_Accept() >= 0)
		printf("Status: 200\r\n\r\n");
	return 0;
}
