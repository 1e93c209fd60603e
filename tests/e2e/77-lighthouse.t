# Lighthouse (npm's lighthouse, in Debian's chromium:
# tests/browser/lighthouse.mjs) audits the pages of the sign-in, the
# account and the accounts that run themselves: accessibility 100 and
# best practices 96 or more on each of the sign-in form, the sign-up
# form, the forgotten-password form, a mailed reset link's form, a
# mailed verification link's page, a mailed change of address's page
# and, signed in, the account page (its forms: password, address,
# passkeys with one listed, two-factor, sessions), and the code page of a
# sign-in's second step (with its "Use a passkey"), reached by a real
# sign-in of a user with two-factor sign-in on and audited in
# Lighthouse's snapshot mode.  The links are read
# from mail_dir.  site_url is http://localhost:PORT, so that passkeys are
# on (an address is no RP id: config_webauthn.c) and the sign-in and
# account pages carry their passkey controls and script.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use MailDir;

my $dir = "$FindBin::Bin/../browser";
plan skip_all => 'tests/browser/node_modules missing: make test installs it'
	unless -d "$dir/node_modules/lighthouse";

my $env = JwtAuthTest->start(MailDir::options());
my $base = 'http://localhost:' . $env->port;
$env->reconfigure(signup => 'open', site_url => $base);
my $mail = MailDir->new($env);

# The token of a link in the next WANT mails (MailDir.pm), or undef.
sub mailed_token {
	for my $m ($mail->new_mails($_[0])) {
		my $t = MailDir::token_of($m->{link});
		return $t if defined $t;
	}
	return undef;
}

my $PW = 'lena password 1';
my ($st) = $env->authctl({ stdin => "$PW\n" }, 'user', 'add', '--email',
	'lena@example.org', 'lena');
is($st, 0, 'lena has an address');
is($env->json(POST => '/auth/reset', { content => { login => 'lena' } })->{status},
	202, 'a reset link is mailed');
my $reset = mailed_token(1);
ok($reset, 'and its token read from mail_dir');
is($env->json(POST => '/auth/signup', { content => { username => 'mira',
	email => 'mira@example.org', password => 'mira password 1' } })->{status},
	202, 'a sign-up mails its verification link');
my $verify = mailed_token(1);
ok($verify, 'and its token read from mail_dir');
my $at = $env->must_login('lena', $PW)->{access_token};
is($env->json(POST => '/auth/email', { headers => $env->bearer($at),
	content => { password => $PW, email => 'lena.new@example.org' } })->{status},
	202, 'a change of address mails its link');
my $email = mailed_token(2);
ok($email, 'and its token read from mail_dir');

# A passkey of lena's for the list (its key is never read here).
$env->psql("INSERT INTO passkeys (user_id, credential_id, public_key, alg, " .
	"backup_eligible, backed_up, name) SELECT id, '\\x01', '\\x01', -7, " .
	"false, false, 'Phone' FROM users WHERE username = 'lena'");
is($env->psql('SELECT count(*) FROM passkeys'), 1, 'lena has a passkey');

# tom has two-factor sign-in on: his right password answers with the
# code page of the second step (its "Use a passkey" included), which only
# that POST reaches: lighthouse.mjs signs in ("=" path) and audits it.
my $TOM = 'tom password 1';
$env->add_user('tom', $TOM);
my $tom = $env->bearer($env->must_login('tom', $TOM)->{access_token});
my $setup = $env->json(POST => '/auth/2fa/setup',
	{ headers => $tom, content => { password => $TOM } });
my ($oathtool) = grep { -x } map { "$_/oathtool" } split /:/, $ENV{PATH};
die "oathtool is not installed (scripts/deps.sh test)\n" unless $oathtool;
my $code = `$oathtool --totp -b $setup->{json}{secret}`;
chomp $code;
is($env->json(POST => '/auth/2fa/enable', { headers => $tom,
	content => { password => $TOM, code => $code } })->{status}, 200,
	'tom has two-factor sign-in on');
local $ENV{LIGHTHOUSE_SIGNIN} = "tom\n$TOM";

my @pages = ('/auth/login', '/auth/signup', '/auth/reset',
	"/auth/reset?token=$reset", "/auth/verify?token=$verify",
	"/auth/email/confirm?token=$email", '+/auth/account', '=/auth/login');
JwtAuthTest->node_tap("lighthouse: ", "$dir/lighthouse.mjs", $base,
	$at, @pages);
done_testing;
