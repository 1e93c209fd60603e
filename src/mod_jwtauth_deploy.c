/*
 * mod_jwtauth_deploy.c: the deployments one Apache child checks with,
 * one per config file in force where a request goes (JwtAuthConfig in
 * the server config, a virtual host, a <Directory> or <Location>, or a
 * .htaccess), MODJWT_DEPLOY_MAX of them at most.  Each has its own
 * config, reloaded when its files change (reload.c), and its own
 * database handle.  The shared code keeps a deployment's caches of
 * verified tokens and of revocations, its shared counters (with the
 * host's revocation count and listener ring) and its log file in
 * process-wide state (tokcache.c, revcache.c, metrics.c, log.c): one
 * deployment's is in place, the others' are stashed (stash.c), so that a
 * token verified for one deployment is never found in the cache of
 * another.  Called only under the child's lock (mod_jwtauth.c).
 */
#include <stdlib.h>
#include <string.h>

#include "httpd.h"

#include "jwtauth.h"
#include "mod_jwtauth.h"

struct modjwt_deploy {
	char		*path;		/* the config file; owned */
	struct reload	 r;		/* r.path is path */
	void		*tc, *rc, *mt;	/* stashed, while not in place */
	int		 log;		/* stashed log file, or -1 */
	int		 stashed;
};

static struct modjwt_deploy	 md[MODJWT_DEPLOY_MAX];
static int			 md_count;
static int			 md_cur = -1;	/* in place; -1: none */

/* Stashes the state of the deployment in place.  JA_OK or JA_ENOMEM. */
static int
modjwt_deploy_stash(void)
{
	struct modjwt_deploy	*d;

	if (md_cur == -1)
		return JA_OK;
	d = &md[md_cur];
	d->tc = tokcache_stash();
	d->rc = d->tc != NULL ? revcache_stash() : NULL;
	d->mt = d->rc != NULL ? metrics_stash() : NULL;
	if (d->mt == NULL)
		goto fail;
	d->log = log_stash();
	d->stashed = 1;
	md_cur = -1;
	return JA_OK;
fail:
	if (d->rc != NULL)
		revcache_unstash(d->rc);
	if (d->tc != NULL)
		tokcache_unstash(d->tc);
	d->tc = d->rc = NULL;
	return JA_ENOMEM;
}

/*
 * Puts deployment i in place, stashing the one that was: JA_OK or
 * JA_ENOMEM (the one that was stays).
 */
static int
modjwt_deploy_switch(int i)
{
	struct modjwt_deploy	*d = &md[i];

	if (md_cur == i)
		return JA_OK;
	if (modjwt_deploy_stash() != JA_OK)
		return JA_ENOMEM;
	if (d->stashed) {
		tokcache_unstash(d->tc);
		revcache_unstash(d->rc);
		metrics_unstash(d->mt);
		log_unstash(d->log);
		d->tc = d->rc = d->mt = NULL;
		d->stashed = 0;
	}
	md_cur = i;
	return JA_OK;
}

/*
 * The first check with deployment d, in place: loads its config file
 * as jwtauth.fcgi does at its start (main.c, main_load and main_start),
 * the reason logged when it does not load.  Returns JA_OK, JA_ECONFIG
 * (answer 503: the next check tries again, reload.c) or JA_ENOMEM.
 */
static int
modjwt_deploy_start(struct modjwt_deploy *d)
{
	if (reload_load(&d->r, d->path) != JA_OK) {
		log_msg("mod_jwtauth: %s: answering 503 until the config "
		    "loads: %s", d->path, d->r.err);
		return JA_ECONFIG;
	}
	d->r.loud = d->r.cfg.metrics_allow != NULL ||
	    !d->r.cfg.revocation_strict;
	if (metrics_open(d->r.cfg.path, d->r.loud) == JA_OK &&
	    metrics_key_changed(d->r.cfg.key_id))
		event_log("key_rotation", NULL, NULL, NULL, "kid",
		    d->r.cfg.key_id, "alg", d->r.cfg.key_alg);
	return reload_open(&d->r);
}

/*
 * The deployment of config file path, in place and current: its config
 * loaded (the first time) or made current (reload_check()).  Returns its
 * reload, or NULL with *status: HTTP_SERVICE_UNAVAILABLE while its
 * config does not load, HTTP_INTERNAL_SERVER_ERROR when the child has
 * MODJWT_DEPLOY_MAX others or no memory (logged).
 */
struct reload *
modjwt_deploy_use(const char *path, int *status)
{
	struct modjwt_deploy	*d;
	int			 i, fresh = 0;

	*status = HTTP_INTERNAL_SERVER_ERROR;
	for (i = 0; i < md_count; i++)
		if (strcmp(md[i].path, path) == 0)
			break;
	if (i == md_count) {
		if (md_count == MODJWT_DEPLOY_MAX) {
			log_msg("mod_jwtauth: JwtAuthConfig %s: this child "
			    "checks with %d config files already (the most)",
			    path, MODJWT_DEPLOY_MAX);
			return NULL;
		}
		memset(&md[i], 0, sizeof(md[i]));
		md[i].log = -1;
		if ((md[i].path = strdup(path)) == NULL)
			return NULL;
		md_count++;
		fresh = 1;
	}
	d = &md[i];
	if (modjwt_deploy_switch(i) != JA_OK) {
		log_msg("mod_jwtauth: out of memory");
		return NULL;
	}
	*status = HTTP_SERVICE_UNAVAILABLE;
	if (fresh ? modjwt_deploy_start(d) != JA_OK :
	    reload_check(&d->r) != JA_OK)
		return NULL;
	return &d->r;
}

/* At the child's end: every deployment's state freed. */
void
modjwt_deploy_free(void)
{
	int	 i;

	for (i = 0; i < md_count; i++) {
		if (modjwt_deploy_switch(i) == JA_OK) {
			reload_free(&md[i].r);
			revcache_free();
			tokcache_free();
			metrics_close();
			log_unstash(-1);
		}
		free(md[i].path);
	}
	memset(md, 0, sizeof(md));
	md_count = 0;
	md_cur = -1;
}
