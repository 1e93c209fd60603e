/*
 * config_webauthn.c: the passkey keys (route_passkey.c), checked and
 * their defaults derived from site_url.
 *   webauthn_rp_id     the relying party id (W3C WebAuthn Level 3
 *                      §5.1.2): a host name, the origins' host or a
 *                      registrable suffix of it.  Default: site_url's
 *                      host.  Neither set: passkeys are off; off too
 *                      when both would come from a site_url that
 *                      cannot serve them (an IP address, or http but
 *                      for localhost: make run's http://127.0.0.1).
 *   webauthn_origins   the origins a clientDataJSON may name, separated
 *                      by spaces (§7.1 step 9).  Default: site_url's
 *                      origin (scheme://host[:port]).
 *   webauthn_user_verification  required or preferred (§5.8.6).
 */
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"

/*
 * Whether s (len bytes) is a plausible host name: [a-z0-9.-], not an
 * IPv4 address (digits and dots only: an rp id is a domain, §5.1.2).
 */
static int
config_wa_host_ok(const char *s, size_t len)
{
	size_t	 i, alpha = 0;

	if (len == 0 || len > 253 || s[0] == '.' || s[0] == '-' ||
	    s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-')
			alpha++;
		else if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
			return 0;
	}
	return alpha > 0;
}

/*
 * Whether the origin o (len bytes, "https://host[:port]") has host rp
 * or a host ending in "." rp (§5.1.2: the rp id is the origin's
 * effective domain or a registrable suffix of it).  http is taken for
 * localhost only (a secure context, as browsers treat it).
 */
static int
config_wa_origin_ok(const char *o, size_t len, const char *rp)
{
	const char	*h;
	size_t		 hl, rl = strlen(rp);

	if (len > 7 && strncmp(o, "http://", 7) == 0 &&
	    strcmp(rp, "localhost") == 0)
		h = o + 7;
	else if (len > 8 && strncmp(o, "https://", 8) == 0)
		h = o + 8;
	else
		return 0;
	hl = strcspn(h, ": \t");
	if ((size_t)(h - o) + hl > len)
		hl = len - (size_t)(h - o);
	if (hl > WA_ORIGIN_MAX || memchr(h, '/', len - (size_t)(h - o)))
		return 0;
	return (hl == rl && memcmp(h, rp, rl) == 0) || (hl > rl + 1 &&
	    h[hl - rl - 1] == '.' && memcmp(h + hl - rl, rp, rl) == 0);
}

/*
 * Whether cfg's rp id is a host name and each of its origins is on it:
 * JA_OK or JA_EINVAL (config_webauthn() says which is wrong).
 */
static int
config_wa_check(const struct config *cfg)
{
	const char	*p = cfg->webauthn_origins;
	size_t		 n;

	if (!config_wa_host_ok(cfg->webauthn_rp_id,
	    strlen(cfg->webauthn_rp_id)) || p == NULL ||
	    *(p += strspn(p, " \t")) == '\0')
		return JA_EINVAL;
	for (; *p != '\0'; p += strspn(p, " \t")) {
		n = strcspn(p, " \t");
		if (!config_wa_origin_ok(p, n, cfg->webauthn_rp_id))
			return JA_EINVAL;
		p += n;
	}
	return JA_OK;
}

/*
 * Checks the passkey keys of cfg and fills their defaults from site_url
 * (see the top).  Returns JA_OK, or JA_ECONFIG with file:line, the key
 * and what it takes in err.
 */
int
config_webauthn(struct config *cfg, const size_t *lines, char *err,
    size_t errlen)
{
	char		 where[512], host[256];
	const char	*p, *u = cfg->site_url;
	size_t		 n;
	int		 derived;

	config_where(where, sizeof(where), cfg->path, lines,
	    "webauthn_user_verification");
	if (strcmp(cfg->webauthn_user_verification, "required") == 0)
		cfg->webauthn_uv_required = 1;
	else if (strcmp(cfg->webauthn_user_verification, "preferred") == 0)
		cfg->webauthn_uv_required = 0;
	else {
		snprintf(err, errlen, "%s: webauthn_user_verification: "
		    "required or preferred", where);
		return JA_ECONFIG;
	}
	derived = cfg->webauthn_rp_id == NULL &&
	    cfg->webauthn_origins == NULL;
	if (cfg->webauthn_rp_id == NULL && u != NULL &&
	    mail_url_host(u, host, sizeof(host)) == JA_OK &&
	    (cfg->webauthn_rp_id = strdup(host)) == NULL)
		goto nomem;
	if (cfg->webauthn_origins == NULL && u != NULL) {
		/* site_url's origin: up to the first "/" after "://". */
		p = strstr(u, "://");
		n = p == NULL ? 0 : (size_t)(p + 3 - u) + strcspn(p + 3, "/");
		if (n > 0 && (cfg->webauthn_origins = strndup(u, n)) == NULL)
			goto nomem;
	}
	if (cfg->webauthn_rp_id == NULL)
		return JA_OK;		/* passkeys off */
	if (derived && config_wa_check(cfg) != JA_OK) {
		/* Only from a site_url that cannot serve them: off. */
		free(cfg->webauthn_rp_id);
		free(cfg->webauthn_origins);
		cfg->webauthn_rp_id = cfg->webauthn_origins = NULL;
		return JA_OK;
	}
	config_where(where, sizeof(where), cfg->path, lines,
	    "webauthn_rp_id");
	if (!config_wa_host_ok(cfg->webauthn_rp_id,
	    strlen(cfg->webauthn_rp_id))) {
		snprintf(err, errlen, "%s: webauthn_rp_id: a host name in "
		    "lower case, such as example.com", where);
		return JA_ECONFIG;
	}
	if (cfg->webauthn_origins == NULL) {
		snprintf(err, errlen, "%s: webauthn_rp_id: needs "
		    "webauthn_origins or site_url", where);
		return JA_ECONFIG;
	}
	if (config_wa_check(cfg) == JA_OK)
		return JA_OK;
	config_where(where, sizeof(where), cfg->path, lines,
	    "webauthn_origins");
	snprintf(err, errlen, "%s: webauthn_origins: origins such as "
	    "https://example.com, separated by spaces, on webauthn_rp_id "
	    "or below it", where);
	return JA_ECONFIG;
nomem:
	snprintf(err, errlen, "out of memory");
	return JA_ECONFIG;
}
