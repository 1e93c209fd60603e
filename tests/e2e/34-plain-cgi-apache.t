# Plain CGI behind a real Apache, for hosts without FastCGI: mod_cgid runs
# the program once per request, set up only by apache/shared-hosting/
# cgi.htaccess (server config: apache/htaccess-test.conf.in).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Copy qw(copy);
use Test::More;
use JwtAuthTest;
use RouteWalk qw(walk_routes);

my $repo = "$FindBin::Bin/../..";
my $env = JwtAuthTest->start(server => 'apache',
	template => "$repo/apache/htaccess-test.conf.in");
my $dir = $env->dir;
mkdir "$dir/www/auth" or die $!;
copy("$dir/jwtauth.fcgi", "$dir/www/auth/jwtauth.cgi") or die $!;
chmod 0755, "$dir/www/auth/jwtauth.cgi";
open my $in, '<', "$repo/apache/shared-hosting/cgi.htaccess" or die $!;
open my $out, '>', "$dir/www/auth/.htaccess" or die $!;
print {$out} <$in>;
# The web user's home is not ours to use here: name the config instead.
print $out "SetEnv JWTAUTH_CONFIG $dir/jwtauth.conf\n";
close $out or die $!;

my $res = $env->json(GET => '/auth/health');
is($res->{status}, 200, 'CGI under Apache: /auth/health is 200');
is_deeply($res->{json}, { status => 'ok', database => 'ok',
	revocation_cache => 'strict' },
	'CGI under Apache: health says ok, the cache strict (one request a process)');
$env->add_user('judy', 'judy password 1');
my $t = $env->login('judy', 'judy password 1');
ok($t && $t->{access_token}, 'CGI under Apache: JSON login');
$res = $env->json(GET => '/auth/me', { headers => $env->bearer($t->{access_token}) });
is($res->{status}, 200, 'CGI under Apache: me with the Bearer token');
is($res->{json}{username}, 'judy', 'CGI under Apache: me names the user');
$res = $env->json(POST => '/auth/refresh', { content => { refresh_token => $t->{refresh_token} } });
is($res->{status}, 200, 'CGI under Apache: refresh');
$res = $env->json(POST => '/auth/logout', { headers => $env->bearer($res->{json}{access_token}) });
is($res->{status}, 204, 'CGI under Apache: logout');
$res = $env->json(GET => '/auth/me', { headers => $env->bearer($t->{access_token}) });
is($res->{status}, 401, 'CGI under Apache: the session is over');
$res = $env->http(GET => '/auth/login', { headers => { accept => 'text/html' } });
like($res->{content}, qr{<form method="post" action="/auth/login">},
	'CGI under Apache: the login form');
# Every route of the program, through cgi.htaccess.
walk_routes($env, '/auth', 'CGI under Apache');
done_testing;
