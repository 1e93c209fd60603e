#!/usr/bin/perl
# Throughput and latency of jwtauth against two baselines; run by
# scripts/bench.sh for `make bench`, which installs wrk first.
#
# Starts a private PostgreSQL and Apache with mod_fcgid on free loopback
# ports (tests/lib/JwtAuthTest.pm, as the end-to-end tests do), logs a
# user in once, then runs wrk against each endpoint in turn:
#   A  a static file served by Apache: the cost of Apache itself
#   B  GET /auth/health: the FastCGI round trip and a SELECT 1
#   C  GET /auth/me with a Bearer token: the whole verification path
#      (shape, header, HMAC, claims, the revocation query)
#   D  a static file under /app/ behind the FastCGI authorizer, when
#      apache/dev.conf.in has one (FcgidAccessChecker); skipped otherwise
# Each is first warmed up (warm_up), then measured: requests/s, p50, p99
# and max latency, and the CPU time the Apache and PostgreSQL process
# trees spent per request; then the ratios of C and D to A and B.  The
# table goes to standard output and to var/bench/latest.txt, the raw wrk
# output to var/bench/latest-wrk.txt.  Nothing fails on timing.  The
# servers are stopped on every exit (JwtAuthTest's END block, signals).
#
# Environment: BENCH_DURATION (seconds per endpoint, default 10),
# BENCH_WARMUP (2), BENCH_THREADS (2), BENCH_CONNECTIONS (4).  Keep the
# connections at most FcgidMaxProcessesPerClass (4 in apache/dev.conf.in):
# mod_fcgid makes a request that finds every FastCGI process busy sleep
# 1 s (handle_request in fcgid_bridge.c), and the tail would measure that
# sleep, not jwtauth.  The report warns when they are more.

use strict;
use warnings;

use FindBin ();
use lib "$FindBin::Bin/../tests/lib";

use File::Path qw(make_path);
use JwtAuthTest;
use List::Util qw(sum);
use POSIX qw(strftime);

my $REPO = "$FindBin::Bin/..";
my %opt = (
	duration    => _count('BENCH_DURATION', 10),
	warmup      => _count('BENCH_WARMUP', 2),
	threads     => _count('BENCH_THREADS', 2),
	connections => _count('BENCH_CONNECTIONS', 4),
);
$opt{connections} >= $opt{threads}
    or die "bench.pl: BENCH_CONNECTIONS must be >= BENCH_THREADS\n";
my $CLK_TCK = POSIX::sysconf(POSIX::_SC_CLK_TCK());
# Other work on the machine shares the cores too: the report shows it.
my ($LOAD) = slurp('/proc/loadavg') =~ /^(\S+ \S+ \S+)/;

# A Ctrl-C or kill ends the run through exit, whose END block in
# JwtAuthTest stops the servers; wrk stops too, on the same Ctrl-C.  Set
# here, as JwtAuthTest keeps a signal that the caller ignores.
for my $sig (qw(INT TERM)) {
	$SIG{$sig} = sub {
		warn "bench.pl: interrupted; stopping the servers\n";
		exit 1;
	};
}

# The token lives far longer than the run.  The password need not be
# strong: the servers are private and gone at the end.
my $env = JwtAuthTest->start(access_ttl => 3600);
my $password = unpack 'H*', join '', map { chr int rand 256 } 1 .. 12;
$env->add_user('bench', $password);
my $login = $env->login('bench', $password)
    or die "bench.pl: login failed\n";
my $bearer = "Authorization: Bearer $login->{access_token}";

my @cases = (
	{ id => 'A', name => 'static /index.html', path => '/index.html' },
	{ id => 'B', name => 'GET /auth/health', path => '/auth/health' },
	{ id => 'C', name => 'GET /auth/me, Bearer', path => '/auth/me',
	  bearer => 1 },
	{ id => 'D', name => '/app/index.html, authorizer',
	  path => '/app/index.html', bearer => 1, authorizer => 1 },
);

my @raw;
for my $case (@cases) {
	$case->{skip} = precheck($case);
	next if $case->{skip};
	my @headers = $case->{bearer} ? ($bearer) : ();
	my $warmups = warm_up($case->{path}, @headers);
	my $cpu = server_cpu();
	my $out = wrk($case->{path}, $opt{duration}, @headers);
	$cpu = server_cpu() - $cpu;
	push @raw, "== $case->{id} $case->{name}, after $warmups warm-up"
	    . " runs\n$out";
	%$case = (%$case, parse_wrk($out));
	$case->{cpu_us} = $case->{requests}
	    ? 1e6 * $cpu / $case->{requests} : undef;
}

