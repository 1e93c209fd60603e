/*
 * revcache.c: the revocation cache.  What can end an access token before
 * its exp is kept in this process's memory and kept current by
 * PostgreSQL itself (LISTEN/NOTIFY, triggers of sql/003_notify.sql), so
 * that the check on a protected request needs no round trip:
 *
 *   revoked jtis	every row of revoked_tokens not yet expired, loaded
 *			whole, then "j:JTI EXP" notifications;
 *   sessions		for each session id seen, the database's answer
 *			(live until EXPIRES for user U, or dead), asked once
 *			and then changed by "s:SID" (the session was revoked,
 *			changed or deleted: dead) and "u:UID" (the user was
 *			locked, unlocked or deleted: forget and ask again).
 *
 * One listener per host (jwtauth.fcgi -l, listen.c) holds the only
 * LISTEN connection and copies the notifications into a ring in the
 * host's shared memory (revring.c); before each decision the process
 * reads what it has not read yet.  Its own database connection may go
 * through a transaction pool: it never LISTENs.  A notification reaches
 * the ring a little after the COMMIT that sent it (PostgreSQL signals
 * the listening backend, which writes it when the scheduler runs it,
 * then the listener copies it): so that a revocation made on this host
 * holds from the next request on, the process that commits one adds to
 * the host's revocation count in shared memory (db.c, DB_REVOKES;
 * metrics_revoked), the listener publishes the count up to which the
 * ring is complete (synced, after a round trip before whose answer the
 * server sends what was notified: PostgreSQL's postgres.c delivers
 * pending notifications before ReadyForQuery), and a process that finds
 * the count past synced checks that request against the database.
 * Another host's processes (several web servers on one database) only
 * have the notification: they refuse as soon as their listener has it,
 * typically a millisecond or two later; revocation_check = strict
 * closes that window too.
 *
 * The set is trusted only under the listener epoch it was loaded in:
 * while no listener is live (none started yet, its pid gone, its beat
 * stale, its connection lost), when another one took over, or when the
 * process fell more than REVRING_SIZE notifications behind, every check
 * goes to the database (db_session_check) until a listener is live and
 * the process has reloaded the whole set; with the database gone too
 * the answer is JA_EDB, never a pass.  A process that finds no live
 * listener starts one (revring_spawn; at most one try a second per
 * host).  Without the shared memory object every check is strict.
 *
 * revocation_check = strict skips all of this: one indexed query per
 * request.  Plain CGI behaves as strict (a process serves one request).
 *
 * Memory: a jti entry is about 80 bytes, a session entry about 130
 * (malloc overhead included), plus 8 bytes a bucket.  Entries leave once
 * the jti's exp or the session's absolute end plus the leeway has passed
 * (swept once a minute); past REVCACHE_MAX entries of a kind the cache
 * stops trusting itself and the process checks strictly until reload.
 * The two maps are revmap.c's; this file is the policy that fills,
 * empties and reads them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "jwtauth.h"

#define REVCACHE_MAX		262144	/* entries of one kind */
#define REVCACHE_SWEEP		60	/* seconds between sweeps */

static struct {
	struct revmap		 jtis;
	struct revmap		 sessions;
	uint64_t		 epoch;		/* listener epoch loaded in */
	uint64_t		 seen;		/* ring entries read */
	int			 trusted;
	int			 ready;		/* maps made */
	time_t			 swept;
	struct revcache_stats	 stats;
} rc_state;

/*
 * How long a check that started the host's listener waits for it to
 * run (then the cache loads at once), in ms: a FastCGI process waits;
 * mod_jwtauth, whose check holds its child's lock, does not (0) and
 * asks the database until the listener runs.  Not reset by
 * revcache_free().
 */
static int	revcache_wait_ms = 1000;

/* The session's answer to the first check in this process. */
static const struct db_stmt revcache_session = {
	"revcache_session",
	"SELECT s.user_id, extract(epoch FROM s.expires_at)::bigint, "
	"s.revoked_at IS NULL AND NOT u.locked "
	"FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
	1, DB_RETRY
};

static const struct db_stmt revcache_jtis = {
	"revcache_jtis",
	"SELECT jti, extract(epoch FROM expires_at)::bigint "
	"FROM revoked_tokens WHERE expires_at > now() - "
	"make_interval(secs => $1::integer)",
	1, DB_RETRY
};

/*
 * Returns the entry of key in m, made if there was none (revmap_put),
 * or NULL: then, unless the key was too long, the cache is no longer
 * trusted (the caller checks strictly).
 */
static struct revmap_entry *
revcache_put(struct revmap *m, const char *key)
{
	struct revmap_entry	*e;

	if (strlen(key) >= REVMAP_KEY_MAX)
		return NULL;
	if ((e = revmap_put(m, key)) == NULL)
		rc_state.trusted = 0;
	return e;
}

static int
revcache_of_user(const struct revmap_entry *e, const void *arg)
{
	return strcmp(e->user_id, arg) == 0;
}

