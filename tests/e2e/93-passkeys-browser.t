# Passkeys in a real browser (Debian's chromium, driven by playwright-core
# with the DevTools Protocol's virtual authenticator:
# tests/browser/passkeys.mjs) on Apache: sign in with the password, add a
# named passkey on the account page, see it listed, sign out, sign in
# with it and no user name, reach a page under otp_paths (UV counts as
# two factors), see it listed as used; a bogus signature, no UP and no UV
# (webauthn_user_verification = required) refused with the page saying
# so and no session made; a wrong password does not remove it; without
# JavaScript the sign-in page has no passkey button and the account
# page's plain removal form (303) refuses a wrong password and removes
# it with the right one; by HTTP, that form with a forged form token is
# 403 and removes nothing, with the page's token a 303 back.  Then, with UV preferred, a user with two-factor
# sign-in and an authenticator that does not verify its user: the
# passkey leads to the page's code form, and a code (oathtool) signs in;
# then the password and, on the code page, "Use a passkey" in place of
# the code: a bogus signature refused with the page saying so and no
# session, the passkey signs in and passes otp_paths; on the account
# page it is renamed, and removed with a passkey (a bogus signature
# refused first).  site_url is http://localhost:PORT: a passkey's RP
# id is a domain (passkeys are off for an address; config_webauthn.c).
# Screenshots at 390 and 1280 px go to tests/out/screenshots/.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $dir = "$FindBin::Bin/../browser";
my $out = "$FindBin::Bin/../out/screenshots";
plan skip_all => 'tests/browser/node_modules missing: make test installs it'
	unless -d "$dir/node_modules/playwright-core";
my ($oathtool) = grep { -x } map { "$_/oathtool" } split /:/, $ENV{PATH};
die "oathtool is not installed (scripts/deps.sh test)\n" unless $oathtool;
mkdir "$FindBin::Bin/../out";
mkdir $out;
unlink glob "$out/passkey-{login,account,refused,code}-*.png";

my $env = JwtAuthTest->start(otp_paths => '/app/whoami.cgi',
	webauthn_user_verification => 'required', throttle_user_max => 50,
	throttle_ip_max => 500);
my $base = 'http://localhost:' . $env->port;
$env->reconfigure(site_url => $base);
my $PW = 'pia password 1';
$env->add_user('pia', $PW);
my $failed = sub { $env->psql("SELECT count(*) FROM audit WHERE " .
	"event = 'login_failed' AND detail = 'passkey'") };
my $passkey_logins = sub { $env->psql("SELECT count(*) FROM audit WHERE " .
	"event = 'login' AND detail = 'passkey'") };

# The script's requests carry the page's form token; a forged one is
# refused before anything else (passkey.c).
is($env->json(POST => '/auth/passkey/login/options',
	{ content => { csrf => 'forged' } })->{status}, 403,
	'a passkey request with a forged form token is refused');

JwtAuthTest->node_tap("browser: ", "$dir/passkeys.mjs", $base, $out, 'pia',
	$PW);
is($passkey_logins->(), 1, 'one sign-in by passkey is audited');
is($failed->(), 3, 'the three refused assertions are audited as failed sign-ins');
is($env->psql('SELECT count(*) FROM passkeys'), 0, 'the passkey is gone');
is($env->psql("SELECT count(*) FROM audit WHERE event IN ('passkey_added', " .
	"'passkey_removed')"), 2, 'adding and removing it are audited');
is($env->psql("SELECT count(*) FROM sessions WHERE mfa AND passkey"), 1,
	'the one passkey session counts two factors');

# quin has two-factor sign-in (by the JSON routes); UV only preferred.
$env->reconfigure(webauthn_user_verification => 'preferred');
my $QPW = 'quin password 1';
$env->add_user('quin', $QPW);
my $auth = $env->bearer($env->must_login('quin', $QPW)->{access_token});
my $secret = $env->json(POST => '/auth/2fa/setup',
	{ headers => $auth, content => { password => $QPW } })->{json}{secret} // '';
my $code = `$oathtool --totp -b $secret -N \@@{[time - 30]}`;
chomp $code;
is($env->json(POST => '/auth/2fa/enable', { headers => $auth,
	content => { password => $QPW, code => $code } })->{status}, 200,
	'quin turned two-factor sign-in on');
