# A real browser (Debian's chromium, driven by playwright-core) through
# the account page and two-factor sign-in on Apache, codes from oathtool
# (tests/browser/account.mjs): sign in, account page, turn on two-factor,
# sign out, sign in with password and code, a recovery code once, end
# another session from the account page, sign out.  Screenshots at 390
# and 1280 px of the account page, the QR step, the code step and the
# protected page go to tests/out/screenshots/.
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
unlink glob "$out/*.png";

my $env = JwtAuthTest->start;
$env->add_user('heidi', 'heidi password 1');

JwtAuthTest->node_tap("browser: ", "$dir/account.mjs", $env->url(''), 'heidi',
	'heidi password 1', $out);
for my $name (qw(account qr code protected)) {
	ok(-s "$out/$name-390.png" && -s "$out/$name-1280.png",
		"screenshots of $name at 390 and 1280 px in tests/out/screenshots/");
}
done_testing;