my $report = report(@cases);
print $report;
make_path("$REPO/var/bench");
write_file("$REPO/var/bench/latest.txt", $report);
write_file("$REPO/var/bench/latest-wrk.txt", join "\n", @raw);
print "bench.pl: written to var/bench/latest.txt",
    " (raw wrk output: var/bench/latest-wrk.txt)\n";
exit 0;

# precheck(CASE): makes sure that one request to CASE gets the answer that
# wrk is meant to measure.  Returns undef when it does, else why the case
# is skipped (D without an authorizer) or dies (the others).
sub precheck {
	my ($case) = @_;
	my %args = $case->{bearer}
	    ? (headers => $env->bearer($login->{access_token})) : ();
	if ($case->{authorizer}) {
		return 'skipped: apache/dev.conf.in has no FcgidAccessChecker'
		    if !grep { /^\s*FcgidAccessChecker\b/ }
		    split /\n/, slurp($env->dir . '/apache.conf');
		my $without = $env->http(GET => $case->{path})->{status};
		my $with = $env->http(GET => $case->{path}, \%args)->{status};
		return "skipped: $case->{path} answers $with with the token"
		    . " and $without without it (expected 200 and 401)"
		    if $with != 200 || $without != 401;
		return undef;
	}
	my $res = $env->json(GET => $case->{path}, \%args);
	$res->{status} == 200
	    or die "bench.pl: GET $case->{path} answers $res->{status}\n";
	!$case->{bearer} || ($res->{json}{username} // '') eq 'bench'
	    or die "bench.pl: GET $case->{path} does not name user bench\n";
	return undef;
}

# warm_up(PATH, HEADER...): runs wrk against PATH for the warm-up time
# until a run has no request slower than 0.5 s, 5 runs at most; returns
# how many it made.  mod_fcgid starts the FastCGI processes on demand,
# and a request that finds them all busy waits 1 s for a new one.
sub warm_up {
	my ($path, @headers) = @_;
	return 0 if !$opt{warmup};
	for my $n (1 .. 5) {
		my %r = parse_wrk(wrk($path, $opt{warmup}, @headers));
		return $n if $r{max} < 500;
	}
	return 5;
}

# wrk(PATH, SECONDS, HEADER...): runs wrk against PATH; returns its output,
# dies when it fails.  Not system(): that would ignore a Ctrl-C.
sub wrk {
	my ($path, $seconds, @headers) = @_;
	my @cmd = ('wrk', "-t$opt{threads}", "-c$opt{connections}",
	    "-d${seconds}s", '--latency', (map { ('-H', $_) } @headers),
	    $env->url($path));
	open my $fh, '-|', @cmd or die "bench.pl: cannot run wrk: $!\n";
	my $out = do { local $/; <$fh> } // '';
	close $fh or die "bench.pl: wrk failed (status $?) on $path\n$out";
	return $out;
}

# parse_wrk(OUTPUT): requests, rps, p50, p99 and max latency (ms) and
# errors (non-2xx or 3xx answers plus socket errors) from wrk --latency
# output.  wrk corrects p50 and p99 for coordinated omission: a stall of
# 1 s adds samples from 1 s down, about one per request the connection
# missed, so a rare stall shows in p99.  Max is the slowest request.
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
	$r{errors} = 0;
	$r{errors} += $1 if $out =~ /Non-2xx or 3xx responses:\s*(\d+)/;
	# "Socket errors: connect N, read N, write N, timeout N"
	$r{errors} += sum($1 =~ /(\d+)/g) if $out =~ /Socket errors: (.*)/;
	defined $r{$_} or die "bench.pl: no $_ in wrk output:\n$out"
	    for qw(requests rps p50 p99 max);
	return %r;
}

