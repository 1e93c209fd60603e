-- 011_remember.sql: "Keep me signed in" (src/route_login.c, config
-- remember_me).
--
-- remembered: the user asked to stay signed in (or was not asked): the
-- cookies persist for the session's lifetime and the session ends after
-- session_idle_timeout of inactivity.  Otherwise the cookies are
-- browser-session cookies and the session ends after the shorter
-- session_idle_timeout_short.  A sign-in with a second factor keeps the
-- choice in its challenge until the code is given.
ALTER TABLE sessions ADD COLUMN remembered boolean NOT NULL DEFAULT true;
ALTER TABLE mfa_challenges ADD COLUMN remember boolean NOT NULL
	DEFAULT true;
