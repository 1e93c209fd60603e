# A change of address by its user, end to end through Apache and
# mod_fcgid, the mail written to mail_dir: POST /auth/email (JSON and
# the account page's form) asks for the current password (throttled as
# other guesses), mails a link to the new address (greeting no one by
# name) and a notice to the old one, and changes nothing yet; the link
# opens a page with one button (nothing changed by opening it), whose
# POST changes the address, ends the user's reset links and mails a
# notice to the old address; reused, expired, superseded and
# other-purpose links refused; CR/LF in an address refused with no
# mail; an address another account has gets a mail saying so, with the
# same answer; the throttle per new address; mail off: 404.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use MailDir;
use Digest::SHA qw(sha256_hex);
use Time::HiRes qw(sleep);

my $SITE = 'https://accounts.example.com';
my $env = JwtAuthTest->start(MailDir::options(),
	site_url => $SITE,
	mail_from => 'auth@example.com',
	throttle_ip_max => 1000,
	throttle_user_max => 3);
my $mail = MailDir->new($env);
my $PW = 'correct horse battery';
my %HTML = (accept => 'text/html');

# The mails written since the last call (MailDir.pm).
sub new_mails { $mail->new_mails(@_) }
sub by_to { my %h; $h{ lc $_->{to} } = $_ for @_; return \%h }
sub token_of { MailDir::token_of(@_) }
sub address { $env->psql("select coalesce(email, '') || ' ' || (email_verified_at is not null)::text " .
	"from users where username = '$_[0]'") }
sub links { $env->psql("select count(*) from account_tokens t join users u on u.id = t.user_id " .
	"where u.username = '$_[0]' and t.purpose = '$_[1]'") }

