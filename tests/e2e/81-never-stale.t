# A process never answers with a config older than the files on disk
# (src/reload.c): a changed config or key file is read before the
# answer of the very next request, on Apache (mod_fcgid), lighttpd and
# the -s daemon behind mod_authnz_fcgi, with several processes alive
# that each answered before the change.  Nothing waits after a change:
# the very next request is the one asserted, then a burst that reaches
# every process at once.  A config that does not load is answered 503
# until it is fixed; SIGHUP makes the daemon read it again without
# dropping a request.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use POSIX ();
use Time::HiRes ();
use JwtAuthTest;
use DaemonTests;
use RevocationTests;

my ($USER, $PW) = ('nora', 'nora password 1');
my $BURST = 8;	# requests at once: more than the processes of a class

# set_conf(ENV, KEY => VALUE...): the config file saved as an editor
# saves it: a new file renamed over the old one (a new inode), with KEY
# set to VALUE, or removed when VALUE is undef.
sub set_conf {
	my ($env, %change) = @_;
	my $file = $env->config_file;
	my $text = JwtAuthTest::_slurp($file);
	for my $key (sort keys %change) {
		$text =~ s/^\Q$key\E = .*\n//mg;
		$text .= "$key = $change{$key}\n" if defined $change{$key};
	}
	open my $fh, '>', "$file.new" or die "$file.new: $!\n";
	print $fh $text;
	close $fh or die "$file.new: $!\n";
	chmod 0644, "$file.new";
	rename "$file.new", $file or die "rename: $!\n";
}

# rewrite_in_place(FILE, TEXT): FILE's bytes replaced by TEXT, of the same
# length, through the same inode (as `cp new FILE` does).
sub rewrite_in_place {
	my ($file, $text) = @_;
	length($text) == -s $file or die "not the same size\n";
	open my $fh, '+<', $file or die "$file: $!\n";
	print $fh $text;
	close $fh or die "$file: $!\n";
}

# parallel(N, CODE, [DURING]): CODE->(I) in N processes at once, I from
# 1 to N (DURING->()
# runs meanwhile in this one); returns their answers sorted, one string
# each.
sub parallel {
	my ($n, $code, $during, $env) = @_;
	my @kids;
	for (1 .. $n) {
		pipe my $r, my $w or die "pipe: $!\n";
		my $pid = fork // die "fork: $!\n";
		if (!$pid) {
			close $r;
			my $answer = eval { $code->($_) } // "died: $@";
			print $w $answer;
			close $w;
			POSIX::_exit(0);
		}
		close $w;
		push @kids, [$pid, $r];
	}
	$during->() if $during;
	my @answers;
	for my $k (@kids) {
		my $fh = $k->[1];
		local $/;
		push @answers, scalar(<$fh>) // '';
		close $fh;
		waitpid $k->[0], 0;
	}
	return sort @answers;
}

# uniq_of(LIST): the distinct values of LIST, joined by spaces.
sub uniq_of {
	my %seen;
	return join ' ', grep { !$seen{$_}++ } sort @_;
}

# spread(ENV, KIT): several processes of each role alive, each having
# answered: while the sessions table is locked, the first check of a new
# session waits in the process that makes it, so that a burst of them
# needs as many processes as requests (mod_fcgid starts them; lighttpd
# and the daemon have theirs).  Returns the answers, once the lock is
# released.
sub spread {
	my ($env, $kit) = @_;
	my $t = $env->must_login($USER, $PW)->{access_token};
	my $h = RevocationTests::hold($env, 'BEGIN; LOCK TABLE sessions; SELECT 1;');
	RevocationTests::wait_for($env, 'SELECT count(*) > 0 FROM pg_locks l '
		. 'JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '
		. "'sessions' AND l.mode = 'AccessExclusiveLock' AND l.granted")
		or die "the sessions table is not locked\n";
	return parallel($BURST, sub {
		$_[0] % 2 ? $kit->{app}->($t) : $env->me($t)->{status};
	}, sub {
		sleep 3;
		RevocationTests::release($h);
	});
}

