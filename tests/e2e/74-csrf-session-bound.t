# A form's CSRF token is bound to the browser's session once it has one
# (src/csrf.c): someone who planted the CSRF nonce cookie before the
# victim signed in, and read the form token of that nonce from a page of
# their own, cannot use it against the signed-in session.  The Origin
# check is set aside here (these posts carry our own Origin), as a
# sibling host listed in `origin` could.  The forms the victim's own
# pages carry keep working: after a refresh (the session is the same),
# and with an access cookie that has expired since the page was served.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start;
my $PW = 'vera password 123';
$env->add_user('vera', $PW);
my $html = { accept => 'text/html' };
my $page = sub {
	my ($jar, $path) = @_;
	my $res = $env->http(GET => $path, { headers => { %$html,
		cookie => JwtAuthTest->cookie_header($jar) } });
	JwtAuthTest->cookie_jar($jar, $res);
	return $res;
};

# The attacker's own visit: a nonce cookie and the form token of it.
my %attacker;
my $res = $page->(\%attacker, '/auth/login');
my ($nonce_name) = grep { /csrf/ } keys %attacker;
ok($nonce_name, 'the sign-in page sets a CSRF nonce cookie');
my $planted_token = JwtAuthTest->hidden($res->{content}, 'csrf');

# The victim's browser, with that nonce planted, signs in.
my %victim = ($nonce_name => $attacker{$nonce_name});
$res = $page->(\%victim, '/auth/login');
is(JwtAuthTest->hidden($res->{content}, 'csrf'), $planted_token,
	'before sign-in the victim\'s form token is the planted nonce\'s');
$res = $env->form('/auth/login', \%victim, { username => 'vera',
	password => $PW, next => '/auth/account', csrf => $planted_token });
is($res->{status}, 303, 'the victim signs in');
ok($victim{jwtauth_at}, 'and has a session cookie');
is($victim{$nonce_name}, $attacker{$nonce_name}, 'the planted nonce is still there');

# Another session of the victim's, for the forged post to try to end.
my $other = $env->must_login('vera', $PW);
my $other_sid = JwtAuthTest->sid_of($other->{access_token});

$res = $env->form("/auth/sessions/$other_sid/end", \%victim, { csrf => $planted_token });
is($res->{status}, 403, 'the planted nonce\'s token cannot end a session of the signed-in victim');
$res = $env->form('/auth/logout', \%victim, { scope => 'global', csrf => $planted_token });
is($res->{status}, 403, 'nor sign the victim out everywhere');
is($env->me($other->{access_token})->{status}, 200, 'the other session is still alive');

# The victim's own account page carries a token bound to the session.
$res = $page->(\%victim, '/auth/account');
is($res->{status}, 200, 'the victim\'s account page');
my $bound = JwtAuthTest->hidden($res->{content}, 'csrf');
isnt($bound, $planted_token, 'carries a token of its own, bound to the session');

# A refresh keeps the session: the page's token still works after it.
$res = $page->(\%victim, '/auth/login');
$res = $env->form('/auth/refresh', \%victim, { csrf => JwtAuthTest->hidden($res->{content}, 'csrf') });
is($res->{status}, 303, 'the browser refreshes its tokens');
$res = $env->form("/auth/sessions/$other_sid/end", \%victim, { csrf => $bound });
is($res->{status}, 303, 'the account page\'s form still ends the other session after the refresh');
is($env->me($other->{access_token})->{status}, 401, 'which is over');

# An access cookie that expired after the page was served (same
# session, re-signed an hour old): the page's sign-out still works.
my ($h, $c) = JwtAuthTest->jwt_decode($victim{jwtauth_at});
$c->{iat} = time - 3600;
$c->{exp} = time - 3000;
$victim{jwtauth_at} = $env->sign_jwt($h, $c);
$res = $env->form('/auth/logout', \%victim, { scope => 'local', csrf => $bound });
is($res->{status}, 303, 'with its access cookie expired, the page\'s sign-out form still signs out');
is($res->{headers}{location}, '/auth/login', 'to the sign-in page');

done_testing;
