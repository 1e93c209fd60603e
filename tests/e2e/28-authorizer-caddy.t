# The check behind Caddy: reverse_proxy asks BASE/check of jwtauth.fcgi
# -s over FastCGI (204 with X-Auth-* or 401), handle_response copies the
# identity into request headers on 2xx and asks BASE/login to spell a
# 401, and the identity reaches the demo's CGI script (fcgiwrap) as
# AUTH_*: caddy/dev.conf.in, the same suite as Apache's, lighttpd's and
# nginx's (tests/lib/AuthorizerTests.pm).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use AuthorizerTests;
use RouteWalk qw(walk_routes);

my $env = AuthorizerTests::run('caddy');

# The check itself: a subrequest's answer, never a client's.
my $t = $env->login('frank', 'frank password 1');
my $res = $env->http(GET => '/app/index.html', { headers => $env->bearer($t->{access_token}) });
ok(!grep(/^x-auth-/i, keys %{ $res->{headers} }),
	'caddy: the check\'s X-Auth-* headers do not reach the client');
$res = $env->http(GET => '/app/whoami.cgi', { headers => {
	%{ $env->bearer($t->{access_token}) }, 'x-auth-user' => 'root' } });
like($res->{content}, qr{<dd id="auth-user">frank</dd>},
	'caddy: an X-Auth-User header from the client does not make the CGI\'s AUTH_USER');

# Every route of the program, through the server config's /auth.
walk_routes($env, '/auth', 'caddy');
done_testing;
