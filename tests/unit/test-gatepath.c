/*
 * test-gatepath.c: unit tests for gatepath.c, the gatekeeper's path
 * checks: what a URL under the protected prefix may name (decoded once,
 * no dot segment or dot file, no encoded "/", backslash or control
 * byte), the scripts it refuses and the Content-Type table.
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"
#include "tap.h"

/* Resolves uri under "/app"; returns the code, rel and slash in out. */
static int
resolve(const char *uri, char *rel, size_t len, int *slash)
{
	return gatepath_resolve(uri, "/app", rel, len, slash);
}

/* 1 when uri resolves to want with slash flag wslash. */
static int
gives(const char *uri, const char *want, int wslash)
{
	char	 rel[256];
	int	 slash;

	return resolve(uri, rel, sizeof(rel), &slash) == JA_OK &&
	    strcmp(rel, want) == 0 && slash == wslash;
}

/* The code uri gets. */
static int
code(const char *uri)
{
	char	 rel[256];
	int	 slash;

	return resolve(uri, rel, sizeof(rel), &slash);
}

static void
test_resolve(void)
{
	char	 small[4];
	int	 slash;

	tap_ok(gives("/app/a.txt", "a.txt", 0), "resolve: a file");
	tap_ok(gives("/app/d/e/f.css?x=1", "d/e/f.css", 0),
	    "resolve: nested, the query dropped");
	tap_ok(gives("/app/", "", 1), "resolve: the directory with its slash");
	tap_ok(gives("/app", "", 0), "resolve: the directory without slash");
	tap_ok(gives("/app/sub/", "sub", 1), "resolve: a sub-directory");
	tap_ok(gives("/app/a%20b.txt", "a b.txt", 0),
	    "resolve: an escape decoded");
	tap_ok(gives("/app/%2561", "%61", 0),
	    "resolve: decoded exactly once (%2561 is the name %61)");
	tap_ok(gives("/%61pp/x", "x", 0), "resolve: the prefix decoded too");
	tap_ok(gives("/app/caf%C3%A9", "caf\xc3\xa9", 0),
	    "resolve: UTF-8 names");

	tap_ok(code("/apps/x") == JA_ENOTFOUND,
	    "resolve: a sibling with the prefix's name is not under it");
	tap_ok(code("/other/x") == JA_ENOTFOUND, "resolve: another path");
	tap_ok(code("/") == JA_ENOTFOUND, "resolve: the root");

	tap_ok(code("/app/../etc/passwd") == JA_EINVAL,
	    "resolve: a .. segment is refused");
	tap_ok(code("/app/d/..") == JA_EINVAL,
	    "resolve: a final .. is refused");
	tap_ok(code("/app/%2e%2e/x") == JA_EINVAL,
	    "resolve: an encoded .. is refused");
	tap_ok(code("/app/%2E%2e/x") == JA_EINVAL,
	    "resolve: an encoded .. in mixed case is refused");
	tap_ok(code("/app/./x") == JA_EINVAL, "resolve: a . segment");
	tap_ok(code("/app/.htaccess") == JA_EINVAL, "resolve: .htaccess");
	tap_ok(code("/app/%2ehtpasswd") == JA_EINVAL,
	    "resolve: an encoded .htpasswd");
	tap_ok(code("/app/.git/config") == JA_EINVAL,
	    "resolve: a dot directory");
	tap_ok(code("/app/d/.env") == JA_EINVAL,
	    "resolve: a dot file deeper down");
	tap_ok(code("/app/a%2fb") == JA_EINVAL, "resolve: an encoded /");
	tap_ok(code("/app/..%2f..%2fetc") == JA_EINVAL,
	    "resolve: .. behind encoded slashes");
	tap_ok(code("/app/a%5cb") == JA_EINVAL,
	    "resolve: an encoded backslash");
	tap_ok(code("/app/a\\b") == JA_EINVAL, "resolve: a backslash");
	tap_ok(code("/app/a%00.txt") == JA_EINVAL, "resolve: an encoded NUL");
	tap_ok(code("/app/a%0a") == JA_EINVAL, "resolve: an encoded newline");
	tap_ok(code("/app//x") == JA_EINVAL, "resolve: an empty segment");
	tap_ok(code("/app/x%") == JA_EINVAL, "resolve: a cut escape");
	tap_ok(code("/app/x%zz") == JA_EINVAL, "resolve: a bad escape");
	tap_ok(code("app/x") == JA_EINVAL, "resolve: not an absolute path");
	tap_ok(code("http://h/app/x") == JA_EINVAL,
	    "resolve: an absolute URI is refused");
	tap_ok(code("/other/%zz") == JA_ENOTFOUND,
	    "resolve: a bad escape in another path is not ours");
	tap_ok(code("/ap%zz") == JA_EINVAL,
	    "resolve: a bad escape within the prefix is refused");
	tap_ok(code("/ap") == JA_ENOTFOUND, "resolve: a part of the prefix");
	tap_ok(code("/appx%00") == JA_ENOTFOUND,
	    "resolve: a bad byte in a sibling's path is not ours");
	tap_ok(gatepath_resolve("/app/abcdef", "/app", small, sizeof(small),
	    &slash) == JA_ETOOBIG, "resolve: a name over the buffer");
}

static void
test_scripts(void)
{
	tap_ok(gatepath_is_script("index.php"), "script: .php");
	tap_ok(gatepath_is_script("d/x.PHP"), "script: .PHP in capitals");
	tap_ok(gatepath_is_script("x.php.txt"),
	    "script: .php anywhere in the name (Apache's AddHandler)");
	tap_ok(gatepath_is_script("run.cgi"), "script: .cgi");
	tap_ok(gatepath_is_script("a.phtml"), "script: .phtml");
	tap_ok(!gatepath_is_script("index.html"), "script: not .html");
	tap_ok(!gatepath_is_script("php/readme.txt"),
	    "script: a directory's name does not count");
	tap_ok(!gatepath_is_script("phpinfo"), "script: no extension");
}

static void
test_types(void)
{
	tap_ok(strcmp(gatepath_type("a.html"), "text/html; charset=utf-8")
	    == 0, "type: html, with charset");
	tap_ok(strcmp(gatepath_type("d/s.CSS"), "text/css; charset=utf-8")
	    == 0, "type: CSS in capitals");
	tap_ok(strcmp(gatepath_type("r.txt"), "text/plain; charset=utf-8")
	    == 0, "type: text");
	tap_ok(strcmp(gatepath_type("p.png"), "image/png") == 0,
	    "type: png");
	tap_ok(strcmp(gatepath_type("x.tar.gz"), "application/gzip") == 0,
	    "type: the last extension counts");
	tap_ok(strcmp(gatepath_type("x.unknown"),
	    "application/octet-stream") == 0, "type: unknown");
	tap_ok(strcmp(gatepath_type("README"), "application/octet-stream")
	    == 0, "type: no extension");
	tap_ok(strcmp(gatepath_type("d.png/x"), "application/octet-stream")
	    == 0, "type: a directory's extension does not count");
}

int
main(void)
{
	test_resolve();
	test_scripts();
	test_types();
	return tap_done();
}
