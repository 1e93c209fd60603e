/*
 * config.c: the configuration file.  One "key = value" a line, blank
 * lines and lines starting with "#" ignored, no trailing comments (so
 * that a value may hold "#").  Every key is declared once in the table
 * below with its type, default and bounds; an error names file:line and
 * the key.  See jwtauth.conf(5).
 *
 * This file holds the table and reads the file into it; what the table
 * cannot check is config_check.c's, the key files it names are read by
 * config_secrets.c.
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
	STR(listen_database, NULL, 0),
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
	NUM(session_idle_timeout_short, "43200", 60, 31536000),
	STR(remember_me, "on", 0),
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
	STR(mail_command, "/usr/sbin/sendmail -t -i", 0),
	STR(mail_from, NULL, 0),
	STR(mail_dir, NULL, 0),
	NUM(mail_timeout, "10", 1, 120),
	STR(site_url, NULL, 0),
	STR(signup, "off", 0),
	STR(login_notice, "on", 0),
	STR(webauthn_rp_id, NULL, 0),
	STR(webauthn_origins, NULL, 0),
	STR(webauthn_user_verification, "preferred", 0),
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
 * Writes into where (len bytes) "path:line" of key name, lines holding
 * the line of each key given (config_read), or "path" when the key was
 * not given: where config_check.c and config_secrets.c's messages
 * point.
 */
void
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
	if (config_check(cfg, lines, err, errlen) != JA_OK)
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
