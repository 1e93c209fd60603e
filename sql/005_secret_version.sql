-- 005_secret_version.sql: the version of the server secret that derived
-- each refresh token (src/secret.c: a short hash of the secret, which
-- reveals nothing of it), so that a refresh retried in the grace window
-- after the secret was rotated derives the same child with the old
-- secret (old_secret_files).  NULL: a token from before this column,
-- taken to be of the current secret.
ALTER TABLE refresh_tokens ADD COLUMN secret_id text
	CHECK (secret_id ~ '^[0-9a-f]{16}$');
