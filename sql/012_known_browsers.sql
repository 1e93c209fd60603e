-- 012_known_browsers.sql: the browsers and addresses each user signed
-- in from (src/db_known.c), for the notice of a sign-in from one never
-- seen (config login_notice).  Only SHA-256 of the User-Agent and the
-- client address is kept, not either of them.  A row not seen for
-- audit_max_age is purged (db_purge.c).
CREATE TABLE known_browsers (
	user_id			uuid NOT NULL REFERENCES users(id)
				ON DELETE CASCADE,
	browser_hash		bytea NOT NULL
				CHECK (length(browser_hash) = 32),
	first_seen		timestamptz NOT NULL DEFAULT now(),
	last_seen		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, browser_hash)
);
CREATE INDEX known_browsers_last_seen ON known_browsers (last_seen);
