/*
 * main.c: jwtauth.fcgi, the FastCGI (or CGI) program.  It loads the
 * configuration and keys, refusing to start when they are wrong, then
 * serves one request after another on a straight line:
 * (config current? reload.c) -> parse -> (authorize | route: verify ->
 * decide) -> respond, then, now and then, a batch of cleanup
 * (db_purge.c).
 */
#include <sys/resource.h>

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "jwtauth.h"

static void
usage(void)
{
	fprintf(stderr, "usage: jwtauth.fcgi [-c config] [-m otp] "
	    "[-r authorizer | responder] [-s address [-n processes]]\n"
	    "       jwtauth.fcgi --check [-c config]\n"
	    "       jwtauth.fcgi -l [-c config]\n");
	exit(2);
}

/*
 * Between requests, after the answer is out: one batch of cleanup every
 * purge_interval seconds, so that a shared host needs no cron job.
 */
static void
housekeeping(const struct config *cfg, struct db *db)
{
	static time_t	 last;
	time_t		 now = time(NULL);
	long		 n = 0;

	/* A plain CGI process lives for one request: purge from cron. */
	if (cfg->purge_interval == 0 || io_is_cgi() ||
	    now - last < cfg->purge_interval)
		return;
	last = now;
	io_finish();
	if (db_purge(db, cfg, &n) != JA_OK)
		log_msg("purge failed; will try again later");
}

/*
 * The role this process was started for (-r), or -1 for both.  The web
 * server keeps a separate pool of processes per command line (mod_fcgid
 * a process class, lighttpd a fastcgi.server entry), so the checks of
 * protected requests never wait behind a login's password hashing.  A
 * request of the other role means the server config is wrong: 500.
 */
static int	main_role = -1;

#define MAIN_RESPONDER_NICE	10	/* nice(1) value of -r responder */

/*
 * Answers the request of a process without a config (the files do not
 * load: reload.c): 503, fail closed; as Apache's authorizer a bare one.
 */
static void
serve_unavailable(struct ctx *ctx)
{
	answer_refuse_kind(ctx, OUT_UNAVAILABLE, ctx->req->uri);
}

/*
 * Serves the request that io_accept() made current with cfg, or with a
 * 503 when cfg is NULL.
 */
static void
serve(const struct config *cfg, struct db *db)
{
	struct request	 req;
	struct response	 resp;
	struct ctx	 ctx;
	int		 rc;

	response_init(&resp);
	rc = request_parse(&req);
	ctx.cfg = cfg;
	ctx.db = db;
	ctx.req = &req;
	ctx.resp = &resp;
	ctx.now = time(NULL);
	ctx.route_rest = "";
	memset(ctx.mail, 0, sizeof(ctx.mail));
	if (rc == JA_OK && cfg != NULL)
		proxy_client(cfg, &req);
	if (rc == JA_ETOOBIG)
		response_error(&resp, &req, 431, "invalid_request",
		    "A request header is too large.");
	else if (rc != JA_OK)
		response_error(&resp, &req, 400, "invalid_request",
		    "The request is malformed.");
	else if (main_role != -1 && (int)req.role != main_role) {
		log_msg("a %s request reached a process started with -r %s:"
		    " check the web server's configuration",
		    req.role == ROLE_AUTHORIZER ? "authorizer" : "responder",
		    main_role == ROLE_AUTHORIZER ? "authorizer" : "responder");
		response_error(&resp, &req, 500, "server_error",
		    "The service is misconfigured.");
	} else if (cfg == NULL)
		serve_unavailable(&ctx);
	else if (req.role == ROLE_AUTHORIZER)
		authz_check(&ctx);
	else
		route_dispatch(&ctx);
	/* A body of up to max_body that no handler read (a 404, a 405) is
	 * read before the answer: a CGI that exits with its body unread
	 * makes Apache 2.4.71's mod_cgid reset the connection instead of
	 * sending the answer. */
	if (rc == JA_OK && cfg != NULL && req.role == ROLE_RESPONDER)
		(void)request_read_body(&req, cfg->max_body);
	db_rollback(db);	/* no-op unless a handler left one open */
	if (response_send(&resp, req.method) != JA_OK)
		log_msg("response not sent: client gone or out of memory");
	response_free(&resp);
	request_free(&req);
	/* A mail goes once the answer is out, whatever it does. */
	if (mail_pending(&ctx)) {
		io_finish();
		mail_flush(cfg, ctx.mail);
	}
}

/*
 * jansson's memory is wiped when freed: JSON bodies hold passwords and
 * refresh tokens, and our strings hold tokens (json_set_alloc_funcs).
 */
static void
json_wipe_free(void *p)
{
	if (p != NULL)
		sodium_memzero(p, malloc_usable_size(p));
	free(p);
}

/* What the command line asks for. */
struct main_opts {
	const char	*path;		/* -c; NULL: config_locate's default */
	const char	*listen_on;	/* -s; NULL: started by a web server */
	long		 nproc;		/* -n */
	int		 check;		/* --check */
	int		 listener;	/* -l: the revocation listener */
};

