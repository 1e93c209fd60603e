# The browser flow with HTML forms and cookies (no JavaScript): login
# form -> me -> refresh -> logout -> me, with CSRF protection and only
# local redirect targets.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start;
$env->add_user('bob', 'bob password 123');
my $html = { accept => 'text/html' };
my %jar;

my $res = $env->http(GET => '/auth/login?next=/private/page%3Fa%3D1', { headers => $html });
is($res->{status}, 200, 'GET /auth/login shows the form');
like($res->{headers}{'content-type'}, qr{^text/html}, 'the form is HTML');
like($res->{content}, qr{<form method="post" action="/auth/login">}, 'the form posts to /auth/login');
like($res->{content}, qr{<label for="username">}, 'the user name field has a label');
like($res->{content}, qr{<label for="password">}, 'the password field has a label');
is(JwtAuthTest->hidden($res->{content}, 'next'), '/private/page?a=1',
	'the next path travels in a hidden field');
my $csrf = JwtAuthTest->hidden($res->{content}, 'csrf');
like($csrf, qr/^[A-Za-z0-9_-]{43}$/, 'the form carries a CSRF token');
like($res->{headers}{'content-security-policy'}, qr/default-src 'none'/,
	'HTML pages send a Content-Security-Policy without script');
like($res->{headers}{'content-security-policy'}, qr/frame-ancestors 'none'/,
	'the CSP forbids framing');
is($res->{headers}{'x-frame-options'}, 'DENY', 'X-Frame-Options is DENY');
ok($res->{headers}{'referrer-policy'}, 'a Referrer-Policy is sent');
unlike($res->{content}, qr/<script/i, 'the page has no script');
JwtAuthTest->cookie_jar(\%jar, $res);
ok($jar{jwtauth_csrf}, 'the form sets the CSRF nonce cookie');

$res = $env->form('/auth/login', \%jar,
	{ username => 'bob', password => 'bob password 123', next => '/private/page?a=1' },
	{ origin => 'http://evil.example' });
is($res->{status}, 403, 'a login form posted from another site is 403 (login CSRF)');

$res = $env->form('/auth/login', \%jar,
	{ username => 'bob', password => 'bob password 123', next => '/' });
is($res->{status}, 403, 'a login form without the CSRF token is 403');

# Without Origin (older browsers, some privacy settings) the Referer counts.
$res = $env->form('/auth/login', \%jar,
	{ username => 'bob', password => 'wrong password', next => '/', csrf => $csrf },
	{ origin => undef, referer => 'http://evil.example/login' });
is($res->{status}, 403, 'without Origin, a foreign Referer is 403');
$res = $env->form('/auth/login', \%jar,
	{ username => 'bob', password => 'wrong password', next => '/', csrf => $csrf },
	{ origin => undef });
is($res->{status}, 403, 'with neither Origin nor Referer the form is refused');
$res = $env->form('/auth/login', \%jar,
	{ username => 'bob', password => 'wrong password', next => '/', csrf => $csrf },
	{ origin => undef, referer => $env->url('/auth/login') });
is($res->{status}, 401, 'without Origin, our own Referer passes the CSRF check');

$res = $env->form('/auth/login', \%jar,
	{ username => 'bob', password => 'wrong password', next => '/', csrf => $csrf });
is($res->{status}, 401, 'a wrong password in the form is 401');
like($res->{content}, qr/do not match/, 'the form comes back with one generic message');
like($res->{content}, qr/<form method="post"/, 'the form is shown again');

$res = $env->form('/auth/login', \%jar,
	{ username => 'bob', password => 'bob password 123', next => '/private/page?a=1',
	  csrf => $csrf });
is($res->{status}, 303, 'a good login form answers 303');
is($res->{headers}{location}, '/private/page?a=1', 'and sends the browser to next');
my @sc = JwtAuthTest->set_cookies($res);
my ($at_cookie) = grep { /^jwtauth_at=/ } @sc;
my ($rt_cookie) = grep { /^jwtauth_rt=/ } @sc;
like($at_cookie, qr/; Path=\/;/, 'the access cookie is for Path=/');
like($at_cookie, qr/; HttpOnly/, 'the access cookie is HttpOnly');
like($at_cookie, qr/; SameSite=Lax/, 'the access cookie is SameSite=Lax');
like($rt_cookie, qr/; Path=\/auth;/, 'the refresh cookie is only for /auth');
like($rt_cookie, qr/; HttpOnly/, 'the refresh cookie is HttpOnly');
like($rt_cookie, qr/; SameSite=Strict/, 'the refresh cookie is SameSite=Strict');
unlike("$at_cookie $rt_cookie", qr/Secure/, 'no Secure flag over plain HTTP');
ok($jar{jwtauth_at} && $jar{jwtauth_rt}, 'the browser now holds both cookies');

