/*
 * config.c: the configuration file.  One "key = value" a line, blank
 * lines and lines starting with "#" ignored, no trailing comments (so
 * that a value may hold "#").  Every key is declared once in the table
 * below with its type, default and bounds; an error names file:line and
 * the key.  See jwtauth.conf(5).
 */
#include <errno.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "jwtauth.h"

#define CONFIG_DEFAULT	"/etc/jwtauth/jwtauth.conf"
#define CONFIG_HOME	"jwtauth/jwtauth.conf"
#define CONFIG_LINE_MAX	4096

enum config_type {
	CONFIG_STR,
	CONFIG_LONG
};

struct config_key {
	const char		*name;
	enum config_type	 type;
	size_t			 off;
	const char		*def;	/* NULL: no default */
	int			 required;
	long			 min;
	long			 max;
};

#define STR(n, d, r) \
	{ #n, CONFIG_STR, offsetof(struct config, n), d, r, 0, 0 }
#define NUM(n, d, lo, hi) \
	{ #n, CONFIG_LONG, offsetof(struct config, n), d, 0, lo, hi }

static const struct config_key config_keys[] = {
	STR(database, NULL, 1),
	STR(key_file, NULL, 1),
	STR(secret_file, NULL, 1),
	STR(key_id, "k1", 0),
	STR(issuer, "jwtauth", 0),
	STR(audience, NULL, 0),
	STR(base_path, "/auth", 0),
	STR(origin, NULL, 0),
	STR(log_file, NULL, 0),
	STR(gate_path, NULL, 0),
	STR(gate_root, NULL, 0),
	NUM(access_ttl, "300", 10, 86400),
	NUM(refresh_grace, "10", 0, 300),
	NUM(session_max_age, "2592000", 60, 31536000),
	NUM(session_idle_timeout, "1209600", 60, 31536000),
	NUM(purge_interval, "60", 0, 86400),
	NUM(purge_batch, "1000", 10, 100000),
	NUM(audit_max_age, "7776000", 86400, 315360000),
	NUM(refresh_ttl, "1209600", 60, 31536000),
	NUM(leeway, "30", 0, 300),
	NUM(max_body, "16384", 256, 1048576),
	NUM(username_max, "64", 1, JA_NAME_MAX),
	NUM(password_min, "8", 1, 1024),
	NUM(password_max, "1024", 8, 4096),
	NUM(pwhash_opslimit, "2", 2, 16),
	NUM(pwhash_memlimit, "65536", 19456, 1048576),
	NUM(pwhash_concurrency, "1", 1, 64),
	STR(revocation_check, "cached", 0),
	NUM(token_cache_size, "1024", 0, 65536),
	NUM(throttle_user_max, "5", 1, 1000),
	NUM(throttle_ip_max, "20", 1, 100000),
	NUM(throttle_window, "900", 60, 86400),
	NUM(throttle_max_delay, "60", 1, 3600),
	STR(trusted_proxies, NULL, 0),
	STR(key_alg, "HS256", 0),
	STR(verify_keys, NULL, 0),
	STR(old_secret_files, NULL, 0),
	STR(otp_paths, NULL, 0),
	STR(metrics_allow, NULL, 0),
};

#define CONFIG_NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

/*
 * Returns the config file to read: opt (from -c) if given, else
 * $JWTAUTH_CONFIG if set and not empty, else ~/jwtauth/jwtauth.conf of
 * the user the program runs as, if it exists (a shared host's suexec
 * strips the environment and a plain CGI program has no arguments),
 * else the built-in default.  The result stays valid until the next
 * call.
 */
const char *
config_locate(const char *opt)
{
	static char	 home[1024];
	const char	*env;
	struct passwd	*pw;

	if (opt != NULL && *opt != '\0')
		return opt;
	if ((env = getenv("JWTAUTH_CONFIG")) != NULL && *env != '\0')
		return env;
	if ((pw = getpwuid(geteuid())) != NULL && pw->pw_dir != NULL &&
	    (size_t)snprintf(home, sizeof(home), "%s/" CONFIG_HOME,
	    pw->pw_dir) < sizeof(home) && access(home, R_OK) == 0)
		return home;
	return CONFIG_DEFAULT;
}

/*
 * Writes into err (errlen bytes) why no config file was found for
 * opt (as config_locate took it): the paths tried, in order, and how to
 * name one.  For a caller whose config_locate() result does not exist.
 */
void
config_not_found(const char *opt, char *err, size_t errlen)
{
	const char	*env = getenv("JWTAUTH_CONFIG");
	struct passwd	*pw = getpwuid(geteuid());

	if (opt != NULL && *opt != '\0') {
		snprintf(err, errlen, "%s: no such config file (-c)", opt);
		return;
	}
	if (env != NULL && *env != '\0') {
		snprintf(err, errlen, "%s: no such config file "
		    "($JWTAUTH_CONFIG)", env);
		return;
	}
	snprintf(err, errlen, "no config file: tried -c (not given), "
	    "$JWTAUTH_CONFIG (not set), %s/" CONFIG_HOME ", " CONFIG_DEFAULT
	    ";\nname one with -c FILE or JWTAUTH_CONFIG=FILE "
	    "(see authctl(8))", pw != NULL && pw->pw_dir != NULL ?
	    pw->pw_dir : "~");
}

static char *
config_trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Stores value for key k; returns JA_OK or JA_ECONFIG with err set. */
static int
config_set(struct config *cfg, const struct config_key *k, const char *value,
    const char *where, char *err, size_t errlen)
{
	char	**sp;
	long	 *lp;
	char	 *copy;
	int	  rc;

	if (k->type == CONFIG_STR) {
		sp = (char **)((char *)cfg + k->off);
		if ((copy = strdup(value)) == NULL) {
			snprintf(err, errlen, "%s: out of memory", where);
			return JA_ECONFIG;
		}
		free(*sp);
		*sp = copy;
		return JA_OK;
	}
	lp = (long *)((char *)cfg + k->off);
	rc = text_parse_long(value, k->min, k->max, lp);
	if (rc == JA_EINVAL) {
		snprintf(err, errlen, "%s: %s: not a whole number", where,
		    k->name);
		return JA_ECONFIG;
	}
	if (rc != JA_OK) {
		snprintf(err, errlen, "%s: %s: out of range %ld..%ld", where,
		    k->name, k->min, k->max);
		return JA_ECONFIG;
	}
	return JA_OK;
}

/*
 * Reads the file's lines into cfg, the line of each key given into
 * lines; JA_ECONFIG with "file:line" on error.
 */
static int
config_read(struct config *cfg, FILE *fp, const char *path, size_t *lines,
    char *err, size_t errlen)
{
	char		 line[CONFIG_LINE_MAX + 2], where[512];
	char		*p, *eq, *key, *value;
	unsigned char	 seen[CONFIG_NKEYS];
	size_t		 i, lineno = 0, len;

	memset(seen, 0, sizeof(seen));
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		len = strlen(line);
		if (len > CONFIG_LINE_MAX) {
			snprintf(err, errlen, "%s: line too long", where);
			return JA_ECONFIG;
		}
		p = config_trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			snprintf(err, errlen, "%s: expected key = value",
			    where);
			return JA_ECONFIG;
		}
		*eq = '\0';
		key = config_trim(p);
		value = config_trim(eq + 1);
		len = strlen(value);
		if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
			value[len - 1] = '\0';
			value++;
		}
		for (i = 0; i < CONFIG_NKEYS; i++)
			if (strcmp(config_keys[i].name, key) == 0)
				break;
		if (i == CONFIG_NKEYS) {
			snprintf(err, errlen, "%s: %.64s: unknown key", where,
			    key);
			return JA_ECONFIG;
		}
		if (seen[i]) {
			snprintf(err, errlen, "%s: %s: given twice", where,
			    key);
			return JA_ECONFIG;
		}
		seen[i] = 1;
		lines[i] = lineno;
		if (config_set(cfg, &config_keys[i], value, where, err,
		    errlen) != JA_OK)
			return JA_ECONFIG;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return JA_ECONFIG;
	}
	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (config_keys[i].required && !seen[i]) {
			snprintf(err, errlen, "%s: %s: required key missing",
			    path, config_keys[i].name);
			return JA_ECONFIG;
		}
	}
	return JA_OK;
}

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

