-- 013_passkeys.sql: passkeys (W3C WebAuthn Level 3; src/route_passkey.c,
-- src/db_passkey.c).
--
-- passkeys: one row per credential a user registered.  public_key is the
-- credential's COSE_Key as the authenticator gave it (read again at each
-- sign-in by src/cose.c), alg its COSE algorithm.  sign_count is the last
-- signature counter seen: a later one must be greater unless both are 0
-- (WebAuthn §6.1.1); a regression sets disabled_at (a possible clone)
-- and the passkey signs in no more.  backup_eligible and backed_up are
-- the BE and BS flags (§6.1.3), BS as last seen.  A credential id is
-- unique across all users: a second registration of one is refused.
CREATE TABLE passkeys (
	id			uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id			uuid NOT NULL REFERENCES users(id)
				ON DELETE CASCADE,
	credential_id		bytea NOT NULL UNIQUE
				CHECK (length(credential_id) BETWEEN 1 AND 1023),
	public_key		bytea NOT NULL
				CHECK (length(public_key) BETWEEN 1 AND 512),
	alg			integer NOT NULL CHECK (alg IN (-7, -8, -257)),
	sign_count		bigint NOT NULL DEFAULT 0
				CHECK (sign_count BETWEEN 0 AND 4294967295),
	backup_eligible		boolean NOT NULL,
	backed_up		boolean NOT NULL,
	name			text NOT NULL
				CHECK (length(name) BETWEEN 1 AND 64),
	created_at		timestamptz NOT NULL DEFAULT now(),
	last_used_at		timestamptz,
	disabled_at		timestamptz
);
CREATE INDEX passkeys_user_id ON passkeys (user_id);

-- A challenge of a WebAuthn ceremony: 32 random bytes, only their
-- SHA-256 here, single use, for 5 minutes, bound to what asked for it:
-- a registration to the session that asked (session_id), a sign-in to
-- the anonymous attempt that asked (attempt_hash: SHA-256 of a random
-- token given with the options and sent back with the credential), the
-- second step of a sign-in to its mfa_token (mfa_hash, its SHA-256).
CREATE TABLE webauthn_challenges (
	challenge_hash		bytea PRIMARY KEY
				CHECK (length(challenge_hash) = 32),
	purpose			text NOT NULL
				CHECK (purpose IN ('register', 'login', 'mfa')),
	session_id		uuid REFERENCES sessions(id) ON DELETE CASCADE,
	attempt_hash		bytea CHECK (length(attempt_hash) = 32),
	mfa_hash		bytea CHECK (length(mfa_hash) = 32),
	expires_at		timestamptz NOT NULL,
	CHECK ((purpose = 'register' AND session_id IS NOT NULL AND
	    attempt_hash IS NULL AND mfa_hash IS NULL) OR
	    (purpose = 'login' AND attempt_hash IS NOT NULL AND
	    session_id IS NULL AND mfa_hash IS NULL) OR
	    (purpose = 'mfa' AND mfa_hash IS NOT NULL AND
	    session_id IS NULL AND attempt_hash IS NULL))
);
CREATE INDEX webauthn_challenges_expires_at
	ON webauthn_challenges (expires_at);

-- How a session signed in (RFC 8176 amr, src/token_issue.c): true for a
-- passkey ("hwk"); mfa (006) then says whether the authenticator
-- verified its user (UV).  Its refreshed access tokens say the same.
ALTER TABLE sessions ADD COLUMN passkey boolean NOT NULL DEFAULT false;
