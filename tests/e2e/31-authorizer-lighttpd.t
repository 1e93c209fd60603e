# The FastCGI authorizer behind lighttpd's mod_fastcgi in authorizer mode:
# see tests/lib/AuthorizerTests.pm.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use AuthorizerTests;
use RouteWalk qw(walk_routes);

my $env = AuthorizerTests::run('lighttpd');
# Every route of the program, through the server config's /auth.
walk_routes($env, '/auth', 'lighttpd');
done_testing;
