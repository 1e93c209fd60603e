#!/usr/bin/perl
# make bench: what jwtauth costs, side by side with what it is compared
# with, all measured in one run and printed as one table.  Run by
# scripts/bench.sh, which installs wrk and valgrind first.
#
# For Apache with mod_fcgid, then lighttpd, it starts a
# private PostgreSQL and the server on free loopback ports
# (tests/lib/JwtAuthTest.pm, as the end-to-end tests do), from the real
# SERVER/dev.conf.in plus three protected directories added beside its
# /app/, each holding the same file:
#   /static/  no authorizer: the cost of the web server itself
#   /noop/    bench/noop-authz, which grants everything: the floor of any
#             FastCGI authorizer
#   /app/     jwtauth as the dev config has it (revocation_check cached)
#   /strict/  jwtauth with revocation_check = strict (a second config)
#   /pooled/  the same strict check with its queries through a private
#             PgBouncer in transaction pooling mode (scripts/pool.sh; a
#             third config: database through the pool, listen_database
#             direct)
#   /gated/   (Apache) jwtauth's gatekeeper mode: every request rewritten
#             to jwtauth run as plain CGI, which checks and sends the file
#             (apache/shared-hosting/gate.htaccess); against /static/
# Then, at 4 and at 32 connections, wrk measures each of them, GET
# /auth/me, POST /auth/refresh (each refresh token rotated once: the
# answer's new token is the next request's) and POST /auth/login.  Then:
#   - the ratios cached/no-op, strict/no-op, pooled/strict, cached/static
#     and gatekeeper/static;
#   - a login flood: /app/ at 4 connections while 12 clients post logins
#     of unknown users, against /app/ alone;
#   - on Apache, /app/ at 32 connections with FcgidMaxProcessesPerClass 4
#     (the old pool), where mod_fcgid's one-second sleep shows;
#   - the RSS of the /app/ authorizer processes before and after
#     BENCH_RSS_REQUESTS requests (100 000);
#   - the revocation delay: BENCH_REVOKE sessions (1000) logged out one
#     by one through /auth/logout while a second client retries each
#     just-revoked token on /app/ (cached), /strict/ (strict) or /pooled/
#     (strict through PgBouncer);
#   - once, the instructions of checking one token in-process, first sight
#     and repeat (callgrind on bench/check-cost, when it is built).
# Then two more sets (scripts/BenchServers.pm starts them), each with its
# rows at 4 and 32 connections and the revocation delay of the rows that
# claim revocation:
#   apache-module  Apache with mod_jwtauth: /static/ (the unprotected
#                  baseline), /app/ cached, /app/ strict (on a second
#                  Apache: one JwtAuthConfig per server), /oidc/ behind
#                  mod_auth_openidc checking the same token in-process
#                  (no revocation: it claims none);
#   nginx          /static/, /noop/ (auth_request to bench/noop-authz
#                  through the same FastCGI hop as jwtauth's check), /app/
#                  (auth_request to jwtauth.fcgi -s);
# and their ratios and targets (issue 18).
# Each figure is printed beside its baseline or its target (met / not
# met); nothing fails on timing: the exit status is 0 when the bench ran.
# The table goes to standard output and var/bench/latest.txt, the raw wrk
# output to var/bench/latest-wrk.txt.  The servers are stopped on every
# exit, Ctrl-C included.
#
# Environment: BENCH_SECONDS (seconds per wrk run, default 5; each row is
# first warmed up by runs of BENCH_WARMUP seconds, default 1, until one
# has no request over 0.5 s), BENCH_ROUNDS (alternated rounds of each
# target's pair at 32 connections, default 5, 0 for none: see
# bench_rounds), BENCH_SERVERS (the sets to run, default
# "apache lighttpd apache-module nginx"), BENCH_REVOKE (1000),
# BENCH_RSS_REQUESTS (100000).
# The bench-only argon2 cost (pwhash_memlimit 19456, pwhash_opslimit 2)
# keeps the logins it needs quick.

use strict;
use warnings;

use FindBin ();
use lib "$FindBin::Bin/../tests/lib", $FindBin::Bin;

use File::Copy qw(copy);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP qw(decode_json encode_json);
use JwtAuthTest;
use BenchServers;
use DaemonTests;
use PoolTests;
use List::Util qw(max sum);
use POSIX qw(strftime);
use Socket qw(IPPROTO_TCP TCP_NODELAY);
use Time::HiRes qw(time);

my $REPO = "$FindBin::Bin/..";
my %opt = (
	seconds      => _count('BENCH_SECONDS', 5, 1),
	warmup       => _count('BENCH_WARMUP', 1, 0),
	rounds       => _count('BENCH_ROUNDS', 5, 0),
	revoke       => _count('BENCH_REVOKE', 1000, 1),
	rss_requests => _count('BENCH_RSS_REQUESTS', 100000, 0),
	threads      => 2,
);
my @SERVERS = split ' ', $ENV{BENCH_SERVERS}
    // 'apache lighttpd apache-module nginx';
/^(?:apache|lighttpd|apache-module|nginx)$/ or die "bench.pl:"
    . " BENCH_SERVERS: any of apache, lighttpd, apache-module, nginx\n"
    for @SERVERS;
# The sets with the FastCGI authorizer of the first bench (the ratios,
# the flood, the RSS, the pool), and the others (issue 18).
my @CLASSIC = grep { /^(?:apache|lighttpd)$/ } @SERVERS;
my @NEWER = grep { !/^(?:apache|lighttpd)$/ } @SERVERS;
my @CONNS = (4, 32);
my $FLOOD_CLIENTS = 12;
my $SMALL_POOL = 4;
# The bench's own argon2 cost: the lowest the config allows.
my %BENCH_CONFIG = (access_ttl => 3600, pwhash_memlimit => 19456,
    pwhash_opslimit => 2, gate_path => '/gated',
    gate_root => '@DIR@/www/gated');
my $CLK_TCK = POSIX::sysconf(POSIX::_SC_CLK_TCK());
my ($LOAD) = slurp('/proc/loadavg') =~ /^(\S+ \S+ \S+)/;
my $T0 = time;
# Worker processes of jwtauth -s for the /daemon/ row (one per core
# and a spare: they never sleep on a busy sibling, requests wait in
# the socket's backlog).
my $DAEMON_PROCS = 4;

# The rows of the table, in order, each measured at every count of
# connections.  bearer: the request carries the access token (the static
# file and the no-op authorizer get it too: the same request bytes).
my @ROWS = (
	{ id => 'static', name => 'static file', path => '/static/index.html',
	  bearer => 1 },
	{ id => 'noop', name => 'no-op authorizer', path => '/noop/index.html',
	  bearer => 1, class => 'noop' },
	{ id => 'cached', name => 'jwtauth cached', path => '/app/index.html',
	  bearer => 1, class => 'cached', revoke => 1 },
	{ id => 'strict', name => 'jwtauth strict',
	  path => '/strict/index.html', bearer => 1, class => 'strict',
	  revoke => 1 },
	{ id => 'pooled', name => 'strict, PgBouncer',
	  path => '/pooled/index.html', bearer => 1, class => 'pooled',
	  revoke => 1 },
	{ id => 'daemon', name => 'jwtauth -s, authnz_fcgi',
	  path => '/daemon/index.html', bearer => 1, class => 'daemon',
	  only => 'apache' },
	{ id => 'gate', name => 'gatekeeper, CGI', path => '/gated/index.html',
	  bearer => 1, only => 'apache', refuses => 1 },
	{ id => 'me', name => 'GET /auth/me', path => '/auth/me', bearer => 1,
	  class => 'responder' },
	{ id => 'refresh', name => 'POST /auth/refresh', path => '/auth/refresh',
	  lua => 'refresh', class => 'responder' },
	{ id => 'login', name => 'POST /auth/login', path => '/auth/login',
	  lua => 'login', class => 'responder' },
);
# Apache with mod_jwtauth (scripts/BenchServers.pm): the static file on
# the same Apache is the unprotected baseline; strict is measured on a
# second Apache alike (peer), as one JwtAuthConfig holds per server.
# refuses: the row answers 401 without the token (precheck).
my @MODULE_ROWS = (
	{ id => 'static', name => 'static file', path => '/static/index.html',
	  bearer => 1 },
	{ id => 'cached', name => 'mod_jwtauth cached',
	  path => '/app/index.html', bearer => 1, refuses => 1, revoke => 1 },
	{ id => 'strict', name => 'mod_jwtauth strict',
	  path => '/app/index.html', bearer => 1, refuses => 1, revoke => 1,
	  peer => 1 },
	{ id => 'oidc', name => 'openidc, no revocation',
	  path => '/oidc/index.html', bearer => 1, refuses => 1 },
);
# nginx: the no-op check goes through the same FastCGI hop as jwtauth's.
my @NGINX_ROWS = (
	{ id => 'static', name => 'static file', path => '/static/index.html',
	  bearer => 1 },
	{ id => 'noop', name => 'no-op auth_request',
	  path => '/noop/index.html', bearer => 1, class => 'noop' },
	{ id => 'cached', name => 'jwtauth auth_request',
	  path => '/app/index.html', bearer => 1, class => 'daemon',
	  revoke => 1 },
);
my %ROWS_OF = (apache => \@ROWS, lighttpd => \@ROWS,
    'apache-module' => \@MODULE_ROWS, nginx => \@NGINX_ROWS);
