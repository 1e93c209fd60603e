# The operator's view of a running service: one key=value log line per
# security event (never a token or a password, untrusted bytes escaped),
# and GET /auth/metrics, counters shared by every FastCGI process, only
# for the addresses of metrics_allow.  SERVER=lighttpd runs the same
# against lighttpd (JWTAUTH_SERVER).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use Encode ();

my $env = JwtAuthTest->start(metrics_allow => '127.0.0.1 ::1', refresh_grace => 0);
$env->add_user('mira', 'mira password 1');

# metrics(): the counters of GET /auth/metrics as NAME{LABELS} => value.
sub metrics {
	my $res = $env->http(GET => '/auth/metrics');
	die "metrics: $res->{status} $res->{content}" if $res->{status} != 200;
	my %m;
	for (split /\n/, $res->{content}) {
		next if /^#/;
		/^(\S+) (\d+)$/ or die "metrics: a bad line: $_";
		$m{$1} = $2;
	}
	return \%m;
}

my $res = $env->http(GET => '/auth/metrics');
is($res->{status}, 200, 'metrics: 200 for an address of metrics_allow');
like($res->{headers}{'content-type'}, qr{^text/plain; version=0\.0\.4},
	'metrics: the Prometheus text format');
like($res->{content}, qr/^# TYPE jwtauth_logins_total counter$/m,
	'metrics: a TYPE line per family');
my $before = metrics();

# A login, a failed login, a refused request, a refresh, a logout.
my $t = $env->must_login('mira', 'mira password 1');
is($env->login_response('mira', 'wrong password')->{status}, 401,
	'a wrong password is refused');
is($env->http(GET => '/app/index.html')->{status}, 401,
	'a protected page without a token is refused');
is($env->me('not-a-jwt')->{status}, 401, 'a token of the wrong shape is refused');
my $r = $env->refresh($t->{refresh_token});
is($r->{status}, 200, 'a refresh succeeds');
is($env->logout($r->{json}{access_token}, {})->{status}, 204, 'a logout succeeds');

