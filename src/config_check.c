/*
 * config_check.c: the checks of the configuration that its table (in
 * config.c) cannot express: the form of a value (origin, gate_path,
 * otp_paths, ...), the relations between keys, and the values derived
 * from them (log_file's path, revocation_strict, sign_alg).  An error
 * names the file, or file:line of the key when it was given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"

/*
 * log_file: "none" means no file; unset means jwtauth.log beside the
 * config file (outside the web space, where the README puts it); a
 * relative path is taken from the config file's directory too.
 */
static int
config_log_file(struct config *cfg, char *err, size_t errlen)
{
	const char	*slash, *name = cfg->log_file;
	char		*path;
	int		 dirlen;

	if (name != NULL && strcmp(name, "none") == 0) {
		free(cfg->log_file);
		cfg->log_file = NULL;
		return JA_OK;
	}
	cfg->log_file_default = name == NULL;
	if (name == NULL)
		name = "jwtauth.log";
	else if (*name == '/')
		return JA_OK;
	else if (*name == '\0') {
		snprintf(err, errlen, "%s: log_file: a path, or none",
		    cfg->path);
		return JA_ECONFIG;
	}
	slash = strrchr(cfg->path, '/');
	dirlen = slash != NULL ? (int)(slash - cfg->path) : 1;
	if (asprintf(&path, "%.*s/%s", dirlen, slash != NULL ? cfg->path :
	    ".", name) == -1) {
		snprintf(err, errlen, "out of memory");
		return JA_ECONFIG;
	}
	free(cfg->log_file);
	cfg->log_file = path;
	return JA_OK;
}

/*
 * signup (route_signup.c): off, invite or open, into signup_mode; a
 * sign-up mails a link, so anything but off needs site_url.  where
 * names the key for an error.
 */
static int
config_signup(struct config *cfg, const char *where, char *err,
    size_t errlen)
{
	if (strcmp(cfg->signup, "off") == 0)
		cfg->signup_mode = SIGNUP_OFF;
	else if (strcmp(cfg->signup, "invite") == 0)
		cfg->signup_mode = SIGNUP_INVITE;
	else if (strcmp(cfg->signup, "open") == 0)
		cfg->signup_mode = SIGNUP_OPEN;
	else {
		snprintf(err, errlen, "%s: signup: off, invite or open",
		    where);
		return JA_ECONFIG;
	}
	if (cfg->signup_mode != SIGNUP_OFF && cfg->site_url == NULL) {
		snprintf(err, errlen, "%s: signup: %s needs site_url (the "
		    "links mailed start with it)", where, cfg->signup);
		return JA_ECONFIG;
	}
	return JA_OK;
}

/*
 * Key name of cfg, whose value is value: "on" sets *flag to 1, "off" to
 * 0, anything else is an error naming the key's line.  Returns JA_OK or
 * JA_ECONFIG.
 */
static int
config_on_off(const struct config *cfg, const size_t *lines,
    const char *name, const char *value, int *flag, char *err,
    size_t errlen)
{
	char	 where[512];

	if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0) {
		*flag = value[1] == 'n';
		return JA_OK;
	}
	config_where(where, sizeof(where), cfg->path, lines, name);
	snprintf(err, errlen, "%s: %s: on or off", where, name);
	return JA_ECONFIG;
}

/*
 * The mail keys (mail_send.c, notice.c): site_url an absolute http(s)
 * URL without a trailing "/", query or fragment, of printable ASCII
 * (every link in a mail starts with it); mail_from an address;
 * mail_dir an absolute path; mail_command starting with an absolute
 * path (run with execve(2), no shell, no PATH search).
 */
static int
config_mail(struct config *cfg, const size_t *lines, char *err,
    size_t errlen)
{
	char		 where[512], host[256];
	const char	*u = cfg->site_url, *p;

	if (u != NULL) {
		config_where(where, sizeof(where), cfg->path, lines,
		    "site_url");
		for (p = u; *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 ||
			    (unsigned char)*p >= 0x7f ||
			    strchr("\"'<>\\?#", *p) != NULL)
				break;
		if ((strncmp(u, "https://", 8) != 0 &&
		    strncmp(u, "http://", 7) != 0) || *p != '\0' ||
		    strlen(u) > 512 || u[strlen(u) - 1] == '/' ||
		    mail_url_host(u, host, sizeof(host)) != JA_OK) {
			snprintf(err, errlen, "%s: site_url: an absolute URL "
			    "such as https://example.com, no trailing /",
			    where);
			return JA_ECONFIG;
		}
	}
	config_where(where, sizeof(where), cfg->path, lines, "mail_from");
	if (cfg->mail_from != NULL && !mail_address_ok(cfg->mail_from)) {
		snprintf(err, errlen, "%s: mail_from: an address such as "
		    "noreply@example.com", where);
		return JA_ECONFIG;
	}
	config_where(where, sizeof(where), cfg->path, lines, "mail_dir");
	if (cfg->mail_dir != NULL && cfg->mail_dir[0] != '/') {
		snprintf(err, errlen, "%s: mail_dir: an absolute path", where);
		return JA_ECONFIG;
	}
	config_where(where, sizeof(where), cfg->path, lines, "signup");
	if (config_signup(cfg, where, err, errlen) != JA_OK)
		return JA_ECONFIG;
	config_where(where, sizeof(where), cfg->path, lines, "mail_command");
	if (cfg->mail_command[0] != '/' || !mail_value_ok(cfg->mail_command,
	    1024)) {
		snprintf(err, errlen, "%s: mail_command: a program's absolute "
		    "path and its arguments", where);
		return JA_ECONFIG;
	}
	return JA_OK;
}