# warm(CODE): three bursts of CODE; returns the answers of the last one.
sub warm {
	my ($code) = @_;
	my @answers;
	@answers = parallel($BURST, $code) for 1 .. 3;
	return @answers;
}

# several(NAME, ENV, KIT): spread(), and the checks that it did.
sub several {
	my ($name, $env, $kit) = @_;
	is(uniq_of(spread($env, $kit)), '200',
		"$name: a burst of first checks while the database waits");
	cmp_ok($kit->{procs}->($_), '>=', 2, "$name: several ${_}s alive")
		for qw(responder authorizer);
}

# fcgi_pids(ENV, ROLE): the pids of ENV's FastCGI processes started with
# -r ROLE by the web server.
sub fcgi_pids {
	my ($env, $role) = @_;
	my $want = "\0-c\0" . $env->config_file . "\0-r\0$role\0";
	my @pids;
	for my $cmdline (glob '/proc/[0-9]*/cmdline') {
		my ($pid) = $cmdline =~ m{^/proc/(\d+)/};
		open my $fh, '<', $cmdline or next;
		my $args = do { local $/; <$fh> } // '';
		push @pids, $pid if index("\0$args", $want) >= 0;
	}
	return @pids;
}

# The kit of a server: app(TOKEN) and metrics() answer a status; procs(ROLE)
# counts the processes that answer the role.
sub web_kit {
	my ($env) = @_;
	return {
		app => sub {
			$env->http(GET => '/app/index.html',
				{ headers => $env->bearer($_[0]) })->{status};
		},
		metrics => sub { $env->http(GET => '/auth/metrics')->{status} },
		procs => sub { scalar fcgi_pids($env, $_[0]) },
	};
}

# never_stale(NAME, ENV, KIT): the cases, in order, on one server.
sub never_stale {
	my ($name, $env, $kit) = @_;
	my ($app, $metrics) = @$kit{qw(app metrics)};
	$env->add_user($USER, $PW);

	# (1) metrics_allow added.
	several($name, $env, $kit);
	is(uniq_of(warm($metrics)), '404',
		"$name: before, /auth/metrics is 404 (metrics_allow unset)");
	set_conf($env, metrics_allow => '127.0.0.1');
	is($metrics->(), 200,
		"$name: metrics_allow added: the very next /auth/metrics is 200");
	is(uniq_of(parallel($BURST, $metrics)), '200',
		"$name: and every process answers 200 at once");

	# (0) The signing key rewritten in place: same size, same inode,
	# twice within one second.
	my $t0 = $env->must_login($USER, $PW)->{access_token};
	is(uniq_of(warm(sub { $app->($t0) })), '200',
		"$name: before, a token of jwt.key passes /app/ everywhere");
	my $key = $env->dir . '/jwt.key';
	my ($h, $c) = JwtAuthTest->jwt_decode($t0);
	my @next = map { my $f = $env->keygen("next$_.key");
		my $t = JwtAuthTest::_slurp($f); unlink $f; $t } 1, 2;
	Time::HiRes::sleep(1 - (Time::HiRes::time() - int Time::HiRes::time()));
	rewrite_in_place($key, $next[0]);
	is($app->($t0), 401, "$name: jwt.key rewritten in place: the very "
		. 'next check refuses a token of the old key');
	my $tb = $env->sign_jwt($h, $c);
	is($app->($tb), 200, "$name: and accepts one of the new key");
	rewrite_in_place($key, $next[1]);
	is($app->($tb), 401, "$name: rewritten again within the same second "
		. 'and the same size: the very next check sees it');
	is(uniq_of(parallel($BURST, sub { $app->($tb) })), '401',
		"$name: every process at once");

	# (2) key_alg HS256 -> RS256, the HS256 key kept in verify_keys.
	several($name, $env, $kit);
	my $t1 = $env->must_login($USER, $PW)->{access_token};
	is(uniq_of(warm(sub { $app->($t1) })), '200',
		"$name: before, an HS256 token passes /app/ everywhere");
	my $k2 = $env->keygen('k2.pem', 'RS256');
	set_conf($env, key_alg => 'RS256', key_file => $k2, key_id => 'k2',
		verify_keys => "k1:HS256:$key");
	my $t2 = $env->must_login($USER, $PW)->{access_token};
	is_deeply((JwtAuthTest->jwt_decode($t2))[0],
		{ alg => 'RS256', kid => 'k2', typ => 'JWT' },
		"$name: key_alg RS256: the very next login signs RS256, kid k2");
	is($app->($t2), 200,
		"$name: the very next check accepts the new RS256 token");
	is(uniq_of(parallel($BURST, sub { $app->($t2) })), '200',
		"$name: every process accepts it at once");

	# (3) k1 removed from verify_keys: its tokens are cached as verified.
	several($name, $env, $kit);
	is(uniq_of(warm(sub { $app->($t1) })), '200',
		"$name: before, the k1 token passes (and is cached) everywhere");
	set_conf($env, verify_keys => undef);
	is($app->($t1), 401, "$name: k1 removed from verify_keys: the very "
		. 'next check refuses its token');
	is(uniq_of(parallel($BURST, sub { $app->($t1) })), '401',
		"$name: every process refuses it at once");
	is($app->($t2), 200, "$name: the k2 token still passes");

	# A config that does not load: 503 until fixed.
	set_conf($env, key_alg => 'XS999');
	is($app->($t2), 503, "$name: a config that does not load: the "
		. 'very next check is 503 (fail closed)');
	is($metrics->(), 503, "$name: and the login service answers 503");
	is(uniq_of(parallel($BURST, sub { $app->($t2) })), '503',
		"$name: every process, on every request");
	set_conf($env, key_alg => 'RS256');
	is($app->($t2), 200, "$name: fixed: the very next check passes");
	is($metrics->(), 200, "$name: and /auth/metrics is 200 again");
	like($env->error_log . ($kit->{log} ? $kit->{log}->() : ''),
		qr/does not load, answering 503 until it does: .*key_alg/, "$name: the log says why it did not load");
}

