/*
 * db_passkey_list.c: the passkeys of a user as the account page lists
 * them (html_passkey.c): id, name, created, last used, disabled.
 */
#include "jwtauth.h"

static const struct db_stmt passkey_list = {
	"passkey_list",
	"SELECT id, name, to_char(created_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(to_char(last_used_at "
	"AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
	"(disabled_at IS NOT NULL)::text FROM passkeys WHERE user_id = $1 "
	"ORDER BY created_at, id LIMIT 64",
	1, DB_RETRY
};

/*
 * Calls fn(row, arg) for each passkey of user user_id, oldest first, at
 * most 64, row being: id, name, created ("2026-12-01T02:47:07Z"), last
 * used (the same, "" for never), "true" when disabled (a counter
 * regression).  Returns JA_OK or JA_EDB.
 */
int
db_passkey_list(struct db *db, const char *user_id,
    void (*fn)(const char *const *, void *), void *arg)
{
	const char	*params[1] = { user_id };

	return db_rows(db_exec(db, &passkey_list, params), 5, fn, arg);
}
