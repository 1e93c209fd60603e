# Account actions end sessions: a password change (POST /auth/password
# or authctl user passwd), a lock (authctl user lock) and an
# administrator's revoke each end every session they name, access tokens
# included; authctl sessions lists what is still live.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Temp qw(tempfile);
use JSON::PP qw(decode_json);
use MIME::Base64 qw(decode_base64url);
use POSIX qw(_exit);
use Test::More;
use JwtAuthTest;

my $AUTHCTL = $ENV{JWTAUTH_AUTHCTL} // "$FindBin::Bin/../../authctl";
my $OLD = 'correct horse battery';
my $NEW = 'tr0ub4dor and more';

my $env = JwtAuthTest->start;

# authctl({stdin => TEXT}, ARGS...): runs authctl -c CONFIG ARGS as the
# harness does (same user); returns (exit status, stdout, stderr).
# Killed after 60 s, so that a hang fails the test instead of blocking.
sub authctl {
	my ($opt, @args) = @_;
	my ($in, $out, $err) = (scalar tempfile(), scalar tempfile(),
		scalar tempfile());
	print $in $opt->{stdin} // '';
	$in->flush;
	seek $in, 0, 0;
	my $pid = fork // die "fork: $!\n";
	if ($pid == 0) {
		open STDIN, '<&', $in;
		open STDOUT, '>&', $out;
		open STDERR, '>&', $err;
		exec { $AUTHCTL } $AUTHCTL, '-c', $env->config_file, @args
			or print STDERR "cannot run $AUTHCTL: $!\n";
		_exit(127);
	}
	local $SIG{ALRM} = sub { kill 'KILL', $pid };
	alarm 60;
	waitpid $pid, 0;
	my $status = $? & 127 ? 128 + ($? & 127) : $? >> 8;
	alarm 0;
	my @text = map { seek $_, 0, 0; local $/; scalar(<$_>) // '' } $out, $err;
	return ($status, @text);
}

sub login_res {
	my ($user, $password) = @_;
	return $env->json(POST => '/auth/login',
		{ content => { username => $user, password => $password } });
}

# login(USER, PASSWORD): a new session; the token response, or dies.
sub login {
	my $res = login_res(@_);
	$res->{status} == 200
		or die "login $_[0]: $res->{status} $res->{content}\n";
	return $res->{json};
}

sub bearer { return { authorization => "Bearer $_[0]" } }

sub at_status {
	return $env->json(GET => '/auth/me', { headers => bearer($_[0]) })->{status};
}

# The refresh token's answer: "ok", or the status and error of a refusal.
sub rt_answer {
	my $res = $env->json(POST => '/auth/refresh',
		{ content => { refresh_token => $_[0] } });
	return $res->{status} == 200 ? 'ok' : "$res->{status} "
		. ($res->{json}{error} // $res->{content});
}

sub change_password {
	my ($at, $current, $new) = @_;
	return $env->json(POST => '/auth/password', { headers => bearer($at),
		content => { current_password => $current, new_password => $new } });
}

sub sid_of {
	my (undef, $payload) = split /\./, $_[0];
	return decode_json(decode_base64url($payload))->{sid};
}

sub live_sessions {
	my ($user) = @_;
	return $env->psql("SELECT count(*) FROM sessions s JOIN users u ON "
		. "u.id = s.user_id WHERE u.username = '$user' AND s.revoked_at IS NULL");
}

subtest 'a wrong current password is 401 invalid_credentials and ends nothing' => sub {
	$env->add_user('dave', $OLD);
	my ($s1, $s2) = (login('dave', $OLD), login('dave', $OLD));
	my $res = change_password($s1->{access_token}, 'not the password', $NEW);
	is($res->{status}, 401, 'wrong current password is 401');
	is($res->{json}{error}, 'invalid_credentials', 'the error is invalid_credentials');
	is(at_status($s1->{access_token}), 200, 'the caller\'s session goes on');
	is(at_status($s2->{access_token}), 200, 'the other session goes on');
	is(live_sessions('dave'), '2', 'both sessions are live');
	is(login_res('dave', $OLD)->{status}, 200, 'the old password still works');
};

subtest 'a new password shorter than password_min is 400' => sub {
	my $s = login('dave', $OLD);
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
	my ($s1, $s2) = (login('ed', $OLD), login('ed', $OLD));
	my $res = change_password($s1->{access_token}, $OLD, $NEW);
	is($res->{status}, 204, 'password change is 204');
	is(at_status($s1->{access_token}), 401, 'the caller\'s access token is 401');
	is(at_status($s2->{access_token}), 401, 'the other access token is 401');
	is(rt_answer($s1->{refresh_token}), '401 invalid_grant',
		'the caller\'s refresh token is invalid_grant');
	is(rt_answer($s2->{refresh_token}), '401 invalid_grant',
		'the other refresh token is invalid_grant');
	is(live_sessions('ed'), '0', 'no live session is left');
	$res = login_res('ed', $OLD);
	is($res->{status}, 401, 'login with the old password is 401');
	is($res->{json}{error}, 'invalid_credentials', 'the old password is invalid_credentials');
	is(login_res('ed', $NEW)->{status}, 200, 'login with the new password is 200');
};

subtest 'authctl user passwd ends every session of the user' => sub {
	$env->add_user('fay', $OLD);
	my ($s1, $s2) = (login('fay', $OLD), login('fay', $OLD));
	my ($rc, $out, $err) = authctl({ stdin => "$NEW\n" }, 'user', 'passwd', 'fay');
	is($rc, 0, 'authctl user passwd exits 0') or diag $err;
	is(at_status($s1->{access_token}), 401, 'the first access token is 401');
	is(at_status($s2->{access_token}), 401, 'the second access token is 401');
	is(rt_answer($s1->{refresh_token}), '401 invalid_grant',
		'the first refresh token is invalid_grant');
	is(rt_answer($s2->{refresh_token}), '401 invalid_grant',
		'the second refresh token is invalid_grant');
	is(login_res('fay', $OLD)->{status}, 401, 'the old password no longer logs in');
	is(login_res('fay', $NEW)->{status}, 200, 'the new password logs in');
};

subtest 'authctl user lock ends every session and refuses login like a wrong password' => sub {
	$env->add_user('gus', $OLD);
	my ($s1, $s2) = (login('gus', $OLD), login('gus', $OLD));
	my ($rc, $out, $err) = authctl({}, 'user', 'lock', 'gus');
	is($rc, 0, 'authctl user lock exits 0') or diag $err;
	is(at_status($s1->{access_token}), 401, 'the first access token is 401');
	is(at_status($s2->{access_token}), 401, 'the second access token is 401');
	is(rt_answer($s1->{refresh_token}), '401 invalid_grant',
		'the first refresh token is invalid_grant');
	is(rt_answer($s2->{refresh_token}), '401 invalid_grant',
		'the second refresh token is invalid_grant');
	is(live_sessions('gus'), '0', 'no live session is left');

	my $locked = login_res('gus', $OLD);
	is($locked->{status}, 401, 'login of a locked user is 401');
	is($locked->{json}{error}, 'invalid_credentials',
		'a locked user is invalid_credentials');
	my $wrong = login_res('gus', 'not the password');
	is_deeply([ $locked->{status}, $locked->{content} ],
		[ $wrong->{status}, $wrong->{content} ],
		'a locked user gets the same answer as a wrong password');

	($rc, $out, $err) = authctl({}, 'user', 'unlock', 'gus');
	is($rc, 0, 'authctl user unlock exits 0') or diag $err;
	my $res = login_res('gus', $OLD);
	is($res->{status}, 200, 'login works again after unlock');
	is(at_status($res->{json}{access_token}), 200, 'the new session works');
	is(at_status($s1->{access_token}), 401, 'sessions ended by the lock stay ended');
};

subtest 'authctl revoke --user ends every session of the user' => sub {
	$env->add_user('hal', $OLD);
	$env->add_user('ivy', $OLD);
	my ($s1, $s2) = (login('hal', $OLD), login('hal', $OLD));
	my $other = login('ivy', $OLD);
	my ($rc, $out, $err) = authctl({}, 'revoke', '--user', 'hal');
	is($rc, 0, 'authctl revoke --user exits 0') or diag $err;
	is($out, "2 session(s) ended\n", 'it says two sessions ended');
	is(at_status($s1->{access_token}), 401, 'the first access token is 401');
	is(at_status($s2->{access_token}), 401, 'the second access token is 401');
	is(rt_answer($s1->{refresh_token}), '401 invalid_grant',
		'the first refresh token is invalid_grant');
	is(at_status($other->{access_token}), 200, 'another user\'s session goes on');
};

subtest 'authctl revoke --session ends that session only' => sub {
	my ($s1, $s2) = (login('ivy', $OLD), login('ivy', $OLD));
	my ($rc, $out, $err) = authctl({}, 'revoke', '--session',
		sid_of($s1->{access_token}));
	is($rc, 0, 'authctl revoke --session exits 0') or diag $err;
	is($out, "1 session(s) ended\n", 'it says one session ended');
	is(at_status($s1->{access_token}), 401, 'that session\'s access token is 401');
	is(rt_answer($s1->{refresh_token}), '401 invalid_grant',
		'that session\'s refresh token is invalid_grant');
	is(at_status($s2->{access_token}), 200, 'the other session goes on');
};

subtest 'authctl sessions lists the live sessions, one line each' => sub {
	$env->add_user('jan', $OLD);
	my @s = map { login('jan', $OLD) } 1 .. 3;
	is($env->http(POST => '/auth/logout',
		{ headers => bearer($s[1]{access_token}) })->{status}, 204,
		'the middle session logs out');
	my ($rc, $out, $err) = authctl({}, 'sessions', 'jan');
	is($rc, 0, 'authctl sessions exits 0') or diag $err;
	my @lines = split /\n/, $out;
	is(scalar @lines, 2, 'two live sessions, two lines');
	is_deeply([ map { (split /\t/)[0] } @lines ],
		[ map { sid_of($_->{access_token}) } @s[0, 2] ],
		'each line starts with the session id, oldest first');
	is_deeply([ map { scalar(my @f = split /\t/, $_, -1) } @lines ], [ 5, 5 ],
		'each line has five tab-separated fields');
	like($lines[0], qr/\t127\.0\.0\.1\z/, 'the last field is the IP');
	($rc, $out) = authctl({}, 'sessions', 'nobody');
	is_deeply([ $rc, $out ], [ 0, '' ], 'a user without sessions lists nothing');
};

done_testing;