/* Reads the command line into o; exits through usage() when wrong. */
static void
main_options(int argc, char *argv[], struct main_opts *o)
{
	int		 ch;
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};

	memset(o, 0, sizeof(*o));
	o->nproc = 4;
	while ((ch = getopt_long(argc, argv, "c:lm:n:r:s:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'C':
			o->check = 1;
			break;
		case 'c':
			o->path = optarg;
			break;
		case 'l':
			o->listener = 1;
			break;
		case 'm':
			/* Every request this checker passes needs a
			 * second factor (amr "otp", RFC 8176). */
			if (strcmp(optarg, "otp") != 0)
				usage();
			authz_require_otp();
			break;
		case 'n':
			if (text_parse_long(optarg, 1, 256, &o->nproc) != JA_OK)
				usage();
			break;
		case 's':
			o->listen_on = optarg;
			break;
		case 'r':
			if (strcmp(optarg, "authorizer") == 0)
				main_role = ROLE_AUTHORIZER;
			else if (strcmp(optarg, "responder") == 0)
				main_role = ROLE_RESPONDER;
			else
				usage();
			break;
		default:
			usage();
		}
	}
}

/*
 * Loads the config into r, refusing to start (returns JA_ECONFIG, the
 * reason logged) when it does not load or is not ours alone; opens
 * log_file and the shared counters.
 */
static int
main_load(struct reload *r, const struct main_opts *o)
{
	int	 rc;

	rc = reload_load(r, config_locate(o->path));
	if (rc != JA_OK) {
		log_msg("refusing to start: %s", r->err);
		return JA_ECONFIG;
	}
	/* The counters every process shares (metrics.c); a new signing
	 * key_id since the processes before is a key rotation.  Without
	 * them, say so where someone misses them: /metrics, or the
	 * host's revocation count of the cached check (revcache.c).  Not
	 * io_is_cgi() under -s: libfcgi would settle on CGI for good
	 * before daemon_start() has its socket. */
	r->loud = r->cfg.metrics_allow != NULL || (!r->cfg.revocation_strict &&
	    (o->listen_on != NULL || !io_is_cgi()));
	if (metrics_open(r->cfg.path, r->loud) == JA_OK &&
	    metrics_key_changed(r->cfg.key_id))
		event_log("key_rotation", NULL, NULL, NULL, "kid",
		    r->cfg.key_id, "alg", r->cfg.key_alg);
	return JA_OK;
}

/*
 * Starts the service: the config (main_load), the daemon's processes
 * under -s (from here on, each worker runs on alone), the database
 * handle and the caches.  Returns JA_OK, or an error code, logged.
 */
static int
main_start(struct reload *r, const struct main_opts *o)
{
	if (main_load(r, o) != JA_OK)
		return JA_ECONFIG;
	if (o->listen_on != NULL)
		(void)daemon_start(o->listen_on, o->nproc);
	if (reload_open(r) != JA_OK) {
		log_msg("out of memory");
		return JA_ENOMEM;
	}
	/* The login service yields the CPU to the checks of protected
	 * pages when both want it: a login flood must not slow them. */
	if (main_role == ROLE_RESPONDER && setpriority(PRIO_PROCESS, 0,
	    MAIN_RESPONDER_NICE) != 0)
		log_msg("setpriority: %s", strerror(errno));
	return JA_OK;
}

/*
 * Serves requests until the web server ends the process.  Before each
 * one the config is made current (reload.c): a changed file is read
 * before the answer, and without a config that loads the answer is 503.
 * A plain CGI process serves one request with what it just loaded.
 */
static void
main_loop(struct reload *r)
{
	int	 ok;

	while (io_accept()) {
		ok = io_is_cgi() ? r->loaded : reload_check(r) == JA_OK;
		serve(ok ? &r->cfg : NULL, r->db);
		if (ok)
			housekeeping(&r->cfg, r->db);
	}
}

int
main(int argc, char *argv[])
{
	struct main_opts o;
	struct reload	 r;
	int		 rc = 1;

	main_options(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0) {
		log_msg("libsodium failed to initialise");
		return 1;
	}
	json_set_alloc_funcs(malloc, json_wipe_free);
	/* The deployment's self-check, run by hand from a shell. */
	if (o.check)
		return check_run(config_locate(o.path)) == 0 ? 0 : 1;
	/* Refused too without suexec (reload.c, owner_check). */
	if (o.listener) {	/* the host's revocation listener */
		if (main_load(&r, &o) == JA_OK)
			rc = listen_run(&r.cfg);
		goto out;
	}
	if (main_start(&r, &o) != JA_OK)
		goto out;
	main_loop(&r);
	rc = 0;
out:
	revcache_free();
	tokcache_free();
	metrics_close();
	reload_free(&r);
	return rc;
}