# Many processes: the counters must add up whichever one answers.
my $after = metrics();
for (1 .. 3) {
	my $again = metrics();
	is($again->{'jwtauth_logins_total{result="ok"}'},
		$after->{'jwtauth_logins_total{result="ok"}'},
		"metrics: scrape $_ sees the same count, whichever process answers");
}
my %moved = map { $_ => ($after->{$_} // 0) - ($before->{$_} // 0) } keys %$after;
is($moved{'jwtauth_logins_total{result="ok"}'}, 1, 'metrics: one login ok');
is($moved{'jwtauth_logins_total{result="failed"}'}, 1, 'metrics: one login failed');
cmp_ok($moved{'jwtauth_refusals_total{reason="no_token"}'}, '>=', 1,
	'metrics: the request without a token is a refusal, no_token');
is($moved{'jwtauth_refusals_total{reason="malformed"}'}, 1,
	'metrics: the token of the wrong shape is a refusal, malformed');
is($moved{'jwtauth_refreshes_total{result="ok"}'}, 1, 'metrics: one refresh');
is($moved{'jwtauth_logouts_total'}, 1, 'metrics: one logout');
is($moved{'jwtauth_password_hashing_total{result="granted"}'}, 2,
	'metrics: two hashing slots granted (two logins)');
cmp_ok($moved{'jwtauth_revocation_cache_total{result="miss"}'}
	+ $moved{'jwtauth_revocation_cache_total{result="hit"}'}, '>=', 0,
	'metrics: the revocation cache counters are there');
ok(exists $after->{'jwtauth_token_cache_total{result="hit"}'}
	&& exists $after->{'jwtauth_revocation_cache_reloads_total'},
	'metrics: token cache and reload counters are there');

# The event lines, in the error log.
my $log = $env->error_log;
my $ip = qr/127\.0\.0\.1/;
like($log, qr/^jwtauth: event=login_ok user=mira sid=[0-9a-f-]{36} ip=$ip$/m,
	'event: login_ok with user, session and address');
like($log, qr/^jwtauth: event=login_failed user=mira ip=$ip reason=bad_credentials$/m,
	'event: login_failed with a reason');
like($log, qr/^jwtauth: event=refresh user=mira sid=[0-9a-f-]{36} ip=$ip$/m,
	'event: refresh');
like($log, qr/^jwtauth: event=logout sid=[0-9a-f-]{36} ip=$ip uid=[0-9a-f-]{36} scope=local$/m,
	'event: logout with its scope');
unlike($log, qr/\Q$t->{access_token}\E|\Q$t->{refresh_token}\E|mira password|wrong password/,
	'event: no token and no password in the log');

# Untrusted bytes in a user name are escaped: a space, '=', a quote, a
# byte outside ASCII cannot forge a field or confuse a parser.
$env->add_user(Encode::encode_utf8("eve=x user=root\"\x{e9}"), 'eve password 1');
is($env->login_response("eve=x user=root\"\x{e9}", 'whatever pw')->{status}, 401,
	'a login with a strange user name is refused');
like($env->error_log,
	qr/^jwtauth: event=login_failed user=eve\\x3dx\\x20user\\x3droot\\x22\\xc3\\xa9 ip=$ip /m,
	'event: space, =, quote and UTF-8 in a value are escaped as \\xHH');

# A name that is no user's may be a password typed into the name field:
# the log says ?unknown, never the name.
is($env->login_response('Secret pw 42 typed here', 'whatever pw')->{status}, 401,
	'a login with an unknown user name is refused');
like($env->error_log, qr/^jwtauth: event=login_failed user=\?unknown ip=$ip reason=bad_credentials$/m,
	'event: an unknown name is logged as user=?unknown');
unlike($env->error_log, qr/Secret(?: |\\x20)pw/, 'event: and the name typed is not in the log');

# A reuse is one line too.
my $t2 = $env->must_login('mira', 'mira password 1');
is($env->refresh($t2->{refresh_token})->{status}, 200, 'a second session refreshes');

is($env->refresh($t2->{refresh_token})->{status}, 401, 'the old refresh token is refused');
like($env->error_log, qr/^jwtauth: event=refresh_reuse user=mira sid=[0-9a-f-]{36} ip=$ip action=session_revoked$/m,
	'event: refresh_reuse');
is(metrics()->{'jwtauth_refreshes_total{result="reuse"}'}, 1, 'metrics: one reuse');

# authctl's events go to log_file (not to the terminal): lock.
my ($rc, $out, $err) = $env->authctl({}, 'user', 'lock', 'mira');
is($rc, 0, 'authctl user lock works');
unlike($err, qr/event=/, 'authctl: no event line on the terminal');

# A refusal of an unauthenticated request is not an error in Apache's
# log: jwtauth logs nothing for it, and mod_fcgid's own "Access check
# ... failed" at level error is silenced in the protected area
# (LogLevel fcgid:crit in apache/dev.conf.in).
SKIP: {
	skip 'Apache only', 1 unless $env->server eq 'apache';
	unlike($env->error_log, qr/^\[[^\]]*\] \[[a-z_]*:error\].*(?:status 401|app\/index)/m,
		'apache: the refusal of a request without a token logs no error');
}

# A new signing key_id: one key_rotation line, from the first process
# that starts with it (the processes share what the last one used).
my $k2 = $env->keygen('k2.key');
$env->reconfigure(key_file => $k2, key_id => 'k2');
is($env->json(GET => '/auth/health')->{status}, 200, 'the service runs with key k2');
my @rot = $env->error_log =~ /^jwtauth: (event=key_rotation .*)$/mg;
is_deeply(\@rot, ['event=key_rotation kid=k2 alg=HS256'],
	'event: one key_rotation line, with the new kid');

# Another address: the same 404 as a path that does not exist.  The
# service sees 127.0.0.1 only, so another config makes it "another".
$env->reconfigure(metrics_allow => '192.0.2.1');
$res = $env->http(GET => '/auth/metrics');
is($res->{status}, 404, 'metrics: 404 for an address not in metrics_allow');
unlike($res->{content}, qr/jwtauth_/, 'metrics: and no counter in it');
$env->reconfigure(metrics_allow => undef);
is($env->http(GET => '/auth/metrics')->{status}, 404, 'metrics: 404 when metrics_allow is unset');

done_testing;
