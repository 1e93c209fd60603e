# Cross-site HTML forms (GitHub issue 7, section 1): a form that another
# site makes the victim's browser post carries no cookie of ours (SameSite
# keeps them back), yet it must neither sign the browser in with a token
# it carries (login CSRF through refresh) nor clear the browser's cookies
# (logout CSRF).  JSON clients, which a browser cannot send cross-site
# without CORS, keep working.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start;
$env->add_user('mallory', 'mallory password 1');
my $evil = { origin => 'http://evil.example', cookie => undef };

# 1. Login CSRF through refresh: the attacker's own refresh token in a
# cross-site form must not become the victim's session.
my $t = $env->must_login('mallory', 'mallory password 1');
my $res = $env->form('/auth/refresh', {},
	{ refresh_token => $t->{refresh_token}, next => '/app/' }, $evil);
isnt($res->{status}, 303, 'a cross-site form with a refresh token is not answered 303');
ok($res->{status} == 400 || $res->{status} == 403,
	'a cross-site form with a refresh token is refused (4xx)');
is(scalar(JwtAuthTest->set_cookies($res)), 0,
	'a cross-site form with a refresh token sets no cookie');
$res = $env->form('/auth/refresh', {},
	{ refresh_token => $t->{refresh_token}, next => '/app/' });
is(scalar(JwtAuthTest->set_cookies($res)), 0,
	'a same-site form carrying a refresh token in its body sets no cookie either');
is($env->refresh_answer($t->{refresh_token}), 'ok',
	'the refused forms did not use up the refresh token: JSON refresh still works');

# 2. Logout CSRF without cookies: 403 and no Set-Cookie, as docs/how-it-works.md says.
for my $case ([ 'no field', {} ], [ 'scope global', { scope => 'global' } ],
    [ 'a refresh token', { refresh_token => $t->{refresh_token} } ]) {
	my ($name, $fields) = @$case;
	$res = $env->form('/auth/logout', {}, $fields, $evil);
	is($res->{status}, 403, "a cross-site logout form without cookies ($name) is 403");
	is(scalar(JwtAuthTest->set_cookies($res)), 0,
		"a cross-site logout form without cookies ($name) sets no cookie");
}
$res = $env->form('/auth/logout', {}, {}, { origin => undef, cookie => undef });
is($res->{status}, 403, 'a logout form with neither Origin nor Referer is 403');
is(scalar(JwtAuthTest->set_cookies($res)), 0, 'and sets no cookie');
$res = $env->form('/auth/logout', {}, {}, { cookie => undef });
isnt($res->{status}, 403, 'a same-site logout form without cookies is not refused');

# JSON clients are not affected.
$t = $env->must_login('mallory', 'mallory password 1');
$res = $env->json(POST => '/auth/logout',
	{ content => { refresh_token => $t->{refresh_token} } });
is($res->{status}, 204, 'a JSON logout with a refresh token still works');
done_testing;
