/*
 * mod_jwtauth.c: the authorizer inside Apache 2.4.  An access checker
 * (the stage of mod_fcgid's FcgidAccessChecker) runs the FastCGI
 * authorizer's decision, authz_decide() with its token cache, pinned
 * algorithms, claims, second factor and revocation cache, in Apache's
 * own process, and answers as the authorizer does for Apache
 * (answer.c, FRONT_APACHE): OK with the identity in r->user
 * (REMOTE_USER) and AUTH_USER, AUTH_SUB, AUTH_SID in subprocess_env, or
 * a bare 401 (the ErrorDocument 401, jwtauth's login route, shows the
 * way back in) or 503 (fail closed).  Login, refresh and the pages stay
 * with jwtauth.fcgi as a responder.
 *
 *   JwtAuth On|Off          server, virtual host, <Directory>,
 *                           <Location>, .htaccess (AllowOverride AuthConfig)
 *   JwtAuthConfig FILE      the same places; jwtauth.conf(5): each file
 *                           its own deployment (mod_jwtauth_deploy.c)
 *   JwtAuthListener PATH|none  server config: the jwtauth.fcgi started
 *                           as the host's revocation listener (-l)
 *
 * Threads (event and worker MPMs): the shared code keeps its caches,
 * its database handle and the current request in process-wide state, as
 * one FastCGI process does.  So each child checks one request at a
 * time, under one mutex: the check is a few microseconds from the caches
 * (a database round trip under revocation_check = strict, or for a
 * session seen for the first time), and a child holds one database
 * connection, never one per thread.  How often a thread had to wait for
 * the mutex, and how long, is logged when the child ends.
 *
 * Each config file in force (JwtAuthConfig, .htaccess included) is a
 * deployment of its own, with its own caches, counters and database
 * handle in each child (mod_jwtauth_deploy.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_request.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"

#include "jwtauth.h"
#include "mod_jwtauth.h"

#ifndef MODJWT_LISTENER
#define MODJWT_LISTENER	"/usr/local/lib/jwtauth/jwtauth.fcgi"
#endif

/* Only the module record is exported (mod_jwtauth.map). */
extern module AP_MODULE_DECLARE_DATA jwtauth_module;

struct modjwt_dir {
	int		 on;		/* -1: not set here */
	const char	*config;	/* NULL: not set here */
};

struct modjwt_srv {
	const char	*listener;	/* NULL: not set; "": none */
};

/* The child's state: one request at a time. */
static struct {
	apr_thread_mutex_t	*lock;
	char			*located;	/* config_locate(NULL); owned */
	unsigned long		 checks;
	unsigned long		 waits;		/* checks that found it held */
	apr_time_t		 waited;	/* microseconds, all waits */
	apr_time_t		 waited_max;
} mj;

static void *
modjwt_dir_new(apr_pool_t *p, char *dir)
{
	struct modjwt_dir	*d = apr_pcalloc(p, sizeof(*d));

	(void)dir;
	d->on = -1;
	return d;
}

/* The innermost setting wins, each directive on its own. */
static void *
modjwt_dir_merge(apr_pool_t *p, void *basev, void *addv)
{
	const struct modjwt_dir	*base = basev, *add = addv;
	struct modjwt_dir	*d = apr_pcalloc(p, sizeof(*d));

	d->on = add->on != -1 ? add->on : base->on;
	d->config = add->config != NULL ? add->config : base->config;
	return d;
}

static void *
modjwt_srv_new(apr_pool_t *p, server_rec *s)
{
	(void)s;
	return apr_pcalloc(p, sizeof(struct modjwt_srv));
}

/* JwtAuthListener PATH|none, in the main server config only. */
static const char *
modjwt_set_listener(cmd_parms *cmd, void *dummy, const char *arg)
{
	struct modjwt_srv	*sc = ap_get_module_config(
	    cmd->server->module_config, &jwtauth_module);
	const char		*err;

	(void)dummy;
	if ((err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) != NULL)
		return err;
	if (strcasecmp(arg, "none") == 0)
		sc->listener = "";
	else if (arg[0] != '/')
		return "JwtAuthListener: an absolute path, or none";
	else
		sc->listener = arg;
	return NULL;
}

