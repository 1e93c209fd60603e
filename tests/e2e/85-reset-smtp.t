# Password reset by email over the real path: Debian's msmtp as
# mail_command (run with execve, the message on its standard input)
# delivering by SMTP to a local aiosmtpd sink (its Mailbox handler, a
# maildir) that this test starts.  The reset mail and the notice arrive;
# an unknown login sends nothing; an address holding CR LF (put into the
# database behind authctl's back) is refused before anything is sent; a
# mail_command that hangs is killed at mail_timeout without holding the
# answer; distinct logins from one client meet the per-client throttle.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use File::Temp ();
use SmtpSink;
use Time::HiRes qw(sleep);

my $SITE = 'https://accounts.example.com';
my $dir = File::Temp::tempdir('jwtauth-sink-XXXXXX', DIR => '/tmp', CLEANUP => 1);
my $sink = SmtpSink->start("$dir/maildir");
ok($sink, 'the SMTP sink listens');
my $env = JwtAuthTest->start(
	site_url => $SITE,
	mail_command => $sink->msmtp('auth@example.com'),
	mail_from => 'auth@example.com',
	throttle_ip_max => 12,
	metrics_allow => '127.0.0.1');
sub seen { $sink->seen }
sub arrived { $sink->arrived(@_) }

my $PW = 'correct horse battery';
my $NEW = 'a brand new passphrase';
my ($st) = $env->authctl({ stdin => "$PW\n" }, 'user', 'add', '--email',
	'alice@example.org', 'alice');
is($st, 0, 'alice has an address');
$env->add_user('bob', $PW);

my $n = seen();
my $r = $env->json(POST => '/auth/reset', { content => { login => 'alice' } });
is($r->{status}, 202, 'a reset request is 202');
my @m = arrived($n, 1);
is(scalar @m, 1, 'msmtp delivered the reset mail to the SMTP sink');
is($m[0]{to}, 'alice@example.org', 'to the address of the account');
is($m[0]{subject}, 'Reset your password', 'with its subject');
like($m[0]{text}, qr/^Content-Transfer-Encoding: 8bit\r?$/m, 'as 8bit UTF-8 text');
like($m[0]{link} // '', qr{^\Q$SITE\E/auth/reset\?token=[A-Za-z0-9_-]{43}$},
	'with a link from site_url');
my ($tok) = ($m[0]{link} // '') =~ /token=(.*)$/;
my $t = $env->must_login('alice', $PW);

$n = seen();
$r = $env->json(POST => '/auth/reset/confirm', { content => { token => $tok, password => $NEW } });
is($r->{status}, 204, 'the link sets a new password');
is($env->json(GET => '/auth/me', { headers => $env->bearer($t->{access_token}) })->{status}, 401,
	'the session from before is over');
is($env->login_response('alice', $PW)->{status}, 401, 'the old password is refused');
@m = arrived($n, 1);
is($m[0]{subject} // '', 'Your password was changed', 'the notice arrives by SMTP too');

# Nothing for an unknown login; nothing for an address with CR LF.
$env->psql("update users set email = E'bob\@example.org\\r\\nBcc: eve\@example.net', " .
	"email_verified_at = now() where username = 'bob'");
$n = seen();
my $a = $env->json(POST => '/auth/reset', { content => { login => 'nobody' } });
my $b = $env->json(POST => '/auth/reset', { content => { login => 'bob' } });
is($b->{status}, 202, 'a request for an address with CR LF is 202 all the same');
is($b->{content}, $a->{content}, 'with the body of an unknown login');
@m = arrived($n, 1, 2);
is(scalar @m, 0, 'no mail reaches the sink for either');
like($env->error_log, qr/mail not made: an address or header value is not fit/,
	'the refusal is logged');
unlike($env->error_log, qr/token=/, 'no token reaches the log');

# A mail_command that hangs is killed at mail_timeout; the answer is not
# held for it: it is out before the kill is logged (an order, not a time).
$env->reconfigure(mail_command => '/bin/sleep 30', mail_timeout => 3);
$r = $env->json(POST => '/auth/reset', { content => { login => 'alice' } });
is($r->{status}, 202, 'with a hung mail_command the request is still 202');
unlike($env->error_log, qr/mail_command took longer than mail_timeout/,
	'and answered before the command is given up on');
my $killed = 0;
for (1 .. 150) {
	if ($env->error_log =~ /mail_command took longer than mail_timeout/) { $killed = 1; last }
	sleep 0.1;
}
ok($killed, 'the hung command is killed at mail_timeout, logged');

# Counted: sent and failed.
my $metrics = $env->http(GET => '/auth/metrics')->{content} // '';
my ($sent) = $metrics =~ /^jwtauth_mails_total\{result="sent"\} (\d+)/m;
my ($failed) = $metrics =~ /^jwtauth_mails_total\{result="failed"\} (\d+)/m;
cmp_ok($sent // 0, '>=', 2, 'the mails sent are counted');
cmp_ok($failed // 0, '>=', 2, 'the mails refused or killed are counted as failed');

# Distinct logins from one client meet the per-client throttle.
my @st = map { $env->json(POST => '/auth/reset', { content => { login => "user$_" } })->{status} } 1 .. 15;
ok((grep { $_ == 429 } @st), 'reset requests for many logins from one client are throttled');

done_testing();
