/*
 * db_known.c: the browsers and addresses a user signed in from
 * (sql/012_known_browsers.sql), for the notice of a sign-in from one
 * never seen (login_notice, notice.c).  A browser is the SHA-256 of its
 * User-Agent and client address as logged (log_client): the table holds
 * neither.
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "jwtauth.h"

/*
 * A sign-in of $1 from browser $2, in one statement: its row added, or
 * its last_seen moved on.  One row: whether the row is new, and whether
 * the user had any row before (a first sign-in ever, or the first since
 * this table came, is no news).
 */
static const struct db_stmt known_seen = {
	"known_seen",
	"WITH before AS (SELECT EXISTS (SELECT 1 FROM known_browsers WHERE "
	"user_id = $1) AS any), "
	"up AS (INSERT INTO known_browsers (user_id, browser_hash) VALUES "
	"($1, decode($2, 'hex')) ON CONFLICT (user_id, browser_hash) DO "
	"UPDATE SET last_seen = now() RETURNING (xmax = 0) AS new) "
	"SELECT up.new, before.any FROM up, before",
	2, 0
};

/*
 * Records a sign-in of user_id through req; *news is 1 when its browser
 * and address were never seen for this user while it had others, else
 * 0.  Returns JA_OK or JA_EDB.
 */
int
db_known_seen(struct db *db, const char *user_id, const struct request *req,
    int *news)
{
	unsigned char	 h[crypto_hash_sha256_BYTES];
	char		 ua[LOG_UA_MAX], ip[LOG_IP_MAX];
	char		 hex[2 * sizeof(h) + 1];
	const char	*params[2] = { user_id, hex };
	crypto_hash_sha256_state st;
	PGresult	*res;
	int		 rc = JA_EDB;

	*news = 0;
	log_client(req, ua, ip);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)ua, strlen(ua));
	crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)ip, strlen(ip));
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if ((res = db_exec(db, &known_seen, params)) == NULL)
		return JA_EDB;
	if (PQntuples(res) == 1) {
		*news = PQgetvalue(res, 0, 0)[0] == 't' &&
		    PQgetvalue(res, 0, 1)[0] == 't';
		rc = JA_OK;
	}
	PQclear(res);
	return rc;
}