static const command_rec modjwt_cmds[] = {
	AP_INIT_FLAG("JwtAuth", ap_set_flag_slot,
	    (void *)APR_OFFSETOF(struct modjwt_dir, on),
	    RSRC_CONF | ACCESS_CONF | OR_AUTHCFG,
	    "On: every request here needs a valid jwtauth access token"),
	/*
	 * In .htaccess too: the file chosen there is the deployment of
	 * that directory only (mod_jwtauth_deploy.c), read as Apache's
	 * user and refused unless safely owned (owner.c), as any other.
	 */
	AP_INIT_TAKE1("JwtAuthConfig", ap_set_file_slot,
	    (void *)APR_OFFSETOF(struct modjwt_dir, config),
	    RSRC_CONF | ACCESS_CONF | OR_AUTHCFG,
	    "the jwtauth config file (jwtauth.conf(5))"),
	AP_INIT_TAKE1("JwtAuthListener", modjwt_set_listener, NULL, RSRC_CONF,
	    "jwtauth.fcgi, started as the host's revocation listener, or none"),
	{ NULL }
};

/* The verified identity, for the handler and the access log. */
static void
modjwt_identity(request_rec *r, const struct claims *c)
{
	r->user = apr_pstrdup(r->pool, c->username);
	apr_table_set(r->subprocess_env, "AUTH_USER", c->username);
	apr_table_set(r->subprocess_env, "AUTH_SUB", c->sub);
	apr_table_set(r->subprocess_env, "AUTH_SID", c->sid);
}

/*
 * The authorizer's answer to r with cfg (NULL: none loads, 503), as
 * serve() and authz_check() give it to mod_fcgid: the request read by
 * request.c, the decision of authz_decide(), a refusal spelled by
 * answer.c for FRONT_APACHE.  Returns OK or the HTTP status.
 */
static int
modjwt_decide(request_rec *r, const struct config *cfg, struct db *db)
{
	struct request	 req;
	struct response	 resp;
	struct ctx	 ctx;
	struct claims	 c;
	int		 rc, status;

	memset(&c, 0, sizeof(c));
	memset(&ctx, 0, sizeof(ctx));
	modio_begin(r);
	response_init(&resp);
	rc = request_parse(&req);
	ctx.cfg = cfg;
	ctx.db = db;
	ctx.req = &req;
	ctx.resp = &resp;
	ctx.now = time(NULL);
	ctx.route_rest = "";
	if (rc == JA_ETOOBIG)
		status = HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE;
	else if (rc != JA_OK)
		status = HTTP_BAD_REQUEST;
	else if (cfg == NULL) {
		answer_refuse_kind(&ctx, OUT_UNAVAILABLE, req.uri);
		status = resp.status;
	} else {
		proxy_client(cfg, &req);
		if ((rc = authz_decide(&ctx, &c)) == OUT_OK) {
			modjwt_identity(r, &c);
			status = OK;
		} else {
			answer_refuse_kind(&ctx, rc, req.uri);
			status = resp.status;
		}
	}
	sodium_memzero(&c, sizeof(c));
	response_free(&resp);
	request_free(&req);
	modio_end();
	return status;
}

/*
 * The check of r, under the child's lock, with the deployment of the
 * config file path (loaded at its first check, made current at each:
 * mod_jwtauth_deploy.c).
 */
static int
modjwt_check_locked(request_rec *r, const char *path)
{
	struct reload	*rl;
	int		 status;

	if ((rl = modjwt_deploy_use(path, &status)) != NULL)
		return modjwt_decide(r, &rl->cfg, rl->db);
	if (status == HTTP_SERVICE_UNAVAILABLE)
		return modjwt_decide(r, NULL, NULL);
	return status;
}

/*
 * The access checker: DECLINED where JwtAuth is not On, else the check,
 * one at a time in this child; the waits for the lock are counted.
 */
