-- 001_init.sql: users, sessions, refresh tokens (hashed) and the
-- revocation table of access tokens logged out before their exp.

CREATE TABLE users (
	id			uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	username		text NOT NULL UNIQUE
				CHECK (length(username) BETWEEN 1 AND 256),
	password_hash		text NOT NULL,
	locked			boolean NOT NULL DEFAULT false,
	created_at		timestamptz NOT NULL DEFAULT now(),
	password_changed_at	timestamptz NOT NULL DEFAULT now()
);

-- One row per login: the chain of refresh tokens of that login.
-- seed is the random input of refresh-token derivation (refresh.c):
-- useless without the server secret, which the database never sees.
CREATE TABLE sessions (
	id			uuid PRIMARY KEY,
	user_id			uuid NOT NULL REFERENCES users(id)
				ON DELETE CASCADE,
	seed			bytea NOT NULL CHECK (length(seed) = 32),
	created_at		timestamptz NOT NULL DEFAULT now(),
	last_used_at		timestamptz NOT NULL DEFAULT now(),
	expires_at		timestamptz NOT NULL,
	revoked_at		timestamptz,
	user_agent		text,
	ip			text
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Only SHA-256 of each refresh token.  One child per generation: the
-- UNIQUE constraint makes a fork of a session impossible.
CREATE TABLE refresh_tokens (
	token_hash		bytea PRIMARY KEY
				CHECK (length(token_hash) = 32),
	session_id		uuid NOT NULL REFERENCES sessions(id)
				ON DELETE CASCADE,
	generation		integer NOT NULL CHECK (generation >= 0),
	created_at		timestamptz NOT NULL DEFAULT now(),
	expires_at		timestamptz NOT NULL,
	used_at			timestamptz,
	UNIQUE (session_id, generation)
);

-- Access tokens ended before their exp, by jti (never by a hash of the
-- token text: token strings are malleable).  A row can go once
-- expires_at plus the leeway has passed.
CREATE TABLE revoked_tokens (
	jti			text PRIMARY KEY,
	session_id		uuid,
	expires_at		timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);
