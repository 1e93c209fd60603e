# A real browser (Debian's chromium, driven by playwright-core) through
# the HTML flow of a protected page on Apache (JWTAUTH_BROWSER_SERVER
# names another; 41-browser-lighttpd.t): login form, the page,
# expiry of the access token and silent refresh, logout.  Screenshots of
# the login page and the protected page go to tests/out/SERVER/.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $server = $ENV{JWTAUTH_BROWSER_SERVER} // 'apache';
my $dir = "$FindBin::Bin/../browser";
my $out = "$FindBin::Bin/../out/$server";
plan skip_all => 'tests/browser/node_modules missing: make test installs it'
	unless -d "$dir/node_modules/playwright-core";
mkdir "$FindBin::Bin/../out";
mkdir $out;

# Short-lived access tokens and no leeway, so that the browser can wait
# past their lifetime.
my $ttl = 10;
my $env = JwtAuthTest->start(server => $server, access_ttl => $ttl, leeway => 0);
$env->add_user('grace', 'grace password 1');

my $url = $env->url('');
JwtAuthTest->node_tap("$server browser: ", "$dir/flow.mjs", $url, 'grace',
	'grace password 1', $ttl + 2, $out);
ok(-s "$out/login.png" && -s "$out/protected.png", "screenshots saved in tests/out/$server/");
done_testing;
