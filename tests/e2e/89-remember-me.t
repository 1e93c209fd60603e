# "Keep me signed in" (remember_me, on by default: the box is offered):
# the login form's box unticked gives browser-session cookies (no
# Max-Age) at sign-in and at every refresh, and a session that ends
# after session_idle_timeout_short of inactivity; ticked, cookies with
# Max-Age and the long idle timeout as before.  JSON "remember" true or
# false (true when absent); anything else 400.  The account page and
# GET /auth/sessions say which sessions are remembered.  With two-factor
# sign-in the choice holds through the second step.  remember_me = off:
# no box, every session remembered.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start(session_idle_timeout_short => 60,
	throttle_ip_max => 1000);
my $PW = 'carol password 1';
$env->add_user('carol', $PW);
my %HTML = (accept => 'text/html');

sub remembered { $env->psql("select remembered from sessions where id = '$_[0]'") }
sub cookies_of {
	my ($res) = @_;
	my @sc = JwtAuthTest->set_cookies($res);
	return ((grep { /^jwtauth_at=/ } @sc)[0] // '', (grep { /^jwtauth_rt=/ } @sc)[0] // '');
}
# A form sign-in: the jar and the answer.
sub form_login {
	my (%extra) = @_;
	my $jar = {};
	my $page = $env->http(GET => '/auth/login', { headers => \%HTML });
	JwtAuthTest->cookie_jar($jar, $page);
	my $res = $env->form('/auth/login', $jar, { csrf => JwtAuthTest->hidden($page->{content}, 'csrf'),
		username => 'carol', password => $PW, next => '/auth/me', %extra });
	return ($jar, $res, $page);
}
sub sid_of_jar { JwtAuthTest->sid_of($_[0]{jwtauth_at}) }

# The form, the box unticked.
my ($jar, $res, $page) = form_login();
like($page->{content}, qr{<input type="checkbox" name="remember"> Keep me signed in}, 'the login form offers the box, unticked');
is($res->{status}, 303, 'a form sign-in without the box: 303');
my ($at, $rt) = cookies_of($res);
ok($at && $rt, 'both cookies set');
unlike($at, qr/Max-Age|Expires/i, 'the access cookie is a browser-session cookie (no Max-Age, no Expires)');
unlike($rt, qr/Max-Age|Expires/i, 'and the refresh cookie too');
like($rt, qr/HttpOnly; SameSite=Strict/, 'with its other attributes as before');
my $short = sid_of_jar($jar);
is(remembered($short), 'f', 'the session is stored as not remembered');
$res = $env->http(GET => '/auth/refresh?next=/auth/me', { headers => { cookie => JwtAuthTest->cookie_header($jar) } });
is($res->{status}, 303, 'the browser refreshes: 303');
($at, $rt) = cookies_of($res);
ok($at && $rt, 'new cookies');
unlike("$at $rt", qr/Max-Age/, 'still browser-session cookies after the refresh');
JwtAuthTest->cookie_jar($jar, $res);

# The box ticked.
my ($jar2, $res2) = form_login(remember => 'on');
is($res2->{status}, 303, 'a form sign-in with the box: 303');
my ($at2, $rt2) = cookies_of($res2);
like($at2, qr/; Max-Age=\d+;/, 'the access cookie persists (Max-Age)');
like($rt2, qr/; Max-Age=\d+;/, 'and the refresh cookie');
my $long = sid_of_jar($jar2);
is(remembered($long), 't', 'the session is stored as remembered');
$res = $env->http(GET => '/auth/refresh?next=/auth/me', { headers => { cookie => JwtAuthTest->cookie_header($jar2) } });
($at2, $rt2) = cookies_of($res);
like("$at2 $rt2", qr/Max-Age=\d+;.*Max-Age=\d+;/, 'and keeps Max-Age at a refresh');
JwtAuthTest->cookie_jar($jar2, $res);

# The account page and the JSON list say which is which.
$page = $env->http(GET => '/auth/account', { headers => { %HTML, cookie => JwtAuthTest->cookie_header($jar2) } });
is($page->{status}, 200, 'the account page');
like($page->{content}, qr/kept signed in/, 'shows a remembered session');
like($page->{content}, qr/signed out when the browser closes/, 'and one that is not');
my $list = $env->json(GET => '/auth/sessions', { headers => JwtAuthTest->bearer($jar2->{jwtauth_at}) });
my %rem = map { $_->{id} => $_->{remembered} } @{ $list->{json}{sessions} // [] };
ok($rem{$long} && JSON::PP::is_bool($rem{$long}), 'GET /auth/sessions: remembered true for the ticked one');
ok(exists $rem{$short} && !$rem{$short}, 'and false for the other');

# JSON.
my $r = $env->login_response('carol', $PW);
is($r->{status}, 200, 'JSON sign-in without "remember": 200');
is(remembered(JwtAuthTest->sid_of($r->{json}{access_token})), 't', 'remembered by default');
$r = $env->json(POST => '/auth/login', { content => { username => 'carol', password => $PW, remember => JSON::PP::false } });
is($r->{status}, 200, 'JSON "remember": false: 200');
my $jshort = $r->{json};
is(remembered(JwtAuthTest->sid_of($jshort->{access_token})), 'f', 'not remembered');
$r = $env->json(POST => '/auth/login', { content => { username => 'carol', password => $PW, remember => JSON::PP::true } });
my $jlong = $r->{json};
is(remembered(JwtAuthTest->sid_of($jlong->{access_token})), 't', 'JSON "remember": true: remembered');
$r = $env->json(POST => '/auth/login', { content => { username => 'carol', password => $PW, remember => 'yes' } });
is($r->{status}, 400, 'a "remember" that is not a boolean: 400');
is($r->{json}{error}, 'invalid_request', 'as invalid_request');

# The idle timeout: session_idle_timeout_short is 60 s here; both
# sessions idle for two minutes.
for my $t ($jshort, $jlong) {
	my $sid = JwtAuthTest->sid_of($t->{access_token});
	$env->psql("update sessions set last_used_at = now() - interval '2 minutes' where id = '$sid'");
}
is($env->refresh_answer($jshort->{refresh_token}), '401 invalid_grant',
	'a session not remembered, idle past session_idle_timeout_short: its refresh is refused');
is($env->psql("select revoke_reason from sessions where id = '" . JwtAuthTest->sid_of($jshort->{access_token}) . "'"),
	'idle', 'and the session ended as idle');
is($env->refresh_answer($jlong->{refresh_token}), 'ok', 'a remembered one idle as long is refreshed');
$env->psql("update sessions set last_used_at = now() - interval '2 minutes' where id = '$short'");
$res = $env->http(GET => '/auth/refresh?next=/auth/me', { headers => { cookie => JwtAuthTest->cookie_header($jar) } });
isnt($res->{headers}{location} // '', '/auth/me', 'the idle browser session is not refreshed');
is($env->psql("select revoke_reason from sessions where id = '$short'"), 'idle', 'it ended as idle');

# With two-factor sign-in, the choice holds through the second step.
my ($oathtool) = grep { -x } map { "$_/oathtool" } split /:/, $ENV{PATH};
die "oathtool is not installed (scripts/deps.sh test)\n" unless $oathtool;
$env->add_user('dora', $PW);
my $dauth = JwtAuthTest->bearer($env->must_login('dora', $PW)->{access_token});
my $secret = $env->json(POST => '/auth/2fa/setup', { headers => $dauth, content => { password => $PW } })->{json}{secret};
my $code = `$oathtool --totp -b $secret`;
chomp $code;
my @rec = @{ $env->json(POST => '/auth/2fa/enable', { headers => $dauth,
	content => { password => $PW, code => $code } })->{json}{recovery_codes} // [] };
is(scalar @rec, 10, 'dora turns two-factor sign-in on');
for my $case ([JSON::PP::false, 'f', 'false'], [JSON::PP::true, 't', 'true']) {
	$r = $env->json(POST => '/auth/login', { content => { username => 'dora', password => $PW, remember => $case->[0] } });
	is($r->{status}, 401, "\"remember\": $case->[2] with two-factor sign-in: the second step");
	$r = $env->json(POST => '/auth/login', { content => { mfa_token => $r->{json}{mfa_token}, code => shift @rec } });
	is($r->{status}, 200, 'the code signs in');
	is(remembered(JwtAuthTest->sid_of($r->{json}{access_token} // '')), $case->[1],
		"the session is remembered: $case->[2], as asked at the first step");
}

# remember_me = off: no box, every session remembered.
$env->reconfigure(remember_me => 'off');
($jar, $res, $page) = form_login();
unlike($page->{content}, qr/name="remember"/, 'remember_me = off: no box');
($at, $rt) = cookies_of($res);
like("$at $rt", qr/Max-Age=\d+;.*Max-Age=\d+;/, 'and a form sign-in gets cookies with Max-Age');
is(remembered(sid_of_jar($jar)), 't', 'remembered');
$r = $env->json(POST => '/auth/login', { content => { username => 'carol', password => $PW, remember => JSON::PP::false } });
is(remembered(JwtAuthTest->sid_of($r->{json}{access_token})), 't', 'JSON "remember": false is ignored');

done_testing();
