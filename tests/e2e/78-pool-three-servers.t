# One database, three web servers (issue 19, item 2): Apache (its check
# through mod_authnz_fcgi by the -s daemon, 64 workers), lighttpd (64
# authorizer processes) and nginx in front of the -s daemon (64 workers;
# fcgiwrap for its CGI), each with a config file
# of its own as if on a host of its own (so each has its own listener,
# jwtauth.fcgi -l), share one PostgreSQL of max_connections = 40 through
# PgBouncer (transaction pooling, pool size 10).  256 keep-alive
# connections on each server at once for 20 s, valid tokens: no error,
# every answer 2xx, the backends of role jwtauth never more than the pool
# and the three listeners.  Meanwhile tokens revoked before the load are
# tried on every server and never pass; a token logged out during the
# load through one server is refused there from its next request on, and
# by the two others from their first refusal on (the notification
# crosses "hosts"; how many passed before is shown).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use POSIX ();
use Time::HiRes qw(time sleep);
use JwtAuthTest;
use PoolTests;
use DaemonTests;

my $PAGE = '/app/index.html';
my $PROCS = 64;
# The issue's load: 256 keep-alive connections on each server, none
# waiting over 10 s.  Against the sanitizer build (make test-san) a check
# costs several times its CPU and 192 such processes share two cores with
# three web servers (load average 50): at 256 and at 64 connections some
# requests waited over 10 s there (4 on Apache, 22 on nginx of 10 000 in
# one run) and nginx answered a few 5xx, the check failing closed when
# its pool wait ran out.  That pass is for memory errors under
# concurrency, not for capacity: it runs 16 connections on each.
# There, the two servers whose check is the -s daemon answer one request
# in ten after 1 s or more (in one run p90 1.15 to 1.32 s, p99 2.1 to
# 2.2 s, max 2.6 s; lighttpd's max 0.5 s), and nginx failed this check
# in one CI run at 10 s: that pass allows 30 s, which a stuck request
# still fails.
my $SAN = ($ENV{JWTAUTH_FCGI} // '') =~ m{/asan/};
my $CONNS = $SAN ? 16 : 256;
my $TIMEOUT = $SAN ? 30 : 10;
my $SECS = 20;

# Apache sized for $CONNS busy keep-alive clients: when every thread of
# a child is busy, the event MPM closes that child's keep-alive
# connections (a client must reconnect and send again), and the
# connections are not shared out evenly between children: two children,
# each with threads for every connection and 64 more.  Its check is
# the -s daemon's: mod_fcgid with $PROCS processes behind $CONNS threads
# makes a request that finds every process busy sleep a whole second,
# again and again (requests over 10 s were seen; 86 runs mod_fcgid).
my $apache = JwtAuthTest::_slurp("$FindBin::Bin/../../apache/dev.conf.in");
my $threads = $CONNS + 64;
my %size = (StartServers => 2, ServerLimit => 2, ThreadsPerChild => $threads,
	MaxRequestWorkers => 2 * $threads, MinSpareThreads => $threads,
	MaxSpareThreads => 2 * $threads);
for my $key (keys %size) {
	$apache =~ s/^$key \d+$/$key $size{$key}/m or die "no $key in the Apache config\n";
}
# ThreadLimit (64 by default) bounds ThreadsPerChild; it must come first.
$apache =~ s/^(ThreadsPerChild )/ThreadLimit $threads\n$1/m;
# And no end to a keep-alive connection after 100 answers: wrk counted
# a few of those closes as read errors (8 of 32 000 in one run, none
# without them).
$apache .= "MaxKeepAliveRequests 0\n";
my ($daemon_port) = JwtAuthTest::_free_ports(1);
my $A = PoolTests::start(server => 'apache',
	template => DaemonTests::authnz_template($daemon_port, $apache));
my $daemon = DaemonTests::start_daemon($A, $daemon_port, $PROCS);
END { DaemonTests::stop_daemon($daemon) if $daemon }
my $lighttpd = JwtAuthTest::_slurp("$FindBin::Bin/../../lighttpd/dev.conf.in");
$lighttpd =~ s/("mode" => "authorizer",.*?"max-procs" => )\d+/$1$PROCS/s
	or die "no authorizer max-procs in the lighttpd config\n";
my $B = $A->peer(server => 'lighttpd', template => JwtAuthTest->temp_template($lighttpd));
my $C = do {
	local $ENV{JWTAUTH_WORKERS} = $PROCS;
	$A->peer(server => 'nginx');
};
my @servers = ($A, $B, $C);
my %name = ($A => 'apache', $B => 'lighttpd', $C => 'nginx');

is(PoolTests::super_psql($A, 'SHOW max_connections'), $PoolTests::MAX_CONNECTIONS,
	"PostgreSQL allows $PoolTests::MAX_CONNECTIONS connections");
$A->add_user('tia', 'tia password 1');
my $login = sub { $A->must_login('tia', 'tia password 1')->{access_token} };
sub page { $_[0]->http(GET => $PAGE, { headers => $_[0]->bearer($_[1]) })->{status} }

# Tokens revoked before the load, each first let through (and so cached)
# by every server; then refused by each once the notification is in.
my @revoked = map { $login->() } 1 .. 3;
for my $S (@servers) {
	is(page($S, $_), 200, "$name{$S}: a token passes before its logout") for @revoked;
}
is($A->logout($_)->{status}, 204, 'a logout before the load') for @revoked;
for my $S (@servers) {
	my $refused = 0;
	for (1 .. 100) {
		$refused = grep { page($S, $_) == 401 } @revoked;
		last if $refused == @revoked;
		sleep 0.05;
	}
	is($refused, scalar @revoked, "$name{$S}: the logged-out tokens are refused before the load");
	is(scalar(PoolTests::listener_pids($S)), 1, "$name{$S}: one listener for its config");
}

# The load: one wrk per server, $CONNS keep-alive connections, $SECS s.
# Every sign-in is done before: a new connection waits its turn behind
# the load's.
my @live = map { $login->() } @servers;
my @load = map { $login->() } @servers;
my $dir = $A->dir;
my %wrk;    # pid => server
for my $S (@servers) {
	my $token = shift @load;
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		open STDOUT, '>', "$dir/wrk.$name{$S}" or POSIX::_exit(2);
		open STDERR, '>&', \*STDOUT;
		exec({ 'wrk' } 'wrk', '--latency', '-t1', "-c$CONNS", "-d${SECS}s", '--timeout', "${TIMEOUT}s",
			'-H', "Authorization: Bearer $token", $S->url($PAGE)) or POSIX::_exit(127);
	}
	$wrk{$pid} = $S;
}

