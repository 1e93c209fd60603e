# The account page and two-factor sign-in in the browser, with HTML
# forms and cookies (no JavaScript), end to end through Apache: a failed
# sign-in keeps the user name; the account page lists the sessions in
# words with this one marked; turning two-factor on shows a QR code made
# on the server (inline SVG) and the key, then the recovery codes once;
# the sign-in form then asks for a code, keeping next and the CSRF token
# through both steps; a device is signed out from the account page, and
# another user's session cannot be; two-factor is turned off again.
# Codes come from oathtool.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

# scripts/deps.sh test installs it: its absence is a failure, not a skip.
my ($oathtool) = grep { -x } map { "$_/oathtool" } split /:/, $ENV{PATH};
die "oathtool is not installed (scripts/deps.sh test)\n" unless $oathtool;

sub code_at {
	my ($secret, $offset) = @_;
	my $t = time + ($offset // 0);
	my $c = `$oathtool --totp -b -N \@$t $secret`;
	die "oathtool failed" if $?;
	chomp $c;
	return $c;
}

my $env = JwtAuthTest->start;
my $PW = 'dana password 123';
$env->add_user('dana', $PW);
my $FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
my $html = { accept => 'text/html', 'user-agent' => $FIREFOX };

# A browser: GET the sign-in form (with the cookies it has, so a form is
# bound to the session they name), then post it; returns the response.
sub sign_in {
	my ($jar, $name, $pw, $next) = @_;
	my $res = $env->http(GET => '/auth/login', { headers => { %$html,
		cookie => JwtAuthTest->cookie_header($jar) } });
	JwtAuthTest->cookie_jar($jar, $res);
	return $env->form('/auth/login', $jar, { username => $name,
		password => $pw, next => $next,
		csrf => JwtAuthTest->hidden($res->{content}, 'csrf') },
		{ 'user-agent' => $FIREFOX });
}

sub page {
	my ($jar, $path) = @_;
	return $env->http(GET => $path, { headers => { %$html,
		cookie => JwtAuthTest->cookie_header($jar) } });
}

my %jar;
my $res = sign_in(\%jar, 'dana', 'wrong password', '/auth/account');
is($res->{status}, 401, 'a wrong password is 401');
like($res->{content}, qr/<input id="username" name="username"[^>]* value="dana"/,
	'the failed sign-in keeps the user name');
unlike($res->{content}, qr/wrong password/, 'but never the password');

$res = sign_in(\%jar, 'dana', $PW, '/auth/account');
is($res->{status}, 303, 'sign-in is a 303');
is($res->{headers}{location}, '/auth/account', 'to next');

# A second session, from curl, to end later.
my $t2 = $env->json(POST => '/auth/login', { content => { username => 'dana',
	password => $PW }, headers => { 'user-agent' => 'curl/8.1.2' } })->{json};
my $sid2 = JwtAuthTest->sid_of($t2->{access_token});

$res = page(\%jar, '/auth/account');
is($res->{status}, 200, 'the account page is 200');
like($res->{content}, qr/Signed in as <strong>dana<\/strong>/, 'it says who is signed in');
like($res->{content}, qr/Firefox on Linux<\/strong> <span class="badge">This device<\/span>/,
	'this session, in words, is marked as this device');
like($res->{content}, qr/<strong>curl<\/strong>/, 'the other session is listed in words');
like($res->{content}, qr{action="/auth/sessions/$sid2/end"}, 'each session has its sign-out');
like($res->{content}, qr/Sign out everywhere else/, 'sign out everywhere else is offered');
like($res->{content}, qr/name="new_password"/, 'the password can be changed here');
like($res->{content}, qr/Two-factor sign-in<\/h2>\n<p>Off\./, 'two-factor sign-in is off');
unlike($res->{content}, qr/<script/i, 'the page has no script');
my $csrf = JwtAuthTest->hidden($res->{content}, 'csrf');
$res = page(\%jar, '/auth/sessions');
is($res->{status}, 303, 'a browser asking for /auth/sessions (JSON) is sent on');
is($res->{headers}{location}, '/auth/account', 'to the account page');

$res = $env->http(GET => '/auth/account', { headers => $html });
is($res->{status}, 401, 'the account page without a session is the sign-in form (401)');
is(JwtAuthTest->hidden($res->{content}, 'next'), '/auth/account', 'which comes back to it');

# Ending a device from the page.
$res = $env->form("/auth/sessions/$sid2/end", \%jar, { csrf => 'x' x 43 });
is($res->{status}, 403, 'ending a session with a wrong CSRF token is 403');
$res = $env->form("/auth/sessions/$sid2/end", \%jar, { csrf => $csrf });
is($res->{status}, 303, 'ending the other session from the page is a 303');
is($res->{headers}{location}, '/auth/account?m=ended', 'back to the account page');
is($env->me($t2->{access_token})->{status}, 401, 'the ended session is refused');
$res = page(\%jar, '/auth/account?m=ended');
like($res->{content}, qr/That device is signed out\./, 'the page says so');
$res = page(\%jar, '/auth/account?m=%3Cb%3Ehi');
unlike($res->{content}, qr/<b>hi/, 'the note is a fixed word, never reflected');

# Another user's session is not ours to end.
$env->add_user('erin', $PW);
my $te = $env->must_login('erin', $PW);
my $sidE = JwtAuthTest->sid_of($te->{access_token});
$res = $env->form("/auth/sessions/$sidE/end", \%jar, { csrf => $csrf });
is($res->{status}, 404, 'ending another user\'s session from the page is 404');
is($env->me($te->{access_token})->{status}, 200, 'and it lives on');

# Turning two-factor on.
$res = $env->form('/auth/2fa/setup', \%jar, { csrf => 'A' x 43, password => $PW });
is($res->{status}, 403, 'setup with a wrong CSRF token is 403');
$res = $env->form('/auth/2fa/setup', \%jar, { csrf => $csrf, password => $PW },
	{ origin => 'http://evil.example' });
is($res->{status}, 403, 'setup from another site is 403');
$res = $env->form('/auth/2fa/setup', \%jar, { csrf => $csrf, password => 'nope nope nope' });
is($res->{status}, 303, 'setup with a wrong password goes back');
is($res->{headers}{location}, '/auth/account?m=password', 'saying the password is wrong');
$res = $env->form('/auth/2fa/setup', \%jar, { csrf => $csrf, password => $PW });
is($res->{status}, 200, 'setup with the password shows the QR step');
like($res->{content}, qr{<svg class="qr" [^>]*role="img" aria-label="[^"]+"}, 'with an inline SVG QR code');
like($res->{content}, qr{<path fill="#000" d="(M\d+ \d+h1v1h-1z)+"/>}, 'made of dark modules');
my ($key) = $res->{content} =~ m{<p class="secret"><code>([A-Z2-7 ]+)</code>};
$key = ($key // '') =~ s/ //gr;
like($key, qr/^[A-Z2-7]{32}$/, 'and the key in text, for typing');
unlike($res->{content}, qr/<script/i, 'no script on the QR step');
$res = $env->form('/auth/2fa/enable', \%jar, { csrf => $csrf, code => '', password => '' });
is($res->{status}, 303, 'enable without the password goes back');
is($res->{headers}{location}, '/auth/account?m=missing', 'saying something is missing');
unlike($res->{content} // '', qr/\Q$key\E|<svg class="qr"/, 'and never shows the pending key');
$res = $env->form('/auth/2fa/enable', \%jar, { csrf => $csrf, code => '000000', password => 'nope nope nope' });
is($res->{headers}{location}, '/auth/account?m=password', 'enable with a wrong password goes back too');
unlike($res->{content} // '', qr/\Q$key\E|<svg class="qr"/, 'without the key');
$res = $env->form('/auth/2fa/enable', \%jar, { csrf => $csrf, password => $PW, code => '000000' });
is($res->{status}, 401, 'a wrong code shows the QR step again (401)');
like($res->{content}, qr/That code is not right/, 'saying so');
like($res->{content}, qr{<svg class="qr"}, 'with the same QR code');
$res = $env->form('/auth/2fa/enable', \%jar, { csrf => $csrf, password => $PW, code => code_at($key) });
is($res->{status}, 200, 'the code of oathtool turns it on');
my @codes = $res->{content} =~ m{<li><code>([0-9a-z-]{19})</code></li>}g;
is(scalar @codes, 10, 'the ten recovery codes are shown');
$res = page(\%jar, '/auth/account');
like($res->{content}, qr/<p>On\. 10 recovery codes left\.<\/p>/, 'the account page says it is on');
$res = page(\%jar, '/auth/account?m=2fa_off');
like($res->{content}, qr/<p>On\. 10 recovery codes left\.<\/p>/, 'a link saying ?m=2fa_off while it is on');
unlike($res->{content}, qr/Two-factor sign-in is off/, 'does not make the page say it is off');

# Sign in again: the code step keeps next and CSRF.
my %jar2;
$res = sign_in(\%jar2, 'dana', $PW, '/app/');
is($res->{status}, 200, 'the right password shows the code step');
like($res->{content}, qr/Enter your code/, 'which asks for the code');
is(JwtAuthTest->hidden($res->{content}, 'next'), '/app/', 'next is kept');
my $csrf2 = JwtAuthTest->hidden($res->{content}, 'csrf');
like($csrf2 // '', qr/^[A-Za-z0-9_-]{43}$/, 'the code form carries the CSRF token');
my $mfa = JwtAuthTest->hidden($res->{content}, 'mfa_token');
ok(!grep({ /^jwtauth_(at|rt)$/ } keys %jar2), 'no session cookie before the code');
$res = $env->form('/auth/login', \%jar2, { csrf => $csrf2, next => '/app/', mfa_token => $mfa, code => '123' });
is($res->{status}, 401, 'a wrong code is 401');
like($res->{content}, qr/That code is not right/, 'the step is shown again, saying so');
is(JwtAuthTest->hidden($res->{content}, 'next'), '/app/', 'still with next');
$res = $env->form('/auth/login', \%jar2, { next => '/app/', mfa_token => $mfa, code => $codes[0] });
is($res->{status}, 403, 'the code step without the CSRF token is 403');
$res = $env->form('/auth/login', \%jar2, { csrf => $csrf2, next => '/app/', mfa_token => $mfa, code => $codes[0] });
is($res->{status}, 303, 'a recovery code signs in');
is($res->{headers}{location}, '/app/', 'and goes on to next');
my $at = $jar2{jwtauth_at};
my (undef, $claims) = JwtAuthTest->jwt_decode($at // '');
is_deeply($claims->{amr}, ['pwd', 'otp'], 'the session says amr pwd, otp');

# Turning it off.
$res = $env->form('/auth/2fa/disable', \%jar, { csrf => $csrf, password => $PW, code => $codes[0] });
is($res->{headers}{location}, '/auth/account?m=code', 'a used recovery code does not turn it off');
$res = $env->form('/auth/2fa/disable', \%jar, { csrf => $csrf, password => $PW, code => $codes[1] });
is($res->{headers}{location}, '/auth/account?m=2fa_off', 'a fresh recovery code turns it off');
$res = page(\%jar, '/auth/account?m=2fa_off');
like($res->{content}, qr/Two-factor sign-in is off\./, 'where the page says it is off, now that it is');
$res = sign_in(\%jar2, 'dana', $PW, '/');
is($res->{status}, 303, 'then the password alone signs in');

# The sign-out button of a protected page, which carries no form token:
# one click from our own origin.
$res = $env->form('/auth/logout', \%jar2, {});
is($res->{status}, 303, 'a sign-out button without the form token signs out at once');
is($res->{headers}{location}, '/auth/login', 'and goes to the sign-in form');
ok(!$jar2{jwtauth_at} && !$jar2{jwtauth_rt}, 'both cookies are cleared');

done_testing();
