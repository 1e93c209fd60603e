/*
 * test-config.c: unit tests for config.c and keyfile.c: the defaults,
 * errors that name "file:line" and the key, the bounds of every number,
 * and key files refused when group- or world-readable, empty, short or
 * not base64 (as OpenBSD's check_file_secrecy() would).  Each check
 * writes its files in a fresh temporary directory.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

#define REQUIRED "database = dbname=jwtauth\n" \
		 "key_file = %1$s/key\n" \
		 "secret_file = %1$s/secret\n"

static char	 dir[] = "/tmp/test-config.XXXXXX";
static char	 conf[256];
static char	 err[1024];
static unsigned char key_bytes[64];
static unsigned char secret_bytes[64];	/* key_bytes, each byte ^ 0x5a */

/* Returns dir/name in a static buffer (one of four). */
static const char *
path(const char *name)
{
	static char	 p[4][512];
	static int	 i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

/* Writes len bytes of text to dir/name with mode; replaces the file. */
static void
put(const char *name, const char *text, size_t len, mode_t mode)
{
	int	 fd;

	unlink(path(name));
	if ((fd = open(path(name), O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) == -1 ||
	    close(fd) == -1) {
		perror(path(name));
		exit(EXIT_FAILURE);
	}
}

static void
put_str(const char *name, const char *text, mode_t mode)
{
	put(name, text, strlen(text), mode);
}

/* Writes a key file of n bytes (base64url) to dir/name with mode. */
static void
put_key(const char *name, size_t n, mode_t mode)
{
	char	 text[256];

	/* The secret must differ from the key: config_load refuses both
	 * files holding one key. */
	sodium_bin2base64(text, sizeof(text), strcmp(name, "secret") == 0 ?
	    secret_bytes : key_bytes, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	strncat(text, "\n", sizeof(text) - strlen(text) - 1);
	put_str(name, text, mode);
}

/* Writes the config file: the required keys, then the printf text. */
static void __attribute__((format(printf, 1, 2)))
put_conf(const char *fmt, ...)
{
	char	 text[8192];
	int	 n;
	va_list	 ap;

	n = snprintf(text, sizeof(text), REQUIRED, dir);
	va_start(ap, fmt);
	vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
	va_end(ap);
	put_str("jwtauth.conf", text, 0644);
}

/* Loads the config file; returns the error code, the message in err. */
static int
load(int secrets)
{
	struct config	 cfg;
	int		 rc;

	err[0] = '\0';
	rc = config_load(&cfg, conf, secrets, err, sizeof(err));
	config_free(&cfg);
	return rc;
}

/* Returns 1 if err names conf:line and the text want. */
static int
err_names(int line, const char *want)
{
	char	 where[300];

	snprintf(where, sizeof(where), "%s:%d: ", conf, line);
	return strstr(err, where) == err && strstr(err, want) != NULL;
}

static void
test_defaults(void)
{
	struct config	 c;
	int		 rc;

	put_conf("%s", "");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK, "a file with only the required keys loads");
	tap_ok(strcmp(c.path, conf) == 0 &&
	    strcmp(c.database, "dbname=jwtauth") == 0 &&
	    strcmp(c.key_file, path("key")) == 0,
	    "the values given are kept");
	tap_ok(strcmp(c.key_id, "k1") == 0 &&
	    strcmp(c.issuer, "jwtauth") == 0 &&
	    strcmp(c.base_path, "/auth") == 0 &&
	    c.audience == NULL && c.origin == NULL,
	    "string defaults: key_id k1, issuer jwtauth, base_path /auth, "
	    "no audience, no origin");
	tap_ok(c.access_ttl == 300 && c.refresh_grace == 10 &&
	    c.refresh_ttl == 1209600 && c.leeway == 30,
	    "time defaults: access_ttl 300, refresh_grace 10, refresh_ttl "
	    "1209600, leeway 30");
	tap_ok(c.max_body == 16384 && c.username_max == 64 &&
	    c.password_min == 8 && c.password_max == 1024,
	    "size defaults: max_body 16384, username_max 64, password 8 to "
	    "1024");
	tap_ok(c.pwhash_opslimit == 2 && c.pwhash_memlimit == 65536,
	    "argon2id defaults: 2 passes, 65536 KiB");
	tap_ok(c.keylen == 0 && c.secretlen == 0,
	    "without secrets no key is read");
	config_free(&c);
	config_free(NULL);
	tap_ok(1, "config_free accepts NULL");
}

static void
test_syntax(void)
{
	struct config	 c;
	int		 rc;

	put_conf("# a comment\n\n   \n\t# indented comment\n"
	    "  issuer\t=  \"https://auth.example\"  \r\n"
	    "audience = api#1\n"
	    "access_ttl=600\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK, "comments, blank lines and CR LF are accepted");
	tap_ok(rc == JA_OK && strcmp(c.issuer, "https://auth.example") == 0,
	    "white space and one pair of quotes around a value are dropped");
	tap_ok(rc == JA_OK && strcmp(c.audience, "api#1") == 0,
	    "\"#\" inside a value is kept (no trailing comments)");
	tap_ok(rc == JA_OK && c.access_ttl == 600,
	    "\"key=value\" without spaces is read");
	config_free(&c);
}

static void
test_errors(void)
{
	char	*line;

	put_conf("leeway = 10\nbogus = 1\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(5, "bogus") &&
	    strstr(err, "unknown key") != NULL,
	    "an unknown key is an error naming file:line and the key");
	put_conf("access_ttl = 60\nleeway = 10\naccess_ttl = 70\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(6, "access_ttl") &&
	    strstr(err, "twice") != NULL,
	    "a key given twice is an error at its second line");
	put_conf("database = other\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "database"),
	    "a required key given twice is an error");
	put_conf("access_ttl = 9\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "access_ttl") &&
	    strstr(err, "out of range 10..86400") != NULL,
	    "a number below its minimum is an error naming the bounds");
	put_conf("access_ttl = 86401\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "access_ttl"),
	    "a number above its maximum is an error");
	put_conf("access_ttl = 86400\nleeway = 0\n");
	tap_ok(load(0) == JA_OK, "numbers at their bounds are accepted");
	put_conf("refresh_ttl = 99999999999999999999999\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "refresh_ttl") &&
	    strstr(err, "out of range") != NULL,
	    "a number that overflows a long is out of range, not wrapped");
	put_conf("access_ttl = 5m\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "access_ttl") &&
	    strstr(err, "not a whole number") != NULL,
	    "a number with a unit is not a number");
	put_conf("leeway = \n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "leeway"),
	    "an empty number is not a number");
	put_conf("pwhash_memlimit = 0x10000\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "pwhash_memlimit"),
	    "a hexadecimal number is not a number");
	put_conf("pwhash_memlimit = 1024\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "pwhash_memlimit"),
	    "argon2id memory under OWASP's 19456 KiB is refused");
	put_conf("username_max = 257\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "username_max"),
	    "username_max over JA_NAME_MAX is refused");
	put_conf("leeway 30\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "key = value"),
	    "a line without \"=\" is an error naming file:line");

	put_str("jwtauth.conf", "database = x\nkey_file = k\n", 0644);
	tap_ok(load(0) == JA_ECONFIG && strstr(err, conf) == err &&
	    strstr(err, "secret_file") != NULL &&
	    strstr(err, "missing") != NULL,
	    "a missing required key is an error naming the file and key");

	put_conf("base_path = auth\n");
	tap_ok(load(0) == JA_ECONFIG && strstr(err, "base_path") != NULL,
	    "a base_path without a leading \"/\" is refused");
	put_conf("base_path = /auth/\n");
	tap_ok(load(0) == JA_ECONFIG && strstr(err, "base_path") != NULL,
	    "a base_path with a trailing \"/\" is refused");
	put_conf("password_min = 20\npassword_max = 10\n");
	tap_ok(load(0) == JA_ECONFIG && strstr(err, "password_min") != NULL,
	    "password_min above password_max is refused");
	put_conf("key_id = \"\"\n");
	tap_ok(load(0) == JA_ECONFIG && strstr(err, "key_id") != NULL,
	    "an empty key_id is refused");

	if ((line = malloc(5000)) == NULL)
		abort();
	memset(line, 'x', 4999);
	line[4999] = '\0';
	put_conf("issuer = %s\n", line);
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "too long"),
	    "a line over 4096 bytes is an error naming file:line");
	free(line);

	unlink(conf);
	tap_ok(load(0) == JA_ECONFIG && strstr(err, conf) == err,
	    "a missing config file is an error naming it");
}

/* gate_path and gate_root (gatekeeper mode): both, and well formed. */
static void
test_gate(void)
{
	static const char *const bad_paths[] = {
		"app", "/", "/app/", "/a/../b", "/a/.hidden", "/a//b",
		"/a%2fb", "/a\\b", "/auth", "/auth/files", NULL
	};
	char	 name[128];
	size_t	 i;

	put_conf("gate_path = /app\ngate_root = /srv/app\n");
	tap_ok(load(0) == JA_OK, "gate: gate_path with gate_root loads");
	put_conf("gate_path = /app\n");
	tap_ok(load(0) == JA_ECONFIG && strstr(err, "gate_path: needs "
	    "gate_root") != NULL, "gate: gate_path alone is refused");
	put_conf("gate_root = /srv/app\n");
	tap_ok(load(0) == JA_ECONFIG && strstr(err, "gate_root: needs "
	    "gate_path") != NULL, "gate: gate_root alone is refused");
	put_conf("gate_path = /app\ngate_root = srv/app\n");
	tap_ok(load(0) == JA_ECONFIG && strstr(err, "gate_root") != NULL,
	    "gate: a relative gate_root is refused");
	for (i = 0; bad_paths[i] != NULL; i++) {
		put_conf("gate_path = %s\ngate_root = /srv/app\n",
		    bad_paths[i]);
		snprintf(name, sizeof(name), "gate: gate_path %s is refused",
		    bad_paths[i]);
		tap_ok(load(0) == JA_ECONFIG && strstr(err, "gate_path") !=
		    NULL, name);
	}
	put_conf("base_path = /x/auth\ngate_path = /x\ngate_root = /srv\n");
	tap_ok(load(0) == JA_ECONFIG && strstr(err, "gate_path") != NULL,
	    "gate: a gate_path holding base_path is refused");
	put_conf("gate_path = /authority\ngate_root = /srv/app\n");
	tap_ok(load(0) == JA_OK, "gate: a gate_path that only starts with "
	    "base_path's letters loads");
}

static void
test_keys(void)
{
	struct config	 c;
	int		 rc;

	put_conf("%s", "");
	put_key("key", 32, 0600);
	put_key("secret", 64, 0400);
	rc = config_load(&c, conf, 1, err, sizeof(err));
	tap_ok(rc == JA_OK, "a config with key files of mode 0600 and 0400 "
	    "loads with its secrets");
	tap_ok(rc == JA_OK && c.keylen == 32 &&
	    memcmp(c.key, key_bytes, 32) == 0,
	    "the key is the 32 bytes of its base64url text");
	tap_ok(rc == JA_OK && c.secretlen == 64 &&
	    memcmp(c.secret, secret_bytes, 64) == 0,
	    "a secret of 64 bytes is read whole");
	config_free(&c);

	put_key("key", 32, 0640);
	tap_ok(load(1) == JA_ECONFIG && strstr(err, path("key")) == err &&
	    strstr(err, "group or others") != NULL,
	    "a key file readable by its group (0640) is refused, named");
	put_key("key", 32, 0604);
	tap_ok(load(1) == JA_ECONFIG && strstr(err, path("key")) == err,
	    "a key file readable by others (0604) is refused");
	put_key("key", 32, 0620);
	tap_ok(load(1) == JA_ECONFIG && strstr(err, path("key")) == err,
	    "a key file writable by its group (0620) is refused");
	put_key("key", 32, 0600);
	put_key("secret", 32, 0644);
	tap_ok(load(1) == JA_ECONFIG && strstr(err, path("secret")) == err,
	    "a secret file of mode 0644 is refused");
	put_key("secret", 32, 0600);
	tap_ok(load(1) == JA_OK, "control: both files at 0600 load");
	put_key("key", 32, 0600);
	{
		char	 same[256];

		sodium_bin2base64(same, sizeof(same), key_bytes, 32,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		put_str("secret", same, 0600);
		tap_ok(load(1) == JA_ECONFIG && strstr(err, "secret_file") !=
		    NULL, "a secret file holding the key itself is refused");
		put_key("secret", 32, 0600);
	}

	put("key", "", 0, 0600);
	tap_ok(load(1) == JA_ECONFIG && strstr(err, "empty") != NULL,
	    "an empty key file is refused");
	put_str("key", "\n \n", 0600);
	tap_ok(load(1) == JA_ECONFIG && strstr(err, path("key")) == err,
	    "a key file of white space is refused");
	put_key("key", 31, 0600);
	tap_ok(load(1) == JA_ECONFIG && strstr(err, "31 bytes") != NULL,
	    "a key of 31 bytes is too short");
	put_key("key", 16, 0600);
	tap_ok(load(1) == JA_ECONFIG && strstr(err, path("key")) == err,
	    "a key of 16 bytes is too short");
	put_str("key", "this is not base64 at all!\n", 0600);
	tap_ok(load(1) == JA_ECONFIG && strstr(err, "base64") != NULL,
	    "a key file that is not base64 is refused");
	put_str("key", "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n"
	    "-----END PUBLIC KEY-----\n", 0600);
	tap_ok(load(1) == JA_ECONFIG,
	    "a PEM file as key file is refused");
	put_key("key", 65, 0600);
	tap_ok(load(1) == JA_ECONFIG && strstr(err, path("key")) == err,
	    "a key of 65 bytes (over JA_KEY_MAX) is refused");
	{
		char	 text[128];

		sodium_bin2base64(text, sizeof(text), key_bytes, 32,
		    sodium_base64_VARIANT_ORIGINAL);
		put_str("key", text, 0600);
		tap_ok(load(1) == JA_OK,
		    "a key in standard base64 with padding is accepted");
	}

	unlink(path("key"));
	tap_ok(load(1) == JA_ECONFIG && strstr(err, path("key")) == err,
	    "a missing key file is refused, named");
	if (symlink(path("secret"), path("key")) == -1)
		abort();
	tap_ok(load(1) == JA_ECONFIG && strstr(err, path("key")) == err,
	    "a key file that is a symbolic link is refused");
	unlink(path("key"));
	if (mkdir(path("key"), 0700) == -1)
		abort();
	tap_ok(load(1) == JA_ECONFIG && strstr(err, "regular") != NULL,
	    "a key file that is a directory is refused");
	rmdir(path("key"));
}

static void
test_keyfile_write(void)
{
	struct stat	 st;
	unsigned char	 k[JA_KEY_MAX];
	size_t		 len = 0;
	char		 text[64];
	int		 rc, fd;
	ssize_t		 n;

	unlink(path("new"));
	rc = keyfile_write(path("new"), err, sizeof(err));
	tap_ok(rc == JA_OK, "keyfile_write writes a new key file");
	tap_ok(stat(path("new"), &st) == 0 && (st.st_mode & 07777) == 0600,
	    "the new key file has mode 0600");
	tap_ok(keyfile_read(path("new"), k, sizeof(k), &len, err,
	    sizeof(err)) == JA_OK && len == JA_KEY_MIN,
	    "the new key file reads back as 32 bytes");
	fd = open(path("new"), O_RDONLY);
	n = read(fd, text, sizeof(text));
	close(fd);
	tap_ok(n == JA_RT_LEN + 1 && text[JA_RT_LEN] == '\n' &&
	    b64url_is_alphabet(text, JA_RT_LEN),
	    "the new key file is one line of 43 base64url characters");

	put_str("old", "keep me\n", 0600);
	rc = keyfile_write(path("old"), err, sizeof(err));
	tap_ok(rc == JA_EEXIST && strstr(err, path("old")) == err,
	    "keyfile_write refuses an existing file");
	fd = open(path("old"), O_RDONLY);
	n = read(fd, text, sizeof(text));
	close(fd);
	tap_ok(n == 8 && memcmp(text, "keep me\n", 8) == 0,
	    "the existing file is left as it was");
	tap_ok(keyfile_write(path("none/key"), err, sizeof(err)) == JA_EIO,
	    "keyfile_write in a missing directory is an I/O error");
	unlink(path("new"));
	unlink(path("old"));
}

static void
test_locate(void)
{
	unsetenv("JWTAUTH_CONFIG");
	tap_ok(strcmp(config_locate("/x.conf"), "/x.conf") == 0,
	    "locate: -c wins");
	tap_ok(strcmp(config_locate(NULL), "/etc/jwtauth/jwtauth.conf") == 0,
	    "locate: the default is /etc/jwtauth/jwtauth.conf");
	setenv("JWTAUTH_CONFIG", "/env.conf", 1);
	tap_ok(strcmp(config_locate(NULL), "/env.conf") == 0 &&
	    strcmp(config_locate(""), "/env.conf") == 0,
	    "locate: $JWTAUTH_CONFIG comes next");
	tap_ok(strcmp(config_locate("/x.conf"), "/x.conf") == 0,
	    "locate: -c wins over $JWTAUTH_CONFIG");
	setenv("JWTAUTH_CONFIG", "", 1);
	tap_ok(strcmp(config_locate(NULL), "/etc/jwtauth/jwtauth.conf") == 0,
	    "locate: an empty $JWTAUTH_CONFIG is ignored");
	unsetenv("JWTAUTH_CONFIG");
}

/* log_file: beside the config by default, relative to it, or none. */
static void
test_log_file(void)
{
	struct config	 c;
	int		 rc;

	put_conf("%s", "");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && c.log_file != NULL &&
	    strcmp(c.log_file, path("jwtauth.log")) == 0,
	    "log_file: by default jwtauth.log beside the config file");
	config_free(&c);
	put_conf("log_file = logs/x.log\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && strcmp(c.log_file, path("logs/x.log")) == 0,
	    "log_file: a relative path is taken from the config's directory");
	config_free(&c);
	put_conf("log_file = /var/log/j.log\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && strcmp(c.log_file, "/var/log/j.log") == 0,
	    "log_file: an absolute path is kept");
	config_free(&c);
	put_conf("log_file = none\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && c.log_file == NULL, "log_file: none means none");
	config_free(&c);
}

/* origin: a list of http(s)://host[:port], nothing else. */
static void
test_origin(void)
{
	put_conf("origin = https://www.example.org  https://example.org:8443"
	    " http://x\n");
	tap_ok(load(0) == JA_OK, "origin: a list separated by spaces loads");
	put_conf("origin = https://example.org/\n");
	tap_ok(load(0) == JA_ECONFIG && strstr(err, "origin: ") != NULL,
	    "origin: a trailing slash is refused, naming the key");
	put_conf("origin = example.org\n");
	tap_ok(load(0) == JA_ECONFIG, "origin: a bare host name is refused");
	put_conf("origin = https://\n");
	tap_ok(load(0) == JA_ECONFIG, "origin: a scheme alone is refused");
}

/*
 * otp_paths: each entry must start with "/"; it is stored fully decoded,
 * as the web server maps the path, or the file is refused at its line.
 */
static void
test_otp_paths(void)
{
	struct config	 c;
	int		 rc;

	put_conf("otp_paths = /private/my%%20docs , /app/%%c3%%a9t%%C3%%A9/, "
	    "/x/./y\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && c.otp_paths != NULL && strcmp(c.otp_paths,
	    "/private/my docs,/app/\303\251t\303\251/,/x/y") == 0,
	    "otp_paths: entries stored decoded (any hex case) and normalised");
	config_free(&c);
	put_conf("otp_paths = /a, private\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "otp_paths"),
	    "otp_paths: an entry without the leading / is refused at its line");
	put_conf("otp_paths = /app%%2Fadmin\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "otp_paths"),
	    "otp_paths: an encoded / is refused");
	put_conf("otp_paths = /a%%5Cb\n");
	tap_ok(load(0) == JA_ECONFIG, "otp_paths: an encoded \\ is refused");
	put_conf("otp_paths = /a%%zz\n");
	tap_ok(load(0) == JA_ECONFIG, "otp_paths: a malformed escape is "
	    "refused");
	put_conf("otp_paths = /a,,/b\n");
	tap_ok(load(0) == JA_ECONFIG, "otp_paths: an empty entry is refused");
}

static void
test_signup(void)
{
	struct config	 c;
	int		 rc;

	put_conf("\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && c.signup_mode == SIGNUP_OFF,
	    "signup: off by default");
	config_free(&c);
	put_conf("site_url = https://example.com\nsignup = open\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && c.signup_mode == SIGNUP_OPEN,
	    "signup: open with site_url");
	config_free(&c);
	put_conf("site_url = https://example.com\nsignup = invite\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && c.signup_mode == SIGNUP_INVITE,
	    "signup: invite with site_url");
	config_free(&c);
	put_conf("site_url = https://example.com\nsignup = yes\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(5, "signup") &&
	    strstr(err, "off, invite or open") != NULL,
	    "signup: another word is refused at its line");
	put_conf("signup = open\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "signup") &&
	    strstr(err, "needs site_url") != NULL,
	    "signup: open without site_url is refused");
}

static void
test_webauthn(void)
{
	struct config	 c;
	int		 rc;

	put_conf("\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && c.webauthn_rp_id == NULL &&
	    !c.webauthn_uv_required, "webauthn: off without site_url, UV "
	    "preferred by default");
	config_free(&c);
	put_conf("site_url = https://login.example.com:8443/app\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && c.webauthn_rp_id != NULL &&
	    strcmp(c.webauthn_rp_id, "login.example.com") == 0 &&
	    c.webauthn_origins != NULL &&
	    strcmp(c.webauthn_origins, "https://login.example.com:8443") == 0,
	    "webauthn: rp id and origin default from site_url");
	config_free(&c);
	put_conf("webauthn_rp_id = example.com\nwebauthn_origins = "
	    "https://example.com https://a.example.com:444\n"
	    "webauthn_user_verification = required\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && c.webauthn_uv_required,
	    "webauthn: origins on the rp id and below it, UV required");
	config_free(&c);
	put_conf("webauthn_rp_id = example.com\nwebauthn_origins = "
	    "https://example.com.evil\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(5, "webauthn_origins"),
	    "webauthn: an origin on another host is refused at its line");
	put_conf("webauthn_rp_id = example.com\nwebauthn_origins = "
	    "http://example.com\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(5, "webauthn_origins"),
	    "webauthn: an http origin is refused (but for localhost)");
	put_conf("webauthn_rp_id = localhost\nwebauthn_origins = "
	    "http://localhost:8080\n");
	tap_ok(load(0) == JA_OK, "webauthn: http://localhost is taken");
	put_conf("webauthn_rp_id = example.com\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "webauthn_rp_id") &&
	    strstr(err, "needs webauthn_origins") != NULL,
	    "webauthn: an rp id without origins or site_url is refused");
	put_conf("webauthn_rp_id = Example.COM\nwebauthn_origins = "
	    "https://example.com\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "webauthn_rp_id"),
	    "webauthn: an rp id not in lower case is refused");
	put_conf("site_url = http://127.0.0.1:8080\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && c.webauthn_rp_id == NULL &&
	    c.webauthn_origins == NULL, "webauthn: a site_url that cannot "
	    "serve passkeys (make run's http://127.0.0.1) loads, passkeys off");
	config_free(&c);
	put_conf("webauthn_rp_id = 127.0.0.1\nwebauthn_origins = "
	    "https://127.0.0.1\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "webauthn_rp_id"),
	    "webauthn: an IP address as the rp id is refused");
	put_conf("webauthn_user_verification = discouraged\n");
	tap_ok(load(0) == JA_ECONFIG &&
	    err_names(4, "webauthn_user_verification"),
	    "webauthn: user verification discouraged is refused");
}

static void
test_remember(void)
{
	struct config	 c;
	int		 rc;

	put_conf("\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && c.remember_offered &&
	    c.session_idle_timeout_short == 43200,
	    "remember_me: on by default, the short idle timeout 12 h");
	config_free(&c);
	put_conf("remember_me = off\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && !c.remember_offered, "remember_me: off");
	config_free(&c);
	put_conf("\nremember_me = yes\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(5, "remember_me") &&
	    strstr(err, "on or off") != NULL,
	    "remember_me: another word is refused at its line");
	put_conf("\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && c.login_notice_on, "login_notice: on by default");
	config_free(&c);
	put_conf("login_notice = off\n");
	rc = config_load(&c, conf, 0, err, sizeof(err));
	tap_ok(rc == JA_OK && !c.login_notice_on, "login_notice: off");
	config_free(&c);
	put_conf("login_notice = 1\n");
	tap_ok(load(0) == JA_ECONFIG && err_names(4, "login_notice"),
	    "login_notice: another word is refused at its line");
}

int
main(void)
{
	size_t	 i;
	int	 rc;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	umask(022);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return EXIT_FAILURE;
	}
	snprintf(conf, sizeof(conf), "%s/jwtauth.conf", dir);
	for (i = 0; i < sizeof(key_bytes); i++) {
		key_bytes[i] = (unsigned char)(i * 7 + 1);
		secret_bytes[i] = key_bytes[i] ^ 0x5a;
	}

	test_defaults();
	test_syntax();
	test_errors();
	test_gate();
	test_keys();
	test_keyfile_write();
	test_locate();
	test_log_file();
	test_origin();
	test_otp_paths();
	test_signup();
	test_remember();
	test_webauthn();
	rc = tap_done();

	unlink(path("jwtauth.conf"));
	unlink(path("key"));
	unlink(path("secret"));
	rmdir(dir);
	return rc;
}
