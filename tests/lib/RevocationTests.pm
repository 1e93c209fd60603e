package RevocationTests;

# The revocation cache (src/revcache.c) end to end, on one real web
# server whose authorizer runs as ONE process (a copy of the dev config
# with one process per class), so that which process has seen which token
# is known: a revocation made by the service on this host (the login
# service's own processes, authctl) must reach that process before its
# next decision, even when the notification is late (the host's
# revocation count, src/revcache.c); one made by SQL typed by hand has
# only the notification, and is refused once it has arrived.  Used by
# tests/e2e/36-*.t and 37-*.t, and for mod_jwtauth by 26-*.t.
#
#   RevocationTests::run('apache');   # or 'lighttpd', 'module'

use strict;
use warnings;
use Test::More;
use Time::HiRes ();
use POSIX ();
use Cwd ();
use File::Basename ();
use JwtAuthTest;

my $REPO = Cwd::abs_path(File::Basename::dirname(__FILE__) . '/../..');
my $PAGE = '/app/index.html';

# one_process_template(SERVER): the dev config of SERVER with one FastCGI
# process per class, or for 'module' Apache with mod_jwtauth
# (apache/module-test.conf.in) with one child, whose one lock makes it a
# single checker; returns the file's name.
sub one_process_template {
	my ($server) = @_;
	if ($server eq 'module') {
		my $text = JwtAuthTest::_slurp("$REPO/apache/module-test.conf.in");
		for (['StartServers', 1], ['ServerLimit', 1],
		    ['MaxRequestWorkers', 32], ['MaxSpareThreads', 32]) {
			$text =~ s/^$_->[0] \d+$/$_->[0] $_->[1]/m
				or die "no $_->[0] in the module's config\n";
		}
		return JwtAuthTest->temp_template($text);
	}
	my $text = JwtAuthTest::_slurp("$REPO/$server/dev.conf.in");
	if ($server eq 'apache') {
		$text =~ s/^FcgidMaxProcessesPerClass \d+$/FcgidMaxProcessesPerClass 1/m
			or die "no FcgidMaxProcessesPerClass in the Apache config\n";
		$text =~ s/^FcgidMinProcessesPerClass \d+$/FcgidMinProcessesPerClass 1/m;
	} else {
		$text =~ s/"max-procs" => \d+/"max-procs" => 1/g
			or die "no max-procs in the lighttpd config\n";
	}
	return JwtAuthTest->temp_template($text);
}

# hold(ENV, SQL): a psql session that runs SQL and stays open (holding
# its locks) until release(); returns its handle.
sub hold {
	my ($env, $sql) = @_;
	open my $h, '|-', 'psql', '-X', '-q', '-o', '/dev/null', '-d',
		$env->conninfo
		or die "psql: $!\n";
	select((select($h), $| = 1)[0]);
	print $h "$sql\n";
	return $h;
}

