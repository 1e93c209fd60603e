# nginx and Caddy in front of jwtauth.fcgi -s with fewer processes than
# requests at once: no request waits on a connection that the server
# keeps idle.  A process of -s serves one FastCGI connection at a time;
# nginx/dev.conf.in once kept upstream connections alive (keepalive,
# fastcgi_keep_conn), and a connection left idle in nginx's cache held
# its process until nginx closed it, 60 s later: with -n 1, the second
# of two requests at once (on a new connection) waited for that, and
# answered 504 (a check: 500).  Here -n 1, and every burst of requests at
# once, on new connections, to the service and to the protected area, is
# answered within 10 s.  (Caddy's FastCGI transport keeps no connection.)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use POSIX ();
use Time::HiRes qw(time);
use JwtAuthTest;

my $env;    # the server of the moment

# burst(N, PATH, HEADER...): N curl processes at once, each on a
# connection of its own, 10 s at most each; their status codes, sorted,
# and the seconds the slowest took.
sub burst {
	my ($n, $path, @headers) = @_;
	my $dir = $env->dir;
	my $t0 = time;
	my @pids;
	for my $i (1 .. $n) {
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			open STDOUT, '>', "$dir/burst.$i" or POSIX::_exit(2);
			open STDERR, '>', '/dev/null';
			exec('curl', '-s', '-o', '/dev/null', '-w', '%{http_code}',
				'--max-time', '10', (map { ('-H', $_) } @headers),
				$env->url($path)) or POSIX::_exit(127);
		}
		push @pids, $pid;
	}
	waitpid $_, 0 for @pids;
	my $took = time - $t0;
	my @codes = sort map { JwtAuthTest::_slurp("$dir/burst.$_") } 1 .. $n;
	return (\@codes, $took);
}

for my $srv (qw(nginx caddy)) {
	$env = do {
		local $ENV{JWTAUTH_WORKERS} = 1;
		JwtAuthTest->start(server => $srv);
	};
	$env->add_user('nora', 'nora password 1');
	my $token = $env->must_login('nora', 'nora password 1')->{access_token};
	my $auth = "Authorization: Bearer $token";
	my $dir = $env->dir;
	my $procs = grep { m{/jwtauth\.fcgi -c \S+ -s \Q$dir\E/} } `ps -eo args=`;
	is($procs, 2, "$srv: jwtauth.fcgi -s runs one process (and its parent)");

	for my $round (1 .. 3) {
		my ($codes, $took) = burst(4, '/auth/health');
		is_deeply($codes, [ (200) x 4 ],
			"$srv, round $round: four requests at once to the service are all answered 200")
			or diag("took ${took}s");
		($codes, $took) = burst(4, '/app/index.html', $auth);
		is_deeply($codes, [ (200) x 4 ],
			"$srv, round $round: then four at once to a protected page, each checked, are all 200")
			or diag("took ${took}s");
		($codes, $took) = burst(2, '/auth/login', 'Accept: text/html');
		is_deeply($codes, [ (200) x 2 ],
			"$srv, round $round: then two sign-in pages at once are both 200")
			or diag("took ${took}s");
	}
	$env->stop;
}

done_testing;
