# origin: a form posted from the site's own origin (scheme://Host of the
# request) passes under any host name the site has; the config's origin
# lists further ones (a proxy that ends TLS); a foreign origin never
# passes.  Run as plain CGI, where the test can set Host.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IPC::Open2;
use JwtAuthTest;

my $env = JwtAuthTest->start(origin => 'https://www.example.org');
$env->add_user('nina', 'nina password 1');

# cgi(BODY, %VARS): a form POST to /auth/login as plain CGI; returns the
# status.
sub cgi {
	my ($body, %vars) = @_;
	local %ENV = (PATH => '/usr/bin:/bin', REQUEST_METHOD => 'POST',
		SCRIPT_NAME => '/auth', PATH_INFO => '/login', SERVER_PROTOCOL => 'HTTP/1.1',
		REMOTE_ADDR => '192.0.2.1', CONTENT_LENGTH => length $body,
		CONTENT_TYPE => 'application/x-www-form-urlencoded',
		HTTP_ACCEPT => 'text/html', HTTPS => 'on',
		JWTAUTH_CONFIG => $env->config_file, %vars);
	delete @ENV{ grep { !defined $ENV{$_} || $ENV{$_} eq '' } keys %ENV };
	open my $olderr, '>&', \*STDERR or die $!;
	open STDERR, '>', '/dev/null' or die $!;
	my $pid = open2(my $out, my $in, $env->dir . '/jwtauth.fcgi');
	open STDERR, '>&', $olderr or die $!;
	print $in $body;
	close $in;
	local $/;
	my $raw = <$out> // '';
	waitpid $pid, 0;
	my ($status) = $raw =~ /^Status: (\d+)/m;
	return ($status, $raw);
}

# A CSRF nonce and its form token, from the login page.
my (undef, $page) = cgi('', REQUEST_METHOD => 'GET', CONTENT_LENGTH => 0,
	HTTP_HOST => 'example.org');
my ($nonce) = $page =~ /^Set-Cookie: __Host-jwtauth_csrf=([^;]+)/m;
my $csrf = JwtAuthTest->hidden($page, 'csrf');
my $body = "username=nina&password=nina+password+1&next=%2F&csrf=$csrf";
my %c = (HTTP_COOKIE => "__Host-jwtauth_csrf=$nonce");

is((cgi($body, %c, HTTP_HOST => 'example.org', HTTP_ORIGIN => 'https://example.org'))[0],
	303, 'origin: the bare domain signs in although origin names www');
is((cgi($body, %c, HTTP_HOST => 'www.example.org', HTTP_ORIGIN => 'https://www.example.org'))[0],
	303, 'origin: www signs in');
is((cgi($body, HTTP_COOKIE => "jwtauth_csrf=$nonce", HTTP_HOST => 'internal:8080', HTTPS => '',
	HTTP_ORIGIN => 'https://www.example.org'))[0],
	303, 'origin: behind a proxy the listed origin passes');
is((cgi($body, %c, HTTP_HOST => 'example.org', HTTP_ORIGIN => undef,
	HTTP_REFERER => 'https://example.org/auth/login?next=%2F'))[0],
	303, 'origin: without Origin, the Referer of our own origin passes');
is((cgi($body, %c, HTTP_HOST => 'example.org', HTTP_ORIGIN => 'https://evil.example'))[0],
	403, 'origin: a foreign origin is refused');
is((cgi($body, %c, HTTP_HOST => 'example.org', HTTP_ORIGIN => 'https://sub.example.org'))[0],
	403, 'origin: a sibling subdomain is refused');
is((cgi($body, %c, HTTP_HOST => 'example.org', HTTP_ORIGIN => 'http://example.org'))[0],
	403, 'origin: http:// to an https:// site is refused');
is((cgi($body, %c, HTTP_HOST => 'example.org', HTTP_ORIGIN => undef,
	HTTP_REFERER => 'https://example.org.evil.example/'))[0],
	403, 'origin: a Referer on a longer host name is refused');
done_testing;
