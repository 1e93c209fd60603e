# Every bad input gets a clear error with the right status, JSON for API
# clients, and writes nothing to the database.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start;
$env->add_user('carol', 'carol password 1');
my $t = $env->login('carol', 'carol password 1');
ok($t, 'login works before the bad inputs');

sub rows {
	return $env->psql('select (select count(*) from users) || \'/\' || ' .
	    '(select count(*) from sessions) || \'/\' || ' .
	    '(select count(*) from refresh_tokens) || \'/\' || ' .
	    '(select count(*) from audit)');
}
my $before = rows();

sub raw {
	my ($method, $path, $ctype, $body, $headers) = @_;
	return $env->json($method => $path, { headers => {
		($ctype ? ('content-type' => $ctype) : ()), %{ $headers // {} } },
		(defined $body ? (content => $body) : ()) });
}

sub bad {
	my ($res, $status, $name) = @_;
	is($res->{status}, $status, "$name is $status");
	is(ref $res->{json} eq 'HASH' && $res->{json}{error}, 'invalid_request',
		"$name says invalid_request") if $status == 400 || $status == 415;
}

# Wrong methods: 405 with Allow (RFC 9110 15.5.6).
my $res = raw(PUT => '/auth/login', 'application/json', '{}');
is($res->{status}, 405, 'PUT /auth/login is 405');
is($res->{headers}{allow}, 'GET, HEAD, POST', 'and lists the allowed methods');
$res = raw(PUT => '/auth/refresh', 'application/json', '{}');
is($res->{status}, 405, 'PUT /auth/refresh is 405');
is($res->{headers}{allow}, 'GET, POST', 'refresh allows GET (browsers) and POST');
$res = raw(DELETE => '/auth/logout');
is($res->{status}, 405, 'DELETE /auth/logout is 405');
$res = raw(POST => '/auth/me', 'application/json', '{}');
is($res->{status}, 405, 'POST /auth/me is 405');
$res = raw(GET => '/auth/nothing');
is($res->{status}, 404, 'an unknown route is 404');

# Media types and malformed bodies.
bad(raw(POST => '/auth/login', 'text/plain', 'username=carol'), 415, 'a text/plain login');
bad(raw(POST => '/auth/login', 'application/xml', '<x/>'), 415, 'an XML login');
bad(raw(POST => '/auth/login', 'application/json', '{"username":"carol",'), 400, 'truncated JSON');
bad(raw(POST => '/auth/login', 'application/json', '["carol","x"]'), 400, 'a JSON array');
bad(raw(POST => '/auth/login', 'application/json',
	'{"username":"carol","username":"x","password":"carol password 1"}'), 400,
	'duplicate JSON keys');
bad(raw(POST => '/auth/login', 'application/json', '{"username":7,"password":"x"}'), 400,
	'a number as user name');
bad(raw(POST => '/auth/login', 'application/json', '{"password":"x"}'), 400,
	'a login without user name');
bad(raw(POST => '/auth/login', 'application/json', '{"username":"","password":"x"}'), 400,
	'an empty user name');
bad(raw(POST => '/auth/login', 'application/json', '{"username":"carol","password":""}'), 400,
	'an empty password');
bad(raw(POST => '/auth/login', 'application/json',
	'{"username":"' . ('u' x 65) . '","password":"x"}'), 400, 'a 65-character user name');
bad(raw(POST => '/auth/login', 'application/json',
	'{"username":"carol","password":"' . ('p' x 1025) . '"}'), 400, 'a 1025-byte password');
bad(raw(POST => '/auth/login', 'application/json',
	"{\"username\":\"car\xffol\",\"password\":\"x\"}"), 400, 'invalid UTF-8 in JSON');
bad(raw(POST => '/auth/login', 'application/json',
	'{"username":"carol\u0000","password":"carol password 1"}'), 400, 'a NUL in JSON');
bad(raw(POST => '/auth/login', 'application/json',
	"{\"username\":\"carol\\u0007\",\"password\":\"x\"}"), 400, 'a control character in JSON');
bad(raw(POST => '/auth/refresh', 'application/json', '{"refresh_token":42}'), 400,
	'a refresh token that is not a string');

# Bodies over max_body (16 KiB) are refused before they are read.
my $big = '{"username":"carol","password":"' . ('p' x 20000) . '"}';
$res = raw(POST => '/auth/login', 'application/json', $big);
is($res->{status}, 413, 'a 20 KB body is 413');
is($res->{json}{error}, 'invalid_request', 'the 413 is JSON for an API client');
$res = raw(POST => '/auth/login', 'application/json', 'x' x (2 * 1024 * 1024));
is($res->{status}, 413, 'a 2 MB body is 413 (Apache refuses it before the program)');

# Forms: the same checks for a browser, answered in HTML.
my $form = 'application/x-www-form-urlencoded';
$res = raw(POST => '/auth/login', $form, 'username=car%ffol&password=x');
is($res->{status}, 400, 'invalid UTF-8 in a form is 400');
like($res->{headers}{'content-type'}, qr{^text/html}, 'and answered in HTML');
is(raw(POST => '/auth/login', $form, 'username=carol%00&password=x')->{status}, 400,
	'a NUL in a form is 400');
is(raw(POST => '/auth/login', $form, 'username=carol&password=%zz')->{status}, 400,
	'a broken percent escape in a form is 400');
is(raw(POST => '/auth/login', $form, 'username=a&username=b&password=x')->{status}, 400,
	'a repeated form field is 400');

# Tokens that are not ours, malformed or tampered with: 401, never 500.
my ($h, $p, $s) = split /\./, $t->{access_token};
my %tokens = (
	'garbage'                 => 'not-a-token',
	'two segments'            => "$h.$p",
	'empty signature'         => "$h.$p.",
	'empty segments'          => '..',
	'a flipped signature byte' => "$h.$p." . (substr($s, 0, 1) eq 'A' ? 'B' : 'A') . substr($s, 1),
	'an inserted character'   => "$h.$p!.$s",
	'alg none'                => 'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.' . $p . '.',
	'a 6000-byte token'       => 'a' x 3000 . '.' . 'b' x 2998 . '.c',
);
for my $name (sort keys %tokens) {
	$res = $env->json(GET => '/auth/me', { headers => $env->bearer($tokens{$name}) });
	is($res->{status}, 401, "$name is refused with 401");
}
$res = $env->json(GET => '/auth/me', { headers => { authorization => "Basic Y2Fyb2w6eA==" } });
is($res->{status}, 401, 'a Basic Authorization header is 401');

is(rows(), $before, 'no bad input wrote anything to the database');
$res = $env->json(GET => '/auth/me', { headers => $env->bearer($t->{access_token}) });
is($res->{status}, 200, 'the good token still works after all that');
unlike($env->error_log, qr/\Q$t->{access_token}\E|carol password/,
	'the error log holds no token and no password');

done_testing;
