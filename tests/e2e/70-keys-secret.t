# The server secret (refresh-token derivation, CSRF form tokens) rotates
# without ending sessions: with the old secret in old_secret_files, a
# form served before the rotation is still accepted and a refresh
# retried in the grace window still gets the same child (derived with
# the secret that derived it, by the version stored beside it).  Refresh
# tokens are found by their hash, so they outlive the old secret; once
# it is dropped, its forms fail and its grace re-derivations end.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $USER = 'frida';
my $PASSWORD = 'frida password 1';
my $html = { accept => 'text/html' };

# A grace window long enough for a restart of the web server.
my $env = JwtAuthTest->start(refresh_grace => 120);
$env->add_user($USER, $PASSWORD);

# form_token(JAR): GET /auth/login as a browser; the form's CSRF token.
sub form_token {
	my ($jar) = @_;
	my %h = (%$html, cookie => JwtAuthTest->cookie_header($jar));
	my $res = $env->http(GET => '/auth/login', { headers => \%h });
	JwtAuthTest->cookie_jar($jar, $res);
	return JwtAuthTest->hidden($res->{content}, 'csrf');
}

# post_form(JAR, CSRF): a form login with a wrong password: 401 when the
# CSRF check passed, 403 when it did not.
sub post_form {
	my ($jar, $csrf) = @_;
	return $env->form('/auth/login', $jar, { username => $USER,
		password => 'wrong password', next => '/', csrf => $csrf })->{status};
}

my %jar;
my $old_csrf = form_token(\%jar);
is(post_form(\%jar, $old_csrf), 401, 'before: the form token passes the CSRF check');

my $a = $env->must_login($USER, $PASSWORD);
my $a1 = $env->refresh($a->{refresh_token})->{json}{refresh_token};
ok($a1, 'session A rotated once under the old secret');
my $b = $env->must_login($USER, $PASSWORD);
my $b1 = $env->refresh($b->{refresh_token})->{json}{refresh_token};
ok($b1, 'session B rotated once under the old secret');

my $new = $env->keygen('secret2.key');
$env->reconfigure(secret_file => $new,
	old_secret_files => $env->dir . '/secret.key');
is(post_form(\%jar, $old_csrf), 401,
	'rotated, old secret kept: a form served before is still accepted');
my $new_csrf = form_token(\%jar);
isnt($new_csrf, $old_csrf, 'new forms carry a token of the new secret');
is(post_form(\%jar, $new_csrf), 401, 'which passes');
my $r = $env->refresh($a->{refresh_token});
is($r->{status}, 200, 'a refresh retried in the grace window answers');
is($r->{json}{refresh_token}, $a1,
	'with the same child, derived again with the old secret');
$r = $env->refresh($a1);
is($r->{status}, 200, 'the child of the old secret refreshes');
my $a2 = $r->{json}{refresh_token};
is($env->refresh($a1)->{json}{refresh_token}, $a2,
	'its grace retry gets the same child, of the new secret');

$env->reconfigure(old_secret_files => undef);
is(post_form(\%jar, $old_csrf), 403, 'old secret dropped: the old form is refused');
is(post_form(\%jar, $new_csrf), 401, 'the new one passes');
is($env->refresh_answer($b->{refresh_token}), '401 invalid_grant',
	'a grace retry whose child the dropped secret derived is refused');
is($env->refresh_answer($b1), 'ok',
	'that child itself still refreshes: tokens are found by their hash');
is($env->refresh_answer($a2), 'ok', 'and so does session A');

done_testing;