for ([alice => 'alice@example.org'], [bob => 'bob@example.org']) {
	my ($st) = $env->authctl({ stdin => "$PW\n" }, 'user', 'add', '--email', $_->[1], $_->[0]);
	$st == 0 or die "authctl user add $_->[0]\n";
}
my $at = $env->must_login('alice', $PW)->{access_token};
sub ask {
	my ($fields, $token) = @_;
	return $env->json(POST => '/auth/email', { content => $fields,
		headers => JwtAuthTest->bearer($token // $at) });
}

# Who may ask, and bad input.
my $r = $env->json(POST => '/auth/email', { content => { password => $PW, email => 'a@example.net' } });
is($r->{status}, 401, 'no access token: 401');
$r = ask({ email => 'new@example.net' });
is($r->{status}, 400, 'no password: 400');
like($r->{json}{error_description} // '', qr/current password/, 'saying to enter it');
for my $bad ("new\@example.net\r\nBcc: eve\@example.net", "new\@example.net\nBcc: eve\@example.net",
    'not an address') {
	(my $shown = $bad) =~ s/\r/\\r/g;
	$shown =~ s/\n/\\n/g;
	$r = ask({ password => $PW, email => $bad });
	is($r->{status}, 400, "the address '$shown': 400");
	like($r->{json}{error_description} // '', qr/valid email address/, 'saying so');
}
$r = ask({ password => $PW, email => ['new@example.net'] });
is($r->{status}, 400, 'an address that is not a string: 400');
is(scalar(new_mails(0)), 0, 'no mail for any of them');
is(links('alice', 'email'), 0, 'and no link stored');

# The password is asked again, each guess counted before it is checked.
for my $i (1 .. 3) {
	$r = ask({ password => "wrong $i", email => 'new@example.net' });
	is($r->{status}, 401, "wrong password $i: 401");
}
is($r->{json}{error}, 'invalid_credentials', 'as invalid_credentials');
$r = ask({ password => $PW, email => 'new@example.net' });
is($r->{status}, 429, 'after throttle_user_max wrong ones, the right password waits: 429');
ok($r->{headers}{'retry-after'}, 'with Retry-After');
is(scalar(new_mails(0)), 0, 'no mail for a wrong or throttled password');
is($env->psql("select count(*) from audit where event = 'email_change_failed'"), 3,
	'each wrong password audited');
$env->psql("delete from throttle");

# The change asked: a link to the new address, a notice to the old.
$r = ask({ password => $PW, email => 'Alice.New@example.net' });
is($r->{status}, 202, 'the right password and an address: 202');
is_deeply($r->{json}, { status => 'check_your_email' }, 'saying check_your_email');
my $m = by_to(new_mails(2));
my $new = $m->{'alice.new@example.net'};
is($new->{subject} // '', 'Confirm your new email address', 'the new address is asked to confirm');
is($new->{to}, 'Alice.New@example.net', 'as typed');
like($new->{link} // '', qr{^\Q$SITE\E/auth/email/confirm\?token=[A-Za-z0-9_-]{43}$},
	'its link starts with site_url and carries a 256-bit token');
like($new->{text} // '', qr/^Hello,$/m, 'greeting no one by name (the address may not be the user\'s)');
unlike($new->{text} // '', qr/alice/, 'and never naming the account');
my $old = $m->{'alice@example.org'};
is($old->{subject} // '', 'A change of your email address was asked', 'the old address gets a notice');
like($old->{text} // '', qr/^Hello alice,$/m, 'greeting its user');
like($old->{link} // '', qr{^\Q$SITE\E/auth/account$}, 'linking to the account page');
is(address('alice'), 'alice@example.org true', 'the address is not changed yet');
my $tok = token_of($new->{link});
is($env->psql("select count(*) from account_tokens t join users u on u.id = t.user_id where " .
	"t.token_hash = decode('" . sha256_hex($tok) . "', 'hex') and t.purpose = 'email' and " .
	"t.email = 'Alice.New\@example.net' and u.username = 'alice' and " .
	"t.expires_at between now() + interval '23 hours' and now() + interval '25 hours'"),
	1, 'stored only as its SHA-256, for alice and the new address, for 24 hours');

# Asking again ends the link before.
$r = ask({ password => $PW, email => 'alice2@example.net' });
is($r->{status}, 202, 'a second change asked: 202');
$m = by_to(new_mails(2));
my $tok2 = token_of($m->{'alice2@example.net'}{link});
is(links('alice', 'email'), 1, 'one change link outstanding');
$r = $env->json(POST => '/auth/email/confirm', { content => { token => $tok } });
is($r->{status}, 400, 'the first link, superseded, is refused: 400');
is($r->{json}{error}, 'invalid_link', 'as invalid_link');

# Opening the link changes nothing; the button does.
$r = $env->json(POST => '/auth/reset', { content => { login => 'alice' } });
is($r->{status}, 202, 'a reset link is asked for alice (to the old address)');
new_mails(1);
is(links('alice', 'reset'), 1, 'it is outstanding');
my $before = $env->psql("select count(*) from account_tokens");
my $open = $env->http(GET => "/auth/email/confirm?token=$tok2", { headers => \%HTML });
is($open->{status}, 200, 'opening the link shows a page');
is(scalar(() = $open->{content} =~ /<button/g), 1, 'with one button');
is(JwtAuthTest->hidden($open->{content}, 'token'), $tok2, 'carrying the token on');
is($open->{headers}{'referrer-policy'}, 'strict-origin', 'Referrer-Policy: strict-origin');
is($env->psql("select count(*) from account_tokens"), $before, 'opening it used no token');
is(address('alice'), 'alice@example.org true', 'and changed nothing');
$r = $env->json(POST => '/auth/email/confirm', { content => { token => $tok2 } });
is($r->{status}, 204, 'POST /auth/email/confirm with the token: 204');
is(address('alice'), 'alice2@example.net true', 'the address is the new one, verified');
is(links('alice', 'reset'), 0, 'the reset link mailed to the old address is dead');
my @n = new_mails(1);
is(scalar @n, 1, 'one mail');
is($n[0]{to} // '', 'alice@example.org', 'to the old address');
is($n[0]{subject} // '', 'Your email address was changed', 'saying the address was changed');
$r = $env->json(POST => '/auth/email/confirm', { content => { token => $tok2 } });
is($r->{status}, 400, 'the link used again is refused: 400');
is($env->http(GET => "/auth/email/confirm?token=$tok2", { headers => \%HTML })->{status}, 400,
	'and its page shows no button');
$r = $env->json(POST => '/auth/reset', { content => { login => 'alice2@example.net' } });
@n = new_mails(1);
is($n[0]{to} // '', 'alice2@example.net', 'a reset now goes to the new address');

# An address another account has: the same answer, a mail saying so.
$r = ask({ password => $PW, email => 'alice-free@example.net' });
my $free = $r;
new_mails(2);
$r = ask({ password => $PW, email => 'BOB@example.org' });
is($r->{status}, $free->{status}, "another account's address: the same status");
is($r->{content}, $free->{content}, 'and body');
$m = by_to(new_mails(2));
is($m->{'bob@example.org'}{subject} // '', 'Someone tried to use your address',
	'the address is told it is in use');
like($m->{'bob@example.org'}{link} // '', qr{^\Q$SITE\E/auth/reset$}, 'offering the reset');
unlike($m->{'bob@example.org'}{text} // '', qr/alice/, 'not naming the account that asked');
is($m->{'alice2@example.net'}{subject} // '', 'A change of your email address was asked',
	'the notice goes as for a free address');
is($env->psql("select count(*) from account_tokens where purpose = 'email'"), 0,
	'no link stored for it (and the one before is ended)');
is(address('bob'), 'bob@example.org true', 'bob is untouched');

# Taken meanwhile: the link changes nothing.
ask({ password => $PW, email => 'carol@example.org' });
my $tok3 = token_of(by_to(new_mails(2))->{'carol@example.org'}{link});
$env->authctl({ stdin => "$PW\n" }, 'user', 'add', '--email', 'carol@example.org', 'carol');
$r = $env->json(POST => '/auth/email/confirm', { content => { token => $tok3 } });
is($r->{status}, 409, 'an address another account took meanwhile: 409');
is($r->{json}{error}, 'email_taken', 'as email_taken');
is(address('alice'), 'alice2@example.net true', 'alice keeps her address');
is(scalar(new_mails(0)), 0, 'and no notice goes');

# A sign-up never confirmed does not hold an address against a change.
$env->reconfigure(signup => 'open');
$r = $env->json(POST => '/auth/signup', { content => { username => 'squatter',
	email => 'alice4@example.net', password => $PW } });
is($r->{status}, 202, 'someone signs up with an address and never confirms it');
new_mails(1);
ask({ password => $PW, email => 'Alice4@example.net' });
$m = by_to(new_mails(2));
is($m->{'alice4@example.net'}{subject} // '', 'Confirm your new email address',
	'a change to that address gets its link, not "in use"');
$r = $env->json(POST => '/auth/email/confirm', { content => { token => token_of($m->{'alice4@example.net'}{link}) } });
is($r->{status}, 204, 'the link changes the address');
is(address('alice'), 'Alice4@example.net true', 'alice has it');
is($env->psql("select count(*) from users where username = 'squatter'"), 0, 'the unconfirmed sign-up is gone');
new_mails(1);
$env->reconfigure(signup => 'off');

# Expired and other-purpose links.
ask({ password => $PW, email => 'alice3@example.net' });
my $tok4 = token_of(by_to(new_mails(2))->{'alice3@example.net'}{link});
$env->psql("update account_tokens set expires_at = now() - interval '1 second' where token_hash = decode('" .
	sha256_hex($tok4) . "', 'hex')");
is($env->json(POST => '/auth/email/confirm', { content => { token => $tok4 } })->{status}, 400,
	'an expired link is refused');
$env->json(POST => '/auth/reset', { content => { login => 'alice' } });
my $rtok = token_of((new_mails(1))[0]{link});
is($env->json(POST => '/auth/email/confirm', { content => { token => $rtok } })->{status}, 400,
	'a link of another purpose (reset) is refused');
is(address('alice'), 'Alice4@example.net true', 'nothing changed by either');

# The form of the account page.
my $jar = {};
my $lpage = $env->http(GET => '/auth/login', { headers => \%HTML });
JwtAuthTest->cookie_jar($jar, $lpage);
$r = $env->form('/auth/login', $jar, { csrf => JwtAuthTest->hidden($lpage->{content}, 'csrf'),
	username => 'bob', password => $PW, next => '/auth/account' });
is($r->{status}, 303, 'bob signs in with the form');
my $page = $env->http(GET => '/auth/account', { headers => { %HTML, cookie => JwtAuthTest->cookie_header($jar) } });
JwtAuthTest->cookie_jar($jar, $page);
is($page->{status}, 200, 'the account page');
like($page->{content}, qr{<strong>bob\@example\.org</strong> \(confirmed\)}, 'shows the address, confirmed');
like($page->{content}, qr{action="/auth/email"}, 'and a form to change it');
my $csrf = JwtAuthTest->hidden($page->{content}, 'csrf');
$r = $env->form('/auth/email', $jar, { csrf => $csrf, password => 'wrong', email => 'bob2@example.net' });
is($r->{status}, 303, 'a wrong password in the form: back to the account page');
like($r->{headers}{location} // '', qr{/auth/account\?m=password$}, 'saying the password is not right');
$r = $env->form('/auth/email', $jar, { csrf => $csrf, password => $PW, email => 'bob at example.net' });
like($r->{headers}{location} // '', qr{/auth/account\?m=address$}, 'a bad address: back, saying so');
$r = $env->form('/auth/email', $jar, { csrf => 'x' x 43, password => $PW, email => 'bob2@example.net' });
is($r->{status}, 403, 'a form without the right CSRF token: 403');
is(scalar(new_mails(0)), 0, 'no mail for any of them');
$r = $env->form('/auth/email', $jar, { csrf => $csrf, password => $PW, email => 'bob2@example.net' });
is($r->{status}, 303, 'the form: 303');
like($r->{headers}{location} // '', qr{/auth/account\?m=email_sent$}, 'back to the account page');
$page = $env->http(GET => $r->{headers}{location}, { headers => { %HTML, cookie => JwtAuthTest->cookie_header($jar) } });
like($page->{content}, qr/A link is on its way to the new address/, 'which says a link is on its way');
my $btok = token_of(by_to(new_mails(2))->{'bob2@example.net'}{link});
$open = $env->http(GET => "/auth/email/confirm?token=$btok",
	{ headers => { %HTML, cookie => JwtAuthTest->cookie_header($jar) } });
JwtAuthTest->cookie_jar($jar, $open);
$r = $env->form('/auth/email/confirm', $jar, { csrf => JwtAuthTest->hidden($open->{content}, 'csrf'),
	token => $btok });
is($r->{status}, 200, 'the button of the page changes it: 200');
like($r->{content}, qr/Address changed/, 'a page says so');
is($r->{headers}{'referrer-policy'}, 'strict-origin', 'with Referrer-Policy: strict-origin');
is(address('bob'), 'bob2@example.net true', 'bob has the new address');
$r = $env->form('/auth/email/confirm', $jar, { csrf => JwtAuthTest->hidden($open->{content}, 'csrf'),
	token => $btok });
is($r->{status}, 400, 'the button again: 400');
like($r->{content}, qr/This link is not valid/, 'a page saying the link is dead');
new_mails(0);

# The throttle per new address, whatever its case.
$env->reconfigure(throttle_user_max => 1000);
$at = $env->must_login('alice', $PW)->{access_token};
$env->reconfigure(throttle_user_max => 3);
my @st = map { ask({ password => $PW, email => 'Target@example.net' })->{status} } 1 .. 5;
is($st[0], 202, 'the first change to an address is 202');
ok((grep { $_ == 429 } @st), 'repeated changes to one address are throttled (429)');
$r = ask({ password => $PW, email => 'target@EXAMPLE.net' });
is($r->{status}, 429, 'per address whatever its case');
like($r->{json}{error_description} // '', qr/Too many change of address requests/, 'saying so');
new_mails(0);

# Mail off: the routes are not there.
$env->reconfigure(site_url => undef, mail_dir => undef);
is(ask({ password => $PW, email => 'x@example.net' })->{status}, 404, 'without site_url: POST /auth/email is 404');
is($env->http(GET => "/auth/email/confirm?token=$tok", { headers => \%HTML })->{status}, 404,
	'and the link is 404');
$page = $env->http(GET => '/auth/account', { headers => JwtAuthTest->bearer($at) });
unlike($page->{content}, qr{action="/auth/email"}, 'and the account page has no address form');

done_testing();
