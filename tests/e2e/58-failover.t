# PostgreSQL failover: a primary and a synchronous streaming-replication
# standby on loopback (scripts/pg.sh standby ... sync), the service
# (lighttpd, one authorizer and one responder process, revocation_check
# cached) configured with the multi-host conninfo
#   host=127.0.0.1,127.0.0.1 port=P1,P2 target_session_attrs=read-write.
# Logins, refreshes and logouts run; the primary is stopped as in a crash
# (pg_ctl -m immediate); the standby is promoted (pg_ctl promote).  Shown:
#  - in between, every answer is 503 (never a 200, and never a 200 for
#    a revoked token), and service resumes within seconds of the
#    promotion, by the same FastCGI processes (no restart of anything);
#  - nothing committed before the stop is lost or replayed: the token
#    logged out stays refused, a rotated refresh token stays rotated
#    (presented again it is reuse, which ends its session), the token it
#    was rotated into works once;
#  - the revocation cache reloads on the new primary (notifications do
#    not cross a failover): what it knew is reloaded from the new
#    primary, and a revocation made there directly is enforced;
#  - with the standby listed first and no target_session_attrs, the
#    program's default (read-write) still takes the primary;
#  - a server that answers but refuses writes (the new primary fenced
#    with default_transaction_read_only): health and whatever must write
#    (a login) answer 503, and the connection is dropped so the next one
#    looks for a writable server; service is back once it takes writes.
# The timeline (primary stopped at t0, first 503, promotion, first 200,
# each the time an answer came) is shown with diag, each probe with note.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use JwtAuthTest;
use RevocationTests;

my $PAGE = '/app/index.html';
my $USER = 'fern';
my $PASSWORD = 'fern password 1';

my $env = JwtAuthTest->start(server => 'lighttpd', refresh_grace => 0,
	template => RevocationTests::one_process_template('lighttpd'));
$env->add_user($USER, $PASSWORD);
my $standby = $env->standby('pg2', 'sync');
my $multi = JwtAuthTest::_slurp("$standby/conninfo-failover");
chomp $multi;
like($multi, qr/^host=127\.0\.0\.1,127\.0\.0\.1 port=\d+,\d+ .*target_session_attrs=read-write/,
	'the service gets a multi-host conninfo, primary first');
my ($primary_port, $standby_port) = $multi =~ /port=(\d+),(\d+)/;

# The standby first and no target_session_attrs: the program's default
# (read-write) still takes the primary.
(my $reversed = $multi) =~ s/port=\d+,\d+/port=$standby_port,$primary_port/;
$reversed =~ s/ ?target_session_attrs=\S+//;
$env->reconfigure(database => $reversed);
is($env->login_response($USER, $PASSWORD)->{status}, 200,
	'standby listed first, no target_session_attrs: a login works (the primary was taken)');
is(health()->{json}{database}, 'ok', 'and health says the database is ok');

$env->reconfigure(database => $multi);
$env->conninfo($multi);    # psql follows the primary too
is($env->psql('SHOW synchronous_standby_names'), "standby_$standby_port",
	'the standby is the synchronous one (a COMMIT waits for its WAL)');

sub app { $env->http(GET => $PAGE, { headers => $env->bearer($_[0]) })->{status} }
sub health { $env->json(GET => '/auth/health') }

# fcgi_pids: the pids of the FastCGI processes lighttpd started.
sub fcgi_pids {
	my $conf = $env->dir . '/lighttpd/lighttpd.pid';
	chomp(my $pid = JwtAuthTest::_slurp($conf));
	my $bin = $env->dir . '/jwtauth.fcgi';
	my @pids = map { /^\s*(\d+)\s+(\S+)/ && $2 eq $bin ? $1 : () }
		split /\n/, `ps -o pid= -o args= --ppid $pid`;
	return join ' ', sort @pids;
}

