# The same program as plain CGI, for hosts without FastCGI: started once
# per request with the request in its environment and body on standard
# input (RFC 3875), it answers once and exits.  Run here directly, as a
# web server would; also the way to see the HTTPS cookie attributes
# (HTTPS=on) without a TLS server.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IPC::Open2;
use JSON::PP;
use JwtAuthTest;

my $env = JwtAuthTest->start;
$env->add_user('heidi', 'heidi password 1');

# cgi(METHOD, PATH_INFO, BODY, %VARS): runs the program as CGI; returns
# (status, headers as a list of [name, value], body).
sub cgi {
	my ($method, $path, $body, %vars) = @_;
	$body //= '';
	local %ENV = (PATH => '/usr/bin:/bin', REQUEST_METHOD => $method,
		SCRIPT_NAME => '/auth', PATH_INFO => $path, SERVER_PROTOCOL => 'HTTP/1.1',
		HTTP_HOST => 'example.org', REMOTE_ADDR => '192.0.2.1',
		CONTENT_LENGTH => length $body,
		JWTAUTH_CONFIG => $env->config_file, %vars);
	open my $olderr, '>&', \*STDERR or die $!;
	open STDERR, '>', '/dev/null' or die $!;	# the program's log lines
	my $pid = open2(my $out, my $in, $env->dir . '/jwtauth.fcgi');
	open STDERR, '>&', $olderr or die $!;
	print $in $body;
	close $in;
	local $/;
	my $raw = <$out>;
	waitpid $pid, 0;
	my ($head, $content) = split /\r\n\r\n/, $raw // '', 2;
	$head //= '';
	my @h = map { [ split /: /, $_, 2 ] } split /\r\n/, $head;
	my ($status) = map { $_->[1] =~ /^(\d+)/ } grep { $_->[0] eq 'Status' } @h;
	return ($status, \@h, $content, $? >> 8);
}

my ($status, $h, $body, $exit) = cgi(GET => '/health');
is($status, 200, 'plain CGI: GET /auth/health is 200');
is($body, '{"status":"ok","database":"ok","revocation_cache":"strict"}',
	'plain CGI: health says ok, and that a CGI process checks strictly');
is($exit, 0, 'plain CGI: the program exits after one request');

my $login = encode_json({ username => 'heidi', password => 'heidi password 1' });
($status, $h, $body) = cgi(POST => '/login', $login, CONTENT_TYPE => 'application/json');
is($status, 200, 'plain CGI: JSON login is 200');
my $t = decode_json($body);
($status, $h, $body) = cgi(GET => '/me', '', HTTP_AUTHORIZATION => "Bearer $t->{access_token}");
is($status, 200, 'plain CGI: me with the Bearer token is 200');
is(decode_json($body)->{username}, 'heidi', 'plain CGI: me names the user');
($status) = cgi(POST => '/logout', '', HTTP_AUTHORIZATION => "Bearer $t->{access_token}");
is($status, 204, 'plain CGI: logout is 204');
($status) = cgi(GET => '/me', '', HTTP_AUTHORIZATION => "Bearer $t->{access_token}");
is($status, 401, 'plain CGI: the token is refused after logout');

# Over HTTPS (the web server says HTTPS=on): cookie prefixes and Secure.
($status, $h, $body) = cgi(GET => '/login', '', HTTPS => 'on', HTTP_ACCEPT => 'text/html');
my ($csrf_cookie) = map { $_->[1] } grep { $_->[0] eq 'Set-Cookie' } @$h;
like($csrf_cookie, qr/^__Host-jwtauth_csrf=[^;]+; Path=\/;.*; Secure$/,
	'over HTTPS the CSRF cookie is __Host- and Secure');
my ($nonce) = $csrf_cookie =~ /^__Host-jwtauth_csrf=([^;]+)/;
my $csrf = JwtAuthTest->hidden($body, 'csrf');
# "Keep me signed in" ticked: the cookies persist (Max-Age).
($status, $h) = cgi(POST => '/login',
	"username=heidi&password=heidi+password+1&next=%2Fapp%2F&csrf=$csrf&remember=on",
	HTTPS => 'on', CONTENT_TYPE => 'application/x-www-form-urlencoded',
	HTTP_ORIGIN => 'https://example.org', HTTP_COOKIE => "__Host-jwtauth_csrf=$nonce");
is($status, 303, 'over HTTPS a form login answers 303');
my @cookies = map { $_->[1] } grep { $_->[0] eq 'Set-Cookie' } @$h;
my ($at) = grep { /^__Host-jwtauth_at=/ } @cookies;
my ($rt) = grep { /^__Secure-jwtauth_rt=/ } @cookies;
like($at, qr/; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/,
	'over HTTPS the access cookie is __Host-, Path=/, HttpOnly, Lax, Secure');
like($rt, qr/; Path=\/auth; Max-Age=\d+; HttpOnly; SameSite=Strict; Secure$/,
	'over HTTPS the refresh cookie is __Secure-, Path=/auth, HttpOnly, Strict, Secure');
($status) = cgi(POST => '/login',
	"username=heidi&password=heidi+password+1&next=%2Fapp%2F&csrf=$csrf",
	HTTPS => 'on', CONTENT_TYPE => 'application/x-www-form-urlencoded',
	HTTP_ORIGIN => 'http://example.org', HTTP_COOKIE => "__Host-jwtauth_csrf=$nonce");
is($status, 403, 'over HTTPS a form posted from the http:// origin is refused');
($status) = cgi(POST => '/login',
	"username=heidi&password=heidi+password+1&next=%2Fapp%2F&csrf=$csrf",
	HTTPS => 'on', CONTENT_TYPE => 'application/x-www-form-urlencoded',
	HTTP_ORIGIN => 'https://example.org', HTTP_COOKIE => "jwtauth_csrf=$nonce");
is($status, 403, 'over HTTPS a nonce cookie without the __Host- prefix does not count');

# The program refuses to start on bad keys: it answers nothing, logs why.
open my $fh, '>', $env->dir . '/bad.conf' or die $!;
my $conf = do { local (@ARGV, $/) = $env->config_file; <> };
$conf =~ s/^key_file = .*$/key_file = \/nonexistent\/jwt.key/m;
print $fh $conf;
close $fh;
my ($st2, undef, undef, $exit2) = cgi(GET => '/health', '', JWTAUTH_CONFIG => $env->dir . '/bad.conf');
ok(!defined $st2, 'with a missing key file the program answers nothing');
isnt($exit2, 0, 'and exits non-zero');

done_testing;