subtest 'Apache, mod_fcgid' => sub {
	my $env = JwtAuthTest->start(key_id => 'k1');
	never_stale('apache', $env, web_kit($env));
};

subtest 'lighttpd' => sub {
	my $env = JwtAuthTest->start(key_id => 'k1', server => 'lighttpd');
	never_stale('lighttpd', $env, web_kit($env));
};

subtest 'the -s daemon' => sub {
	my ($port) = JwtAuthTest::_free_ports(1);
	my $env = JwtAuthTest->start(key_id => 'k1',
		template => DaemonTests::authnz_template($port));
	my $daemon = DaemonTests::start_daemon($env, $port, 3, 'both');
	my $kit = web_kit($env);
	my $workers = sub { map { /^\s*(\d+)/ ? $1 : () } `ps -o pid= --ppid $daemon` };
	$kit->{daemon} = 1;
	$kit->{procs} = sub { scalar $workers->() };
	$kit->{log} = sub { JwtAuthTest::_slurp($env->dir . '/daemon.log') };
	# /auth/metrics asked of the daemon itself, as a responder.
	$kit->{metrics} = sub { (DaemonTests::fcgi_get($port, '/auth/metrics'))[0] };
	never_stale('daemon', $env, $kit);

	# SIGHUP: read again by every worker, no request dropped.
	my $t = $env->must_login($USER, $PW)->{access_token};
	my @before = sort $workers->();
	my @answers = parallel(4, sub {
		join ' ', map { $kit->{app}->($t) } 1 .. 25;
	}, sub {
		for (1 .. 5) {
			kill 'HUP', $daemon;
			Time::HiRes::sleep(0.1);
		}
	});
	is(uniq_of(map { split / / } @answers), '200',
		'daemon: SIGHUPs during 100 checks: every one answered 200');
	is_deeply([sort $workers->()], \@before,
		'daemon: no worker ended');
	like($kit->{log}->(), qr/SIGHUP: configuration reloaded/,
		'daemon: the workers read the configuration again');
	DaemonTests::stop_daemon($daemon);
};

done_testing;