# The pairs (row, baseline) whose req/s ratio at 32 connections is a
# target: measured again in alternated rounds (bench_rounds).
my %PAIRS_OF = (apache => [[qw(cached noop)]],
    lighttpd => [[qw(cached noop)]],
    'apache-module' => [[qw(cached static)], [qw(cached oidc)]],
    nginx => [[qw(cached noop)]]);

# A Ctrl-C or kill ends the run through exit, whose END block in
# JwtAuthTest stops the servers; wrk stops too, on the same Ctrl-C.
for my $sig (qw(INT TERM)) {
	$SIG{$sig} = sub {
		warn "bench.pl: interrupted; stopping the servers\n";
		exit 1;
	};
}

my $WORK = tempdir('jwtauth-bench-XXXXXX', DIR => '/tmp', CLEANUP => 1);
write_lua();
my $password = unpack 'H*', join '', map { chr int rand 256 } 1 .. 12;
my (@raw, %res);
for my $server (@SERVERS) {
	$res{$server} = bench_server($server);
}
my $cost = check_cost();

my $report = report();
print $report;
make_path("$REPO/var/bench");
write_file("$REPO/var/bench/latest.txt", $report);
write_file("$REPO/var/bench/latest-wrk.txt", join "\n", @raw);
print "bench.pl: written to var/bench/latest.txt",
    " (raw wrk output: var/bench/latest-wrk.txt)\n";
exit 0;

# The -s daemon of the server being measured, stopped whatever happens
# (a bench that dies leaves no daemon behind).
my $live_daemon;
END { DaemonTests::stop_daemon($live_daemon) if $live_daemon }

# bench_server(SET): starts the servers of SET ('apache', 'lighttpd',
# 'apache-module' or 'nginx'), measures its rows ($ROWS_OF{SET}) and
# the rest there, and stops them; returns the results as a hash
# reference: {rows}{CONNS}{ID} (parse_wrk's results or {skip => why}),
# {flood}, {small}, {rss} (apache and lighttpd), {revoke}{ID} (the rows
# that claim revocation), {conf} (facts about the server's config).
# Dies when the servers do not start or a row's precheck finds a wrong
# answer.
sub bench_server {
	my ($set) = @_;
	my $classic = $set =~ /^(?:apache|lighttpd)$/;
	my $server = $set eq 'apache-module' ? 'apache' : $set;
	my $rows = $ROWS_OF{$set};
	progress("starting PostgreSQL and $set");
	my %config = (%BENCH_CONFIG, $classic ? () : (gate_path => undef,
	    gate_root => undef), $set eq 'apache-module'
	    ? (key_id => $BenchServers::KID) : ());
	my $before = $classic
	    ? sub { BenchServers::prepare_fcgi($_[0], $REPO, $DAEMON_PROCS) }
	    : $set eq 'nginx'
	    ? sub { BenchServers::prepare_nginx($_[0], $REPO) }
	    : sub { BenchServers::prepare_module($_[0], $REPO) };
	my $env = JwtAuthTest->start(server => $server, %config,
	    before_server => $before);
	my %r = (conf => conf_facts($env));
	# One JwtAuthConfig per Apache server: strict on a second one.
	my $peer = $set eq 'apache-module' ? $env->peer(template =>
	    $env->template, revocation_check => 'strict') : undef;
	$peer->{bench_pg} = $env->dir if $peer;
	$env->add_user('bench', $password);
	my $login = $env->must_login('bench', $password);
	my $bearer = "Authorization: Bearer $login->{access_token}";

	$r{daemon} = DaemonTests::start_daemon($env, $env->{bench_daemon},
	    $DAEMON_PROCS) if $env->{bench_daemon};
	$live_daemon = $r{daemon};
	for my $row (@$rows) {
		$r{skip}{$row->{id}} = $row->{only} && $row->{only} ne $server
		    ? "skipped: $row->{only} only"
		    : precheck($row->{peer} ? $peer : $env, $row, $login);
	}
	for my $c (@CONNS) {
		for my $row (@$rows) {
			my $skip = $r{skip}{$row->{id}};
			if ($skip) {
				$r{rows}{$c}{$row->{id}} = { skip => $skip };
				next;
			}
			progress("$set, $c connections: $row->{name}");
			my $m = measure($row->{peer} ? $peer : $env, $row, $c,
			    $bearer);
			$r{rows}{$c}{$row->{id}} = $m;
			# The RSS baseline: the pool grown to its size.
			$r{rss_before} = rss($env, 'cached')
			    if $classic && $row->{id} eq 'cached'
			    && $c == $CONNS[-1];
		}
	}
	$r{rounds} = bench_rounds($set, \%r, $env, $peer, $bearer);
	if ($classic && !$r{skip}{cached}) {
		progress("$set: login flood");
		$r{flood} = flood($env, $bearer);
		progress("$set: RSS after $opt{rss_requests} requests");
		$r{rss} = rss_growth($env, $r{rss_before}, $bearer);
	}
	for my $row (grep { $_->{revoke} } @$rows) {
		next if $r{skip}{$row->{id}};
		progress("$set: revocation delay, $row->{name}");
		$r{revoke}{$row->{id}} = revocation($row->{peer} ? $peer : $env,
		    $row);
	}
	if ($set eq 'apache' && !$r{skip}{cached}) {
		progress("$set: FcgidMaxProcessesPerClass $SMALL_POOL");
		$r{small} = small_pool($env, $bearer);
	}
	DaemonTests::stop_daemon(delete $r{daemon}) if $r{daemon};
	undef $live_daemon;
	PoolTests::pool_stop($env) if $classic;
	$peer->stop if $peer;
	$env->stop;
	BenchServers::noop_stop();
	return \%r;
}

# bench_rounds(SET, RESULTS, ENV, PEER, BEARER): each target pair of SET
# ($PAIRS_OF) at 32 connections in BENCH_ROUNDS rounds, each round the
# baseline and the row for BENCH_SECONDS one after the other (the row
# first every other round).  Two rows measured a minute apart on a
# shared machine can differ by 20 % with no change (seen: the same
# no-op row at 11 500 and 14 700 req/s within minutes); a ratio taken
# within a round does not carry that drift.  Returns {"row/base" =>
# [{rps, p99} ratios, one a round]}.
sub bench_rounds {
	my ($set, $r, $env, $peer, $bearer) = @_;
	my %out;
	my %row = map { $_->{id} => $_ } @{ $ROWS_OF{$set} };
	for my $pair (@{ $PAIRS_OF{$set} }) {
		my ($x, $base) = @$pair;
		next if $r->{skip}{$x} || $r->{skip}{$base};
		for my $i (1 .. $opt{rounds}) {
			progress("$set, 32 connections: round $i of"
			    . " $opt{rounds}, $row{$x}{name} and $row{$base}{name}");
			my %m;
			for my $id ($i % 2 ? ($base, $x) : ($x, $base)) {
				my $rw = $row{$id};
				my $out = wrk($rw->{peer} ? $peer : $env, $rw->{path},
				    32, $opt{seconds},
				    headers => [$rw->{bearer} ? $bearer : ()]);
				push @raw, sprintf "== %s, round %d: %s\n%s",
				    $env->server, $i, $rw->{name}, $out;
				$m{$id} = { parse_wrk($out) };
			}
			push @{ $out{"$x/$base"} }, {
			    rps => ratio_n($m{$x}, $m{$base}, 'rps'),
			    p99 => ratio_n($m{$x}, $m{$base}, 'p99') };
		}
	}
	return \%out;
}

# rounds_of(SET, ROW, BASE, KEY): the median, lowest and highest of the
# KEY ratios of ROW/BASE over SET's alternated rounds; () without them.
sub rounds_of {
	my ($set, $x, $base, $key) = @_;
	my $rounds = $res{$set} && $res{$set}{rounds}{"$x/$base"} or return;
	my @v = sort { $a <=> $b } grep { defined } map { $_->{$key} } @$rounds;
	return if !@v;
	my $mid = @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
	return ($mid, $v[0], $v[-1]);
}

