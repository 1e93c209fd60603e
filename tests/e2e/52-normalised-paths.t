# Decisions on paths are made on the normalised path (GitHub issue 7,
# section 1.5; RFC 3986 §5.2.4 and §6.2.2): a protected page asked for
# through dot segments, percent-encoded dots or doubled slashes, which
# the web server maps into the protected area, is treated as the
# protected page it is, not as one of our routes.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start;
$env->add_user('olga', 'olga password 1');
my $t = $env->must_login('olga', 'olga password 1');
my $html = { accept => 'text/html' };

for my $path ('/auth/../app/index.html', '/auth/%2e%2e/app/index.html',
    '/auth/./../app/index.html', '/auth/x/%2E%2E/../app/index.html',
    '//auth/..//app/index.html') {
	my $res = $env->json(GET => $path);
	is($res->{status}, 401, "$path without a token is 401, as /app/index.html");
	is(ref $res->{json} && $res->{json}{error}, 'invalid_request',
		"$path without a token answers an API client in JSON");
	like($res->{headers}{'www-authenticate'} // '', qr/^Bearer realm="jwtauth"/,
		"$path without a token carries the Bearer challenge");
	$res = $env->http(GET => $path, { headers => $html });
	is($res->{status}, 401, "$path is 401 for a browser too, not the 200 login page");
	is(JwtAuthTest->hidden($res->{content}, 'next'), '/app/index.html',
		"$path: the login form leads back to the normalised page");
	$res = $env->http(GET => $path, { headers => $env->bearer($t->{access_token}) });
	is($res->{status}, 200, "$path with a Bearer token is served");
}

# Our own routes asked for through dot segments are still our routes.
my $res = $env->json(GET => '/app/../auth/health');
is($res->{status}, 200, '/app/../auth/health reaches the health route');
$res = $env->http(GET => '/auth/x/../login', { headers => $html });
is($res->{status}, 200, '/auth/x/../login is the login form');
done_testing;
