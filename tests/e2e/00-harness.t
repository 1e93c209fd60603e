# The test harness itself: both servers start and answer, and Apache
# reaches the FastCGI program at /auth.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start;

is($env->psql('select 1'), '1', 'PostgreSQL answers as role jwtauth');

my $res = $env->http(GET => '/');
is($res->{status}, 200, 'Apache serves the demo site');

$res = $env->json(GET => '/auth/health');
is($res->{status}, 200, 'GET /auth/health is 200') or diag $res->{content};
is_deeply($res->{json}, { status => 'ok', database => 'ok',
	revocation_cache => 'listening' },
	'health says ok: the database answers, the revocation cache listens');

done_testing;
