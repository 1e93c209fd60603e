# The check never waits behind a login.  The authorizer and the login
# service run in separate process pools (-r authorizer, -r responder),
# and at most pwhash_concurrency password hashes run at once per host
# (src/pwslot.c, fcntl locks on the host's shared memory object): past it a login answers 503
# with Retry-After at once.  Shown by the processes and by holding the
# only hashing slot, not by timing.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Temp qw(tempfile);
use JwtAuthTest;
use RevocationTests;

my $PAGE = '/app/index.html';

for my $server (qw(apache lighttpd)) {
	my $env = JwtAuthTest->start(server => $server, pwhash_concurrency => 1);
	$env->add_user('lane', 'lane password 1');
	my $t = $env->must_login('lane', 'lane password 1');
	my $get = sub {
		$env->http(GET => $PAGE, { headers => $env->bearer($t->{access_token}) })->{status};
	};
	is($get->(), 200, "$server: a protected page passes");

	# The pools: every jwtauth process serves one role.
	my $dir = $env->dir;
	my @procs = grep { m{\Q$dir\E/jwtauth\.fcgi } } `ps -eo pid=,args=`;
	my @authz = grep { /-r authorizer/ } @procs;
	my @resp = grep { /-r responder/ } @procs;
	ok(@authz >= 1, "$server: authorizer processes run with -r authorizer");
	ok(@resp >= 1, "$server: login service processes run with -r responder");
	is(scalar(@authz) + scalar(@resp), scalar(@procs),
		"$server: no jwtauth process serves both roles");

	# Someone else holds the only hashing slot.
	my $h = RevocationTests::hold_slot($env, 0);
	ok($h, "$server: the hashing slot is taken by another process");
	my $res = $env->login_response('lane', 'lane password 1');
	is($res->{status}, 503, "$server: a login past the hashing limit is 503");
	is($res->{json}{error}, 'temporarily_unavailable', "$server: it says temporarily_unavailable");
	is($res->{headers}{'retry-after'}, '1', "$server: with Retry-After: 1");
	$res = $env->login_response('nobody', 'wrong password');
	is($res->{status}, 503, "$server: an unknown user is refused the same way before any hashing");
	my $jar = {};
	my $page = $env->http(GET => '/auth/login?next=/app/', { headers => { accept => 'text/html' } });
	JwtAuthTest->cookie_jar($jar, $page);
	$res = $env->form('/auth/login', $jar, { username => 'lane',
		password => 'lane password 1', next => '/app/',
		csrf => JwtAuthTest->hidden($page->{content}, 'csrf') });
	is($res->{status}, 503, "$server: a form login past the limit is 503");
	like($res->{content}, qr/Try again in a moment/, "$server: the form says to try again");
	is(JwtAuthTest->hidden($res->{content}, 'next'), '/app/', "$server: and keeps next");
	is($get->(), 200, "$server: protected pages pass while the hashing slot is taken");
	my $rt = $env->refresh($t->{refresh_token});
	is($rt->{status}, 200, "$server: a refresh (no hashing) works while the slot is taken");
	$t = $rt->{json} if $rt->{status} == 200;
	RevocationTests::release_slot($h);
	is($env->login_response('lane', 'lane password 1')->{status}, 200,
		"$server: the slot given back, a login works again");

	# A flood of logins for unknown users: protected pages keep passing
	# and no login fails other than with 401, 429 or 503.
	my @kids;
	for (1 .. 8) {
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			my %seen;
			my $end = time + 3;
			while (time < $end) {
				my $r = $env->login_response('ghost' . int(rand 1e6), 'guess password');
				$seen{$r->{status}}++;
			}
			POSIX::_exit((grep { !/^(?:401|429|503)$/ } keys %seen) ? 1 : 0);
		}
		push @kids, $pid;
	}
	my %got;
	$got{ $get->() }++ for 1 .. 40;
	my $bad = 0;
	for my $pid (@kids) {
		waitpid $pid, 0;
		$bad++ if $?;
	}
	is_deeply(\%got, { 200 => 40 }, "$server: during a login flood every protected request passes");
	is($bad, 0, "$server: every flooding login was answered 401, 429 (throttled) or 503");
}

done_testing;
