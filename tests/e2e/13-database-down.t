# The database goes away in the middle of a run: every answer is 503 (never
# a 200 on a check that could not be made), with a log line; once it is
# back the program recovers by itself, without a restart of anything.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start;
$env->add_user('dave', 'dave password 1');
my $t = $env->login('dave', 'dave password 1');
ok($t, 'login works while the database is up');
my $me = sub { $env->json(GET => '/auth/me', { headers => $env->bearer($t->{access_token}) }) };
is($me->()->{status}, 200, 'me works while the database is up');

$env->pg_restart;
is($me->()->{status}, 200, 'after a PostgreSQL restart the next request succeeds');
is($env->json(GET => '/auth/health')->{status}, 200, 'health is 200 after the restart');

$env->pg_stop;
my $res = $env->json(GET => '/auth/health');
is($res->{status}, 503, 'health is 503 while the database is down');
is_deeply($res->{json}, { status => 'unavailable', database => 'unavailable',
	revocation_cache => 'reloading' },
	'health says unavailable, and that the revocation cache is not trusted');
$res = $me->();
is($res->{status}, 503, 'a valid token is not accepted while revocation cannot be checked');
is($res->{json}{error}, 'temporarily_unavailable', 'the 503 says temporarily_unavailable');
$res = $env->json(POST => '/auth/login',
	{ content => { username => 'dave', password => 'dave password 1' } });
is($res->{status}, 503, 'login is 503 while the database is down');
$res = $env->json(POST => '/auth/refresh', { content => { refresh_token => $t->{refresh_token} } });
is($res->{status}, 503, 'refresh is 503 while the database is down');
$res = $env->json(POST => '/auth/logout', { headers => $env->bearer($t->{access_token}) });
is($res->{status}, 503, 'logout is 503 while the database is down (nothing is lost)');
like($env->error_log, qr/jwtauth: database: .*failed/, 'the outage is in the error log');

$env->pg_start;
is($env->json(GET => '/auth/health')->{status}, 200, 'health is 200 again once the database is back');
is($me->()->{status}, 200, 'the token works again without restarting anything');
$res = $env->json(POST => '/auth/refresh', { content => { refresh_token => $t->{refresh_token} } });
is($res->{status}, 200, 'the refresh token survived the outage');
$res = $env->json(POST => '/auth/logout', { headers => $env->bearer($res->{json}{access_token}) });
is($res->{status}, 204, 'logout works after the outage');

done_testing;
