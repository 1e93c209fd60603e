/*
 * authctl_upkeep.c: the database's upkeep from the shell: authctl
 * migrate (the schema), status (what an operator looks at first) and
 * purge (expired rows).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"

static void
print_migration(const char *name, void *arg)
{
	(void)arg;
	printf("applied %s\n", name);
}

/*
 * migrate, with the one failure a new user meets most: since PostgreSQL
 * 15 only the database's owner may create in schema public, so on a
 * database made for you by another role every CREATE TABLE fails with
 * SQLSTATE 42501.  Says what the owner must run.
 */
int
authctl_migrate(struct db *db)
{
	const char	*dbname, *user;

	if (migrate_run(db, print_migration, NULL) == JA_OK)
		return 0;
	if (strcmp(db_sqlstate(db), "42501") != 0)
		return 1;
	db_names(db, &dbname, &user);
	fprintf(stderr,
	    "authctl: %s may not create tables here (SQLSTATE 42501).\n"
	    "Since PostgreSQL 15 only a database's owner may create in "
	    "schema public,\nand %s does not own database %s.  Ask its "
	    "owner (or your host's panel)\nto run, connected to %s, one "
	    "of:\n"
	    "  CREATE SCHEMA \"%s\" AUTHORIZATION \"%s\";\n"
	    "      (a schema of your own; the default search_path \"$user\""
	    " finds it first)\n"
	    "  GRANT CREATE ON SCHEMA public TO \"%s\";\n"
	    "or to make %s the database's owner:\n"
	    "  ALTER DATABASE \"%s\" OWNER TO \"%s\";\n"
	    "then run authctl migrate again.\n",
	    user, user, dbname, dbname, user, user, user, user, dbname, user);
	return 1;
}

/* Deletes in batches until nothing is left to delete. */
int
authctl_purge(const struct config *cfg, struct db *db)
{
	long	 total = 0, n;

	do {
		n = 0;
		if (db_purge(db, cfg, &n) != JA_OK)
			return 1;
		total += n;
	} while (n > 0);
	printf("%ld row(s) deleted\n", total);
	return 0;
}

static void
print_status(const char *const *row, void *arg)
{
	const struct config	*cfg = arg;

	printf("users\t%s\n", row[0]);
	printf("locked users\t%s\n", row[1]);
	printf("live sessions\t%s\n", row[2]);
	printf("revoked tokens\t%s\n", row[3]);
	printf("blocked user names\t%s\n", row[4]);
	printf("blocked addresses\t%s\n", row[5]);
	printf("revocation check\t%s\n", cfg->revocation_strict ?
	    "strict" : "cached");
	printf("token cache\t%ld per process\n", cfg->token_cache_size);
}

/* status: what an operator looks at first, one "name TAB value" a line. */
int
authctl_status(const struct config *cfg, struct db *db, int argc)
{
	if (argc != 0)
		authctl_usage();
	return db_status(db, cfg, print_status, (void *)(uintptr_t)cfg) ==
	    JA_OK ? 0 : 1;
}

