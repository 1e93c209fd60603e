# Accounts that run themselves, in a real browser (Debian's chromium,
# driven by playwright-core: tests/browser/accounts.mjs) on Apache, the
# mail sent by Debian's msmtp to a local SMTP sink (tests/lib/SmtpSink.pm)
# and read from its maildir: sign up, the verification link and its one
# button, sign in; forgot password, the new password ends the other
# browser's session and the old password is refused; with two-factor
# sign-in on, the reset asks for a code (from oathtool); "Keep me signed
# in" unticked gives browser-session cookies.  Screenshots at
# 390 and 1280 px go to tests/out/screenshots/.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Temp ();
use Test::More;
use JwtAuthTest;
use SmtpSink;

my $dir = "$FindBin::Bin/../browser";
my $out = "$FindBin::Bin/../out/screenshots";
plan skip_all => 'tests/browser/node_modules missing: make test installs it'
	unless -d "$dir/node_modules/playwright-core";
my ($oathtool) = grep { -x } map { "$_/oathtool" } split /:/, $ENV{PATH};
die "oathtool is not installed (scripts/deps.sh test)\n" unless $oathtool;
mkdir "$FindBin::Bin/../out";
mkdir $out;
unlink glob "$out/{signup,signup-sent,verify,forgot,reset,reset-code,unticked}-*.png";

my $tmp = File::Temp::tempdir('jwtauth-sink-XXXXXX', DIR => '/tmp', CLEANUP => 1);
my $sink = SmtpSink->start("$tmp/maildir");
my $env = JwtAuthTest->start(
	mail_command => $sink->msmtp('auth@example.com'),
	mail_from => 'auth@example.com');
# Links in mails start with site_url: this server's own address.
$env->reconfigure(signup => 'open', site_url => $env->url(''));

# ivy has an address and two-factor sign-in, by the JSON routes.
my $PW = 'ivy password 1';
my ($st) = $env->authctl({ stdin => "$PW\n" }, 'user', 'add', '--email',
	'ivy@example.org', 'ivy');
is($st, 0, 'ivy has an address');
my $auth = $env->bearer($env->must_login('ivy', $PW)->{access_token});
my $secret = $env->json(POST => '/auth/2fa/setup',
	{ headers => $auth, content => { password => $PW } })->{json}{secret} // '';
my $code = `$oathtool --totp -b $secret`;
chomp $code;
is($env->json(POST => '/auth/2fa/enable', { headers => $auth,
	content => { password => $PW, code => $code } })->{status}, 200,
	'ivy turned two-factor sign-in on');

JwtAuthTest->node_tap("browser: ", "$dir/accounts.mjs", $env->url(''),
	"$tmp/maildir", $out, 'ivy', $PW, $secret);
for my $name (qw(signup signup-sent verify forgot reset reset-code unticked)) {
	ok(-s "$out/$name-390.png" && -s "$out/$name-1280.png",
		"screenshots of $name at 390 and 1280 px in tests/out/screenshots/");
}
is($env->psql("SELECT email_verified_at IS NOT NULL FROM users WHERE username = 'walter'"),
	't', 'the address of the account made in the browser is confirmed');
done_testing;
