-- 009_signup.sql: accounts made by their users (src/route_signup.c,
-- src/db_signup.c).
--
-- pending_since: when a visitor signed up, until the address is
-- verified (then NULL).  Such an account cannot sign in, and the purge
-- deletes it a day after (db_purge.c).  Accounts the administrator adds
-- are never pending.
ALTER TABLE users ADD COLUMN pending_since timestamptz;
CREATE INDEX users_pending_since ON users (pending_since)
	WHERE pending_since IS NOT NULL;

-- An invitation (authctl invite) is bound to an address, not yet to a
-- user: its row has the address and no user; every other link has a
-- user and no address.
ALTER TABLE account_tokens ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE account_tokens ADD COLUMN email text
	CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254);
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_bound CHECK (
	(purpose = 'invite' AND user_id IS NULL AND email IS NOT NULL) OR
	(purpose <> 'invite' AND user_id IS NOT NULL AND email IS NULL));
