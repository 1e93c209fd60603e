-- 008_role_timeouts.sql: the service's timeouts, kept where a connection
-- pool cannot lose them.  Through PgBouncer in transaction pooling mode
-- (docs/multi-server.md) each transaction may run on another server
-- connection, so a SET made once per connection (what src/db.c did
-- before) holds on one server session and not on the others.  A role's
-- defaults in a database are applied by PostgreSQL to every session the
-- role starts there, pooled or not.  authctl migrate runs as the role
-- of the service's `database` (ordinary roles may set their own
-- defaults); the defaults are for this database only.  Transactions set
-- the same values again with SET LOCAL (src/db_tx.c).
DO $$
BEGIN
	EXECUTE format('ALTER ROLE %I IN DATABASE %I SET statement_timeout = %L',
	    current_user, current_database(), '5s');
	EXECUTE format('ALTER ROLE %I IN DATABASE %I SET lock_timeout = %L',
	    current_user, current_database(), '5s');
	EXECUTE format('ALTER ROLE %I IN DATABASE %I '
	    'SET idle_in_transaction_session_timeout = %L',
	    current_user, current_database(), '30s');
END
$$;
