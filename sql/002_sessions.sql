-- 002_sessions.sql: session limits, audit trail, and indexes for purge.

-- Why a session ended: logout_local, logout_others, logout_global,
-- reuse, password, lock, admin, max_age, idle.
ALTER TABLE sessions ADD COLUMN revoke_reason text;
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_revoked_at ON sessions (revoked_at)
	WHERE revoked_at IS NOT NULL;
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

CREATE TABLE audit (
	id			bigserial PRIMARY KEY,
	at			timestamptz NOT NULL DEFAULT now(),
	event			text NOT NULL,
	user_id			uuid,
	username		text,
	session_id		uuid,
	ip			text,
	user_agent		text,
	detail			text
);
CREATE INDEX audit_at ON audit (at);
