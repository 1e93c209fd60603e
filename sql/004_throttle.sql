-- 004_throttle.sql: failed sign-ins, counted per account (the user name
-- as typed, known or not, so that the answer tells nothing) and per
-- client address, for the login throttle (src/throttle.c).  A row is
-- forgotten throttle_window seconds after its last failure.
CREATE TABLE throttle (
	kind			text NOT NULL CHECK (kind IN ('user', 'ip')),
	key			text NOT NULL CHECK (length(key) BETWEEN 1 AND 512),
	failures		integer NOT NULL CHECK (failures >= 0),
	last_failure		timestamptz NOT NULL DEFAULT now(),
	blocked_until		timestamptz,
	PRIMARY KEY (kind, key)
);
CREATE INDEX throttle_last_failure ON throttle (last_failure);
