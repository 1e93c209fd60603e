-- 006_totp.sql: two-factor sign-in (TOTP, RFC 6238; src/totp.c,
-- src/db_mfa.c).
--
-- totp: one row per user who has set up a second factor.  The shared
-- secret is stored only encrypted (crypto_secretbox: nonce || box) under
-- a key derived from the server secret whose version is secret_id; the
-- database alone cannot compute a code.  enabled_at NULL: set up but not
-- yet confirmed with a code (sign-in does not ask for one).  last_step is
-- the time step of the last code accepted: a code is accepted only for a
-- later step, so each code works at most once (RFC 6238 §5.2).
CREATE TABLE totp (
	user_id			uuid PRIMARY KEY REFERENCES users(id)
				ON DELETE CASCADE,
	secret_box		bytea NOT NULL
				CHECK (length(secret_box) BETWEEN 40 AND 128),
	secret_id		text CHECK (secret_id ~ '^[0-9a-f]{16}$'),
	created_at		timestamptz NOT NULL DEFAULT now(),
	enabled_at		timestamptz,
	last_step		bigint NOT NULL DEFAULT 0
);

-- Ten one-time recovery codes per user, as keyed BLAKE2b hashes
-- (src/recovery.c), each with the version of the server secret that
-- keyed it.  A used code keeps its row (used_at) until the codes are
-- replaced or the second factor is turned off.
CREATE TABLE recovery_codes (
	user_id			uuid NOT NULL REFERENCES users(id)
				ON DELETE CASCADE,
	code_hash		bytea NOT NULL CHECK (length(code_hash) = 32),
	secret_id		text CHECK (secret_id ~ '^[0-9a-f]{16}$'),
	used_at			timestamptz,
	PRIMARY KEY (user_id, code_hash)
);

-- The second step of a sign-in: after the right password of a user with
-- a second factor, an mfa_token (256 random bits, only its SHA-256
-- here), bound to that user, short-lived, good for one successful code
-- and a few wrong ones.  It is no refresh token (not in refresh_tokens)
-- and no access token (not a JWS).
CREATE TABLE mfa_challenges (
	token_hash		bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	user_id			uuid NOT NULL REFERENCES users(id)
				ON DELETE CASCADE,
	expires_at		timestamptz NOT NULL,
	attempts		integer NOT NULL DEFAULT 0
);
CREATE INDEX mfa_challenges_expires_at ON mfa_challenges (expires_at);

-- How a session signed in (RFC 8176 amr): true when a second factor was
-- given.  Its refreshed access tokens say the same.
ALTER TABLE sessions ADD COLUMN mfa boolean NOT NULL DEFAULT false;
