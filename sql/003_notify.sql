-- 003_notify.sql: every change that can end an access token before its
-- exp is announced on channel jwtauth_revoke, at COMMIT, to every
-- process that LISTENs (the revocation cache, src/revcache.c), whoever
-- made it: the service, authctl, or SQL typed by hand.
--   j:JTI EXP   an access token was revoked (EXP: its exp, epoch seconds)
--   s:SID       a session was revoked, changed or deleted
--   u:UID       a user was locked, unlocked or deleted

CREATE FUNCTION jwtauth_notify_jti() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('jwtauth_revoke', 'j:' || NEW.jti || ' ' ||
		extract(epoch FROM NEW.expires_at)::bigint);
	RETURN NULL;
END
$$;

CREATE FUNCTION jwtauth_notify_session() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('jwtauth_revoke', 's:' || OLD.id);
	RETURN NULL;
END
$$;

CREATE FUNCTION jwtauth_notify_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('jwtauth_revoke', 'u:' || OLD.id);
	RETURN NULL;
END
$$;

CREATE TRIGGER revoked_tokens_notify AFTER INSERT ON revoked_tokens
	FOR EACH ROW EXECUTE FUNCTION jwtauth_notify_jti();
-- Not on last_used_at: a refresh changes nothing a token depends on.
CREATE TRIGGER sessions_notify_update
	AFTER UPDATE OF revoked_at, expires_at, user_id ON sessions
	FOR EACH ROW EXECUTE FUNCTION jwtauth_notify_session();
CREATE TRIGGER sessions_notify_delete AFTER DELETE ON sessions
	FOR EACH ROW EXECUTE FUNCTION jwtauth_notify_session();
CREATE TRIGGER users_notify_update AFTER UPDATE OF locked ON users
	FOR EACH ROW EXECUTE FUNCTION jwtauth_notify_user();
CREATE TRIGGER users_notify_delete AFTER DELETE ON users
	FOR EACH ROW EXECUTE FUNCTION jwtauth_notify_user();