/* Checks the relations between keys that the table cannot express. */
static int
config_check(struct config *cfg, char *err, size_t errlen)
{
	size_t	 len = strlen(cfg->base_path);

	if (config_log_file(cfg, err, errlen) != JA_OK)
		return JA_ECONFIG;
	if (config_origins(cfg, err, errlen) != JA_OK)
		return JA_ECONFIG;
	if (config_gate(cfg, err, errlen) != JA_OK)
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
	return JA_OK;
}

/* "file:line" of key name, or "file" when the key was not given. */
static void
config_where(char *where, size_t len, const char *path, const size_t *lines,
    const char *name)
{
	size_t	 i;

	for (i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(config_keys[i].name, name) == 0 && lines[i] != 0) {
			snprintf(where, len, "%s:%zu", path, lines[i]);
			return;
		}
	snprintf(where, len, "%s", path);
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
 * Loads the old secrets of old_secret_files (paths separated by commas
 * or blanks), each a key file like secret_file, with their versions.
 */
static int
config_old_secrets(struct config *cfg, const char *where, char *err,
    size_t errlen)
{
	struct secret	*o;
	char		*list, *p, *save = NULL, sub[512];
	int		 rc = JA_ECONFIG;

	if (cfg->old_secret_files == NULL)
		return JA_OK;
	if ((list = strdup(cfg->old_secret_files)) == NULL) {
		snprintf(err, errlen, "%s: old_secret_files: out of memory",
		    where);
		return JA_ECONFIG;
	}
	for (p = strtok_r(list, ", \t", &save); p != NULL;
	    p = strtok_r(NULL, ", \t", &save)) {
		if (cfg->nold_secrets == JA_OLD_SECRETS_MAX) {
			snprintf(err, errlen, "%s: old_secret_files: more "
			    "than %d files", where, JA_OLD_SECRETS_MAX);
			goto out;
		}
		o = &cfg->old_secrets[cfg->nold_secrets];
		if (keyfile_read(p, o->key, sizeof(o->key), &o->len, sub,
		    sizeof(sub)) != JA_OK) {
			snprintf(err, errlen, "%s: old_secret_files: %s", where,
			    sub);
			goto out;
		}
		secret_id(o->key, o->len, o->id);
		cfg->nold_secrets++;
		if (strcmp(o->id, cfg->secret_id) == 0) {
			snprintf(err, errlen, "%s: old_secret_files: %s holds "
			    "the current secret", where, p);
			goto out;
		}
	}
	rc = JA_OK;
out:
	free(list);
	return rc;
}

/*
 * Returns 1 when the HS256 signing key and the server secret, both
 * loaded, are the same bytes (compared in constant time): one file
 * copied for the other.  RS256 and ES256 keys are never the secret.
 */
int
config_key_is_secret(const struct config *cfg)
{
	return cfg->sign_alg == KEY_HS256 && cfg->keylen > 0 &&
	    cfg->keylen == cfg->secretlen &&
	    sodium_memcmp(cfg->key, cfg->secret, cfg->keylen) == 0;
}

/*
 * Reads the key files: the signing key (key_alg, key_file), the
 * verify-only keys, the current secret and the old ones.  The messages
 * of key_file and secret_file start with the file's path; the others
 * with file:line of their config key.
 */
static int
config_secrets(struct config *cfg, const size_t *lines, char *err,
    size_t errlen)
{
	char	 where[512], sub[768];

	if (keys_load_sign(cfg, err, errlen) != JA_OK)
		return JA_ECONFIG;
	if (keyfile_read(cfg->secret_file, cfg->secret, sizeof(cfg->secret),
	    &cfg->secretlen, err, errlen) != JA_OK)
		return JA_ECONFIG;
	secret_id(cfg->secret, cfg->secretlen, cfg->secret_id);
	if (config_key_is_secret(cfg)) {
		snprintf(err, errlen, "%s: secret_file: holds the same "
		    "key as key_file; make another with authctl keygen",
		    cfg->path);
		return JA_ECONFIG;
	}
	config_where(where, sizeof(where), cfg->path, lines, "verify_keys");
	if (keys_load_verify(cfg, sub, sizeof(sub)) != JA_OK) {
		snprintf(err, errlen, "%s: %s", where, sub);
		return JA_ECONFIG;
	}
	config_where(where, sizeof(where), cfg->path, lines,
	    "old_secret_files");
	return config_old_secrets(cfg, where, err, errlen);
}

/*
 * Loads the config file path into cfg (zeroed here first): defaults,
 * then the file, then, if secrets is non-zero, the key and secret files.
 * Returns JA_OK, or JA_ECONFIG with a message naming file:line and key
 * in err.  The caller frees cfg with config_free() in every case.
 */
int
config_load(struct config *cfg, const char *path, int secrets, char *err,
    size_t errlen)
{
	FILE	*fp = NULL;
	size_t	 i, lines[CONFIG_NKEYS];
	int	 rc = JA_ECONFIG;

	memset(cfg, 0, sizeof(*cfg));
	memset(lines, 0, sizeof(lines));
	if ((cfg->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return JA_ECONFIG;
	}
	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (config_keys[i].def != NULL && config_set(cfg,
		    &config_keys[i], config_keys[i].def, "default", err,
		    errlen) != JA_OK)
			return JA_ECONFIG;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return JA_ECONFIG;
	}
	if (config_read(cfg, fp, path, lines, err, errlen) != JA_OK)
		goto out;
	if (config_check(cfg, err, errlen) != JA_OK)
		goto out;
	if (config_otp_paths(cfg, lines, err, errlen) != JA_OK)
		goto out;
	if (secrets && config_secrets(cfg, lines, err, errlen) != JA_OK)
		goto out;
	rc = JA_OK;
out:
	fclose(fp);
	return rc;
}

/* Frees what cfg owns and wipes the keys; accepts NULL. */
void
config_free(struct config *cfg)
{
	size_t	 i;

	if (cfg == NULL)
		return;
	for (i = 0; i < CONFIG_NKEYS; i++)
		if (config_keys[i].type == CONFIG_STR)
			free(*(char **)((char *)cfg + config_keys[i].off));
	free(cfg->path);
	keys_free(cfg);
	sodium_memzero(cfg, sizeof(*cfg));
}