JwtAuthTest->node_tap("browser: ", "$dir/passkeys.mjs", $base, $out, 'quin',
	$QPW, 'code', $secret);

for my $name (qw(passkey-login passkey-account passkey-refused passkey-code)) {
	ok(-s "$out/$name-390.png" && -s "$out/$name-1280.png",
		"screenshots of $name at 390 and 1280 px in tests/out/screenshots/");
}
is($env->psql("SELECT count(*) FROM sessions s JOIN users u ON u.id = " .
	"s.user_id WHERE u.username = 'quin' AND s.mfa"),
	3, "quin's password and code, passkey and code, password and passkey " .
	"made three two-factor sessions");
is($env->psql("SELECT count(*) FROM sessions s JOIN users u ON u.id = " .
	"s.user_id WHERE u.username = 'quin' AND s.pwd_passkey AND s.passkey " .
	"AND s.mfa AND s.revoked_at IS NULL"), 1,
	'the session of password and passkey says so (amr pwd hwk user mfa)');
is($env->psql("SELECT count(*) FROM audit WHERE event = 'login' AND " .
	"detail = 'second factor: passkey'"), 1,
	'the passkey as the second factor after the password is audited once');
is($env->psql("SELECT count(*) FROM audit WHERE event = 'login_failed' " .
	"AND detail = 'second factor'"), 1,
	'the bogus signature at the second step is audited as a failed sign-in');
is($env->psql("SELECT count(*) FROM passkeys p JOIN users u ON u.id = " .
	"p.user_id WHERE u.username = 'quin'"), 0,
	"quin's passkey, renamed, is removed with a passkey");
is($env->psql("SELECT count(*) FROM audit WHERE event IN " .
	"('passkey_renamed', 'passkey_removed') AND username = 'quin'"), 2,
	'its rename and its removal are audited');
is($env->psql("SELECT count(*) FROM audit WHERE event = 'login_failed' " .
	"AND detail = 'passkey confirmation'"), 1,
	'the bogus signature confirming the removal is audited as failed');

# The account page's removal without script is a form like the others:
# a forged form token is refused and removes nothing; the page's token
# and the password remove it, 303 back to the account page.
$env->psql("INSERT INTO passkeys (user_id, credential_id, public_key, alg, " .
	"backup_eligible, backed_up, name) SELECT id, '\\x01', '\\x01', -7, " .
	"false, false, 'Spare' FROM users WHERE username = 'pia'");
my $spare = $env->psql("SELECT id FROM passkeys WHERE name = 'Spare'");
my %jar;
my $res = $env->http(GET => '/auth/login', { headers => { accept => 'text/html' } });
JwtAuthTest->cookie_jar(\%jar, $res);
$res = $env->form('/auth/login', \%jar, { username => 'pia', password => $PW,
	next => '/auth/account', csrf => JwtAuthTest->hidden($res->{content},
	"csrf") });
$res = $env->http(GET => '/auth/account', { headers => { accept => 'text/html',
	cookie => JwtAuthTest->cookie_header(\%jar) } });
like($res->{content} // '', qr/action="\/auth\/passkey\/remove"/,
	'the account page has the plain removal form');
my $token = JwtAuthTest->hidden($res->{content} // '', 'csrf');
$res = $env->form('/auth/passkey/remove', \%jar, { id => $spare,
	password => $PW, csrf => 'forged' });
is($res->{status}, 403, 'a removal form with a forged form token is 403');
is($env->psql("SELECT count(*) FROM passkeys WHERE name = 'Spare'"), 1,
	'and removes nothing');
$res = $env->form('/auth/passkey/remove', \%jar, { id => $spare,
	password => $PW, csrf => $token });
ok($res->{status} == 303 && ($res->{headers}{location} // '') =~
	m{/auth/account\?m=passkey_removed$},
	'with the page\'s token and the password: 303 back to the account page')
	or diag("$res->{status} " . ($res->{headers}{location} // ''));
is($env->psql("SELECT count(*) FROM passkeys WHERE name = 'Spare'"), 0,
	'and it is removed');
done_testing;
