# The shared-hosting deployment as such: the server config knows nothing of
# jwtauth (apache/htaccess-test.conf.in grants AllowOverride as a shared
# host does) and the .htaccess files of apache/shared-hosting/ do it all,
# with /home/USER replaced as docs/shared-hosting.md says.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Copy qw(copy);
use Test::More;
use JwtAuthTest;
use AuthorizerTests;
use RouteWalk qw(walk_routes);

my $repo = "$FindBin::Bin/../..";
my $env = JwtAuthTest->start(server => 'apache',
	template => "$repo/apache/htaccess-test.conf.in");
my $dir = $env->dir;
my $www = "$dir/www";

# install(TEMPLATE, TARGET): a .htaccess from apache/shared-hosting/ with
# this test's paths in place of /home/USER/public_html and ~/jwtauth.
sub install {
	my ($template, $target) = @_;
	open my $in, '<', "$repo/apache/shared-hosting/$template" or die $!;
	local $/;
	my $text = <$in>;
	$text =~ s{/home/USER/public_html}{$www}g;
	$text =~ s{/home/USER/jwtauth/jwtauth\.conf}{$dir/jwtauth.conf}g;
	open my $out, '>', $target or die "$target: $!";
	print $out $text;
	close $out or die $!;
}

mkdir "$www/auth" or die $!;
copy("$dir/jwtauth.fcgi", "$www/auth/jwtauth.fcgi") or die $!;
chmod 0755, "$www/auth/jwtauth.fcgi";
install('auth.htaccess', "$www/auth/.htaccess");
install('app.htaccess', "$www/app/.htaccess");

is($env->psql("select 1"), 1, 'the database is up');
my $res = $env->json(GET => '/auth/health');
is($res->{status}, 200, '.htaccess: /auth/health reaches the program through the rewrite');
is_deeply($res->{json}, { status => 'ok', database => 'ok',
	revocation_cache => 'listening' }, '.htaccess: health says ok');
$res = $env->http(GET => '/auth/jwtauth.fcgi');
isnt($res->{content} // '', do { local (@ARGV, $/) = "$dir/jwtauth.fcgi"; <> },
	'.htaccess: the binary itself is never served as a file');

# The strictest common host: Options=ExecCGI only, so an .htaccess that
# says -Indexes is a 500; ours do without it and still list nothing.
mkdir "$www/strict" or die $!;
open my $fh, '>', "$www/strict/.htaccess" or die $!;
print $fh "Options +ExecCGI -Indexes\n";
close $fh;
is($env->http(GET => '/strict/')->{status}, 500,
	'the test host allows only Options=ExecCGI (-Indexes is a 500)');
$res = $env->http(GET => '/auth/');
unlike($res->{content} // '', qr/jwtauth\.fcgi/, '.htaccess: /auth/ lists no file');

# mod_fcgid's FcgidMaxRequestLen is 131072 by default: a longer body is
# refused by the rewrite with 413, not by mod_fcgid with 500.
$res = $env->http(POST => '/auth/login', { content => 'x' x (200 * 1024),
	headers => { 'content-type' => 'application/json' } });
is($res->{status}, 413, '.htaccess: a 200 KiB body gets 413');
$res = $env->http(POST => '/auth/login', { content => 'x' x (100 * 1024),
	headers => { 'content-type' => 'application/json' } });
is($res->{status}, 413, '.htaccess: a 100 KiB body (over max_body) gets the program\'s 413');

$env->add_user('ivan', 'ivan password 1');
my $t = $env->login('ivan', 'ivan password 1');
ok($t && $t->{access_token}, '.htaccess: JSON login works');
$res = $env->json(GET => '/auth/me', { headers => $env->bearer($t->{access_token}) });
is($res->{status}, 200, '.htaccess: me with the Bearer header (CGIPassAuth in .htaccess)');

for my $page ('/app/index.html', '/app/whoami.cgi') {
	$res = $env->json(GET => $page);
	is($res->{status}, 401, ".htaccess: $page without a token is 401");
	$res = $env->http(GET => $page, { headers => { accept => 'text/html' } });
	like($res->{content}, qr{<form method="post" action="/auth/login">},
		".htaccess: a browser gets the login form for $page (ErrorDocument in .htaccess)");
	is(JwtAuthTest->hidden($res->{content}, 'next'), $page,
		".htaccess: which leads back to $page");
	$res = $env->http(GET => $page, { headers => $env->bearer($t->{access_token}) });
	is($res->{status}, 200, ".htaccess: $page with a Bearer token is 200");
	like($res->{headers}{'cache-control'} // '', qr/no-store/, ".htaccess: $page is no-store");
	ok(!grep(/^variable-/i, keys %{ $res->{headers} }), ".htaccess: no Variable-* header leaks");
}
AuthorizerTests::identity_kept_in($env, '.htaccess', $env->bearer($t->{access_token}));
$res = $env->http(GET => '/app/whoami.cgi', { headers => $env->bearer($t->{access_token}) });
like($res->{content}, qr{<dd id="auth-user">ivan</dd>}, '.htaccess: the CGI gets AUTH_USER');

# The browser flow through the rewritten routes: form login, cookie.
my %jar;
$res = $env->http(GET => '/app/index.html', { headers => { accept => 'text/html' } });
JwtAuthTest->cookie_jar(\%jar, $res);
$res = $env->form('/auth/login', \%jar, { username => 'ivan', password => 'ivan password 1',
	next => '/app/index.html', csrf => JwtAuthTest->hidden($res->{content}, 'csrf') });
is($res->{status}, 303, '.htaccess: the login form answers 303');
is($res->{headers}{location}, '/app/index.html', '.htaccess: back to the page');
$res = $env->http(GET => '/app/index.html', { headers => { cookie => JwtAuthTest->cookie_header(\%jar) } });
is($res->{status}, 200, '.htaccess: the page with the cookie is 200');

$res = $env->json(POST => '/auth/logout', { headers => $env->bearer($t->{access_token}) });
is($res->{status}, 204, '.htaccess: logout');
$res = $env->http(GET => '/app/index.html', { headers => $env->bearer($t->{access_token}) });
is($res->{status}, 401, '.htaccess: refused after logout');
my ($h, $p, $s) = split /\./, $t->{access_token};
$res = $env->http(GET => '/app/index.html', { headers => $env->bearer("$h.$p." . reverse $s) });
is($res->{status}, 401, '.htaccess: a tampered token is refused');

# Every route of the program, through auth.htaccess (issue 19: the
# rewrite once passed only some of them).
walk_routes($env, '/auth', '.htaccess');

done_testing;