/*
 * origin: one or more origins separated by spaces, each
 * "http://host[:port]" or "https://host[:port]" with no path, not even
 * a trailing "/" (RFC 6454 §6.2, the form browsers send).
 */
static int
config_origins(struct config *cfg, char *err, size_t errlen)
{
	const char	*p = cfg->origin, *host;
	size_t		 len;

	if (p == NULL)
		return JA_OK;
	p += strspn(p, " \t");
	if (*p == '\0')
		goto bad;
	for (; *p != '\0'; p += strspn(p, " \t")) {
		len = strcspn(p, " \t");
		if (strncmp(p, "https://", 8) == 0)
			host = p + 8;
		else if (strncmp(p, "http://", 7) == 0)
			host = p + 7;
		else
			goto bad;
		if (host == p + len || memchr(host, '/', len -
		    (size_t)(host - p)) != NULL)
			goto bad;
		p += len;
	}
	return JA_OK;
bad:
	snprintf(err, errlen, "%s: origin: one or more of http(s)://host[:port]"
	    " separated by spaces, without a path", cfg->path);
	return JA_ECONFIG;
}

/* Returns 1 if URL path a is b or lies under it. */
static int
config_path_under(const char *a, const char *b)
{
	size_t	 len = strlen(b);

	return strcmp(b, "/") == 0 || (strncmp(a, b, len) == 0 &&
	    (a[len] == '\0' || a[len] == '/'));
}

/*
 * gate_path and gate_root (gatekeeper mode, gate.c): both or neither;
 * the URL prefix starts with "/", is not "/" and does not end with "/",
 * and neither holds nor lies under base_path; the directory is absolute.
 */
static int
config_gate(struct config *cfg, char *err, size_t errlen)
{
	const char	*p = cfg->gate_path;
	size_t		 len;

	if (p == NULL && cfg->gate_root == NULL)
		return JA_OK;
	if (p == NULL || cfg->gate_root == NULL) {
		snprintf(err, errlen, "%s: %s: needs %s as well", cfg->path,
		    p == NULL ? "gate_root" : "gate_path",
		    p == NULL ? "gate_path" : "gate_root");
		return JA_ECONFIG;
	}
	len = strlen(p);
	if (p[0] != '/' || len < 2 || p[len - 1] == '/' ||
	    strcspn(p, "%?#\\") != len || strstr(p, "/.") != NULL ||
	    strstr(p, "//") != NULL) {
		snprintf(err, errlen, "%s: gate_path: a URL path such as /app"
		    " (no trailing /, no dot segment)", cfg->path);
		return JA_ECONFIG;
	}
	if (config_path_under(p, cfg->base_path) ||
	    config_path_under(cfg->base_path, p)) {
		snprintf(err, errlen, "%s: gate_path: must not hold or lie "
		    "under base_path", cfg->path);
		return JA_ECONFIG;
	}
	if (cfg->gate_root[0] != '/') {
		snprintf(err, errlen, "%s: gate_root: an absolute path",
		    cfg->path);
		return JA_ECONFIG;
	}
	return JA_OK;
}

/*
 * otp_paths: comma-separated URL paths, each starting with "/"; each is
 * stored normalised and fully decoded ("/my%20docs" as "/my docs"), the
 * form authz_otp_needed compares, or the file is refused.  An entry
 * that could never match (no leading "/", an encoded "/", "\\" or NUL,
 * a malformed escape) would leave its paths unprotected.
 */
