# The audit trail: logins, failed logins, logouts and detected refresh
# token reuse each leave a row with the user, the session where there is
# one, and the client's IP and user agent; `authctl audit` prints them.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $USER = 'mia';
my $PASSWORD = 'correct horse battery';
my $AGENT = 'jwtauth-test';	# the harness's User-Agent
my $IP = '127.0.0.1';

my $env = JwtAuthTest->start;
$env->add_user($USER, $PASSWORD);
my $uid = $env->psql("SELECT id FROM users WHERE username = '$USER'");

# audit_rows(EVENT): the audit rows of EVENT as "user_id|username|
# session_id|ip|user_agent" lines, oldest first (NULL as empty).
sub audit_rows {
	my ($event) = @_;
	return $env->psql("SELECT user_id, username, session_id, ip, user_agent "
		. "FROM audit WHERE event = '$event' ORDER BY id");
}

my $login = $env->login_response($USER, $PASSWORD);
$login->{status} == 200 or die "login: $login->{status}\n";
my $sid1 = JwtAuthTest->sid_of($login->{json}{access_token});

subtest 'a successful login is audited with user, session, IP and user agent' => sub {
	is(audit_rows('login'), "$uid|$USER|$sid1|$IP|$AGENT",
		'one login row with user id, name, session, IP and user agent');
};

subtest 'a failed login is audited with the user and IP, without a session' => sub {
	is($env->login_response($USER, 'not the password')->{status}, 401,
		'wrong password is 401');
	is(audit_rows('login_failed'), "$uid|$USER||$IP|$AGENT",
		'one login_failed row with the user, IP and user agent, no session');
	is($env->json(POST => '/auth/login', { content => { username => 'nobody',
		password => 'whatever it is' } })->{status}, 401,
		'login of an unknown user is 401');
	is($env->psql("SELECT count(*) FROM audit WHERE event = 'login_failed' "
		. "AND username = 'nobody' AND user_id IS NULL AND ip = '$IP'"), '1',
		'an unknown user\'s failed login is audited with the name tried');
};

subtest 'a logout is audited with user, session and IP' => sub {
	my $res = $env->logout($login->{json}{access_token});
	is($res->{status}, 204, 'logout is 204');
	is(audit_rows('logout'), "$uid||$sid1|$IP|$AGENT",
		'one logout row with the user id, session, IP and user agent');
};

my $sid2;
subtest 'a detected refresh token reuse is audited with user, session and IP' => sub {
	my $t = $env->login_response($USER, $PASSWORD)->{json};
	$sid2 = JwtAuthTest->sid_of($t->{access_token});
	is($env->refresh($t->{refresh_token})->{status}, 200, 'refresh is 200');
	# Rotated an hour ago by the database's clock: past the grace window.
	$env->psql("UPDATE refresh_tokens SET used_at = now() - interval '1 hour' "
		. "WHERE session_id = '$sid2' AND generation = 0");
	is($env->refresh($t->{refresh_token})->{status}, 401, 'the replay is 401');
	is(audit_rows('refresh_reuse'), "$uid|$USER|$sid2|$IP|$AGENT",
		'one refresh_reuse row with user, session, IP and user agent');
};

subtest 'authctl audit prints the rows, tab-separated, oldest first' => sub {
	my ($rc, $out, $err) = $env->authctl({}, 'audit');
	is($rc, 0, 'authctl audit exits 0') or diag $err;
	my @rows = map { [ split /\t/, $_, -1 ] } split /\n/, $out;
	is(scalar(grep { @$_ != 7 } @rows), 0, 'every line has seven fields')
		or diag $out;
	my %want = (login => 1, login_failed => 1, logout => 1, refresh_reuse => 1);
	my @mine = map { [ @$_[1 .. 5] ] }
		grep { $want{ $_->[1] } && $_->[2] eq $USER } @rows;
	is_deeply(\@mine, [
		[ 'login', $USER, $sid1, $IP, $AGENT ],
		[ 'login_failed', $USER, '-', $IP, $AGENT ],
		[ 'logout', $USER, $sid1, $IP, $AGENT ],
		[ 'login', $USER, $sid2, $IP, $AGENT ],
		[ 'refresh_reuse', $USER, $sid2, $IP, $AGENT ],
	], 'event, user, session (- for none), IP and user agent of each, in order')
		or diag $out;
	is(scalar(grep { $_->[0] !~ /\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z/ } @rows), 0,
		'the first field is an RFC 3339 UTC time');
	my ($reuse) = grep { $_->[1] eq 'refresh_reuse' } @rows;
	is($reuse->[6], 'session revoked', 'the last field is the detail');

	($rc, $out) = $env->authctl({}, 'audit', '2');
	is(scalar(() = $out =~ /\n/g), 2, 'authctl audit 2 prints the two newest rows');
	like($out, qr/\trefresh_reuse\t[^\n]*\n\z/, 'the newest row comes last');
};

done_testing;
