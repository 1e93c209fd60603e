/*
 * main.c: jwtauth.fcgi, the FastCGI (or CGI) program.  It loads the
 * configuration and keys once, refusing to start when they are wrong,
 * then serves one request after another on a straight line:
 * parse -> (authorize | route: verify -> decide) -> respond,
 * then, now and then, a batch of cleanup (db_purge.c).
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
	    "       jwtauth.fcgi --check [-c config]\n");
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

/* Serves the request that io_accept() made current. */
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
	if (rc == JA_OK)
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
	} else if (req.role == ROLE_AUTHORIZER)
		authz_check(&ctx);
	else
		route_dispatch(&ctx);
	db_rollback(db);	/* no-op unless a handler left one open */
	if (response_send(&resp, req.method) != JA_OK)
		log_msg("response not sent: client gone or out of memory");
	response_free(&resp);
	request_free(&req);
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

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	struct db	*db = NULL;
	struct watch	 watch;
	const char	*path = NULL, *listen_on = NULL, *changed;
	long		 nproc = 4;
	char		 err[1024];
	int		 ch, check = 0, loud, rc = 1;
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};

	while ((ch = getopt_long(argc, argv, "c:m:n:r:s:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'C':
			check = 1;
			break;
		case 'c':
			path = optarg;
			break;
		case 'm':
			/* Every request this checker passes needs a
			 * second factor (amr "otp", RFC 8176). */
			if (strcmp(optarg, "otp") != 0)
				usage();
			authz_require_otp();
			break;
		case 'n':
			if (text_parse_long(optarg, 1, 256, &nproc) != JA_OK)
				usage();
			break;
		case 's':
			listen_on = optarg;
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
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0) {
		log_msg("libsodium failed to initialise");
		return 1;
	}
	json_set_alloc_funcs(malloc, json_wipe_free);
	/* The deployment's self-check, run by hand from a shell. */
	if (check)
		return check_run(config_locate(path)) == 0 ? 0 : 1;
	/* Without suexec the keys could not be ours alone: refuse. */
	if (owner_check(config_locate(path), err, sizeof(err)) == JA_ECONFIG) {
		memset(&cfg, 0, sizeof(cfg));
		log_msg("refusing to start: %s", err);
		goto out;
	}
	/* log_file is known once the file parsed, before the key files. */
	rc = config_load(&cfg, config_locate(path), 1, err, sizeof(err));
	if (cfg.log_file != NULL && cfg.log_file[0] == '/')
		(void)log_open(cfg.log_file, cfg.log_file_default);
	if (rc != JA_OK) {
		rc = 1;
		log_msg("refusing to start: %s", err);
		goto out;
	}
	rc = 1;
	/* The counters every process shares (metrics.c); a new signing
	 * key_id since the processes before is a key rotation.  Without
	 * them, say so where someone misses them: /metrics, or the
	 * host's revocation count of the cached check (revcache.c).  Not
	 * io_is_cgi() under -s: libfcgi would settle on CGI for good
	 * before daemon_start() has its socket. */
	loud = cfg.metrics_allow != NULL || (!cfg.revocation_strict &&
	    (listen_on != NULL || !io_is_cgi()));
	if (metrics_open(cfg.path, loud) == JA_OK &&
	    metrics_key_changed(cfg.key_id))
		event_log("key_rotation", NULL, NULL, NULL, "kid", cfg.key_id,
		    "alg", cfg.key_alg);
	/* A server of its own: from here on, in each worker process. */
	if (listen_on != NULL)
		(void)daemon_start(listen_on, nproc);
	if (db_open(&db, cfg.database) != JA_OK ||
	    tokcache_init((size_t)cfg.token_cache_size) != JA_OK) {
		log_msg("out of memory");
		goto out;
	}
	revcache_init();
	/* The login service yields the CPU to the checks of protected
	 * pages when both want it: a login flood must not slow them. */
	if (main_role == ROLE_RESPONDER && setpriority(PRIO_PROCESS, 0,
	    MAIN_RESPONDER_NICE) != 0)
		log_msg("setpriority: %s", strerror(errno));
	/* A plain CGI process serves one request: nothing to cache. */
	if (io_is_cgi())
		cfg.revocation_strict = 1;
	/*
	 * A changed config or key file ends this process after the
	 * response in hand; the web server starts a fresh one, which
	 * reads the new files (or refuses to start, failing closed).  Not
	 * under -s: its workers are forked from an already loaded config.
	 */
	watch_init(&watch, &cfg);
	while (io_accept()) {
		changed = io_is_cgi() || listen_on != NULL ? NULL :
		    watch_changed(&watch, time(NULL));
		if (changed != NULL)
			io_retire();	/* before the answer frees us */
		serve(&cfg, db);
		if (changed != NULL) {
			log_msg("%s changed: this process ends after this "
			    "response; the next one reads it", changed);
			io_finish();
			break;
		}
		housekeeping(&cfg, db);
	}
	rc = 0;
out:
	revcache_free();
	tokcache_free();
	metrics_close();
	db_close(db);
	config_free(&cfg);
	return rc;
}
