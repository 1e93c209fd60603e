# mod_jwtauth, the authorizer inside Apache (docs/apache-module.md): the
# same suite as the FastCGI authorizer's (tests/lib/AuthorizerTests.pm:
# Bearer and cookie, a browser sent to the sign-in form and back, an
# expired cookie sent through the refresh, tampered tokens, logout
# refused at the next request, the database down is 503 and nothing
# leaks, the identity reaching a CGI script) with the module loaded
# into a private Apache (apache/module-test.conf.in) in place of
# FcgidAccessChecker; then REMOTE_USER, no header of the check reaching
# the client, a .htaccess that says JwtAuth On, one that names its own
# JwtAuthConfig (a deployment of its own), the listener started by
# the module, revocation_check = strict, and the lock's figures logged
# when a child ends.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Copy qw(copy);
use HTTP::Tiny;
use POSIX ();
use Test::More;
use AuthorizerTests;
use JwtAuthTest;

my $repo = "$FindBin::Bin/../..";
-f "$repo/cgi-bin/mod_jwtauth.so"
	or die "no cgi-bin/mod_jwtauth.so: run make apache-module\n";

my $env = AuthorizerTests::run('apache',
	template => "$repo/apache/module-test.conf.in", name => 'mod_jwtauth');
my $dir = $env->dir;

# The checks above were the module's: no FastCGI authorizer is set up.
my $conf = do { local (@ARGV, $/) = "$dir/apache.conf"; <> };
unlike($conf, qr/^\s*FcgidAccessChecker/m, 'mod_jwtauth: no FastCGI access checker in the config');
like($conf, qr/^LoadModule jwtauth_module /m, 'mod_jwtauth: the module is loaded');
# Under make test-san: the ASan+UBSan build of the module, in an Apache
# with the sanitizers' runtime preloaded (scripts/server.sh).
if (my $m = $ENV{JWTAUTH_MODULE}) {
	like($conf, qr/^LoadModule jwtauth_module \Q$m\E$/m,
		"mod_jwtauth: the module loaded is $m");
}
if ($ENV{JWTAUTH_MODULE_PRELOAD}) {
	my $pid = do { local (@ARGV, $/) = "$dir/apache/apache2.pid"; <> } // '';
	chomp $pid;
	my $maps = do { local (@ARGV, $/) = "/proc/$pid/maps"; <> } // '';
	like($maps, qr/libasan/, 'mod_jwtauth: Apache runs with the ASan runtime');
}

my $t = $env->login('frank', 'frank password 1');
my $res = $env->http(GET => '/app/whoami.cgi', { headers => {
	%{ $env->bearer($t->{access_token}) }, 'auth-user' => 'root',
	'x-auth-user' => 'root' } });
is($res->{status}, 200, 'mod_jwtauth: the CGI is served');
like($res->{content}, qr{<dd id="remote-user">frank</dd>},
	'mod_jwtauth: the CGI gets REMOTE_USER');
like($res->{content}, qr{<dd id="auth-user">frank</dd>},
	'mod_jwtauth: a client\'s own Auth-User header does not make AUTH_USER');
my @leak = grep /^(?:variable-|x-auth-|auth-)/i, keys %{ $res->{headers} };
ok(!@leak, 'mod_jwtauth: no identity header reaches the client') or diag("@leak");

# .htaccess: the directory is open until its owner's file says JwtAuth On
# (AllowOverride AuthConfig in the server config).
my $ht = "$dir/www/ht";
mkdir $ht or die "$ht: $!";
copy("$dir/www/app/index.html", "$ht/index.html") or die $!;
copy("$dir/www/app/whoami.cgi", "$ht/whoami.cgi") or die $!;
chmod 0755, "$ht/whoami.cgi";
sub htaccess {
	open my $fh, '>', "$ht/.htaccess" or die $!;
	print $fh @_;
	close $fh or die $!;
}
is($env->http(GET => '/ht/index.html')->{status}, 200,
	'.htaccess: the directory is open before its .htaccess');
htaccess("JwtAuth On\n");
$res = $env->json(GET => '/ht/index.html');
is($res->{status}, 401, '.htaccess: JwtAuth On refuses a request without a token');
is($res->{json} && $res->{json}{error}, 'invalid_request',
	'.htaccess: in JSON for an API client (the ErrorDocument 401)');
$res = $env->http(GET => '/ht/index.html', { headers => { accept => 'text/html' } });
like($res->{content}, qr{name="next" value="/ht/index\.html"},
	'.htaccess: a browser gets the sign-in form, back to the page');
$res = $env->http(GET => '/ht/index.html', { headers => $env->bearer($t->{access_token}) });
is($res->{status}, 200, '.htaccess: a Bearer token passes');
like($res->{content}, qr/id="secret"/, '.htaccess: and the page is served');
$res = $env->http(GET => '/ht/whoami.cgi', { headers => { accept => 'text/html',
	cookie => "jwtauth_at=$t->{access_token}" } });
like($res->{content}, qr{<dd id="auth-user">frank</dd>},
	'.htaccess: the access cookie passes, the identity reaches the CGI');
# JwtAuthConfig in a .htaccess: that directory checks with its own
# deployment (mod_jwtauth_deploy.c), its own caches beside the server's.
# copy.conf is the server's config under another name: the same key.
# other.conf signs and verifies with another key: a token of the
# server's deployment, verified and cached there, is refused in it, and
# the server's pages pass still, as requests go back and forth.
system('cp', '-p', $env->config_file, "$dir/copy.conf") == 0 or die "cp: $?";
my $other = $env->keygen('other.key');
{
	my $text = do { local (@ARGV, $/) = $env->config_file; <> };
	$text =~ s/^key_file = .*$/key_file = $other/m or die "no key_file\n";
	open my $fh, '>', "$dir/other.conf" or die $!;
	print $fh $text;
	close $fh or die $!;
	my @st = stat $env->config_file;
	chown $st[4], $st[5], "$dir/other.conf";
	chmod $st[2] & 07777, "$dir/other.conf";
}
my $bearer = $env->bearer($t->{access_token});
my $page = sub { $env->http(GET => $_[0], { headers => $bearer })->{status} };
htaccess("JwtAuth On\nJwtAuthConfig $dir/copy.conf\n");
is($page->('/ht/index.html'), 200,
	'.htaccess: JwtAuthConfig there is obeyed (the same key: the token passes)');
