# The database dies in the middle of a refresh-token rotation: the
# session is rotated or not, never both; no half-written row.  The
# rotation is held inside its transaction by a psql session that locks
# the token's row (the service's SELECT ... FOR UPDATE waits on it); then
# either the service's backend is terminated or PostgreSQL stops at once
# (pg_ctl -m immediate, a crash), and starts again.  Afterwards the old
# token is unused with no child, and it still rotates exactly once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use JSON::PP qw(encode_json decode_json);
use HTTP::Tiny;
use POSIX qw(_exit WNOHANG);
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start;
$env->add_user('dora', 'dora password 1');

# state(SID): the session's refresh tokens as "generation:used" joined by
# spaces, in order, e.g. "0:t 1:f".
sub state {
	my ($sid) = @_;
	return $env->psql("select string_agg(generation || ':' || "
		. "(used_at is not null)::text, ' ' order by generation) "
		. "from refresh_tokens where session_id = '$sid'");
}

# hold(SECONDS): a psql session in the background that locks every
# refresh-token row for SECONDS; returns its pid once the lock is held.
sub hold {
	my ($secs) = @_;
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open STDOUT, '>', '/dev/null';
		open STDERR, '>', '/dev/null';
		$ENV{PGAPPNAME} = 'hostile-holder';
		{ exec 'psql', '-X', '-q', '-d', $env->conninfo, '-c',
			"BEGIN; SELECT count(*) FROM (SELECT 1 FROM refresh_tokens "
			. "FOR UPDATE) x; SELECT pg_sleep($secs); COMMIT;" }
		_exit(127);
	}
	for (1 .. 100) {
		last if $env->psql("select count(*) from pg_locks l join pg_class c "
			. "on c.oid = l.relation where c.relname = 'refresh_tokens' "
			. "and l.mode = 'RowShareLock' and l.granted") > 0;
		select undef, undef, undef, 0.05;
	}
	return $pid;
}

# refresh_in_child(TOKEN): POST /auth/refresh in a child; returns its pid
# and a pipe that will carry the status.
sub refresh_in_child {
	my ($token) = @_;
	pipe(my $r, my $w) or die "pipe: $!";
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		close $r;
		my $res = HTTP::Tiny->new(timeout => 60)->post($env->url('/auth/refresh'), {
			headers => { 'content-type' => 'application/json' },
			content => encode_json({ refresh_token => $token }) });
		print $w "$res->{status}\n";
		close $w;
		_exit(0);
	}
	close $w;
	return ($pid, $r);
}

# wait_for_waiter: the service's backend waits on the row lock.
sub wait_for_waiter {
	for (1 .. 200) {
		my $pid = $env->psql("select pid from pg_stat_activity where "
			. "wait_event_type = 'Lock' and query like '%FOR UPDATE OF r%' limit 1");
		return $pid if $pid;
		select undef, undef, undef, 0.05;
	}
	return undef;
}

for my $how ('the backend is terminated', 'PostgreSQL crashes (immediate stop)') {
	subtest "a rotation is interrupted: $how" => sub {
		my $t = $env->must_login('dora', 'dora password 1');
		my $sid = JwtAuthTest->sid_of($t->{access_token});
		is(state($sid), '0:false', 'a new session has one unused refresh token');
		my $holder = hold(60);
		my ($child, $pipe) = refresh_in_child($t->{refresh_token});
		my $backend = wait_for_waiter();
		ok($backend, 'the rotation waits inside its transaction, on the row lock');
		if ($how =~ /terminated/) {
			$env->psql("select pg_terminate_backend($backend)");
		} else {
			system("$FindBin::Bin/../../scripts/pg.sh", 'crash', $env->dir . '/pg') == 0
				or die "pg.sh crash failed";
			$env->pg_start;
		}
		my $status = <$pipe>;
		chomp($status //= '');
		waitpid($child, 0);
		# The holder's backend sleeps on after its psql is gone: end it.
		$env->psql("select pg_terminate_backend(pid) from pg_stat_activity "
			. "where application_name = 'hostile-holder'");
		kill 'TERM', $holder;
		waitpid($holder, 0);
		is($status, 503, 'the interrupted refresh answers 503, fail closed');
		is(state($sid), '0:false',
			'the session was not rotated: the old token is unused and has no child');
		is($env->psql("select count(*) from refresh_tokens r left join sessions s "
			. "on s.id = r.session_id where s.id is null"), 0, 'no orphan refresh token');
		# A retry works once the database is back; the token rotates once.
		my $res;
		for (1 .. 50) {
			$res = $env->refresh($t->{refresh_token});
			last if $res->{status} != 503;
			select undef, undef, undef, 0.1;
		}
		is($res->{status}, 200, 'the old token rotates once the database is back');
		is(state($sid), '0:true 1:false', 'now the old token is used and its one child is not');
		my $rt1 = $res->{json}{refresh_token};
		is($env->refresh_answer($rt1), 'ok', 'the child rotates in turn');
		is(state($sid), '0:true 1:true 2:false', 'one live token per session, always');
	};
}

unlike($env->error_log, qr/exit signal|Segmentation|segfault/i, 'no process crashed');
done_testing;
