# Session limits: a session ends when idle for session_idle_timeout or
# older than session_max_age (sessions.expires_at, its absolute end).
# Time is moved with the database's clock, by UPDATEs, never by waiting.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $USER = 'kim';
my $PASSWORD = 'correct horse battery';

my $env = JwtAuthTest->start(session_idle_timeout => 3600,
	session_max_age => 86400);
$env->add_user($USER, $PASSWORD);

# login(): a new session of $USER; the token response, or dies.
sub login { return $env->must_login($USER, $PASSWORD) }

subtest 'a new session ends session_max_age after its creation' => sub {
	my $t = login();
	my $sid = JwtAuthTest->sid_of($t->{access_token});
	is($env->psql("SELECT abs(extract(epoch FROM expires_at - created_at) - 86400) < 5 "
		. "FROM sessions WHERE id = '$sid'"), 't',
		'sessions.expires_at is created_at + session_max_age');
	is($env->psql("SELECT r.expires_at <= s.expires_at FROM refresh_tokens r "
		. "JOIN sessions s ON s.id = r.session_id WHERE s.id = '$sid'"), 't',
		'the refresh token does not outlive the session');
	cmp_ok($t->{refresh_expires_in}, '<=', 86400,
		'refresh_expires_in is capped by session_max_age');
};

subtest 'a session in use refreshes normally' => sub {
	my $t = login();
	my $sid = JwtAuthTest->sid_of($t->{access_token});
	$env->psql("UPDATE sessions SET last_used_at = now() - interval '30 minutes' "
		. "WHERE id = '$sid'");
	my $res = $env->refresh($t->{refresh_token});
	is($res->{status}, 200, 'refresh 30 minutes after the last use is 200');
	is($env->me($res->{json}{access_token})->{status}, 200,
		'the new access token works');
	is($env->psql("SELECT last_used_at > now() - interval '1 minute' "
		. "FROM sessions WHERE id = '$sid'"), 't',
		'the refresh moved last_used_at to now');
	$res = $env->refresh($res->{json}{refresh_token});
	is($res->{status}, 200, 'the next refresh is 200 too');
};

subtest 'a session idle for longer than session_idle_timeout ends at refresh' => sub {
	my $t = login();
	my $other = login();
	my $sid = JwtAuthTest->sid_of($t->{access_token});
	$env->psql("UPDATE sessions SET last_used_at = now() - interval '2 hours' "
		. "WHERE id = '$sid'");

	my $res = $env->json(GET => '/auth/sessions',
		{ headers => $env->bearer($other->{access_token}) });
	ok(!grep({ $_->{id} eq $sid } @{ $res->{json}{sessions} // [] }),
		'an idle session is not listed as live');

	$res = $env->refresh($t->{refresh_token});
	is($res->{status}, 401, 'refresh of an idle session is 401');
	is($res->{json}{error}, 'invalid_grant', 'the error is invalid_grant');
	is($env->psql("SELECT revoke_reason, revoked_at IS NOT NULL "
		. "FROM sessions WHERE id = '$sid'"), 'idle|t',
		'the session is revoked with reason idle');
	is($env->me($t->{access_token})->{status}, 401, 'its access token is refused');
	is($env->me($other->{access_token})->{status}, 200, 'another session goes on');
};

subtest 'a session past session_max_age ends at refresh' => sub {
	my $t = login();
	my $sid = JwtAuthTest->sid_of($t->{access_token});
	$env->psql("UPDATE sessions SET expires_at = now() - interval '1 second' "
		. "WHERE id = '$sid'");
	my $res = $env->refresh($t->{refresh_token});
	is($res->{status}, 401, 'refresh of a session past its absolute end is 401');
	is($res->{json}{error}, 'invalid_grant', 'the error is invalid_grant');
	is($env->psql("SELECT revoke_reason, revoked_at IS NOT NULL "
		. "FROM sessions WHERE id = '$sid'"), 'max_age|t',
		'the session is revoked with reason max_age');
	is($env->me($t->{access_token})->{status}, 401, 'its access token is refused');
};

# As issued, a refresh token expires with its session (least of the
# two), so when session_max_age passes both have expired: move both.
subtest 'a session past session_max_age with its refresh token expired too is refused' => sub {
	my $t = login();
	my $sid = JwtAuthTest->sid_of($t->{access_token});
	$env->psql("UPDATE sessions SET expires_at = now() - interval '1 second' "
		. "WHERE id = '$sid'; UPDATE refresh_tokens SET expires_at = "
		. "now() - interval '1 second' WHERE session_id = '$sid'");
	my $res = $env->refresh($t->{refresh_token});
	is($res->{status}, 401, 'refresh is 401');
	is($res->{json}{error}, 'invalid_grant', 'the error is invalid_grant');
	is($env->psql("SELECT revoke_reason FROM sessions WHERE id = '$sid'"),
		'max_age', 'the session is still recorded as ended by max_age');
	is($env->me($t->{access_token})->{status}, 401, 'its access token is refused');
};

done_testing;