# super_psql(SQL): SQL as the superuser on the standby (the new primary).
sub super_psql {
	my ($sql) = @_;
	my @as = $> == 0 ? ('runuser', '-u', 'postgres', '--') : ();
	my ($rc, $out, $err) = $env->run_cmd({}, @as, 'psql', '-X', '-q', '-At',
		'-h', $standby, '-p', $standby_port, '-d', 'postgres', '-c', $sql);
	$rc == 0 or die "psql: $err";
	chomp $out;
	return $out;
}

# Before the stop: logins, refreshes and logouts.
my %s;
$s{$_} = $env->must_login($USER, $PASSWORD) for qw(live revoked reused rotated later);
for my $k (sort keys %s) {
	is(app($s{$k}{access_token}), 200, "before: the session '$k' passes the authorizer (now cached)");
}
is($env->logout($s{revoked}{access_token})->{status}, 204, 'before: the session \'revoked\' logs out');
is(app($s{revoked}{access_token}), 401, 'before: and its token is refused');
for my $k (qw(reused rotated)) {
	my $r = $env->refresh($s{$k}{refresh_token});
	is($r->{status}, 200, "before: the session '$k' is refreshed");
	$s{$k}{new} = $r->{json};
}
is_deeply(health()->{json}, { status => 'ok', database => 'ok',
	revocation_cache => 'listening' }, 'before: health says ok');
my $pids = fcgi_pids();
like($pids, qr/^\d+ \d+$/, "the FastCGI processes: $pids");