htaccess("JwtAuth On\nJwtAuthConfig $dir/other.conf\n");
my @seen = map { ($page->('/app/index.html'), $page->('/ht/index.html')) } 1 .. 4;
is("@seen", join(' ', (200, 401) x 4),
	'.htaccess: with another key there, the token is refused in that directory '
	. 'and passes in the server\'s, request after request (no cache shared)');
htaccess("JwtAuth On\nJwtAuthConfig $dir/missing.conf\n");
$res = $env->http(GET => '/ht/index.html', { headers => $bearer });
is($res->{status}, 503, '.htaccess: a config file that does not load is 503 (fail closed)');
unlike($res->{content} // '', qr/id="secret"/, '.htaccess: and nothing of the page leaks');
is($page->('/app/index.html'), 200,
	'.htaccess: and the server\'s pages still pass with the server\'s config');
htaccess("JwtAuth Off\n");
is($env->http(GET => '/ht/index.html')->{status}, 200,
	'.htaccess: JwtAuth Off opens it again');

# Revoked at the next request, in the module too: logout in the responder,
# then the same token at once.
$t = $env->login('frank', 'frank password 1');
is($env->http(GET => '/app/index.html', { headers => $env->bearer($t->{access_token}) })->{status},
	200, 'mod_jwtauth: a fresh token passes');
is($env->json(POST => '/auth/logout', { headers => $env->bearer($t->{access_token}) })->{status},
	204, 'mod_jwtauth: logout');
is($env->http(GET => '/app/index.html', { headers => $env->bearer($t->{access_token}) })->{status},
	401, 'mod_jwtauth: the token is refused at the next request');

# The host's revocation listener, gone: the module's next check starts
# one (JwtAuthListener), with no request to the responder in between.
sub listeners {
	my $conf = $env->config_file;
	return map { /^\s*(\d+)/ ? $1 : () }
		grep { /jwtauth\.fcgi -l -c \Q$conf\E/ } `ps -eo pid=,args=`;
}
sub wait_until {
	my ($cond) = @_;
	for (1 .. 50) { return 1 if $cond->(); select undef, undef, undef, 0.1 }
	return $cond->();
}
$t = $env->login('frank', 'frank password 1');
my @l = listeners();
ok(@l, 'mod_jwtauth: a revocation listener runs') or diag $env->error_log;
kill 'TERM', @l;
ok(wait_until(sub { !listeners() }), 'mod_jwtauth: the listener is stopped');
# A host tries to start a listener once a second at most (revring.c).
select undef, undef, undef, 1.2;
is($env->http(GET => '/app/index.html', { headers => $env->bearer($t->{access_token}) })->{status},
	200, 'mod_jwtauth: a check without a listener passes (from the database)');
ok(wait_until(sub { listeners() > 0 }), 'mod_jwtauth: and the module started a listener')
	or diag(`ps -eo pid,ppid,stat,args | grep jwtauth`);
is($env->json(POST => '/auth/logout', { headers => $env->bearer($t->{access_token}) })->{status},
	204, 'mod_jwtauth: logout');
is($env->http(GET => '/app/index.html', { headers => $env->bearer($t->{access_token}) })->{status},
	401, 'mod_jwtauth: the token is refused at the next request, with the new listener');

# revocation_check = strict: every check asks the database, through the
# child's one connection; no listener is wanted (where the cached check
# above started one).
$env->reconfigure(revocation_check => 'strict');
kill 'TERM', listeners();
ok(wait_until(sub { !listeners() }), 'strict: no listener runs');
select undef, undef, undef, 1.2;
$t = $env->login('frank', 'frank password 1');
is($env->http(GET => '/app/index.html', { headers => $env->bearer($t->{access_token}) })->{status},
	200, 'strict: a token passes');
select undef, undef, undef, 1.5;
ok(!listeners(), 'strict: and the check started no listener');
$env->psql("UPDATE sessions SET revoked_at = now() WHERE id = '"
	. JwtAuthTest->sid_of($t->{access_token}) . "'");
is($env->http(GET => '/app/index.html', { headers => $env->bearer($t->{access_token}) })->{status},
	401, 'strict: a session ended in the database behind its back is refused at once');

# Many checks at once, then the children end: each logs its lock figures.
$t = $env->login('frank', 'frank password 1');
my @kids;
for my $k (1 .. 8) {
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		my $ok = 1;
		for (1 .. 25) {
			my $r = HTTP::Tiny->new(timeout => 10)->get($env->url('/app/index.html'),
				{ headers => $env->bearer($t->{access_token}) });
			$ok &&= $r->{status} == 200;
		}
		POSIX::_exit($ok ? 0 : 1);
	}
	push @kids, $pid;
}
my $bad = 0;
for (@kids) { waitpid($_, 0); $bad++ if $? }
is($bad, 0, 'mod_jwtauth: 8 clients x 25 requests at once all pass');
$env->restart_server;
like($env->error_log, qr/mod_jwtauth: pid \d+: \d+ checks, \d+ waited for the lock/,
	'mod_jwtauth: an ending child logs how often a check waited for the lock');
done_testing;