static int
modjwt_access(request_rec *r)
{
	const struct modjwt_dir	*d = ap_get_module_config(r->per_dir_config,
	    &jwtauth_module);
	apr_time_t		 t0, w;
	const char		*path;
	int			 status;

	if (d == NULL || d->on != 1)
		return DECLINED;
	if (mj.lock == NULL)
		return HTTP_INTERNAL_SERVER_ERROR;
	if (apr_thread_mutex_trylock(mj.lock) != APR_SUCCESS) {
		t0 = apr_time_now();
		if (apr_thread_mutex_lock(mj.lock) != APR_SUCCESS)
			return HTTP_INTERNAL_SERVER_ERROR;
		w = apr_time_now() - t0;
		mj.waits++;
		mj.waited += w;
		if (w > mj.waited_max)
			mj.waited_max = w;
	}
	mj.checks++;
	/*
	 * config_locate() reads the environment and the password file:
	 * under the lock, once in a child.
	 */
	if (d->config == NULL && mj.located == NULL)
		mj.located = strdup(config_locate(NULL));
	path = d->config != NULL ? d->config : mj.located;
	if (path == NULL)
		status = HTTP_INTERNAL_SERVER_ERROR;
	else
		status = modjwt_check_locked(r, path);
	(void)apr_thread_mutex_unlock(mj.lock);
	return status;
}

/* At the child's end: the lock's figures, then everything freed. */
static apr_status_t
modjwt_child_end(void *arg)
{
	(void)arg;
	if (mj.checks > 0)
		log_msg("mod_jwtauth: pid %ld: %lu checks, %lu waited for the "
		    "lock (%.1f%%), %.3f ms waited in all, %.3f ms at most",
		    (long)getpid(), mj.checks, mj.waits,
		    100.0 * (double)mj.waits / (double)mj.checks,
		    (double)mj.waited / 1000.0,
		    (double)mj.waited_max / 1000.0);
	modjwt_deploy_free();
	free(mj.located);
	memset(&mj, 0, sizeof(mj));
	return APR_SUCCESS;
}

/*
 * Each child, after Apache dropped to its user: libsodium, the lock,
 * the listener program.  A config is loaded at its first check.
 */
static void
modjwt_child_init(apr_pool_t *p, server_rec *s)
{
	const struct modjwt_srv	*sc = ap_get_module_config(s->module_config,
	    &jwtauth_module);
	const char		*prog = sc->listener != NULL ? sc->listener :
	    MODJWT_LISTENER;

	memset(&mj, 0, sizeof(mj));
	if (sodium_init() < 0) {
		ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
		    "mod_jwtauth: libsodium failed to initialise");
		return;
	}
	if (*prog == '\0')
		prog = NULL;
	else if (access(prog, X_OK) != 0) {
		ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "mod_jwtauth: "
		    "no listener program %s (JwtAuthListener): revocation is "
		    "checked against the database until one runs", prog);
		prog = NULL;
	}
	revring_program(prog);
	/* A check holds the child's lock: it never waits for a listener. */
	revcache_spawn_wait(0);
	if (apr_thread_mutex_create(&mj.lock, APR_THREAD_MUTEX_DEFAULT, p) !=
	    APR_SUCCESS) {
		mj.lock = NULL;
		ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
		    "mod_jwtauth: no mutex: every check answers 500");
		return;
	}
	apr_pool_cleanup_register(p, NULL, modjwt_child_end,
	    apr_pool_cleanup_null);
}

/*
 * The access checker stage, as FcgidAccessChecker: Require directives
 * still apply after it; once per configuration of a request and its
 * subrequests (AP_AUTH_INTERNAL_PER_CONF).
 */
static void
modjwt_hooks(apr_pool_t *p)
{
	(void)p;
	ap_hook_child_init(modjwt_child_init, NULL, NULL, APR_HOOK_MIDDLE);
	ap_hook_check_access(modjwt_access, NULL, NULL, APR_HOOK_MIDDLE,
	    AP_AUTH_INTERNAL_PER_CONF);
}

module AP_MODULE_DECLARE_DATA jwtauth_module = {
	STANDARD20_MODULE_STUFF,
	modjwt_dir_new,
	modjwt_dir_merge,
	modjwt_srv_new,
	NULL,
	modjwt_cmds,
	modjwt_hooks,
	AP_MODULE_FLAG_NONE
};
