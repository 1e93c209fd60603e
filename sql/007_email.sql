-- 007_email.sql: an address on each account, and the links mailed to it
-- (src/db_email.c, src/db_reset.c).
--
-- email: at most one account per address, whatever its case (the unique
-- index is on lower(email)).  email_verified_at: when the address was
-- known to be the user's (set by the administrator: at once); a mail
-- with a link goes only to a verified address.
ALTER TABLE users ADD COLUMN email text
	CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254);
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));

-- A link mailed to a user: only SHA-256 of its token (256 random bits)
-- here, bound to one user and one purpose, expiring, used once (its row
-- is deleted when used).
CREATE TABLE account_tokens (
	token_hash		bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	user_id			uuid NOT NULL REFERENCES users(id)
				ON DELETE CASCADE,
	purpose			text NOT NULL
				CHECK (purpose IN ('reset', 'verify', 'invite')),
	created_at		timestamptz NOT NULL DEFAULT now(),
	expires_at		timestamptz NOT NULL
);
CREATE INDEX account_tokens_user_id ON account_tokens (user_id);
CREATE INDEX account_tokens_expires_at ON account_tokens (expires_at);
