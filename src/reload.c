/*
 * reload.c: the configuration a process answers with, never older than
 * the files on disk when the request came.  Before each request (between
 * two requests, never during one) the process stats every file the
 * config names (watch.c); when one changed, or the -s daemon was sent
 * SIGHUP (daemon.c), it reads the config anew into a fresh struct
 * config and swaps it in before it answers, with what depends on it:
 * the cache of verified tokens is emptied (a token verified under a key
 * since removed must not pass from memory), the database handle and the
 * revocation cache are made anew when the conninfo changed, log_file is
 * opened when it changed, and a new key_id is logged as a key rotation.
 * A config that does not load leaves the process with none: it answers
 * 503 and logs why on every request, trying again each time, until the
 * files load.  The old keys are wiped either way.
 *
 * The state of the files is recorded before they are read: a change
 * made while they are read is seen at the next request.  When the new
 * config names other files than the one before, the record missed them:
 * the files are recorded again and read again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"

#define RELOAD_TRIES	4	/* reads until the named files settle */

/*
 * Reads r->path into cfg (the caller frees it with config_free() in
 * every case) and leaves in r->watch its files as they were before they
 * were read.  Returns JA_OK, or JA_ECONFIG with the reason in r->err.
 */
static int
reload_read(struct reload *r, struct config *cfg)
{
	struct watch	 w;
	int		 i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < RELOAD_TRIES; i++) {
		watch_record(&r->watch);
		if (owner_check(r->path, r->err, sizeof(r->err)) ==
		    JA_ECONFIG)
			return JA_ECONFIG;
		config_free(cfg);
		if (config_load(cfg, r->path, 1, r->err, sizeof(r->err)) !=
		    JA_OK)
			return JA_ECONFIG;
		if (watch_set(&w, cfg) != JA_OK) {
			watch_free(&w);
			snprintf(r->err, sizeof(r->err), "out of memory");
			return JA_ECONFIG;
		}
		if (watch_same_paths(&w, &r->watch)) {
			watch_free(&w);
			return JA_OK;
		}
		/* Other files than those recorded: record these, again. */
		watch_free(&r->watch);
		r->watch = w;
	}
	snprintf(r->err, sizeof(r->err), "%s: the files it names kept "
	    "changing while it was read", r->path);
	return JA_ECONFIG;
}

/*
 * The first load, at the start of the process, of the config file path.
 * Returns JA_OK, or JA_ECONFIG with the reason in r->err.  Free r with
 * reload_free() in every case.
 */
int
reload_load(struct reload *r, const char *path)
{
	int	 rc;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->hups = daemon_hups();
	if (watch_init(&r->watch, path) != JA_OK) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		return JA_ECONFIG;
	}
	rc = reload_read(r, &r->cfg);
	/* log_file is known once the file parsed, before the key files:
	 * a reason for not starting goes there too. */
	if (r->cfg.log_file != NULL && r->cfg.log_file[0] == '/')
		(void)log_open(r->cfg.log_file, r->cfg.log_file_default);
	if (rc != JA_OK) {
		config_free(&r->cfg);
		return JA_ECONFIG;
	}
	r->loaded = 1;
	return JA_OK;
}

/*
 * The database handle for r->cfg.database, made anew (and the revocation
 * cache emptied: it was loaded on the other database) when the conninfo
 * is not the one r->db was made for.  Returns JA_OK or JA_ENOMEM.
 */
static int
reload_db(struct reload *r)
{
	if (r->db != NULL && r->conninfo != NULL &&
	    strcmp(r->conninfo, r->cfg.database) == 0)
		return JA_OK;
	db_close(r->db);
	r->db = NULL;
	free(r->conninfo);
	revcache_free();
	revcache_init();
	if ((r->conninfo = strdup(r->cfg.database)) == NULL)
		return JA_ENOMEM;
	return db_open(&r->db, r->cfg.database);
}

/*
 * Opens what depends on the loaded config (in each process, after the
 * -s daemon forked: io_is_cgi() settles libfcgi's mode for good): the
 * database handle, the cache of verified tokens, the revocation cache.
 * Returns JA_OK or JA_ENOMEM.
 */
int
reload_open(struct reload *r)
{
	/* A plain CGI process serves one request: nothing to cache. */
	if (io_is_cgi())
		r->cfg.revocation_strict = 1;
	revcache_init();
	if (reload_db(r) != JA_OK ||
	    tokcache_init((size_t)r->cfg.token_cache_size) != JA_OK)
		return JA_ENOMEM;
	return JA_OK;
}

/* Swaps in next, loaded, for r->cfg and remakes what depends on it. */
static void
reload_swap(struct reload *r, struct config *next)
{
	struct config	 old = r->cfg;
	int		 had = r->loaded;

	r->cfg = *next;
	memset(next, 0, sizeof(*next));
	r->loaded = 1;
	if (r->cfg.log_file != NULL && r->cfg.log_file[0] == '/' && (!had ||
	    old.log_file == NULL || strcmp(old.log_file, r->cfg.log_file)))
		(void)log_open(r->cfg.log_file, r->cfg.log_file_default);
	if (reload_open(r) != JA_OK)
		log_msg("reload: out of memory; checks are slower");
	(void)metrics_open(r->cfg.path, r->loud);
	if ((!had || strcmp(old.key_id, r->cfg.key_id) != 0) &&
	    metrics_key_changed(r->cfg.key_id))
		event_log("key_rotation", NULL, NULL, NULL, "kid",
		    r->cfg.key_id, "alg", r->cfg.key_alg);
	if (had)
		config_free(&old);
}

/*
 * Before each request: makes r->cfg the config the files on disk hold
 * now (see above).  Returns JA_OK with r->cfg to answer with, or
 * JA_ECONFIG when they do not load (logged): answer 503.
 */
int
reload_check(struct reload *r)
{
	struct config	 next;
	const char	*changed = NULL;
	char		 what[512];

	if (r->loaded && r->hups == daemon_hups() &&
	    (changed = watch_changed(&r->watch)) == NULL)
		return JA_OK;
	if (changed != NULL)
		snprintf(what, sizeof(what), "%s changed", changed);
	else
		snprintf(what, sizeof(what), "%s", r->loaded ? "SIGHUP" :
		    "still failing");
	r->hups = daemon_hups();
	if (reload_read(r, &next) != JA_OK) {
		config_free(&next);
		if (r->loaded) {
			config_free(&r->cfg);
			tokcache_free();
		}
		r->loaded = 0;
		log_msg("%s: the configuration does not load, answering 503 "
		    "until it does: %s", what, r->err);
		return JA_ECONFIG;
	}
	reload_swap(r, &next);
	log_msg("%s: configuration reloaded", what);
	return JA_OK;
}

/* Frees what r holds: the config, the database handle; accepts NULL. */
void
reload_free(struct reload *r)
{
	if (r == NULL)
		return;
	if (r->loaded)
		config_free(&r->cfg);
	r->loaded = 0;
	watch_free(&r->watch);
	db_close(r->db);
	r->db = NULL;
	free(r->conninfo);
	r->conninfo = NULL;
}