$res = $env->http(GET => '/auth/me',
	{ headers => { %$html, cookie => JwtAuthTest->cookie_header(\%jar) } });
is($res->{status}, 200, 'me with the cookie is 200');
like($res->{content}, qr/Signed in as bob/, 'me shows who is signed in');
like($res->{content}, qr{<form method="post" action="/auth/logout">}, 'me has a logout button');
my $csrf2 = JwtAuthTest->hidden($res->{content}, 'csrf');
my $old_at = $jar{jwtauth_at};

$res = $env->json(GET => '/auth/me',
	{ headers => { cookie => JwtAuthTest->cookie_header(\%jar) } });
is($res->{status}, 200, 'an API-style request with the cookie is 200 too');
is($res->{json}{username}, 'bob', 'and returns JSON');

$res = $env->form('/auth/refresh', \%jar, { next => '/auth/me' });
is($res->{status}, 403, 'a refresh form without the CSRF token is 403');

# The password change form, authenticated by the access cookie.
$res = $env->http(GET => '/auth/password',
	{ headers => { %$html, cookie => JwtAuthTest->cookie_header(\%jar) } });
is($res->{status}, 200, 'the password form is shown to a signed-in browser');
like($res->{content}, qr{name="current_password"}, 'it asks for the current password');
$res = $env->form('/auth/password', \%jar, { current_password => 'bob password 123',
	new_password => 'bob new password' });
is($res->{status}, 403, 'a password change form without the CSRF token is 403');
$res = $env->form('/auth/password', \%jar, { current_password => 'bob password 123',
	new_password => 'bob new password', csrf => $csrf2 },
	{ origin => 'http://evil.example' });
is($res->{status}, 403, 'a password change form from another site is 403');
$res = $env->http(GET => '/auth/me',
	{ headers => { %$html, cookie => JwtAuthTest->cookie_header(\%jar) } });
is($res->{status}, 200, 'the refused forms changed nothing: still signed in');
$res = $env->form('/auth/refresh', \%jar, { next => '/auth/me', csrf => $csrf2 });
is($res->{status}, 303, 'a refresh form with the cookie answers 303');
is($res->{headers}{location}, '/auth/me', 'and goes on to next');
isnt($jar{jwtauth_at}, $old_at, 'the refresh set a new access cookie');

# A sign-out button on a static page cannot carry the token: a POST from
# our origin without it signs out in one click (72-totp-html.t); from
# another site, or from nowhere said, it ends nothing.  GET asks first.
$res = $env->form('/auth/logout', \%jar, { scope => 'global' }, { origin => 'http://evil.example' });
is($res->{status}, 403, 'a logout form without the token from another site is 403');
$res = $env->form('/auth/logout', \%jar, { scope => 'global' }, { origin => undef });
is($res->{status}, 403, 'a logout form without the token, Origin or Referer is 403');
$res = $env->form('/auth/logout', \%jar, { scope => 'global', csrf => 'A' x 43 });
is($res->{status}, 403, 'a logout form with a wrong token is 403');
ok($jar{jwtauth_at}, 'the refused forms ended nothing');
# One click ends only this device: "others" or "global" without the form
# token asks first, so a page of our own origin cannot sign the user out
# everywhere.
my $other = $env->must_login('bob', 'bob password 123');
for my $scope (qw(global others)) {
	$res = $env->form('/auth/logout', \%jar, { scope => $scope });
	is($res->{status}, 200, "a logout form with scope $scope without the token asks first");
	like($res->{content}, qr/name="scope" value="$scope"/, "the confirmation carries scope $scope");
	is(JwtAuthTest->hidden($res->{content}, 'csrf'), $csrf2, 'and the CSRF token');
}
ok($jar{jwtauth_at}, 'the tokenless global and others forms ended nothing here');
is($env->me($other->{access_token})->{status}, 200, 'nor the other device\'s session');
$res = $env->http(GET => '/auth/logout', { headers => { %$html, cookie => JwtAuthTest->cookie_header(\%jar) } });
is($res->{status}, 200, 'GET /auth/logout shows a confirmation page');
is(JwtAuthTest->hidden($res->{content}, 'csrf'), $csrf2, 'which carries the CSRF token');
$res = $env->form('/auth/logout', \%jar, { csrf => $csrf2 }, { origin => 'http://evil.example' });
is($res->{status}, 403, 'a logout form from another site is 403');
$res = $env->form('/auth/logout', \%jar, { csrf => $csrf2 });
is($res->{status}, 303, 'the logout form answers 303');
is($res->{headers}{location}, '/auth/login', 'and sends the browser to the login form');
ok(!$jar{jwtauth_at} && !$jar{jwtauth_rt}, 'logout clears both cookies');

