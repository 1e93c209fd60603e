# The notice of a sign-in from a browser and address never seen for the
# user (login_notice, on by default): no mail for the first sign-in ever
# nor for a browser seen before; a mail to the user's confirmed address,
# linking to the account page, for a new one (JSON and form, after the
# second factor too); nothing for a wrong password; the table keeps only
# hashes; login_notice = off sends none.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use MailDir;
use Time::HiRes qw(sleep);

my $SITE = 'https://accounts.example.com';
my $env = JwtAuthTest->start(MailDir::options(),
	site_url => $SITE,
	throttle_ip_max => 1000);
my $mail = MailDir->new($env);
my $PW = 'dave password 1';
# The mails written since the last call (MailDir.pm).
sub new_mails { $mail->new_mails(@_) }
sub login_as {
	my ($name, $pw, $ua) = @_;
	return $env->json(POST => '/auth/login', { content => { username => $name, password => $pw },
		headers => { 'user-agent' => $ua } });
}

my ($st) = $env->authctl({ stdin => "$PW\n" }, 'user', 'add', '--email', 'dave@example.org', 'dave');
$st == 0 or die "authctl user add\n";
$env->add_user('noaddr', $PW);

is(login_as('dave', $PW, 'Browser One')->{status}, 200, 'the first sign-in ever');
is(scalar(new_mails(0)), 0, 'is no news: no mail');
is(login_as('dave', $PW, 'Browser One')->{status}, 200, 'the same browser again');
is(scalar(new_mails(0)), 0, 'no mail');
is(login_as('dave', 'wrong password', 'Browser Two')->{status}, 401, 'a wrong password from a new browser');
is(scalar(new_mails(0)), 0, 'no mail (no sign-in)');
my $r = login_as('dave', $PW, 'Browser Two');
is($r->{status}, 200, 'a sign-in from a new browser: 200 as always');
my @m = new_mails(1);
is(scalar @m, 1, 'one mail');
is($m[0]{to} // '', 'dave@example.org', 'to the user\'s address');
is($m[0]{subject} // '', 'A new sign-in to your account', 'saying there was a new sign-in');
like($m[0]{text} // '', qr/^Hello dave,$/m, 'greeting the user');
like($m[0]{link} // '', qr{^\Q$SITE\E/auth/account$}, 'linking to the account page');
is(login_as('dave', $PW, 'Browser Two')->{status}, 200, 'that browser again');
is(scalar(new_mails(0)), 0, 'no mail');
is($env->psql("select count(*) from known_browsers k join users u on u.id = k.user_id where u.username = 'dave'"),
	2, 'two browsers known for dave');
is($env->psql("select count(*) from known_browsers where length(browser_hash) = 32"),
	$env->psql("select count(*) from known_browsers"), 'each kept as a 32-byte hash only');

# The form, after the second factor... the form alone here.
my $jar = {};
my $page = $env->http(GET => '/auth/login', { headers => { accept => 'text/html', 'user-agent' => 'Browser Three' } });
JwtAuthTest->cookie_jar($jar, $page);
$r = $env->form('/auth/login', $jar, { csrf => JwtAuthTest->hidden($page->{content}, 'csrf'),
	username => 'dave', password => $PW, next => '/' }, { 'user-agent' => 'Browser Three' });
is($r->{status}, 303, 'a form sign-in from a third browser');
@m = new_mails(1);
is($m[0]{subject} // '', 'A new sign-in to your account', 'mails the notice too');

# No confirmed address: nothing to send, the sign-in as always.
is(login_as('noaddr', $PW, 'Browser One')->{status}, 200, 'a user without an address signs in');
is(login_as('noaddr', $PW, 'Browser Two')->{status}, 200, 'and from a new browser');
is(scalar(new_mails(0)), 0, 'no mail');

# login_notice = off.
$env->reconfigure(login_notice => 'off');
is(login_as('dave', $PW, 'Browser Four')->{status}, 200, 'login_notice = off: a new browser signs in');
is(scalar(new_mails(0)), 0, 'and no mail goes');

done_testing();
