-- 010_email_change.sql: a change of address by its user
-- (src/route_email.c, src/db_email_change.c).
--
-- A link of purpose 'email' is bound to a user and carries the new
-- address: the account's address becomes it only when the link is used.
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check
	CHECK (purpose IN ('reset', 'verify', 'invite', 'email'));
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_bound;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_bound CHECK (
	(purpose = 'invite' AND user_id IS NULL AND email IS NOT NULL) OR
	(purpose = 'email' AND user_id IS NOT NULL AND email IS NOT NULL) OR
	(purpose NOT IN ('invite', 'email') AND user_id IS NOT NULL AND
	email IS NULL));
