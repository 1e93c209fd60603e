# Lighthouse (npm's lighthouse, in Debian's chromium:
# tests/browser/lighthouse.mjs) audits the pages of the sign-in, the
# account and the accounts that run themselves: accessibility 100 and
# best practices 96 or more on each of the sign-in form, the sign-up
# form, the forgotten-password form, a mailed reset link's form, a
# mailed verification link's page, a mailed change of address's page
# and, signed in, the account page (its forms: password, address,
# two-factor, sessions).  The links are read from mail_dir.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(sleep);
use JwtAuthTest;

my $dir = "$FindBin::Bin/../browser";
plan skip_all => 'tests/browser/node_modules missing: make test installs it'
	unless -d "$dir/node_modules/lighthouse";

my $env = JwtAuthTest->start(mail_dir => '@DIR@/mail',
	before_server => sub {
		my $dir = "$_[0]{dir}/mail";
		mkdir $dir or die "mkdir $dir: $!\n";
		chmod 0777, $dir or die "chmod $dir: $!\n";
	});
$env->reconfigure(signup => 'open', site_url => $env->url(''));
my $MAIL = $env->dir . '/mail';

# The token of the link in the first mail that was not in %$seen (5 s).
sub mailed_token {
	my ($seen) = @_;
	for (1 .. 50) {
		for my $f (grep { !$seen->{$_} } glob "$MAIL/*.eml") {
			open my $fh, '<', $f or next;
			local $/;
			my $text = <$fh>;
			return $1 if $text =~ m{[?&]token=([A-Za-z0-9_-]+)};
		}
		sleep 0.1;
	}
	return undef;
}
sub seen { return { map { $_ => 1 } glob "$MAIL/*.eml" } }

my $PW = 'lena password 1';
my ($st) = $env->authctl({ stdin => "$PW\n" }, 'user', 'add', '--email',
	'lena@example.org', 'lena');
is($st, 0, 'lena has an address');
my $seen = seen();
is($env->json(POST => '/auth/reset', { content => { login => 'lena' } })->{status},
	202, 'a reset link is mailed');
my $reset = mailed_token($seen);
ok($reset, 'and its token read from mail_dir');
$seen = seen();
is($env->json(POST => '/auth/signup', { content => { username => 'mira',
	email => 'mira@example.org', password => 'mira password 1' } })->{status},
	202, 'a sign-up mails its verification link');
my $verify = mailed_token($seen);
ok($verify, 'and its token read from mail_dir');
my $at = $env->must_login('lena', $PW)->{access_token};
$seen = seen();
is($env->json(POST => '/auth/email', { headers => $env->bearer($at),
	content => { password => $PW, email => 'lena.new@example.org' } })->{status},
	202, 'a change of address mails its link');
my $email = mailed_token($seen);
ok($email, 'and its token read from mail_dir');

my @pages = ('/auth/login', '/auth/signup', '/auth/reset',
	"/auth/reset?token=$reset", "/auth/verify?token=$verify",
	"/auth/email/confirm?token=$email", '+/auth/account');
open my $fh, '-|', 'node', "$dir/lighthouse.mjs", $env->url(''),
	$at, @pages or die "node: $!";
while (my $line = <$fh>) {
	chomp $line;
	if ($line =~ /^(not )?ok \d+ - (.*)$/) {
		ok(!$1, "lighthouse: $2");
	} elsif ($line =~ /^# ?(.*)$/) {
		diag $1;
	}
}
close $fh;
is($? >> 8, 0, 'the audits ended cleanly');
done_testing;
