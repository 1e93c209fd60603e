# Refresh-token rotation (RFC 9700 §4.14.2): concurrent refreshes of one
# token yield exactly one child, a token replayed inside the grace window
# gets that same child again, and a token replayed after the window ends
# the whole session.  Time is moved with the database's clock (UPDATE of
# used_at), never by waiting.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use HTTP::Tiny;
use JSON::PP qw(decode_json encode_json);
use POSIX qw(_exit);
use Test::More;
use JwtAuthTest;

my $USER = 'alice';
my $PASSWORD = 'correct horse battery';

# The default refresh_grace (10 s).
my $env = JwtAuthTest->start;
$env->add_user($USER, $PASSWORD);

# login(): a new session of $USER; the token response, or dies.
sub login { return $env->must_login($USER, $PASSWORD) }

# concurrent_refresh(N, TOKEN): N children each POST /auth/refresh with
# TOKEN at the same moment.  Each child announces it is ready on one
# pipe and then blocks reading another; the parent waits for all N to be
# ready and closes the second pipe, releasing them together.  Returns a
# list of {status, refresh_token, sid} hashes, one per child.
sub concurrent_refresh {
	my ($n, $token) = @_;
	pipe(my $go_r, my $go_w) or die "pipe: $!\n";
	pipe(my $ready_r, my $ready_w) or die "pipe: $!\n";
	pipe(my $out_r, my $out_w) or die "pipe: $!\n";
	my $url = $env->url('/auth/refresh');
	my $body = encode_json({ refresh_token => $token });
	my @pids;
	for (1 .. $n) {
		my $pid = fork // die "fork: $!\n";
		if ($pid == 0) {
			close $go_w;
			close $ready_r;
			close $out_r;
			my $ua = HTTP::Tiny->new(timeout => 30,
				agent => 'jwtauth-test');
			syswrite $ready_w, 'r';
			sysread $go_r, my $buf, 1;	# EOF: go
			my $res = $ua->request(POST => $url, { content => $body,
				headers => { 'content-type' => 'application/json' } });
			my $j = eval { decode_json($res->{content}) } // {};
			my $sid = eval {
				JwtAuthTest->sid_of($j->{access_token} // '')
			};
			# One short line: atomic on a pipe (< PIPE_BUF).
			syswrite $out_w, encode_json({ status => $res->{status},
				refresh_token => $j->{refresh_token},
				sid => $sid }) . "\n";
			_exit(0);	# no END blocks, no Test::More in the child
		}
		push @pids, $pid;
	}
	close $ready_w;
	close $out_w;
	close $go_r;
	my $ready = 0;
	while ($ready < $n) {
		my $got = sysread $ready_r, my $buf, $n - $ready;
		last if !$got;
		$ready += $got;
	}
	close $go_w;	# releases every child at once
	my @results = map { decode_json($_) } <$out_r>;
	waitpid $_, 0 for @pids;
	return @results;
}

subtest 'twenty concurrent refreshes of one token all get the same new token' => sub {
	my $t = login();
	my $sid = JwtAuthTest->sid_of($t->{access_token});
	my @r = concurrent_refresh(20, $t->{refresh_token});

	is(scalar @r, 20, 'all 20 requests answered');
	is(scalar(grep { $_->{status} == 200 } @r), 20, 'all 20 got 200')
		or diag explain [ map { $_->{status} } @r ];
	my %tokens = map { ($_->{refresh_token} // '') => 1 } @r;
	is(scalar keys %tokens, 1, 'all 20 carry the same refresh_token')
		or diag explain [ keys %tokens ];
	my ($new) = keys %tokens;
	isnt($new, $t->{refresh_token}, 'the new refresh_token differs from the old one');
	is(scalar(grep { ($_->{sid} // '') eq $sid } @r), 20,
		'all 20 access tokens name the same session');
	is($env->psql("SELECT count(*) FROM refresh_tokens WHERE session_id = '$sid' "
		. "AND generation = 1"), '1',
		'exactly one refresh token of generation 1 in the session');
	is($env->psql("SELECT count(*) FROM refresh_tokens WHERE session_id = '$sid'"),
		'2', 'the session holds generations 0 and 1 only');

	my $res = $env->refresh($new);
	is($res->{status}, 200, 'the shared child rotates normally');
};

subtest 'a used token inside the grace window gets the same child again' => sub {
	my $t = login();
	my $first = $env->refresh($t->{refresh_token});
	is($first->{status}, 200, 'first refresh is 200');
	my $second = $env->refresh($t->{refresh_token});
	is($second->{status}, 200, 'second refresh of the same token, in the grace window, is 200');
	ok(defined $first->{json}{refresh_token}, 'first refresh returned a refresh token');
	is($second->{json}{refresh_token}, $first->{json}{refresh_token},
		'both refreshes return the same refresh_token');
	my $sid = JwtAuthTest->sid_of($t->{access_token});
	is($env->psql("SELECT count(*) FROM refresh_tokens WHERE session_id = '$sid'"),
		'2', 'no second child was stored');
	is($env->psql("SELECT revoked_at IS NULL FROM sessions WHERE id = '$sid'"),
		't', 'the session is still live');
};

subtest 'a rotated token replayed after the grace window revokes the whole session' => sub {
	my $t = login();
	my $sid = JwtAuthTest->sid_of($t->{access_token});
	my $res = $env->refresh($t->{refresh_token});
	is($res->{status}, 200, 'refresh is 200');
	my $live = $res->{json};
	is($env->me($live->{access_token})->{status}, 200,
		'the refreshed access token works before the replay');

	# The old token was rotated an hour ago, by the database's clock.
	$env->psql("UPDATE refresh_tokens SET used_at = now() - interval '1 hour' "
		. "WHERE session_id = '$sid' AND generation = 0");

	$res = $env->refresh($t->{refresh_token});
	is($res->{status}, 401, 'replay of the rotated token is 401');
	is($res->{json}{error}, 'invalid_grant', 'replay is invalid_grant');

	$res = $env->me($live->{access_token});
	is($res->{status}, 401, 'the live access token of the session is now 401');

	$res = $env->refresh($live->{refresh_token});
	is($res->{status}, 401, 'the newest refresh token now fails');
	is($res->{json}{error}, 'invalid_grant', 'the newest refresh token is invalid_grant');

	is($env->psql("SELECT revoke_reason FROM sessions WHERE id = '$sid' "
		. "AND revoked_at IS NOT NULL"), 'reuse',
		'the session is revoked for reuse');
	is($env->psql("SELECT count(*) FROM audit WHERE event = 'refresh_reuse' "
		. "AND session_id = '$sid'"), '1', 'an audit row refresh_reuse exists');
};

done_testing;
