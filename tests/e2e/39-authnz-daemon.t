# The authorizer as a FastCGI server of its own (jwtauth.fcgi -s) behind
# Apache's mod_authnz_fcgi: the same answers as under mod_fcgid, the
# user reaches the page's handler, a revocation is seen at once, and the
# daemon's processes come back when one dies.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use DaemonTests;

my ($port) = JwtAuthTest::_free_ports(1);
my $env = JwtAuthTest->start(template => DaemonTests::authnz_template($port));
my $daemon = DaemonTests::start_daemon($env, $port, 2);
$env->add_user('dana', 'dana password 1');
my $t = $env->must_login('dana', 'dana password 1');
my $get = sub {
	my ($path, $token) = @_;
	$env->http(GET => $path, { headers => defined $token ? $env->bearer($token) : {} });
};

is($get->('/app/index.html')->{status}, 401, 'without a token the daemon refuses');
my $res = $get->('/app/index.html', $t->{access_token});
is($res->{status}, 200, 'with a token the daemon lets the page through');
like($res->{content}, qr/id="secret"/, 'and the page is served');
$res = $get->('/app/whoami.cgi', $t->{access_token});
like($res->{content}, qr/dana/, 'the CGI handler gets the user');
my $html = $env->http(GET => '/app/index.html', { headers => { accept => 'text/html' } });
like($html->{content}, qr{(?:action="/auth/login"|url=/auth/login\?next=/app/index\.html")},
	'a browser without a session is shown the way to the login form');
is($env->logout($t->{access_token})->{status}, 204, 'logout through the login service');
is($get->('/app/index.html', $t->{access_token})->{status}, 401,
	'the daemon refuses the logged-out token at once');

# A worker dies: the daemon starts another.
my @kids = map { /^\s*(\d+)/ ? $1 : () } `ps -o pid= --ppid $daemon`;
is(scalar @kids, 2, 'the daemon runs 2 worker processes');
kill 'KILL', $kids[0];
sleep 2;
my @now = map { /^\s*(\d+)/ ? $1 : () } `ps -o pid= --ppid $daemon`;
is(scalar @now, 2, 'a killed worker is replaced');
$t = $env->must_login('dana', 'dana password 1');
is($get->('/app/index.html', $t->{access_token})->{status}, 200, 'and checks go on');
DaemonTests::stop_daemon($daemon);
done_testing;
