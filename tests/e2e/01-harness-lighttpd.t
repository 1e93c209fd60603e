# The test harness with lighttpd: both servers start and answer, and
# lighttpd reaches the FastCGI program at /auth.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start(server => 'lighttpd');
is($env->server, 'lighttpd', 'the environment runs lighttpd');

is($env->psql('select 1'), '1', 'PostgreSQL answers as role jwtauth');

my $res = $env->http(GET => '/');
is($res->{status}, 200, 'lighttpd serves the demo site');
like($res->{headers}{server} // '', qr/^lighttpd/, 'and it is lighttpd');

$res = $env->json(GET => '/auth/health');
is($res->{status}, 200, 'GET /auth/health is 200') or diag $res->{content};
is_deeply($res->{json}, { status => 'ok', database => 'ok',
	revocation_cache => 'listening' },
	'health says ok: the database answers, the revocation cache listens');

done_testing;
