# The FastCGI authorizer behind Apache's FcgidAccessChecker (server
# config): see tests/lib/AuthorizerTests.pm.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use AuthorizerTests;
use RouteWalk qw(walk_routes);

my $env = AuthorizerTests::run('apache');
my $t = $env->login('frank', 'frank password 1');
my $res = $env->http(GET => '/app/whoami.cgi', { headers => $env->bearer($t->{access_token}) });
like($res->{content}, qr{<dd id="remote-user">frank</dd>},
	'apache: the CGI gets REMOTE_USER too');
# Every route of the program, through the server config's /auth.
walk_routes($env, '/auth', 'apache');
done_testing;
