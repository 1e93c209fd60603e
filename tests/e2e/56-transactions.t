# Revocations inside a transaction are never lost: a failing audit row
# does not undo the revocation it records (before, the transaction was
# aborted and its COMMIT, answered ROLLBACK, counted as a success), and
# the first transactional request after a PostgreSQL restart reconnects
# instead of answering 503.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start(refresh_grace => 0);
$env->add_user('tina', 'tina password 1');

# Reuse detection with the audit row failing.
my $t0 = $env->must_login('tina', 'tina password 1');
my $sid = JwtAuthTest->sid_of($t0->{access_token});
my $r1 = $env->refresh($t0->{refresh_token});
is($r1->{status}, 200, 'a refresh rotates the token');
$env->psql("ALTER TABLE audit ADD CONSTRAINT test_no_reuse CHECK (event <> 'refresh_reuse')");
sleep 1;
is($env->refresh_answer($t0->{refresh_token}), '401 invalid_grant',
	'the old token replayed is refused');
is($env->psql("SELECT revoke_reason FROM sessions WHERE id = '$sid'"), 'reuse',
	'the session is revoked for reuse although its audit row could not be written');
is($env->refresh_answer($r1->{json}{refresh_token}), '401 invalid_grant',
	'the live token of that session no longer refreshes');
is($env->me($r1->{json}{access_token})->{status}, 401,
	'its access token is refused');
like($env->error_log, qr/audit: could not record refresh_reuse/,
	'the failed audit row is logged');

# A session past its idle limit, with the audit row failing.
my $t = $env->must_login('tina', 'tina password 1');
$sid = JwtAuthTest->sid_of($t->{access_token});
$env->psql("ALTER TABLE audit ADD CONSTRAINT test_no_end CHECK (event <> 'session_end')");
$env->psql("UPDATE sessions SET last_used_at = now() - interval '30 days' WHERE id = '$sid'");
is($env->refresh_answer($t->{refresh_token}), '401 invalid_grant',
	'a refresh of an idle session is refused');
is($env->psql("SELECT revoke_reason FROM sessions WHERE id = '$sid'"), 'idle',
	'the idle session is ended although its audit row could not be written');
$env->psql('ALTER TABLE audit DROP CONSTRAINT test_no_reuse, DROP CONSTRAINT test_no_end');

# The first transaction after a restart.
$t = $env->must_login('tina', 'tina password 1');
$env->pg_restart;
is($env->refresh_answer($t->{refresh_token}), 'ok',
	'the first refresh after a PostgreSQL restart succeeds (BEGIN reconnects)');
done_testing;