/* Applies one notification of the ring (see above). */
static void
revcache_apply(const char *payload, void *arg)
{
	struct revmap_entry	*e;
	char			 key[REVMAP_KEY_MAX];
	long long		 exp;

	(void)arg;
	if (payload[0] == '\0' || payload[1] != ':')
		return;
	rc_state.stats.notifications++;
	switch (payload[0]) {
	case 'j':
		if (sscanf(payload + 2, "%39s %lld", key, &exp) != 2)
			break;
		if ((e = revcache_put(&rc_state.jtis, key)) != NULL) {
			e->expires = exp;
			e->state = REVMAP_DEAD;
		}
		break;
	case 's':
		/* Dead from now on; the entry leaves with the sweep. */
		if ((e = revmap_find(&rc_state.sessions, payload + 2)) !=
		    NULL)
			e->state = REVMAP_DEAD;
		break;
	case 'u':
		revmap_remove_if(&rc_state.sessions, revcache_of_user,
		    payload + 2);
		break;
	default:
		log_msg("revocation cache: unknown notification ignored");
	}
}

/*
 * Empties the cache and loads the revoked jtis under the listener epoch
 * of ring r, then applies what the ring got meanwhile: the ring position
 * is taken before the load, so a revocation committed after the load's
 * snapshot is in the ring.  Returns JA_OK with the cache trusted, else
 * JA_EDB.
 */
static int
revcache_reload(struct db *db, const struct config *cfg, struct revring *r)
{
	char		 leeway[32];
	const char	*params[1] = { leeway };
	struct revmap_entry	*e;
	PGresult	*res;
	int		 i;

	rc_state.trusted = 0;
	revmap_clear(&rc_state.jtis);
	revmap_clear(&rc_state.sessions);
	rc_state.epoch = revring_epoch(r);
	rc_state.seen = revring_seq(r);
	if (!revring_live(r))
		return JA_EDB;
	rc_state.trusted = 1;
	snprintf(leeway, sizeof(leeway), "%ld", cfg->leeway);
	if ((res = db_exec(db, &revcache_jtis, params)) == NULL) {
		rc_state.trusted = 0;
		return JA_EDB;
	}
	for (i = 0; i < PQntuples(res); i++) {
		if ((e = revcache_put(&rc_state.jtis, PQgetvalue(res, i, 0))) ==
		    NULL)
			break;
		e->expires = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		e->state = REVMAP_DEAD;
	}
	PQclear(res);
	if (revring_epoch(r) != rc_state.epoch ||
	    revring_read(r, &rc_state.seen, revcache_apply, NULL) != 0)
		rc_state.trusted = 0;
	if (!rc_state.trusted)
		return JA_EDB;
	rc_state.stats.reloads++;
	metrics_count(METRIC_REVCACHE_RELOAD);
	return JA_OK;
}

/*
 * Brings the cache up to date from the ring: starts a listener when
 * none is live, reads the new entries, reloads under a new epoch,
 * sweeps expired entries now and then.  Returns 1 when the cache can be
 * trusted for a decision now (also: the ring holds every revocation
 * counted on this host so far), else 0.
 */
static int
revcache_sync(struct db *db, const struct config *cfg, time_t now)
{
	struct revring	*r = metrics_ring();
	uint64_t	 count, synced;
	int64_t		 before;

	if (r == NULL)
		return rc_state.trusted = 0;
	/* In this order: what was counted is in the ring once synced. */
	count = metrics_revocations();
	synced = revring_synced(r);
	revring_touch(r);
	if (!revring_live(r)) {
		rc_state.trusted = 0;
		if (!revring_spawn(r, cfg->path) ||
		    !revring_wait(r, revcache_wait_ms))
			return 0;
		synced = revring_synced(r);
	}
	if (rc_state.trusted && (revring_epoch(r) != rc_state.epoch ||
	    revring_read(r, &rc_state.seen, revcache_apply, NULL) != 0))
		rc_state.trusted = 0;
	if (!rc_state.trusted && revcache_reload(db, cfg, r) != JA_OK)
		return 0;
	if (now - rc_state.swept >= REVCACHE_SWEEP) {
		rc_state.swept = now;
		before = (int64_t)now - cfg->leeway;
		revmap_expire(&rc_state.jtis, before);
		revmap_expire(&rc_state.sessions, before);
	}
	return synced >= count;
}

/*
 * Records what the database said of session sid: live (for user_id,
 * until expires, epoch seconds) or not.  user_id NULL: no such session.
 * Returns 0, or -1 when it could not be kept (the cache is then not
 * trusted).
 */
int
revcache_note_session(const char *sid, const char *user_id, int64_t expires,
    int live)
{
	struct revmap_entry	*e;

	if ((e = revcache_put(&rc_state.sessions, sid)) == NULL)
		return -1;
	if (user_id == NULL) {
		/* No such session: dead for as long as its tokens. */
		e->expires = INT64_MAX;
		e->state = REVMAP_DEAD;
		return 0;
	}
	snprintf(e->user_id, sizeof(e->user_id), "%s", user_id);
	e->expires = expires;
	e->state = live ? REVMAP_LIVE : REVMAP_DEAD;
	return 0;
}