# server_cpu: CPU seconds used so far by Apache and PostgreSQL and all
# their descendants (the FastCGI programs, the backends).  A child that
# exited and was reaped counts in its parent's cutime and cstime.
sub server_cpu {
	my %root = map { $_ => 1 } (
		slurp($env->dir . '/apache/apache2.pid') =~ /(\d+)/,
		slurp($env->dir . '/pg/data/postmaster.pid') =~ /(\d+)/,
	);
	my (%parent, %ticks);
	for my $file (glob '/proc/[0-9]*/stat') {
		open my $fh, '<', $file or next;    # it has exited
		my $line = <$fh> // next;
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

# report(CASE...): the table, with a header that says what was measured
# on what.
sub report {
	my (%case) = map { $_->{id} => $_ } @_;
	my $cores = () = slurp('/proc/cpuinfo') =~ /^processor\s*:/mg;
	my ($model) = slurp('/proc/cpuinfo') =~ /^model name\s*:\s*(.*)$/m;
	my $commit = '';
	if (open my $git, '-|', 'git', '-C', $REPO, 'rev-parse', '--short',
	    'HEAD') {
		$commit = <$git> // '';
		close $git;
		chomp $commit;
	}
	my ($per_class) = slurp($env->dir . '/apache.conf')
	    =~ /^\s*FcgidMaxProcessesPerClass\s+(\d+)/m;

	my $s = sprintf "jwtauth bench, %s, commit %s (working tree may"
	    . " differ)\n", strftime('%Y-%m-%d %H:%M:%S UTC', gmtime),
	    $commit || 'unknown';
	$s .= "machine: $cores cores, " . ($model // 'unknown CPU')
	    . ", shared by wrk, Apache, jwtauth.fcgi and\n"
	    . "  PostgreSQL: absolute numbers are low, compare the ratios."
	    . "  Load average\n  before the run: $LOAD.\n";
	$s .= "load: wrk -t$opt{threads} -c$opt{connections}"
	    . " -d$opt{duration}s --latency [-H 'Authorization: Bearer"
	    . " <token>']\n  http://127.0.0.1:PORT/PATH with keep-alive, after"
	    . " $opt{warmup} s warm-up runs\n  until one has no request of"
	    . " 0.5 s (at most 5).  p50 and p99 are wrk's,\n  corrected for"
	    . " coordinated omission; max is the slowest request; cpu us is\n"
	    . "  the CPU time of the servers per request in microseconds"
	    . " (/proc, 1/$CLK_TCK s ticks).\n\n";
	$s .= "WARNING: $opt{connections} connections but at most $per_class"
	    . " FastCGI processes: mod_fcgid\n  makes the extra requests sleep"
	    . " 1 s, so latency measures that sleep.\n\n"
	    if $per_class && $opt{connections} > $per_class;

	my $row = "%-29s %8s %7s %7s %7s %7s %6s\n";
	$s .= sprintf $row, '', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'cpu us',
	    'errors';
	for my $c (@_) {
		if ($c->{skip}) {
			$s .= sprintf "%-29s %s\n", "$c->{id} $c->{name}",
			    $c->{skip};
			next;
		}
		$s .= sprintf $row, "$c->{id} $c->{name}",
		    sprintf('%.0f', $c->{rps}),
		    (map { sprintf '%.3f', $c->{$_} } qw(p50 p99)),
		    sprintf('%.1f', $c->{max}),
		    defined $c->{cpu_us} ? sprintf('%.0f', $c->{cpu_us}) : '-',
		    $c->{errors};
	}
	$s .= sprintf "\n$row", 'ratios, X / baseline', 'req/s', 'p50', 'p99',
	    '', 'cpu', '';
	for my $x (grep { !$case{$_}{skip} } qw(C D)) {
		for my $base (qw(A B)) {
			$s .= sprintf $row, "$x / $base",
			    (map { ratio($case{$x}{$_}, $case{$base}{$_}) }
			    qw(rps p50 p99)), '',
			    ratio($case{$x}{cpu_us}, $case{$base}{cpu_us}), '';
		}
	}
	$s .= "(req/s below 1, latency or cpu above 1: X costs more than the"
	    . " baseline)\n";
	$s .= "WARNING: errors above (non-2xx answers or socket errors):"
	    . " see var/bench/latest-wrk.txt\n"
	    if grep { !$_->{skip} && $_->{errors} } @_;
	$s =~ s/ +$//mg;
	return $s;
}

sub ratio {
	my ($x, $base) = @_;
	return '-' if !defined $x || !defined $base || $base == 0;
	return sprintf '%.2f', $x / $base;
}

# _count(NAME, DEFAULT): the number in environment variable NAME, 1 to
# 9999 (0 too for BENCH_WARMUP, no warm-up); dies on anything else.
sub _count {
	my ($name, $default) = @_;
	my $v = $ENV{$name} // $default;
	return $v if $v =~ /^[1-9][0-9]{0,3}$/;
	return $v if $name eq 'BENCH_WARMUP' && $v eq '0';
	die "bench.pl: $name must be a whole number from 1 to 9999\n";
}

sub slurp {
	my ($file) = @_;
	open my $fh, '<', $file or die "bench.pl: read $file: $!\n";
	local $/;
	return scalar <$fh>;
}

sub write_file {
	my ($file, $text) = @_;
	open my $fh, '>', "$file.new" or die "bench.pl: write $file: $!\n";
	print $fh $text;
	close $fh or die "bench.pl: write $file: $!\n";
	rename "$file.new", $file or die "bench.pl: rename $file: $!\n";
}