$res = $env->json(GET => '/auth/me', { headers => { cookie => "jwtauth_at=$old_at" } });
is($res->{status}, 401, 'the old access cookie is refused after logout');
$res = $env->http(GET => '/auth/me', { headers => { %$html, cookie => "jwtauth_at=$old_at" } });
is($res->{status}, 401, 'a browser whose session was ended gets 401');
like($res->{content}, qr{<form method="post" action="/auth/login">},
	'and the login form, not a refresh (its session is gone)');
is(JwtAuthTest->hidden($res->{content}, 'next'), '/auth/me', 'which leads back to the page');

# An expired access cookie with a live refresh cookie: the browser is sent
# through GET /auth/refresh and back, without signing in again.
{
	my %j;
	my $r = $env->http(GET => '/auth/login', { headers => $html });
	JwtAuthTest->cookie_jar(\%j, $r);
	$r = $env->form('/auth/login', \%j, { username => 'bob',
		password => 'bob password 123', next => '/',
		csrf => JwtAuthTest->hidden($r->{content}, 'csrf') });
	# An access token whose exp has passed (signed with the service's
	# key by the harness: no waiting for the clock).
	my $expired = $env->expired_access_token('bob', 'bob password 123');
	$j{jwtauth_at} = $expired;
	$r = $env->http(GET => '/auth/me', { headers => { %$html,
		cookie => JwtAuthTest->cookie_header(\%j) } });
	is($r->{status}, 401, 'an expired access cookie gets 401 at a protected page');
	like($r->{content}, qr{<meta http-equiv="refresh" content="0;url=/auth/refresh\?next=/auth/me">},
		'and a page that moves on to /auth/refresh at once (no script)');
	$r = $env->http(GET => '/auth/refresh?next=/auth/me', { headers => { %$html,
		'sec-fetch-site' => 'cross-site', cookie => JwtAuthTest->cookie_header(\%j) } });
	is($r->{status}, 303, 'a cross-site GET /auth/refresh answers 303');
	is($r->{headers}{location}, '/auth/me', 'straight back to the page');
	ok(!JwtAuthTest->set_cookies($r), 'touching no cookie: it rotated nothing');
	$r = $env->http(GET => '/auth/refresh?next=/auth/me', { headers => { %$html,
		'sec-fetch-site' => 'same-origin', cookie => JwtAuthTest->cookie_header(\%j) } });
	is($r->{status}, 303, 'GET /auth/refresh with the refresh cookie answers 303');
	is($r->{headers}{location}, '/auth/me', 'back to the page asked for');
	JwtAuthTest->cookie_jar(\%j, $r);
	isnt($j{jwtauth_at}, $expired, 'with a new access cookie');
	$r = $env->http(GET => '/auth/me', { headers => { %$html,
		cookie => JwtAuthTest->cookie_header(\%j) } });
	is($r->{status}, 200, 'and the page is served: the user never signed in again');
}

# Open redirects: next is only ever a local path.
for my $evil ('//evil.example/x', 'https://evil.example/', '/\\evil.example',
    "/\tx", 'javascript:alert(1)', '') {
	my %j;
	my $r = $env->http(GET => '/auth/login', { headers => $html });
	JwtAuthTest->cookie_jar(\%j, $r);
	my $c = JwtAuthTest->hidden($r->{content}, 'csrf');
	$r = $env->form('/auth/login', \%j,
		{ username => 'bob', password => 'bob password 123', next => $evil, csrf => $c });
	is($r->{headers}{location}, '/', "next '" . quotemeta($evil) . "' is replaced by /");
}

$res = $env->http(GET => '/auth/login?next=//evil.example', { headers => $html });
is(JwtAuthTest->hidden($res->{content}, 'next'), '/', 'a foreign next never reaches the form');

$res = $env->http(GET => '/auth/login?next=%22%3E%3Cscript%3Ex', { headers => $html });
unlike($res->{content}, qr/<script>x/, 'a next value cannot inject markup');

done_testing;