static int
config_otp_paths(struct config *cfg, const size_t *lines, char *err,
    size_t errlen)
{
	char		 where[512], *out = NULL, *ent = NULL, *norm = NULL;
	const char	*p, *e;
	size_t		 n, len, w = 0;
	int		 rc = JA_ECONFIG;

	if (cfg->otp_paths == NULL)
		return JA_OK;
	config_where(where, sizeof(where), cfg->path, lines, "otp_paths");
	len = strlen(cfg->otp_paths) + 1;
	if ((out = malloc(len)) == NULL || (ent = malloc(len)) == NULL ||
	    (norm = malloc(len + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (p = cfg->otp_paths; ; p = e + 1) {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		memcpy(ent, p, n);
		ent[n] = '\0';
		if (n == 0 || ent[0] != '/' || strcspn(ent, "?#") != n ||
		    text_path_normalize(ent, norm, len + 1) != JA_OK ||
		    text_path_decode(norm, ent, len) != JA_OK ||
		    strchr(ent, ',') != NULL) {
			snprintf(err, errlen, "%s: otp_paths: each entry a URL "
			    "path starting with / (no encoded /, \\ or NUL, no "
			    "? or #), separated by commas", where);
			goto done;
		}
		n = strlen(ent);
		if (w > 0)
			out[w++] = ',';
		memcpy(out + w, ent, n);
		w += n;
		out[w] = '\0';
		if (*e == '\0')
			break;
	}
	free(cfg->otp_paths);
	cfg->otp_paths = out;
	out = NULL;
	rc = JA_OK;
done:
	free(out);
	free(ent);
	free(norm);
	return rc;
}

/*
 * Checks cfg, just read (config_read; lines: the line of each key
 * given, as config_where takes them), for what the table cannot
 * express, and sets the values derived.  Returns JA_OK, or JA_ECONFIG
 * with the message in err.
 */
int
config_check(struct config *cfg, const size_t *lines, char *err,
    size_t errlen)
{
	size_t	 len = strlen(cfg->base_path);

	if (config_log_file(cfg, err, errlen) != JA_OK)
		return JA_ECONFIG;
	if (config_origins(cfg, err, errlen) != JA_OK)
		return JA_ECONFIG;
	if (config_gate(cfg, err, errlen) != JA_OK)
		return JA_ECONFIG;
	if (config_mail(cfg, lines, err, errlen) != JA_OK ||
	    config_webauthn(cfg, lines, err, errlen) != JA_OK)
		return JA_ECONFIG;

	if (cfg->base_path[0] != '/' || (len > 1 &&
	    cfg->base_path[len - 1] == '/')) {
		snprintf(err, errlen, "%s: base_path: must start with / and "
		    "not end with /", cfg->path);
		return JA_ECONFIG;
	}
	if (cfg->password_min > cfg->password_max) {
		snprintf(err, errlen, "%s: password_min: above password_max",
		    cfg->path);
		return JA_ECONFIG;
	}
	if (*cfg->issuer == '\0' || strlen(cfg->issuer) > JA_NAME_MAX ||
	    !text_utf8_valid(cfg->issuer, strlen(cfg->issuer))) {
		snprintf(err, errlen, "%s: issuer: 1 to %d bytes of text",
		    cfg->path, JA_NAME_MAX);
		return JA_ECONFIG;
	}
	if (cfg->audience != NULL && (*cfg->audience == '\0' ||
	    strlen(cfg->audience) > JA_NAME_MAX ||
	    !text_utf8_valid(cfg->audience, strlen(cfg->audience)))) {
		snprintf(err, errlen, "%s: audience: 1 to %d characters of "
		    "text", cfg->path, JA_NAME_MAX);
		return JA_ECONFIG;
	}
	/* "Keep me signed in" (route_login.c): offered or not; the
	 * notice of a sign-in from a new browser (notice.c). */
	if (config_on_off(cfg, lines, "remember_me", cfg->remember_me,
	    &cfg->remember_offered, err, errlen) != JA_OK ||
	    config_on_off(cfg, lines, "login_notice", cfg->login_notice,
	    &cfg->login_notice_on, err, errlen) != JA_OK)
		return JA_ECONFIG;
	if (strcmp(cfg->revocation_check, "cached") == 0)
		cfg->revocation_strict = 0;
	else if (strcmp(cfg->revocation_check, "strict") == 0)
		cfg->revocation_strict = 1;
	else {
		snprintf(err, errlen, "%s: revocation_check: cached or strict",
		    cfg->path);
		return JA_ECONFIG;
	}
	if (keys_alg_parse(cfg->key_alg, &cfg->sign_alg) != JA_OK) {
		snprintf(err, errlen, "%s: key_alg: HS256, RS256 or ES256",
		    cfg->path);
		return JA_ECONFIG;
	}
	if (*cfg->key_id == '\0' || strlen(cfg->key_id) > JA_KID_MAX ||
	    !text_utf8_valid(cfg->key_id, strlen(cfg->key_id))) {
		snprintf(err, errlen, "%s: key_id: 1 to 64 printable "
		    "bytes", cfg->path);
		return JA_ECONFIG;
	}
	return config_otp_paths(cfg, lines, err, errlen);
}