# Meanwhile: the backends counted, the revoked tokens tried on every
# server, and one live token per server logged out through it.  A
# probe that times out under the load (599) is no pass: only a 200 is.
my ($max, $passed) = (0, 0);
my (@next, %late);    # the logout server's next answer; passes elsewhere
my @logout_at;        # when each was made, s after the load's start
my %first_refusal;    # "S,i" => 1 once server S refused live token i
my $t0 = time;
my $i = 0;
# At 3, 6 and 9 s the next live token is logged out through its server,
# as soon as it is due, between two probes: under the sanitizer build a
# round of fifteen probes takes seconds (p90 over 1 s), and when the
# logouts waited for the next round the third fell after the load's end
# in one CI run (tests 34 and 35 failed, nothing else).  A probe can
# still wait 5 s (nginx's max at 256 connections): the last logout is due
# early enough for it and a round of the other servers' probes.
my $probe = sub {
	my ($S, $token) = @_;
	if ($i < @servers && time - $t0 > 3 * ($i + 1)) {
		my $X = $servers[$i];
		push @logout_at, sprintf('%.1f', time - $t0);
		if ($X->logout($live[$i])->{status} == 204) {
			push @next, page($X, $live[$i]);
		} else {
			push @next, 'logout failed';
		}
		$i++;
	}
	return page($S, $token);
};
while (%wrk) {
	my $n = PoolTests::backends($A);
	$max = $n if $n =~ /^\d+$/ && $n > $max;
	for my $S (@servers) {
		$passed += grep { $probe->($S, $_) == 200 } @revoked;
	}
	for my $j (0 .. $i - 1) {
		for my $S (@servers) {
			next if $S == $servers[$j];
			my $st = $probe->($S, $live[$j]);
			if ($st == 401) { $first_refusal{"$S,$j"} = 1 }
			elsif ($st != 200) { next }
			elsif ($first_refusal{"$S,$j"}) { $passed++ }
			else { $late{"$name{$S}: token $j"}++ }
		}
	}
	delete $wrk{$_} for grep { waitpid($_, POSIX::WNOHANG()) > 0 } keys %wrk;
	last if time - $t0 > $SECS + 30;
}
kill 'TERM', keys %wrk;
waitpid $_, 0 for keys %wrk;

