-- 014_passkey_mfa.sql: a passkey as the second factor, and as the
-- confirmation of a passkey's removal (src/route_passkey_mfa.c,
-- src/passkey_confirm.c).
--
-- A challenge may now also be bound to a signed-in session to confirm
-- an action with one of its user's passkeys (purpose 'confirm').  The
-- constraints of 013 are replaced by ones that take it.
ALTER TABLE webauthn_challenges
	DROP CONSTRAINT webauthn_challenges_purpose_check,
	DROP CONSTRAINT webauthn_challenges_check;
ALTER TABLE webauthn_challenges
	ADD CONSTRAINT webauthn_challenges_purpose_check
	CHECK (purpose IN ('register', 'login', 'mfa', 'confirm')),
	ADD CONSTRAINT webauthn_challenges_check
	CHECK ((purpose IN ('register', 'confirm') AND session_id IS NOT NULL
	    AND attempt_hash IS NULL AND mfa_hash IS NULL) OR
	    (purpose = 'login' AND attempt_hash IS NOT NULL AND
	    session_id IS NULL AND mfa_hash IS NULL) OR
	    (purpose = 'mfa' AND mfa_hash IS NOT NULL AND
	    session_id IS NULL AND attempt_hash IS NULL));

-- The passkey that was the first factor of a sign-in whose second step
-- this mfa_token is (a passkey without UV); NULL after a password.  The
-- same passkey cannot then be its second factor.
ALTER TABLE mfa_challenges ADD COLUMN passkey_id uuid
	REFERENCES passkeys(id) ON DELETE CASCADE;

-- How a session signed in (RFC 8176 amr, src/token_issue.c): true when
-- a password was the first factor and a passkey the second
-- (["pwd","hwk","user","mfa"]); passkey (013) and mfa (006) are then
-- true too.
ALTER TABLE sessions ADD COLUMN pwd_passkey boolean NOT NULL DEFAULT false;
