# Account actions end sessions: a password change (POST /auth/password
# or authctl user passwd), a lock (authctl user lock) and an
# administrator's revoke each end every session they name, access tokens
# included; authctl sessions lists what is still live.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $OLD = 'correct horse battery';
my $NEW = 'tr0ub4dor and more';

my $env = JwtAuthTest->start;

# The access token works at /auth/me (200) or not (401).
sub at_status { return $env->me($_[0])->{status} }

sub change_password {
	my ($at, $current, $new) = @_;
	return $env->json(POST => '/auth/password', {
		headers => $env->bearer($at),
		content => { current_password => $current, new_password => $new },
	});
}

sub live_sessions {
	my ($user) = @_;
	return $env->psql("SELECT count(*) FROM sessions s JOIN users u ON "
		. "u.id = s.user_id WHERE u.username = '$user' AND s.revoked_at IS NULL");
}

subtest 'a wrong current password is 401 invalid_credentials and ends nothing' => sub {
	$env->add_user('dave', $OLD);
	my ($s1, $s2) = map { $env->must_login('dave', $OLD) } 1 .. 2;
	my $res = change_password($s1->{access_token}, 'not the password', $NEW);
	is($res->{status}, 401, 'wrong current password is 401');
	is($res->{json}{error}, 'invalid_credentials', 'the error is invalid_credentials');
	is(at_status($s1->{access_token}), 200, 'the caller\'s session goes on');
	is(at_status($s2->{access_token}), 200, 'the other session goes on');
	is(live_sessions('dave'), '2', 'both sessions are live');
	is($env->login_response('dave', $OLD)->{status}, 200,
		'the old password still works');
};

subtest 'a new password shorter than password_min is 400' => sub {
	my $s = $env->must_login('dave', $OLD);
	my $hash = $env->psql("SELECT password_hash FROM users WHERE username = 'dave'");
	my $res = change_password($s->{access_token}, $OLD, 'short7!');
	is($res->{status}, 400, 'a 7-character new password is 400');
	is($res->{json}{error}, 'invalid_request', 'the error is invalid_request');
	is(at_status($s->{access_token}), 200, 'the session goes on');
	is($env->psql("SELECT password_hash FROM users WHERE username = 'dave'"),
		$hash, 'the password is unchanged');
};

subtest 'a password change ends every session of the user' => sub {
	$env->add_user('ed', $OLD);
	my ($s1, $s2) = map { $env->must_login('ed', $OLD) } 1 .. 2;
	my $res = change_password($s1->{access_token}, $OLD, $NEW);
	is($res->{status}, 204, 'password change is 204');
	is(at_status($s1->{access_token}), 401, 'the caller\'s access token is 401');
	is(at_status($s2->{access_token}), 401, 'the other access token is 401');
	is($env->refresh_answer($s1->{refresh_token}), '401 invalid_grant',
		'the caller\'s refresh token is invalid_grant');
	is($env->refresh_answer($s2->{refresh_token}), '401 invalid_grant',
		'the other refresh token is invalid_grant');
	is(live_sessions('ed'), '0', 'no live session is left');
	$res = $env->login_response('ed', $OLD);
	is($res->{status}, 401, 'login with the old password is 401');
	is($res->{json}{error}, 'invalid_credentials', 'the old password is invalid_credentials');
	is($env->login_response('ed', $NEW)->{status}, 200,
		'login with the new password is 200');
};

subtest 'authctl user passwd ends every session of the user' => sub {
	$env->add_user('fay', $OLD);
	my ($s1, $s2) = map { $env->must_login('fay', $OLD) } 1 .. 2;
	my ($rc, $out, $err) = $env->authctl({ stdin => "$NEW\n" },
		'user', 'passwd', 'fay');
	is($rc, 0, 'authctl user passwd exits 0') or diag $err;
	is(at_status($s1->{access_token}), 401, 'the first access token is 401');
	is(at_status($s2->{access_token}), 401, 'the second access token is 401');
	is($env->refresh_answer($s1->{refresh_token}), '401 invalid_grant',
		'the first refresh token is invalid_grant');
	is($env->refresh_answer($s2->{refresh_token}), '401 invalid_grant',
		'the second refresh token is invalid_grant');
	is($env->login_response('fay', $OLD)->{status}, 401,
		'the old password no longer logs in');
	is($env->login_response('fay', $NEW)->{status}, 200,
		'the new password logs in');
};