for my $S (@servers) {
	my $out = JwtAuthTest::_slurp("$dir/wrk.$name{$S}");
	my ($done) = $out =~ /(\d+) requests in/;
	my ($errors) = $out =~ /Socket errors: (.*)/;
	my ($non2xx) = $out =~ /Non-2xx or 3xx responses: (\d+)/;
	my ($avg, $max) = $out =~ /Latency\s+(\S+)\s+\S+\s+(\S+)/;
	my %pct = $out =~ /^\s+(50|90|99)%\s+(\S+)/mg;
	diag("$name{$S}: $done requests at $CONNS connections in $SECS s, latency "
		. "mean $avg, p50 " . ($pct{50} // '?') . ", p90 " . ($pct{90} // '?')
		. ", p99 " . ($pct{99} // '?') . ", max $max")
		if defined $done && defined $max;
	ok(($done // 0) > 0, "$name{$S}: the load ran") or diag($out);
	# wrk's socket errors: a connect error or a timeout ($TIMEOUT s) is a
	# client the server failed; a read or write error is a keep-alive
	# connection the server closed as wrk sent on it, which a browser
	# sends again.  The first must not happen, the second stays rare
	# (one full-suite run on CI saw some on Apache with 64 threads in
	# each of 8 children; none were seen since the children have room
	# for every connection).
	my %sock = (connect => 0, read => 0, write => 0, timeout => 0);
	%sock = (%sock, $errors =~ /(\w+) (\d+)/g) if defined $errors;
	diag("$name{$S}: socket errors: $errors") if defined $errors;
	is($sock{connect} + $sock{timeout}, 0,
		"$name{$S}: no connection refused or timed out ($TIMEOUT s) under load") or diag($out);
	cmp_ok($sock{read} + $sock{write}, '<=', ($done // 0) / 1000,
		"$name{$S}: keep-alive connections closed under load stay under 0.1 % of the requests");
	is($non2xx // 0, 0, "$name{$S}: every answer under load was 2xx");
}
my $procs = grep { m{/jwtauth\.fcgi -(?:c|s|r)} } `ps -eo args=`;
diag("three servers: $procs jwtauth processes, at most $max backends of role jwtauth "
	. "(pool size $PoolTests::POOL_SIZE + 3 listeners)");
ok($max <= $PoolTests::POOL_SIZE + 3, "the backends stayed within the pool and the listeners ($max)");
is($passed, 0, 'no revoked token passed on any server during the load');
is_deeply(\@next, [ (401) x @servers ],
	'a token logged out during the load is refused by its server at the next request');
is(scalar(keys %first_refusal), 2 * @servers,
	'and by the two other servers by the end of the load');
diag('the logouts during the load at ' . join(', ', @logout_at) . " s of $SECS");
diag("passes before the first refusal on another server: $_ => $late{$_}") for sort keys %late;

done_testing;