# target_ratio(SET, ROW, BASE, KEY): the ratio a target is judged on: the
# median of the alternated rounds, or without them the one of the table.
sub target_ratio {
	my ($set, $x, $base, $key) = @_;
	my ($mid) = rounds_of($set, $x, $base, $key);
	return $mid if defined $mid;
	my $rows = $res{$set} ? $res{$set}{rows}{32} : undef;
	return $rows ? ratio_n($rows->{$x}, $rows->{$base}, $key) : undef;
}

# rounds_table: the alternated rounds of every target pair: median,
# lowest and highest ratio, req/s and p99.
sub rounds_table {
	my $s = '';
	for my $set (@SERVERS) {
		for my $pair (@{ $PAIRS_OF{$set} }) {
			my ($x, $base) = @$pair;
			my $n = $res{$set} && $res{$set}{rounds}{"$x/$base"}
			    or next;
			for my $key (qw(rps p99)) {
				my ($mid, $lo, $hi) = rounds_of($set, $x, $base,
				    $key) or next;
				$s .= sprintf "%-40s %6s %6s %6s\n",
				    "$set $x/$base " . ($key eq 'rps' ? 'req/s'
				    : 'p99'), map { sprintf '%.2f', $_ }
				    $mid, $lo, $hi;
			}
		}
	}
	return '' if $s eq '';
	return "\nalternated rounds at 32 connections ($opt{rounds} rounds"
	    . " of $opt{seconds} s, the pair\nmeasured back to back in each;"
	    . " the targets are judged on the median)"
	    . sprintf("\n%-40s %6s %6s %6s\n", '', 'median', 'lowest',
	    'highest') . $s;
}

# conf_facts(ENV): what the report says about the server's config:
# {per_class} (FcgidMaxProcessesPerClass, Apache) or {max_procs}
# (lighttpd's per fastcgi.server), {template} (the file it came from).
sub conf_facts {
	my ($env) = @_;
	my $text = slurp($env->dir . '/' . $env->server . '.conf');
	my %f;
	($f{per_class}) = $text =~ /^\s*FcgidMaxProcessesPerClass\s+(\d+)/m;
	($f{max_procs}) = $text =~ /"max-procs" => (\d+)/;
	($f{workers}) = $text =~ /^\s*MaxRequestWorkers\s+(\d+)/m;
	($f{total}) = $text =~ /^\s*FcgidMaxProcesses\s+(\d+)/m;
	return \%f;
}

# precheck(ENV, ROW, LOGIN): makes sure that ROW's request gets the
# answer that wrk is meant to measure (and, where ROW checks, 401
# without the token and with its signature changed).  Returns undef when it does, else
# why the row is skipped.
sub precheck {
	my ($env, $row, $login) = @_;
	my %auth = (headers => $env->bearer($login->{access_token}));
	if ($row->{lua}) {
		return undef;    # measure() reports their status counts
	}
	my $with = $env->http(GET => $row->{path}, \%auth)->{status};
	return "skipped: $row->{path} answers $with with the token"
	    if $with != 200;
	return undef if !$row->{refuses} && (!$row->{class} ||
	    $row->{class} eq 'noop');
	my $without = $env->http(GET => $row->{path})->{status};
	return "skipped: $row->{path} answers $without without the token"
	    if $without != 401;
	# A check that looks at the signature: one byte of it changed.
	my ($head, $sig) = $login->{access_token} =~ /^(.*\.)([^.]+)$/;
	substr($sig, 4, 1) =~ tr/A-Za-z0-9_-/B-Za-z0-9_\-A/;
	my $forged = $env->http(GET => $row->{path},
	    { headers => $env->bearer($head . $sig) })->{status};
	return "skipped: $row->{path} answers $forged with a forged"
	    . " signature" if $forged != 401;
	return undef;
}