# The primary stops as in a crash.
my $t0 = time;
$env->pg_crash;
my $t_stopped = time;
my (@log, $first503, $bad, $revoked200);
my $probe = sub {
	my $live = app($s{live}{access_token});
	my $now = time;    # when its answer came
	my $revoked = app($s{revoked}{access_token});
	my $h = health();
	$first503 //= $now if $live == 503;
	$revoked200++ if $revoked == 200;
	push @log, sprintf('%+.3f live %d revoked %d health %d %s', $now - $t0,
		$live, $revoked, $h->{status}, $h->{json}{revocation_cache} // '');
	return ($live, $revoked, $h, $now);
};
# One second down before the promotion (an operator or a tool decides).
my %seen;
while (time - $t_stopped < 1) {
	my ($live, $revoked, $h) = $probe->();
	$seen{"live $live, revoked $revoked, health $h->{status}"}++;
	sleep 0.05;
}
is_deeply([sort keys %seen], ['live 503, revoked 503, health 503'],
	'while no primary is there: every answer is 503, the revoked token\'s too');
my $h = health();
is_deeply($h->{json}, { status => 'unavailable', database => 'unavailable',
	revocation_cache => 'reloading' },
	'health says the database is unavailable and the cache not trusted');
is($env->refresh_answer($s{live}{refresh_token}), '503 temporarily_unavailable',
	'a refresh is 503 (its token is not used up: it refreshes afterwards)');
is($env->login_response($USER, $PASSWORD)->{status}, 503, 'a login is 503');
is($env->logout($s{live}{access_token})->{status}, 503,
	'a logout is 503 (nothing ended: the session goes on afterwards)');

my $t_promote = time;
$env->pg_promote('pg2');
my $t_promoted = time;
my $first200;
while (time - $t_promoted < 30) {
	my ($live, undef, undef, $at) = $probe->();
	if ($live == 200) {
		$first200 = $at;
		last;
	}
	sleep 0.02;
}
ok(defined $first200, 'after the promotion the valid token passes again');
ok(defined $first200 && $first200 - $t_promoted < 5,
	'within 5 s of the promotion');
ok(!$revoked200, 'the token logged out before the stop never passed');
diag(sprintf("failover timeline: primary stopped (pg_ctl -m immediate) at t0;"
	. " stop returned +%.3f s; first 503 +%.3f s; promotion asked +%.3f s,"
	. " done +%.3f s; first 200 +%.3f s (%.3f s after the promotion)",
	$t_stopped - $t0, ($first503 // $t0) - $t0, $t_promote - $t0,
	$t_promoted - $t0, ($first200 // $t0) - $t0,
	($first200 // $t_promoted) - $t_promoted));
note($_) for @log;
is(fcgi_pids(), $pids, 'the same FastCGI processes serve: none was restarted');

# Nothing lost, nothing replayed.
is(app($s{revoked}{access_token}), 401, 'after: the token logged out before the stop is refused');
is($env->refresh_answer($s{revoked}{refresh_token}), '401 invalid_grant',
	'after: and so is its refresh token');
is($env->refresh_answer($s{reused}{refresh_token}), '401 invalid_grant',
	'after: a refresh token rotated before the stop stays rotated');
is($env->psql("SELECT revoke_reason FROM sessions WHERE id = '"
	. JwtAuthTest->sid_of($s{reused}{access_token}) . "'"), 'reuse',
	'after: presented again it is reuse: the rotation was not lost');
is(app($s{reused}{new}{access_token}), 401,
	'after: reuse ends the session, the access token it was rotated into included');
is($env->refresh_answer($s{rotated}{new}{refresh_token}), 'ok',
	'after: a refresh token made by a rotation before the stop works');
is($env->refresh_answer($s{rotated}{new}{refresh_token}), '401 invalid_grant',
	'after: once (its own rotation is not replayed either)');
is($env->refresh_answer($s{live}{refresh_token}), 'ok',
	'after: an untouched session refreshes');
is(app($s{live}{access_token}), 200, 'after: and its token passes');

# The cache reloaded on the new primary: it answers from memory again
# (tables locked: a query would wait 5 s and answer 503), what it knew
# came back (the revoked token is refused from memory), and a
# revocation made on the new primary arrives as a notification.
is(app($s{later}{access_token}), 200, 'after: the session \'later\' passes');
my $hold = RevocationTests::hold($env, 'BEGIN; LOCK TABLE '
	. 'sessions, users, revoked_tokens IN ACCESS EXCLUSIVE MODE; SELECT 1;');
ok(RevocationTests::wait_for($env, "SELECT count(*) > 0 FROM pg_locks WHERE "
	. "mode = 'AccessExclusiveLock' AND granted AND relation = 'sessions'::regclass"),
	'after: the tables are locked on the new primary');
is(app($s{later}{access_token}) . ' ' . app($s{revoked}{access_token}), '200 401',
	'after: the cache, reloaded from the new primary, answers from memory');
RevocationTests::release($hold);
my ($rc, undef, $err) = $env->authctl({}, 'revoke', '--session',
	JwtAuthTest->sid_of($s{later}{access_token}));
is($rc, 0, 'after: authctl revokes a session on the new primary') or diag($err);
is(app($s{later}{access_token}), 401,
	'after: a session revoked on the new primary is refused at the next request');
is_deeply(health()->{json}, { status => 'ok', database => 'ok',
	revocation_cache => 'listening' }, 'after: health says ok, listening');

# A server that answers but takes no writes is left, not used.
super_psql("ALTER SYSTEM SET default_transaction_read_only = on");
super_psql("SELECT pg_reload_conf()");
sleep 0.5;
$h = health();
is($h->{status}, 503, 'a fenced (read-only) primary: health is 503');
like($h->{json}{database} // '', qr/^(?:read-only|unavailable)$/,
	"and says the database is read-only or unavailable ($h->{json}{database})");
is($env->login_response($USER, $PASSWORD)->{status}, 503,
	'a login that cannot be written is 503');
is(app($s{live}{access_token}), 200,
	'a check answered from the cache still passes: the fenced primary is current');
super_psql("ALTER SYSTEM RESET default_transaction_read_only");
super_psql("SELECT pg_reload_conf()");
sleep 0.5;
ok($env->login($USER, $PASSWORD), 'writable again: a login works');
is(app($s{live}{access_token}), 200, 'and the check passes');
like($env->error_log, qr/database: .*read-only/, 'the read-only server is in the log');
is(fcgi_pids(), $pids, 'still the same FastCGI processes');
done_testing;