# hold_slot(ENV, SLOT): another process takes password-hashing slot SLOT
# of ENV's deployment on this host (src/pwslot.c: a one-byte fcntl lock
# at 1 MiB + SLOT on the shared memory object, /dev/shm/jwtauth-UID-HASH)
# and keeps it until release_slot(); returns its handle, or undef when
# the lock could not be taken (the slot is busy or there is no object).
# UID (default: any) picks the object of the processes running as that
# user (plain CGI run by the test itself: $<).
sub hold_slot {
	my ($env, $slot, $uid) = @_;
	require Fcntl;
	my ($file) = glob '/dev/shm/jwtauth-' . ($uid // '*') . '-'
		. JwtAuthTest::shm_hash($env->config_file);
	return undef unless defined $file && -e $file;
	pipe my $up_r, my $up_w or die "pipe: $!";
	pipe my $down_r, my $down_w or die "pipe: $!";
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		close $up_r;
		close $down_w;
		my $ok = open my $fh, '+<', $file;
		# struct flock on Linux x86_64: type, whence, start, len, pid.
		my $fl = pack 's s x4 q q l x4', Fcntl::F_WRLCK(), 0, (1 << 20) + $slot, 1, 0;
		$ok &&= fcntl $fh, Fcntl::F_SETLK(), $fl;
		syswrite $up_w, $ok ? 'y' : 'n';
		close $up_w;
		1 while sysread $down_r, my $buf, 1;	# until release_slot
		POSIX::_exit(0);
	}
	close $up_w;
	close $down_r;
	sysread $up_r, my $got, 1;
	close $up_r;
	if (($got // '') ne 'y') {
		close $down_w;
		waitpid $pid, 0;
		return undef;
	}
	return { pid => $pid, fh => $down_w };
}

# release_slot(H): the process of hold_slot() gives its slot back (ends).
sub release_slot {
	my ($h) = @_;
	return unless $h;
	close $h->{fh};
	waitpid $h->{pid}, 0;
}

# release(H): ends the session, and with it its locks and transaction.
sub release {
	my ($h) = @_;
	print $h "\\q\n";
	close $h;
}

# wait_for(ENV, SQL): polls until SQL answers 't' (5 s at most).
sub wait_for {
	my ($env, $sql) = @_;
	for (1 .. 100) {
		return 1 if $env->psql($sql) eq 't';
		select undef, undef, undef, 0.05;
	}
	return 0;
}

# refused_soon(GET, TOKEN): polls GET->(TOKEN) until it answers 401
# (5 s at most); returns how many answers passed (200) before, or -1
# when no refusal came.
sub refused_soon {
	my ($get, $at) = @_;
	my ($t0, $passed) = (Time::HiRes::time(), 0);
	while (Time::HiRes::time() - $t0 < 5) {
		return $passed if $get->($at) == 401;
		$passed++;
	}
	return -1;
}

# authorizer_backends(ENV, [MODULE]): the pids of the database backends
# of ENV's authorizer processes (those started with "-c CONFIG -r
# authorizer", or with MODULE true Apache's own processes, "-f
# DIR/apache.conf", where mod_jwtauth checks).
sub authorizer_backends {
	my ($env, $module) = @_;
	return backends_of($env, $module ? "\0-f\0" . $env->dir
	    . "/apache.conf\0" : "\0-c\0" . $env->config_file
	    . "\0-r\0authorizer\0");
}

# backends_of(ENV, ARGS): the pids of the database backends of the
# processes whose command line holds ARGS (NUL-separated), found by the
# local TCP ports of their sockets, which the backends see as
# client_port.
sub backends_of {
	my ($env, $want) = @_;
	my %inode;
	for my $cmdline (glob '/proc/[0-9]*/cmdline') {
		my ($pid) = $cmdline =~ m{^/proc/(\d+)/};
		open my $fh, '<', $cmdline or next;
		my $args = do { local $/; <$fh> } // '';
		next if index("\0$args", $want) < 0;
		for my $fd (glob "/proc/$pid/fd/*") {
			my $l = readlink $fd // next;
			$inode{$1} = 1 if $l =~ /^socket:\[(\d+)\]$/;
		}
	}
	my @ports;
	open my $tcp, '<', '/proc/net/tcp' or return ();
	while (<$tcp>) {
		my @f = split;
		push @ports, hex $1 if @f > 9 && $inode{ $f[9] }
		    && $f[1] =~ /:([0-9A-F]{4})$/;
	}
	return () if !@ports;
	return split /\n/, $env->psql('SELECT pid FROM pg_stat_activity WHERE '
		. 'client_port IN (' . join(',', @ports) . ')');
}

# late_notification(ENV, GET, TOKEN, REVOKE, [PIDS]): the notification of
# a revocation is held back: the database backends PIDS (default: every
# backend of the service) are stopped (SIGSTOP) before REVOKE->()
# revokes TOKEN's session, and they go on (SIGCONT) only half a second
# later.  A process that only read what had arrived would pass the token
# in the meantime; one that sees the host's revocation count move asks
# its backend first, which sends the notification before its answer.
# Returns the status of the request made while they were stopped.
sub late_notification {
	my ($env, $get, $at, $revoke, $pids) = @_;
	my @pids = $pids ? @$pids : split /\n/, $env->psql("SELECT pid FROM "
		. "pg_stat_activity WHERE application_name = 'jwtauth' AND "
		. "pid <> pg_backend_pid()");
	return 'no backend' if !@pids;
	kill 'STOP', @pids;
	my $kid;
	my $st = eval {
		$revoke->();
		$kid = fork // die "fork: $!\n";
		if ($kid == 0) {
			Time::HiRes::sleep(0.5);
			kill 'CONT', @pids;
			POSIX::_exit(0);
		}
		$get->($at);
	};
	my $err = $@;
	kill 'CONT', @pids;
	waitpid $kid, 0 if $kid;
	die $err if $err;
	return $st;
}

# listener_up(ENV): waits (10 s at most) for ENV's revocation listener
# (jwtauth.fcgi -l -c CONFIG) to be live; true when it is.  A running
# process is not enough (under ASan it takes a while to connect): its
# backend must have made the first keep-alive round trip ("SELECT 1",
# src/listen.c), which comes after the LISTEN and after the listener
# has told the ring it is live.
sub listener_up {
	my ($env) = @_;
	my $want = "\0-l\0-c\0" . $env->config_file . "\0";
	for (1 .. 100) {
		my @pids = backends_of($env, $want);
		return 1 if @pids && $env->psql('SELECT count(*) > 0 FROM '
		    . "pg_stat_activity WHERE query = 'SELECT 1' AND pid IN ("
		    . join(',', @pids) . ')') eq 't';
		Time::HiRes::sleep(0.1);
	}
	return 0;
}

sub run {
	my ($server) = @_;
	my $module = $server eq 'module';
	my $env = JwtAuthTest->start(server => $module ? 'apache' : $server,
		template => one_process_template($server));
	$env->add_user('rita', 'rita password 1');
	my $get = sub {
		$env->http(GET => $PAGE, { headers => $env->bearer($_[0]) })->{status};
	};
	my $password = 'rita password 1';
	my $login = sub { $env->must_login('rita', $password)->{access_token} };

	my $at = $login->();
	is($get->($at), 200, "$server: a valid token passes the authorizer");
	# The check that started the host's listener asked the database
	# (mod_jwtauth does not wait for it: revcache.c); once the listener
	# runs, the next check fills the cache.
	ok(listener_up($env), "$server: the host's revocation listener runs");
	is($get->($at), 200, "$server: the token passes again");

	# The cache answers without a query: with the tables locked, a
	# query would wait for lock_timeout (5 s) and answer 503.
	my $h = hold($env, 'BEGIN; LOCK TABLE sessions, users, revoked_tokens '
		. 'IN ACCESS EXCLUSIVE MODE; SELECT 1;');
	ok(wait_for($env, "SELECT count(*) > 0 FROM pg_locks l JOIN pg_class c "
		. "ON c.oid = l.relation WHERE c.relname = 'sessions' AND "
		. "l.mode = 'AccessExclusiveLock' AND l.granted"),
		"$server: the tables are locked by another session");
	is($get->($at), 200, "$server: a token seen before is checked from memory, with no query");
	release($h);

	# Through another process: the login service's logout.
	is($env->logout($at)->{status}, 204, "$server: logout through the login service");
	is($get->($at), 401, "$server: the authorizer process refuses the token logged out through another process");

	# Through authctl, outside the web server.
	$at = $login->();
	is($get->($at), 200, "$server: a new session passes");
	my ($rc) = $env->authctl({}, 'revoke', '--session', JwtAuthTest->sid_of($at));
	is($rc, 0, "$server: authctl revoke --session works");
	is($get->($at), 401, "$server: a session revoked by authctl is refused at the next request");

	$at = $login->();
	is($get->($at), 200, "$server: another new session passes");
	($rc) = $env->authctl({}, 'user', 'lock', 'rita');
	is($rc, 0, "$server: authctl user lock works");
	is($get->($at), 401, "$server: a locked user's token is refused at the next request");
	($rc) = $env->authctl({}, 'user', 'unlock', 'rita');

	# The notification is what carries a revocation: without the
	# trigger the cached answer stays (this is what strict is for).
	$at = $login->();
	my $sid = JwtAuthTest->sid_of($at);
	is($get->($at), 200, "$server: a session passes before a silent revocation");
	$env->psql('ALTER TABLE sessions DISABLE TRIGGER sessions_notify_update');
	$env->psql("UPDATE sessions SET revoked_at = now() WHERE id = '$sid'");
	is($get->($at), 200, "$server: a revocation that sends no notification is not seen in cached mode");
	$env->psql('ALTER TABLE sessions ENABLE TRIGGER sessions_notify_update');
	$env->psql("UPDATE sessions SET revoked_at = now() WHERE id = '$sid'");
	my $passed = refused_soon($get, $at);
	ok($passed >= 0, "$server: the same revocation with its notification is "
		. 'seen once the notification has arrived');
	diag("$server: SQL typed by hand: $passed request(s) passed before its notification arrived")
		if $passed > 0;

	# The notification is late (its listening backend is not scheduled
	# yet): a revocation made through the service holds all the same.
	$at = $login->();
	is($get->($at), 200, "$server: a session passes before a late notification");
	is(late_notification($env, $get, $at, sub {
		my ($rc, undef, $err) = $env->authctl({}, 'revoke', '--session',
			JwtAuthTest->sid_of($at));
		die "authctl revoke: $rc $err\n" if $rc != 0;
	}), 401, "$server: a session revoked by authctl while the notification is "
		. 'held back is refused at the next request');
	# The same through a transaction (the lock and the end of the
	# user's sessions commit together).
	$at = $login->();
	is($get->($at), 200, "$server: a session passes before a late notification of a lock");
	is(late_notification($env, $get, $at, sub {
		my ($rc, undef, $err) = $env->authctl({}, 'user', 'lock', 'rita');
		die "authctl user lock: $rc $err\n" if $rc != 0;
	}), 401, "$server: a user locked while the notification is held back is "
		. 'refused at the next request');
	($rc) = $env->authctl({}, 'user', 'unlock', 'rita');
	is($rc, 0, "$server: authctl user unlock (for what follows)");
	# Through the login service, whose own backend keeps running: only
	# the authorizer's is stopped.  A logout (one statement) and a
	# password change (a transaction).
	$at = $login->();
	is($get->($at), 200, "$server: a session passes before a late notification of a logout");
	my @authz = authorizer_backends($env, $module);
	is(scalar @authz, 1, "$server: the authorizer process's database backend is found");
	is(late_notification($env, $get, $at, sub {
		my $st = $env->logout($at)->{status};
		die "logout: $st\n" if $st != 204;
	}, \@authz), 401, "$server: a token logged out while the authorizer's "
		. 'notification is held back is refused at the next request');
	$at = $login->();
	is($get->($at), 200, "$server: a session passes before a late notification of a password change");
	is(late_notification($env, $get, $at, sub {
		my $res = $env->json(POST => '/auth/password', {
			headers => $env->bearer($at),
			content => { current_password => 'rita password 1',
				new_password => 'rita password 2' },
		});
		die "password change: $res->{status}\n" if $res->{status} != 204;
	}, \@authz), 401, "$server: a token whose password changed while the "
		. "authorizer's notification is held back is refused at the next request");
	$password = 'rita password 2';

	# The listening connection is killed: the revocation made meanwhile
	# cannot arrive as a notification, and must be seen anyway.
	$at = $login->();
	is($get->($at), 200, "$server: a session passes before the listener is killed");
	is($env->psql("SELECT count(*) > 0 FROM (SELECT pg_terminate_backend(pid, 5000) "
		. "FROM pg_stat_activity WHERE application_name = 'jwtauth' "
		. "AND pid <> pg_backend_pid()) t"), 't',
		"$server: the service's database connections are terminated");
	$env->psql("UPDATE sessions SET revoked_at = now() WHERE id = '"
		. JwtAuthTest->sid_of($at) . "'");
	is($get->($at), 401, "$server: a token revoked while the listener was gone is refused");
	$at = $login->();
	is($get->($at), 200, "$server: after the listener came back a new session passes");
	is($env->logout($at)->{status}, 204, "$server: and logs out");
	is($get->($at), 401, "$server: notifications arrive again after the reload");

	# PostgreSQL restarts: the same.
	$at = $login->();
	is($get->($at), 200, "$server: a session passes before PostgreSQL restarts");
	$env->pg_restart;
	($rc) = $env->authctl({}, 'revoke', '--session', JwtAuthTest->sid_of($at));
	is($get->($at), 401, "$server: after a restart a revoked token is refused");
	$at = $login->();
	is($get->($at), 200, "$server: after a restart a new session passes");

	# PostgreSQL gone: a cached token is not let through.
	$env->pg_stop;
	is($get->($at), 503,
		"$server: with the database gone a cached token is refused (fail closed)");
	$env->pg_start;
	is($get->($at), 200, "$server: once the database is back the token passes again");
	return $env;
}

1;