# measure(ENV, ROW, CONNS, BEARER): warms ROW up, then runs wrk on it at
# CONNS connections for BENCH_SECONDS; returns parse_wrk's results plus
# {cpu_us} (the servers' CPU time per request), {procs} (the FastCGI
# processes of ROW's class afterwards) and {warmups} (warm-up runs).  The
# refresh and login rows get a fresh set of sessions and no warm-up (the
# responder was warmed by /auth/me).
sub measure {
	my ($env, $row, $c, $bearer) = @_;
	my (@args, $warm);
	if (($row->{lua} // '') eq 'refresh') {
		# Spares: a token whose request fails is lost.
		my @rt = map { $_->{refresh_token} }
		    logins($env, 4 * $c + 16);
		write_file("$WORK/refresh.txt", join "\n", @rt, '');
		@args = (lua => 'refresh', lua_args => ["$WORK/refresh.txt",
		    $opt{threads}]);
	} elsif (($row->{lua} // '') eq 'login') {
		@args = (lua => 'login', lua_args => ['bench', $password]);
	} else {
		@args = (headers => [$row->{bearer} ? $bearer : ()]);
		$warm = warm_up($env, $row->{path}, $c, @args);
	}
	my $cpu = server_cpu($env);
	my $out = wrk($env, $row->{path}, $c, $opt{seconds}, @args);
	$cpu = server_cpu($env) - $cpu;
	push @raw, sprintf "== %s, %d connections: %s\n%s", $env->server, $c,
	    $row->{name}, $out;
	my %m = parse_wrk($out);
	$m{cpu_us} = $m{requests} ? 1e6 * $cpu / $m{requests} : undef;
	$m{procs} = $row->{class} ? scalar pids($env, $row->{class}) : undef;
	$m{warmups} = $warm;
	return \%m;
}

# warm_up(ENV, PATH, CONNS, WRK-ARGS): runs wrk on PATH for BENCH_WARMUP
# seconds until a run has no request slower than 0.5 s, 5 runs at most,
# so that the FastCGI processes are started before the measurement
# (mod_fcgid starts them one by one, and a request that finds them all
# busy waits 1 s); returns how many runs it made.
sub warm_up {
	my ($env, $path, $c, @args) = @_;
	return 0 if !$opt{warmup};
	for my $n (1 .. 5) {
		my %r = parse_wrk(wrk($env, $path, $c, $opt{warmup}, @args));
		return $n if $r{max} < 500;
	}
	return 5;
}

# flood(ENV, BEARER): /app/ at 4 connections alone, then the same while
# $FLOOD_CLIENTS connections post logins of unknown users (which hash a
# dummy password all the same); returns {quiet} and {flood}, parse_wrk's
# results, and {logins}, the flood's own.
sub flood {
	my ($env, $bearer) = @_;
	my @app = ('/app/index.html', 4, $opt{seconds}, headers => [$bearer]);
	my %quiet = parse_wrk(wrk($env, @app));
	open my $lf, '-|', wrk_cmd($env, '/auth/login', $FLOOD_CLIENTS,
	    $opt{seconds}, lua => 'login', lua_args => ['nobody', $password])
	    or die "bench.pl: cannot run wrk: $!\n";
	my $out = wrk($env, @app);
	my $lout = do { local $/; <$lf> } // '';
	close $lf or die "bench.pl: wrk failed (status $?) on the flood\n"
	    . $lout;
	push @raw, "== " . $env->server . ": /app/ during the login"
	    . " flood\n$out", "== " . $env->server . ": the login flood\n$lout";
	return { quiet => \%quiet, flood => { parse_wrk($out) },
	    logins => { parse_wrk($lout) } };
}

# small_pool(ENV, BEARER): restarts Apache with FcgidMaxProcessesPerClass
# $SMALL_POOL and measures /app/ at 32 connections (warmed up); returns
# parse_wrk's results.  The server is left running on the small pool.
sub small_pool {
	my ($env, $bearer) = @_;
	my $small = slurp($env->template);
	$small =~ s/^(\s*FcgidMaxProcessesPerClass\s+)\d+/$1$SMALL_POOL/m
	    or return { skip => 'no FcgidMaxProcessesPerClass to change' };
	write_file($env->dir . '/bench-small.conf.in', $small);
	$env->template($env->dir . '/bench-small.conf.in');
	$env->restart_server;
	my @args = (headers => [$bearer]);
	warm_up($env, '/app/index.html', 32, @args);
	my $out = wrk($env, '/app/index.html', 32, $opt{seconds}, @args);
	push @raw, "== apache, 32 connections, FcgidMaxProcessesPerClass"
	    . " $SMALL_POOL: jwtauth cached\n$out";
	return { parse_wrk($out) };
}

# rss(ENV, CLASS): the resident memory of CLASS's FastCGI processes now,
# in kB: {rss}{PID}, VmRSS, the figure the target is about, which counts
# the pages of shared libraries too, and {anon}{PID}, RssAnon, the
# process's private part.
sub rss {
	my ($env, $class) = @_;
	my %kb = (rss => {}, anon => {});
	for my $pid (pids($env, $class)) {
		my $status = eval { slurp("/proc/$pid/status") } // next;
		$kb{rss}{$pid} = $1 if $status =~ /^VmRSS:\s*(\d+) kB/m;
		$kb{anon}{$pid} = $1 if $status =~ /^RssAnon:\s*(\d+) kB/m;
	}
	return \%kb;
}

# rss_change(RES): from rss_growth's RES, the processes there before and
# after, their VmRSS summed before and after, and the largest VmRSS
# after: (PIDS, BEFORE, AFTER, MAX), sizes in kB.
sub rss_change {
	my ($r) = @_;
	my ($bef, $aft) = ($r->{before}{rss}, $r->{after}{rss});
	my @both = grep { exists $aft->{$_} } sort { $a <=> $b } keys %$bef;
	return (\@both, sum(0, @$bef{@both}), sum(0, @$aft{@both}),
	    max(0, values %$aft));
}

# rss_growth(ENV, BEFORE, BEARER): runs wrk on /app/ at 32 connections
# until BENCH_RSS_REQUESTS requests are done; returns {before} (BEFORE,
# from rss()), {after} (rss() then) and {requests}.
sub rss_growth {
	my ($env, $before, $bearer) = @_;
	my $done = 0;
	while ($done < $opt{rss_requests}) {
		my %r = parse_wrk(wrk($env, '/app/index.html', 32,
		    $opt{seconds}, headers => [$bearer]));
		$done += $r{requests};
		last if !$r{requests};
	}
	my $after = rss($env, 'cached');
	push @raw, "== " . $env->server . ": VmRSS (RssAnon) of the cached"
	    . " authorizer processes, kB, before -> after $done requests\n"
	    . join '', map { sprintf "pid %-7s %s (%s) -> %s (%s)\n", $_,
	    $before->{rss}{$_} // 'none', $before->{anon}{$_} // '-',
	    $after->{rss}{$_} // 'none', $after->{anon}{$_} // '-' }
	    sort { $a <=> $b } keys %{ { %{ $before->{rss} },
	    %{ $after->{rss} } } };
	return { before => $before, after => $after, requests => $done };
}

# revocation(ENV, ROW): the revocation delay of ROW (a row that claims
# revocation: jwtauth cached, strict, through PgBouncer, in Apache, behind
# nginx), on ENV (the server ROW is measured on).  Logs in
# BENCH_REVOKE sessions, sends each token through wrk at 32 connections
# for 2 s so that the authorizer processes have seen it, then, for each
# in turn, logs it out
# through one connection and, as soon as the 204 is in, retries it on
# the protected file through another until the first 401 (1 s at most).
# Returns {n} (sessions tested), {accepted} (200s after the logout
# answer), {p99} and {max} (ms from the logout answer to the sending of
# the first request refused; 0 when the first retry is refused),
# {never} (tokens still accepted after 1 s) and {login_s}.
sub revocation {
	my ($env, $row) = @_;
	my $path = $row->{path};
	my $t = time;
	my @at = map { $_->{access_token} } logins($env, $opt{revoke});
	my $login_s = time - $t;
	write_file("$WORK/access.txt", join "\n", @at, '');
	my $out = wrk($env, $path, 32, 2, lua => 'tokens',
	    lua_args => ["$WORK/access.txt"]);
	push @raw, "== " . $env->server . ": revocation, $row->{name}, warming"
	    . " the tokens\n$out";

	my $ua = client($env);
	my $retry = client($env);
	my ($accepted, $never, @delay) = (0, 0);
	for my $token (@at) {
		my @auth = ("Authorization: Bearer $token");
		my ($status) = request($ua, 'POST', '/auth/logout', @auth);
		$status == 204 or die "bench.pl: logout answers $status\n";
		my $done = time;
		my ($first, $delay) = (1, undef);
		while (time - $done < 1) {
			my $sent = time;
			my ($s) = request($retry, 'GET', $path, @auth);
			if ($s == 401) {
				$delay = $first ? 0 : $sent - $done;
				last;
			}
			$s == 200 or die "bench.pl: $path answers $s\n";
			$accepted++;
			$first = 0;
		}
		if (defined $delay) {
			push @delay, 1e3 * $delay;
		} else {
			$never++;
		}
	}
	@delay = sort { $a <=> $b } @delay;
	return { n => scalar @at, accepted => $accepted, never => $never,
	    p99 => percentile(99, @delay), max => max(@delay),
	    login_s => $login_s };
}

# logins(ENV, N): logs user bench in N times, one after the other
# through one connection; returns the N token responses (decoded JSON),
# dies on any answer but 200.
sub logins {
	my ($env, $n) = @_;
	my $c = client($env);
	my $body = encode_json({ username => 'bench', password => $password });
	my @t;
	for (1 .. $n) {
		my ($status, $json) = request($c, 'POST', '/auth/login',
		    'Content-Type: application/json', $body);
		$status == 200 or die "bench.pl: login answers $status\n";
		push @t, decode_json($json);
	}
	return @t;
}

# client(ENV): a keep-alive HTTP/1.1 connection to ENV's web server, for
# request().  Not HTTP::Tiny: it writes a POST's head and body apart,
# and without TCP_NODELAY the body then waits for a delayed ACK (40 ms).
sub client {
	my ($env) = @_;
	return { port => $env->port, sock => undef, buf => '' };
}

# request(CLIENT, METHOD, PATH, HEADER..., [BODY]): sends one request in
# one write (HEADERs are "Name: value" lines; a last argument without a
# colon is the body) and reads the answer; returns its status and body.
# Connects first when the connection is not open (or was closed by the
# server); a kept-alive connection that fails is replaced and the request
# sent again, once.  Dies on a socket error or a malformed answer.
sub request {
	my ($c, @args) = @_;
	my $reused = defined $c->{sock};
	my @r = eval { request_once($c, @args) };
	return @r if @r;
	die $@ if !$reused;
	close $c->{sock} if $c->{sock};
	$c->{sock} = undef;
	return request_once($c, @args);
}

# request_once(CLIENT, METHOD, PATH, HEADER..., [BODY]): request(),
# without the second try.
sub request_once {
	my ($c, $method, $path, @h) = @_;
	my $body = @h && $h[-1] !~ /^[\w-]+: / ? pop @h : undef;
	# lighttpd answers a POST without Content-Length with 411.
	$body //= '' if $method eq 'POST';
	my $req = "$method $path HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    . "User-Agent: jwtauth-bench\r\n" . join('', map { "$_\r\n" } @h)
	    . (defined $body ? 'Content-Length: ' . length($body) . "\r\n"
	    : '') . "\r\n" . ($body // '');
	if (!$c->{sock}) {
		$c->{sock} = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
		    PeerPort => $c->{port}, Proto => 'tcp')
		    or die "bench.pl: connect: $!\n";
		setsockopt($c->{sock}, IPPROTO_TCP, TCP_NODELAY, 1);
		$c->{buf} = '';
	}
	defined syswrite($c->{sock}, $req) or die "bench.pl: write: $!\n";
	my $head = read_until($c, "\r\n\r\n");
	my ($status) = $head =~ m{^HTTP/1\.[01] (\d{3})}
	    or die "bench.pl: not an HTTP answer: $head\n";
	my $resp = '';
	if ($head =~ /^Transfer-Encoding:\s*chunked/mi) {
		while ((my $size = hex read_until($c, "\r\n")) > 0) {
			$resp .= read_bytes($c, $size + 2);
			substr($resp, -2) = '';
		}
		read_until($c, "\r\n");
	} elsif ($head =~ /^Content-Length:\s*(\d+)/mi) {
		$resp = read_bytes($c, $1);
	}
	if ($head =~ /^Connection:\s*close/mi) {
		close $c->{sock};
		$c->{sock} = undef;
	}
	return ($status, $resp);
}

# read_until(CLIENT, END): the bytes up to END, which is read and
# dropped; read_bytes(CLIENT, N): the next N bytes.  Both die when the
# connection ends first.
sub read_until {
	my ($c, $end) = @_;
	my $i;
	fill($c) while ($i = index $c->{buf}, $end) < 0;
	my $s = substr $c->{buf}, 0, $i;
	substr($c->{buf}, 0, $i + length $end) = '';
	return $s;
}

sub read_bytes {
	my ($c, $n) = @_;
	fill($c) while length $c->{buf} < $n;
	return substr $c->{buf}, 0, $n, '';
}

# fill(CLIENT): reads what has come on CLIENT's connection into its
# buffer; dies at the end of the connection or on error.
sub fill {
	my ($c) = @_;
	my $n = sysread $c->{sock}, $c->{buf}, 65536, length $c->{buf};
	die "bench.pl: read: " . (defined $n ? 'connection closed' : $!)
	    . "\n" if !$n;
}

# check_cost: the instructions of checking one token in-process,
# from callgrind on bench/check-cost (counting only inside bench_check):
# {first}, a token seen for the first time (N distinct tokens, the total
# over N), and {repeat}, a token this process has verified before (one
# token N + 1 times: the total less one first check, over N).  Returns
# {skip => why} when bench/check-cost is not built or fails.
sub check_cost {
	my $prog = "$REPO/bench/check-cost";
	return { skip => 'skipped: bench/check-cost is not built (make'
	    . ' bench/check-cost)' } if !-x $prog;
	my $n = 1000;
	progress("callgrind on bench/check-cost");
	my %ir;
	for my $mode (qw(first repeat)) {
		my $file = "$WORK/callgrind.$mode";
		my @cmd = ('valgrind', '--tool=callgrind',
		    "--callgrind-out-file=$file", '--collect-atstart=no',
		    '--toggle-collect=bench_check', $prog, $mode, $n);
		my $out = `@cmd 2>&1`;
		return { skip => "skipped: bench/check-cost $mode failed"
		    . " (status $?)" } if $?;
		my $text = eval { slurp($file) } // '';
		my ($total) = $text =~ /^(?:totals|summary):\s*(\d+)/m;
		return { skip => "skipped: no totals in $file" }
		    if !defined $total;
		$ir{$mode} = $total;
		push @raw, "== callgrind: bench/check-cost $mode $n: $total"
		    . " Ir\n$out";
	}
	my $first = $ir{first} / $n;
	return { first => $first, repeat => ($ir{repeat} - $first) / $n,
	    n => $n };
}

# pids(ENV, CLASS): the processes of one pool of FastCGI programs of
# ENV's web server: 'noop' (bench/noop-authz), 'cached' (jwtauth -r
# authorizer with the dev config), 'strict' (with strict.conf) or
# 'responder' (-r responder).  A jwtauth process started without -r
# counts in both of its config's pools.
sub pids {
	my ($env, $class) = @_;
	my $dir = $env->dir;
	my @pids;
	for my $file (glob '/proc/[0-9]*/cmdline') {
		my $cmd = eval { slurp($file) } // next;
		my @argv = split /\0/, $cmd;
		next if !@argv;
		my ($pid) = $file =~ m{/proc/(\d+)/};
		if ($class eq 'noop') {
			push @pids, $pid if $argv[0] eq "$dir/noop-authz";
			next;
		}
		next if $argv[0] ne "$dir/jwtauth.fcgi";
		my %o = @argv[1 .. $#argv];
		next if ($class eq 'daemon') != defined $o{'-s'};
		my $conf = $class eq 'strict' ? "$dir/strict.conf"
		    : $class eq 'pooled' ? "$dir/pooled.conf"
		    : "$dir/jwtauth.conf";
		my $role = $class eq 'responder' ? 'responder' : 'authorizer';
		push @pids, $pid if ($o{'-c'} // '') eq $conf
		    && ($o{'-r'} // $role) eq $role;
	}
	return @pids;
}

# wrk_cmd(ENV, PATH, CONNS, SECONDS, OPTIONS): the wrk command line for
# PATH on ENV's server.  OPTIONS: headers => [LINE...], lua => NAME (a
# script write_lua wrote), lua_args => [ARG...] (its arguments).
sub wrk_cmd {
	my ($env, $path, $c, $seconds, %o) = @_;
	my $t = $opt{threads} < $c ? $opt{threads} : $c;
	return ('wrk', "-t$t", "-c$c", "-d${seconds}s", '--latency',
	    (map { ('-H', $_) } @{ $o{headers} // [] }),
	    ($o{lua} ? ('-s', "$WORK/$o{lua}.lua") : ()),
	    $env->url($path),
	    ($o{lua_args} ? ('--', @{ $o{lua_args} }) : ()));
}

# wrk(ENV, PATH, CONNS, SECONDS, OPTIONS): runs wrk_cmd's command;
# returns its output, dies when it fails.  Not system(): that would
# ignore a Ctrl-C.
sub wrk {
	my @cmd = wrk_cmd(@_);
	open my $fh, '-|', @cmd or die "bench.pl: cannot run wrk: $!\n";
	my $out = do { local $/; <$fh> } // '';
	close $fh or die "bench.pl: wrk failed (status $?): @cmd\n$out";
	return $out;
}

# write_lua: the wrk scripts, into the work directory.  Each counts the
# answers' statuses and prints them at the end ("status 200: N").
#   refresh.lua TOKENS THREADS: POSTs refresh tokens as JSON, one per
#     request: thread i takes lines i, i + THREADS... of file TOKENS, and
#     each answer's new refresh token goes to the back of its queue, so
#     every token is rotated once (a thread needs one token per
#     connection to start).  An empty queue sends "-", which fails.
#   login.lua USER PASSWORD: POSTs that login as JSON.
#   tokens.lua TOKENS: GETs with each access token of file TOKENS in
#     turn, as a Bearer header.
sub write_lua {
	my $count = <<'LUA';
local threads = {}
local nthreads = 0
function setup(thread)
	thread:set("id", nthreads)
	nthreads = nthreads + 1
	table.insert(threads, thread)
end
statuses = {}
function count(status)
	statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
	local total = {}
	for _, t in ipairs(threads) do
		for k, v in pairs(t:get("statuses")) do
			total[k] = (total[k] or 0) + v
		end
	end
	for k, v in pairs(total) do
		io.write(string.format("status %d: %d\n", k, v))
	end
end
LUA
	write_file("$WORK/refresh.lua", $count . <<'LUA');
local json = { ["Content-Type"] = "application/json" }
function init(args)
	queue, first, last = {}, 1, 0
	local n, i = tonumber(args[2]), 0
	for line in io.lines(args[1]) do
		if i % n == id then
			last = last + 1
			queue[last] = line
		end
		i = i + 1
	end
end
function request()
	local token = "-"
	if first <= last then
		token = queue[first]
		queue[first] = nil
		first = first + 1
	end
	return wrk.format("POST", nil, json,
	    '{"refresh_token":"' .. token .. '"}')
end
function response(status, headers, body)
	count(status)
	local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
	if token then
		last = last + 1
		queue[last] = token
	end
end
LUA
	write_file("$WORK/login.lua", $count . <<'LUA');
function init(args)
	req = wrk.format("POST", nil, { ["Content-Type"] = "application/json" },
	    '{"username":"' .. args[1] .. '","password":"' .. args[2] .. '"}')
end
function request()
	return req
end
function response(status, headers, body)
	count(status)
end
LUA
	write_file("$WORK/tokens.lua", $count . <<'LUA');
function init(args)
	reqs, i = {}, id
	for line in io.lines(args[1]) do
		table.insert(reqs, wrk.format("GET", nil,
		    { Authorization = "Bearer " .. line }))
	end
end
function request()
	i = i % #reqs + 1
	return reqs[i]
end
function response(status, headers, body)
	count(status)
end
LUA
}

# parse_wrk(OUTPUT): from wrk --latency output: requests, rps, p50, p99
# and max latency (ms), non2xx (answers of 400 and up), sockerr (connect,
# read, write and timeout errors) and {status}{CODE} from our Lua
# scripts.  wrk corrects p50 and p99 for coordinated omission: a stall
# of 1 s adds samples from 1 s down, about one per request the
# connection missed, so a rare stall shows in p99.  Max is the slowest
# request.  Dies when a figure is missing.
sub parse_wrk {
	my ($out) = @_;
	my %unit = (us => 1e-3, ms => 1, s => 1e3, m => 6e4, h => 3.6e6);
	my $time = qr/([\d.]+)(us|ms|s|m|h)/;
	my %r;
	($r{requests}) = $out =~ /^\s*(\d+) requests in /m;
	($r{rps}) = $out =~ /^Requests\/sec:\s*([\d.]+)/m;
	for my $p (50, 99) {
		my ($n, $u) = $out =~ /^\s*$p(?:\.0+)?%\s+$time\s*$/m;
		$r{"p$p"} = defined $n ? $n * $unit{$u} : undef;
	}
	# "Latency  AVG  STDEV  MAX  +/- STDEV"
	my ($n, $u) = $out =~ /^\s*Latency\s+\S+\s+\S+\s+$time\s/m;
	$r{max} = defined $n ? $n * $unit{$u} : undef;
	($r{non2xx}) = $out =~ /Non-2xx or 3xx responses:\s*(\d+)/;
	$r{non2xx} //= 0;
	# "Socket errors: connect N, read N, write N, timeout N"
	$r{sockerr} = $out =~ /Socket errors: (.*)/ ? sum($1 =~ /(\d+)/g) : 0;
	$r{status}{$1} = $2 while $out =~ /^status (\d+): (\d+)$/mg;
	defined $r{$_} or die "bench.pl: no $_ in wrk output:\n$out"
	    for qw(requests rps p50 p99 max);
	return %r;
}

# server_cpu(ENV): CPU seconds used so far by the web server and
# PostgreSQL and all their descendants (the FastCGI programs, the
# backends).  A child that exited and was reaped counts in its parent's
# cutime and cstime.
sub server_cpu {
	my ($env) = @_;
	# The server's pid files: the server's own, and under nginx those
	# of jwtauth.fcgi -s and fcgiwrap (scripts/server.sh starts them).
	my @pidfiles = glob $env->dir . '/' . $env->server . '/*.pid';
	my $pg = $env->{bench_pg} // $env->dir;    # a peer has none
	my %root = map { $_ => 1 } (
		(map { slurp($_) =~ /(\d+)/ } @pidfiles),
		slurp("$pg/pg/data/postmaster.pid") =~ /(\d+)/,
		BenchServers::noop_pids(),
	);
	my (%parent, %ticks);
	for my $file (glob '/proc/[0-9]*/stat') {
		my $line = eval { slurp($file) } // next;    # it has exited
		# The command name, in parentheses, may hold anything.
		my ($pid, $rest) = $line =~ /^(\d+) \(.*\) (.*)$/s or next;
		my @f = split ' ', $rest;    # $f[0] is field 3, state
		$parent{$pid} = $f[1];
		$ticks{$pid} = sum(@f[11 .. 14]);    # utime to cstime
	}
	my $ticks = 0;
	for my $pid (keys %ticks) {
		my $p = $pid;
		$p = $parent{$p} while !$root{$p} && $parent{$p};
		$ticks += $ticks{$pid} if $root{$p};
	}
	return $ticks / $CLK_TCK;
}

# report: the whole table, from %res and $cost: the machine, how it was
# measured, one block per server, the ratios, the other measures, then
# every target beside the figure it is about.
sub report {
	my $s = header();
	for my $server (@SERVERS) {
		$s .= server_table($server, $res{$server});
	}
	$s .= ratios() . flood_table() . pool_table() . rss_table()
	    . revocation_table() . cost_table() . rounds_table() . targets()
	    . newer_table();
	$s =~ s/ +$//mg;
	return $s;
}

# header: the date, commit, machine and load, and how rows are measured.
sub header {
	my $cpuinfo = slurp('/proc/cpuinfo');
	my $cores = () = $cpuinfo =~ /^processor\s*:/mg;
	my ($model) = $cpuinfo =~ /^model name\s*:\s*(.*)$/m;
	chomp(my $nproc = `nproc 2>/dev/null` || '?');
	chomp(my $kernel = `uname -sr 2>/dev/null` || 'unknown kernel');
	chomp(my $commit = `git -C '$REPO' rev-parse --short HEAD 2>/dev/null`
	    || 'unknown');
	my $s = sprintf "jwtauth bench, %s, commit %s (working tree may"
	    . " differ), %.0f s\n", strftime('%Y-%m-%d %H:%M UTC', gmtime),
	    $commit, time - $T0;
	$s .= "machine: $cores cores (nproc $nproc), " . ($model // 'unknown'
	    . ' CPU') . ", $kernel\n  load average before the run: $LOAD;"
	    . " wrk, the web server, the FastCGI programs\n  and PostgreSQL"
	    . " share these cores: compare the ratios, not absolute figures.\n";
	$s .= "load: wrk -t2 -cN -d$opt{seconds}s --latency, keep-alive.  Before"
	    . " each row, warm-up runs of\n  $opt{warmup} s until one has no"
	    . " request over 0.5 s (5 at most; none for refresh and\n  login)."
	    . "  p50 and p99 are wrk's, corrected for coordinated omission;"
	    . " max: the\n  slowest request; cpu us: CPU time of the web server,"
	    . " the FastCGI programs and\n  PostgreSQL per request; non-2xx:"
	    . " answers of 400 and up; conn err: socket errors\n  (connect,"
	    . " read, write, timeout); procs: the row's FastCGI processes"
	    . " afterwards.\n  Every request carries the same Bearer token; the"
	    . " file is the same in each\n  directory.  Refresh: each answer's"
	    . " new token is the next request's; a token\n  lost with a"
	    . " connection error is not retried, and a thread out of tokens"
	    . " sends\n  \"-\" (a 401).\n";
	$s .= "bench-only config: pwhash_memlimit = 19456, pwhash_opslimit ="
	    . " 2 (cheap argon2id,\n  for the logins), access_ttl = 3600;"
	    . " otherwise the dev config as it stands.\n";
	return $s;
}

# server_table(SERVER, RES): the rows measured on one server.
sub server_table {
	my ($server, $r) = @_;
	my $f = $r->{conf};
	my $s = "\n" . ($server eq 'apache-module'
	    ? "Apache with mod_jwtauth (apache/module-test.conf.in: event MPM,"
	      . " ServerLimit 2 x\n  ThreadsPerChild 32; the module checks in"
	      . " Apache's process).  strict: a second\n  Apache alike with"
	      . " revocation_check = strict (one JwtAuthConfig per server).\n"
	      . "  openidc: Debian's mod_auth_openidc, AuthType oauth20,"
	      . " OIDCOAuthVerifySharedKeys:\n  the same HS256 token verified"
	      . " in-process (signature, exp); it checks NO revocation.\n"
	    : $server eq 'nginx'
	    ? "nginx (nginx/dev.conf.in: 2 workers), auth_request to"
	      . " jwtauth.fcgi -s (" . $BenchServers::NOOP_PROCS
	      . " workers\n  and their parent); the no-op check:"
	      . " bench/noop-authz, " . $BenchServers::NOOP_PROCS
	      . " processes on a socket\n  of its own through the same"
	      . " FastCGI hop (the same upstream and location).\n"
	    : $server eq 'apache'
	    ? "Apache, mod_fcgid (apache/dev.conf.in: FcgidMaxProcessesPerClass"
	      . " " . ($f->{per_class} // '?') . ",\n  MaxRequestWorkers "
	      . ($f->{workers} // '?') . "; FcgidMaxProcesses " . ($f->{total}
	      // '?') . " with room for the classes of /noop/, /strict/, /pooled/)\n"
	    : "lighttpd, mod_fastcgi (lighttpd/dev.conf.in: max-procs "
	      . ($f->{max_procs} // '?') . " per pool)\n");
	my $fmt = "%-23s %5s %8s %7s %7s %8s %7s %7s %5s %5s\n";
	$s .= sprintf $fmt, '', 'conns', 'req/s', 'p50 ms', 'p99 ms',
	    'max ms', 'cpu us', 'non-2xx', 'conn', 'procs';
	$s .= sprintf $fmt, ('') x 8, 'err', '';
	for my $c (@CONNS) {
		for my $row (@{ $ROWS_OF{$server} }) {
			my $m = $r->{rows}{$c}{ $row->{id} } or next;
			if ($m->{skip}) {
				$s .= sprintf "%-23s %5d %s\n", $row->{name}, $c,
				    $m->{skip};
				next;
			}
			$s .= sprintf $fmt, $row->{name}, $c, fmt0($m->{rps}),
			    fmt($m->{p50}, 2), fmt($m->{p99}, 2),
			    fmt($m->{max}, 1), fmt0($m->{cpu_us}), $m->{non2xx},
			    $m->{sockerr}, $m->{procs} // '-';
			$s .= "    answers: " . statuses($m->{status})
			    . sprintf("; 200s: %.0f/s\n", $m->{rps}
			    * ($m->{status}{200} // 0) / ($m->{requests} || 1))
			    if $row->{lua};
		}
	}
	return $s;
}

# ratios: cached/no-op, strict/no-op and cached/static, req/s and p99,
# per server and count of connections.
sub ratios {
	return '' if !@CLASSIC;
	my @cols = map { my $sv = $_; map { [$sv, $_] } @CONNS } @CLASSIC;
	my $s = "\nratios, same server, same run";
	$s .= sprintf ' %13s', "$_->[0] $_->[1]" for @cols;
	$s .= "\n";
	for my $pair ([qw(cached noop)], [qw(strict noop)], [qw(pooled strict)],
	    [qw(cached static)], [qw(daemon static)], [qw(gate static)]) {
		my ($x, $base) = @$pair;
		for my $what (qw(rps p99)) {
			$s .= sprintf '%-29s', "$x/" . ($base eq 'noop' ? 'no-op'
			    : $base) . ($what eq 'rps' ? ' req/s' : ' p99');
			for my $col (@cols) {
				my $rows = $res{ $col->[0] }{rows}{ $col->[1] };
				$s .= sprintf ' %13s', ratio($rows->{$x}{$what},
				    $rows->{$base}{$what});
			}
			$s .= "\n";
		}
	}
	return $s . "(req/s below 1 or p99 above 1: it costs more than its"
	    . " baseline)\n";
}

# flood_table: /app/ alone and during the login flood, per server.
sub flood_table {
	return '' if !grep { $res{$_}{flood} } @SERVERS;
	my $s = "\nlogin flood: /app/ at 4 connections alone, then while"
	    . " $FLOOD_CLIENTS connections post\nlogins of unknown users"
	    . " (each hashes a dummy password, or gets 503 past\n"
	    . "pwhash_concurrency)\n";
	my $fmt = "%-9s %8s %8s %6s %8s %8s %6s  %s\n";
	$s .= sprintf $fmt, '', 'p50 ms', 'flood', 'ratio', 'p99 ms', 'flood',
	    'ratio', 'logins during the flood';
	for my $server (@SERVERS) {
		my $f = $res{$server}{flood} or next;
		my ($q, $l) = @$f{qw(quiet flood)};
		$s .= sprintf $fmt, $server, fmt($q->{p50}, 2),
		    fmt($l->{p50}, 2), ratio($l->{p50}, $q->{p50}),
		    fmt($q->{p99}, 2), fmt($l->{p99}, 2),
		    ratio($l->{p99}, $q->{p99}),
		    fmt0($f->{logins}{rps}) . '/s, ' . statuses($f->{logins}{status});
	}
	return $s;
}

# pool_table: Apache's /app/ at 32 connections, sized pool against the
# old small one.
sub pool_table {
	my $r = $res{apache} or return '';
	my $small = $r->{small} or return '';
	my $sized = $r->{rows}{32}{cached};
	my $s = "\nmod_fcgid pool, Apache, /app/ at 32 connections (a request"
	    . " that finds every\nprocess of its class busy sleeps 1 s in"
	    . " mod_fcgid)\n";
	my $fmt = "%-34s %8s %7s %7s %8s %7s\n";
	$s .= sprintf $fmt, '', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors';
	for my $m (["FcgidMaxProcessesPerClass $r->{conf}{per_class} (dev)",
	    $sized], ["FcgidMaxProcessesPerClass $SMALL_POOL (old)", $small]) {
		my ($name, $x) = @$m;
		if (!$x || $x->{skip}) {
			$s .= sprintf "%-34s %s\n", $name, $x ? $x->{skip} : '-';
			next;
		}
		$s .= sprintf $fmt, $name, fmt0($x->{rps}), fmt($x->{p50}, 2),
		    fmt($x->{p99}, 2), fmt($x->{max}, 1),
		    $x->{non2xx} + $x->{sockerr};
	}
	return $s;
}

# rss_table: the RSS of the /app/ authorizer processes, per server.
sub rss_table {
	return '' if !grep { $res{$_}{rss} } @SERVERS;
	my $s = "\nRSS of the jwtauth cached authorizer processes, kB, once the"
	    . " pool had grown\n(after /app/ at $CONNS[-1] connections) and after"
	    . " $opt{rss_requests} more requests to /app/ at\n$CONNS[-1]"
	    . " connections: VmRSS (RssAnon, the private part; VmRSS also"
	    . " counts\nshared library pages); growth over the processes there"
	    . " both times\n";
	for my $server (@SERVERS) {
		my $r = $res{$server}{rss} or next;
		my ($both, $sb, $sa) = rss_change($r);
		my ($bef, $aft) = @$r{qw(before after)};
		$s .= sprintf "%-9s %d requests; %d processes before, %d after;"
		    . " %d in both: %d -> %d (%s)\n", $server, $r->{requests},
		    scalar keys %{ $bef->{rss} }, scalar keys %{ $aft->{rss} },
		    scalar @$both, $sb, $sa,
		    $sb ? sprintf('%+.2f%%', 100 * ($sa - $sb) / $sb) : '-';
		my @v = sort { $a <=> $b } values %{ $aft->{rss} };
		my @anon = sort { $a <=> $b } values %{ $aft->{anon} };
		$s .= sprintf "          after, per process: VmRSS %s..%s,"
		    . " RssAnon %s..%s (each: latest-wrk.txt)\n",
		    $v[0] // '-', $v[-1] // '-', $anon[0] // '-', $anon[-1] // '-';
	}
	return $s;
}

# revocation_table: per server and mode, what the revoked tokens did.
sub revocation_table {
	my $s = "\nrevocation: $opt{revoke} sessions logged out one by one"
	    . " (POST /auth/logout); after each\n204 another connection"
	    . " retries the token on the protected file until refused;\n"
	    . "delay: from the 204 to the sending of the first refused"
	    . " request (0: the first\nretry was refused).  The tokens were"
	    . " first sent through wrk for 2 s at 32\nconnections, so that"
	    . " the authorizer processes had seen them.\n";
	my $fmt = "%-34s %8s %12s %12s %13s %9s\n";
	$s .= sprintf $fmt, '', 'accepted', 'p99 delay ms', 'max delay ms',
	    'never refused', 'logins s';
	for my $server (@SERVERS) {
		for my $row (@{ $ROWS_OF{$server} }) {
			my $r = $res{$server}{revoke}{ $row->{id} } or next;
			$s .= sprintf $fmt, "$server, $row->{name}", $r->{accepted},
			    fmt($r->{p99}, 2), fmt($r->{max}, 2), $r->{never},
			    fmt($r->{login_s}, 1);
		}
	}
	return $s;
}

# cost_table: the instructions of one check in-process.
sub cost_table {
	my $s = "\ninstructions per token check in-process (callgrind Ir inside"
	    . " bench_check,\nbench/check-cost; the same on any x86-64"
	    . " machine with these libraries)\n";
	return $s . "  $cost->{skip}\n" if !$cost || $cost->{skip};
	return $s . sprintf "  first sight %.0f, repeat %.0f (%d checks"
	    . " each)\n", $cost->{first}, $cost->{repeat}, $cost->{n};
}

# targets: each target of issue 10 beside the figure it is about, per
# server, met or not met.  The bench only reports them.
sub targets {
	my $s = "\n(req/s targets below: the median of the alternated rounds)"
	    . "\ntargets (reported, never enforced)";
	$s .= sprintf ' %-18s', $_ for @CLASSIC;
	$s .= "\n";
	my $at32 = sub { my ($sv, $id) = @_; $res{$sv}{rows}{32}{$id} };
	my @t = (
		['cached/no-op req/s at 32 >= 0.9', sub {
			cmp_ge(target_ratio($_[0], 'cached', 'noop', 'rps'), 0.9,
			    '%.2f') }],
		['cached/no-op p99 at 32 <= 2', sub {
			cmp_le(ratio_n($at32->(@_, 'cached'), $at32->(@_, 'noop'),
			    'p99'), 2, '%.2f') }],
		['strict/no-op req/s at 32 >= 0.5', sub {
			cmp_ge(ratio_n($at32->(@_, 'strict'), $at32->(@_, 'noop'),
			    'rps'), 0.5, '%.2f') }],
		['/app/ p99 at 32 < 20 ms (dev conf)', sub {
			cmp_le($at32->(@_, 'cached')->{p99}, 20, '%.1f ms') }],
		['recommended: p99 at 32 < 20 ms', sub {
			# Apache: the daemon through mod_authnz_fcgi;
			# lighttpd: its own pool, the dev config.
			my $r = $at32->(@_, $_[0] eq 'apache' ? 'daemon'
			    : 'cached');
			$r && !$r->{skip} ? cmp_le($r->{p99}, 20, '%.1f ms')
			    : '-' }],
		['RSS per process < 10 MB', sub {
			my $r = $res{ $_[0] }{rss} or return '-';
			cmp_le((rss_change($r))[3] / 1024, 10, '%.1f MB') }],
		['RSS growth < 1%', sub {
			my $r = $res{ $_[0] }{rss} or return '-';
			my (undef, $bef, $aft) = rss_change($r);
			cmp_le($bef ? 100 * ($aft - $bef) / $bef : undef, 1,
			    '%+.2f%%') }],
		['strict: 0 revoked accepted', sub {
			my $r = $res{ $_[0] }{revoke}{strict} or return '-';
			cmp_le($r->{accepted} + $r->{never}, 0, '%d') }],
		['PgBouncer: 0 revoked accepted', sub {
			my $r = $res{ $_[0] }{revoke}{pooled} or return '-';
			cmp_le($r->{accepted} + $r->{never}, 0, '%d') }],
		['cached: p99 revocation < 5 ms', sub {
			my $r = $res{ $_[0] }{revoke}{cached} or return '-';
			$r->{never} ? "$r->{never} never, not met"
			    : cmp_le($r->{p99}, 5, '%.2f ms') }],
		['flood: /app/ p50 <= 2x quiet', sub {
			my $f = $res{ $_[0] }{flood} or return '-';
			cmp_le(ratio_n($f->{flood}, $f->{quiet}, 'p50'), 2,
			    '%.2fx') }],
		['flood: /app/ p99 <= 5x quiet', sub {
			my $f = $res{ $_[0] }{flood} or return '-';
			cmp_le(ratio_n($f->{flood}, $f->{quiet}, 'p99'), 5,
			    '%.2fx') }],
	);
	for my $t (@CLASSIC ? @t : ()) {
		$s .= sprintf '%-34s', $t->[0];
		$s .= sprintf ' %-18s', $t->[1]->($_) for @CLASSIC;
		$s .= "\n";
	}
	if ($cost && !$cost->{skip}) {
		$s .= sprintf "%-34s %s\n", 'repeat check < 20000 instructions',
		    cmp_le($cost->{repeat}, 20000, '%.0f');
		$s .= sprintf "%-34s %s\n", 'first check < 100000 instructions',
		    cmp_le($cost->{first}, 100000, '%.0f');
	} else {
		$s .= "instructions per check: not measured (see above)\n";
	}
	return $s;
}

# newer_table: the rows of issue 18 beside their baselines, at each
# count of connections, then their targets at 32 connections: mod_jwtauth
# cached against Apache unprotected and against mod_auth_openidc, nginx
# with jwtauth's auth_request against the no-op one, and the revoked
# tokens accepted in every row that claims revocation.
sub newer_table {
	my @pairs = (['apache-module', 'cached', 'static'],
	    ['apache-module', 'strict', 'static'],
	    ['apache-module', 'oidc', 'static'],
	    ['apache-module', 'cached', 'oidc'],
	    ['nginx', 'noop', 'static'], ['nginx', 'cached', 'static'],
	    ['nginx', 'cached', 'noop']);
	my %label = (cached => 'jwtauth', strict => 'strict',
	    oidc => 'openidc', static => 'static', noop => 'no-op');
	@pairs = grep { $res{ $_->[0] } } @pairs or return '';
	my $s = "\nratios, in-process and nginx rows, same server, same run"
	    . "\n" . sprintf '%-36s', '';
	$s .= sprintf ' %8s', "$_ conns" for @CONNS;
	$s .= "\n";
	for my $p (@pairs) {
		my ($set, $x, $base) = @$p;
		for my $what (qw(rps p99)) {
			$s .= sprintf '%-36s', "$set $label{$x}/$label{$base}"
			    . ($what eq 'rps' ? ' req/s' : ' p99');
			for my $c (@CONNS) {
				my $rows = $res{$set}{rows}{$c};
				$s .= sprintf ' %8s', ratio($rows->{$x}{$what},
				    $rows->{$base}{$what});
			}
			$s .= "\n";
		}
	}
	$s .= "\ntargets of issue 18 at 32 connections (reported, never"
	    . " enforced; req/s ratios:\nthe median of the alternated"
	    . " rounds)\n";
	my $at32 = sub { $res{ $_[0] }{rows}{32}{ $_[1] } };
	my $m = $res{'apache-module'};
	my $n = $res{nginx};
	my @t;
	push @t, ['mod_jwtauth cached/static req/s >= 0.8',
	    cmp_ge(target_ratio('apache-module', 'cached', 'static', 'rps'),
	    0.8, '%.2f')],
	    ['mod_jwtauth cached/openidc req/s >= 1.0',
	    cmp_ge(target_ratio('apache-module', 'cached', 'oidc', 'rps'),
	    1.0, '%.2f')],
	    ['mod_jwtauth cached/static p99 <= 2',
	    cmp_le(ratio_n($at32->('apache-module', 'cached'),
	    $at32->('apache-module', 'static'), 'p99'), 2, '%.2f')] if $m;
	push @t, ['nginx jwtauth/no-op req/s >= 0.9',
	    cmp_ge(target_ratio('nginx', 'cached', 'noop', 'rps'), 0.9,
	    '%.2f')] if $n;
	for my $set (@NEWER) {
		for my $row (grep { $_->{revoke} } @{ $ROWS_OF{$set} }) {
			my $r = $res{$set}{revoke}{ $row->{id} };
			push @t, ["$set, $row->{name}: 0 revoked accepted",
			    $r ? cmp_le($r->{accepted} + $r->{never}, 0, '%d')
			    : '-'];
		}
	}
	$s .= sprintf "%-55s %s\n", @$_ for @t;
	return $s . "(openidc checks no revocation: it has no such target)\n";
}

# cmp_le(X, LIMIT, FORMAT) and cmp_ge: X in FORMAT and "met" or "not
# met"; '-' when X is undef.
sub cmp_le {
	my ($x, $limit, $f) = @_;
	return '-' if !defined $x;
	return sprintf("$f ", $x) . ($x <= $limit ? 'met' : 'NOT met');
}

sub cmp_ge {
	my ($x, $limit, $f) = @_;
	return '-' if !defined $x;
	return sprintf("$f ", $x) . ($x >= $limit ? 'met' : 'NOT met');
}

# ratio_n(X, BASE, KEY): X->{KEY} / BASE->{KEY}, or undef when either is
# missing or the base is 0.
sub ratio_n {
	my ($x, $base, $key) = @_;
	return undef if !$x || !$base || $x->{skip} || $base->{skip};
	return undef if !defined $x->{$key} || !$base->{$key};
	return $x->{$key} / $base->{$key};
}

# ratio(X, BASE): X / BASE with two decimals, '-' when it has no value.
sub ratio {
	my ($x, $base) = @_;
	return '-' if !defined $x || !defined $base || $base == 0;
	return sprintf '%.2f', $x / $base;
}

# statuses(STATUS): "200 x 12, 503 x 40" from {CODE => COUNT}.
sub statuses {
	my ($st) = @_;
	return 'no statuses counted' if !$st || !%$st;
	return join ', ', map { "$_ x $st->{$_}" } sort keys %$st;
}

# fmt(X, DIGITS), fmt0(X): X with DIGITS decimals (none), '-' if undef.
sub fmt { defined $_[0] ? sprintf("%.$_[1]f", $_[0]) : '-' }
sub fmt0 { defined $_[0] ? sprintf('%.0f', $_[0]) : '-' }

# percentile(P, SORTED...): the P-th percentile of the sorted numbers
# (nearest rank), undef when there are none.
sub percentile {
	my ($p, @x) = @_;
	return undef if !@x;
	my $rank = int($p / 100 * @x + 0.999999);
	return $x[($rank < 1 ? 1 : $rank) - 1];
}

# progress(TEXT): what the bench is doing, on standard error.
sub progress {
	printf STDERR "bench.pl: %3.0f s: %s\n", time - $T0, $_[0];
}

# _count(NAME, DEFAULT, MIN): the whole number in environment variable
# NAME (MIN to 999999); dies on anything else.
sub _count {
	my ($name, $default, $min) = @_;
	my $v = $ENV{$name} // $default;
	return $v if $v =~ /^(?:0|[1-9][0-9]{0,5})$/ && $v >= $min;
	die "bench.pl: $name must be a whole number from $min to 999999\n";
}

# slurp(FILE): the contents of FILE; dies when it cannot be read.
sub slurp {
	my ($file) = @_;
	open my $fh, '<', $file or die "bench.pl: read $file: $!\n";
	local $/;
	return scalar <$fh>;
}

# write_file(FILE, TEXT): replaces FILE with TEXT (through FILE.new and a
# rename); dies on error.
sub write_file {
	my ($file, $text) = @_;
	open my $fh, '>', "$file.new" or die "bench.pl: write $file: $!\n";
	print $fh $text;
	close $fh or die "bench.pl: write $file: $!\n";
	rename "$file.new", $file or die "bench.pl: rename $file: $!\n";
}