/*
 * Asks the database about session sid once and records the answer.
 * Returns JA_OK, JA_EDB (no answer), or JA_ENOTFOUND when the answer
 * could not be kept.  What is notified after the answer reaches the
 * ring, so the entry is kept current from here on.
 */
static int
revcache_learn(struct db *db, const char *sid)
{
	const char	*params[1] = { sid };
	PGresult	*res;
	int		 rc = JA_OK;

	if ((res = db_exec(db, &revcache_session, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) != 1)
		rc = revcache_note_session(sid, NULL, 0, 0) == 0 ? JA_OK :
		    JA_ENOTFOUND;
	else if (revcache_note_session(sid, PQgetvalue(res, 0, 0),
	    strtoll(PQgetvalue(res, 0, 1), NULL, 10),
	    PQgetvalue(res, 0, 2)[0] == 't') != 0)
		rc = JA_ENOTFOUND;
	rc_state.stats.misses++;
	PQclear(res);
	return rc;
}

/*
 * The decision from memory alone for verified claims c at time now:
 * JA_EAUTH when c->jti is revoked or its session is dead, past its
 * absolute end or not c->sub's; JA_OK when the session is known live;
 * JA_ENOTFOUND when the session is not known yet.  The caller made sure
 * the cache is current (revcache_check).
 */
int
revcache_decide(const struct claims *c, time_t now)
{
	struct revmap_entry	*e;

	if (revmap_find(&rc_state.jtis, c->jti) != NULL)
		return JA_EAUTH;
	if ((e = revmap_find(&rc_state.sessions, c->sid)) == NULL)
		return JA_ENOTFOUND;
	if (e->state != REVMAP_LIVE || strcmp(e->user_id, c->sub) != 0 ||
	    e->expires <= (int64_t)now)
		return JA_EAUTH;
	return JA_OK;
}

/*
 * The revocation check of verified claims c at time now: the session is
 * live and not past its absolute end, it belongs to c->sub, the user is
 * not locked, and c->jti is not revoked.  From the cache when it can be
 * trusted (a session seen for the first time costs one query), else
 * from the database (db_session_check).  Returns JA_OK, JA_EAUTH, or
 * JA_EDB (the caller fails closed: 503).
 */
int
revcache_check(struct db *db, const struct config *cfg,
    const struct claims *c, time_t now)
{
	int	 rc;

	if (cfg->revocation_strict || !revcache_sync(db, cfg, now)) {
		rc_state.stats.strict++;
		metrics_count(METRIC_REVCACHE_MISS);
		return db_session_check(db, c);
	}
	if ((rc = revcache_decide(c, now)) != JA_ENOTFOUND) {
		rc_state.stats.hits++;
		metrics_count(METRIC_REVCACHE_HIT);
		return rc;
	}
	if ((rc = revcache_learn(db, c->sid)) == JA_EDB)
		return JA_EDB;
	if (rc == JA_OK && (rc = revcache_decide(c, now)) != JA_ENOTFOUND)
		return rc;
	rc_state.stats.strict++;
	metrics_count(METRIC_REVCACHE_MISS);
	return db_session_check(db, c);
}

/*
 * The cache's state for GET /health, once brought up to date as a check
 * would (notifications drained, reloaded if it had to be):
 * "strict" when revocation_check = strict (or under plain CGI),
 * "listening" when trusted (the host's listener is live and this
 * process's load is current), else "reloading": no listener is live (or the cache
 * overflowed) and the reload has not succeeded yet, so every check is
 * made against the database until it has.  Never NULL.
 */
const char *
revcache_health(struct db *db, const struct config *cfg, time_t now)
{
	if (cfg->revocation_strict)
		return "strict";
	(void)revcache_sync(db, cfg, now);
	return rc_state.trusted ? "listening" : "reloading";
}

/*
 * Makes the maps, each with its hash key; call once at start, after
 * sodium_init().
 */
void
revcache_init(void)
{
	if (!rc_state.ready) {
		revmap_init(&rc_state.jtis, REVCACHE_MAX);
		revmap_init(&rc_state.sessions, REVCACHE_MAX);
		rc_state.ready = 1;
	}
}

/*
 * Moves the cache out (stash.c), leaving this process with none, as
 * before revcache_init().  Returns the box, or NULL: nothing moved.
 */
void *
revcache_stash(void)
{
	return stash_take(&rc_state, sizeof(rc_state));
}

/*
 * Moves box's cache back in, over a process with none (after
 * revcache_stash(), before revcache_init()); frees box.
 */
void
revcache_unstash(void *box)
{
	stash_put(&rc_state, box, sizeof(rc_state));
}

/* Sets revcache_wait_ms. */
void
revcache_spawn_wait(int ms)
{
	revcache_wait_ms = ms;
}

/* The counters since the process started, and the cache's state now. */
void
revcache_stats(struct revcache_stats *st)
{
	*st = rc_state.stats;
	st->trusted = rc_state.trusted;
	st->jtis = rc_state.jtis.count;
	st->sessions = rc_state.sessions.count;
}

/* Frees the cache; it is empty and untrusted after. */
void
revcache_free(void)
{
	revmap_clear(&rc_state.jtis);
	revmap_clear(&rc_state.sessions);
	rc_state.trusted = 0;
}