subtest 'authctl user lock ends every session and refuses login like a wrong password' => sub {
	$env->add_user('gus', $OLD);
	my ($s1, $s2) = map { $env->must_login('gus', $OLD) } 1 .. 2;
	my ($rc, $out, $err) = $env->authctl({}, 'user', 'lock', 'gus');
	is($rc, 0, 'authctl user lock exits 0') or diag $err;
	is(at_status($s1->{access_token}), 401, 'the first access token is 401');
	is(at_status($s2->{access_token}), 401, 'the second access token is 401');
	is($env->refresh_answer($s1->{refresh_token}), '401 invalid_grant',
		'the first refresh token is invalid_grant');
	is($env->refresh_answer($s2->{refresh_token}), '401 invalid_grant',
		'the second refresh token is invalid_grant');
	is(live_sessions('gus'), '0', 'no live session is left');

	my $locked = $env->login_response('gus', $OLD);
	is($locked->{status}, 401, 'login of a locked user is 401');
	is($locked->{json}{error}, 'invalid_credentials',
		'a locked user is invalid_credentials');
	my $wrong = $env->login_response('gus', 'not the password');
	is_deeply([ $locked->{status}, $locked->{content} ],
		[ $wrong->{status}, $wrong->{content} ],
		'a locked user gets the same answer as a wrong password');

	($rc, $out, $err) = $env->authctl({}, 'user', 'unlock', 'gus');
	is($rc, 0, 'authctl user unlock exits 0') or diag $err;
	my $res = $env->login_response('gus', $OLD);
	is($res->{status}, 200, 'login works again after unlock');
	is(at_status($res->{json}{access_token}), 200, 'the new session works');
	is(at_status($s1->{access_token}), 401, 'sessions ended by the lock stay ended');
};

subtest 'authctl revoke --user ends every session of the user' => sub {
	$env->add_user('hal', $OLD);
	$env->add_user('ivy', $OLD);
	my ($s1, $s2) = map { $env->must_login('hal', $OLD) } 1 .. 2;
	my $other = $env->must_login('ivy', $OLD);
	my ($rc, $out, $err) = $env->authctl({}, 'revoke', '--user', 'hal');
	is($rc, 0, 'authctl revoke --user exits 0') or diag $err;
	is($out, "2 session(s) ended\n", 'it says two sessions ended');
	is(at_status($s1->{access_token}), 401, 'the first access token is 401');
	is(at_status($s2->{access_token}), 401, 'the second access token is 401');
	is($env->refresh_answer($s1->{refresh_token}), '401 invalid_grant',
		'the first refresh token is invalid_grant');
	is(at_status($other->{access_token}), 200, 'another user\'s session goes on');
};

subtest 'authctl revoke --session ends that session only' => sub {
	my ($s1, $s2) = map { $env->must_login('ivy', $OLD) } 1 .. 2;
	my ($rc, $out, $err) = $env->authctl({}, 'revoke', '--session',
		JwtAuthTest->sid_of($s1->{access_token}));
	is($rc, 0, 'authctl revoke --session exits 0') or diag $err;
	is($out, "1 session(s) ended\n", 'it says one session ended');
	is(at_status($s1->{access_token}), 401, 'that session\'s access token is 401');
	is($env->refresh_answer($s1->{refresh_token}), '401 invalid_grant',
		'that session\'s refresh token is invalid_grant');
	is(at_status($s2->{access_token}), 200, 'the other session goes on');
};

subtest 'authctl sessions lists the live sessions, one line each' => sub {
	$env->add_user('jan', $OLD);
	my @s = map { $env->must_login('jan', $OLD) } 1 .. 3;
	is($env->logout($s[1]{access_token})->{status}, 204,
		'the middle session logs out');
	my ($rc, $out, $err) = $env->authctl({}, 'sessions', 'jan');
	is($rc, 0, 'authctl sessions exits 0') or diag $err;
	my @lines = split /\n/, $out;
	is(scalar @lines, 2, 'two live sessions, two lines');
	is_deeply([ map { (split /\t/)[0] } @lines ],
		[ map { JwtAuthTest->sid_of($_->{access_token}) } @s[0, 2] ],
		'each line starts with the session id, oldest first');
	is_deeply([ map { scalar(my @f = split /\t/, $_, -1) } @lines ], [ 5, 5 ],
		'each line has five tab-separated fields');
	like($lines[0], qr/\t127\.0\.0\.1\z/, 'the last field is the IP');
	$env->add_user('kim', $OLD);
	($rc, $out) = $env->authctl({}, 'sessions', 'kim');
	is_deeply([ $rc, $out ], [ 0, '' ], 'a user without sessions lists nothing');
	($rc, $out, $err) = $env->authctl({}, 'sessions', 'nobody');
	is_deeply([ $rc, $err ], [ 1, "authctl: nobody: no such user\n" ],
		'an unknown user is an error, as for user del');
};

done_testing;
