/*
 * migrate.c: applies the migrations compiled in from sql/ (migrations.c)
 * that the database has not seen yet, all in one transaction under an
 * advisory lock, so two authctl runs cannot apply one twice.
 */
#include <stdio.h>
#include <stdlib.h>

#include <libpq-fe.h>

#include "jwtauth.h"

static const struct db_stmt migrate_applied = {
	"migrate_applied",
	"SELECT 1 FROM schema_migrations WHERE version = $1::integer",
	1, 0
};

static const struct db_stmt migrate_record = {
	"migrate_record",
	"INSERT INTO schema_migrations (version, name) VALUES "
	"($1::integer, $2)",
	2, 0
};

/*
 * Applies every pending migration; calls report(name, arg) for each one
 * applied.  Returns JA_OK, or JA_EDB with nothing applied.
 */
int
migrate_run(struct db *db, void (*report)(const char *, void *), void *arg)
{
	const struct migration	*m;
	const char		*params[2];
	char			 version[16];
	PGresult		*res;
	int			 applied;

	if (db_begin(db) != JA_OK)
		return JA_EDB;
	if (db_run(db, "SELECT pg_advisory_xact_lock(7420001); "
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, name text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())") != JA_OK)
		goto fail;
	for (m = migrations; m->name != NULL; m++) {
		snprintf(version, sizeof(version), "%d", m->version);
		params[0] = version;
		params[1] = m->name;
		if ((res = db_exec(db, &migrate_applied, params)) == NULL)
			goto fail;
		applied = PQntuples(res) > 0;
		PQclear(res);
		if (applied)
			continue;
		if (db_run(db, m->sql) != JA_OK)
			goto fail;
		if ((res = db_exec(db, &migrate_record, params)) == NULL)
			goto fail;
		PQclear(res);
		if (report != NULL)
			report(m->name, arg);
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return JA_EDB;
}
