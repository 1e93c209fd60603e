# Password reset by email, end to end through Apache and mod_fcgid, the
# mail written to mail_dir: addresses set with authctl (CR/LF and a
# taken address refused, no mail sent); the same status, body and
# headers for a known and an unknown login; the link built from site_url
# whatever the request's Host; opening the link changes nothing and
# sends no Referer; a reset ends every old session and the old password;
# reused, expired, other-purpose and replaced links refused; a link
# changes only its own user; with two-factor sign-in on a code is
# needed; notices for a password change and two-factor sign-in on; the
# throttle on reset requests; no reset routes without site_url.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use MailDir;
use JSON::PP qw(encode_json);
use Digest::SHA qw(sha256_hex);
use IO::Socket::INET;
use Time::HiRes qw(sleep time);

my ($oathtool) = grep { -x } map { "$_/oathtool" } split /:/, $ENV{PATH};
die "oathtool is not installed (scripts/deps.sh test)\n" unless $oathtool;

my $SITE = 'https://accounts.example.com';
my $env = JwtAuthTest->start(MailDir::options(),
	site_url => $SITE,
	mail_from => 'auth@example.com',
	throttle_ip_max => 1000);
my $mail = MailDir->new($env);
my $PW = 'correct horse battery';
my $NEW = 'a brand new passphrase';

# Every mail written so far, oldest first (MailDir.pm).
sub mails { $mail->all }

# The mails that arrive after the count was n (the mail is sent once
# the answer is out: wait up to 5 s for want of them).
sub new_mails {
	my ($n, $want) = @_;
	for (1 .. 50) {
		my @m = mails();
		return @m[$n .. $#m] if @m >= $n + $want;
		sleep 0.1;
	}
	my @m = mails();
	return @m[$n .. $#m];
}

sub token_of { MailDir::token_of(@_) }

sub reset_req {
	my ($login, $headers) = @_;
	return $env->json(POST => '/auth/reset',
		{ content => { login => $login }, headers => $headers // {} });
}

sub confirm {
	my (%f) = @_;
	return $env->json(POST => '/auth/reset/confirm', { content => \%f });
}

sub code_at {
	my ($secret, $offset) = @_;
	my $t = int(time) + ($offset // 0);
	my $c = `$oathtool --totp -b -N \@$t $secret`;
	die "oathtool failed" if $?;
	chomp $c;
	return $c;
}

# Addresses, set by the administrator.
my ($add) = $env->authctl({ stdin => "$PW\n" }, 'user', 'add', '--email',
	'alice@example.org', 'alice');
is($add, 0, 'authctl user add --email adds a user with an address');
$env->add_user($_, $PW) for qw(bob carol dave);
my ($st, $out, $err) = $env->authctl({}, 'user', 'email', 'bob', 'bob@example.org');
is($st, 0, 'authctl user email sets an address');
$env->authctl({}, 'user', 'email', 'dave', 'dave@example.org');
is($env->psql("select count(*) from users where email_verified_at is not null"), 3,
	'an address set by the administrator counts as verified');
($st) = $env->authctl({ stdin => "$PW\n" }, 'user', 'add', '--email', 'BOB@example.org', 'zed');
isnt($st, 0, 'user add --email with a taken address fails');
is($env->psql("select count(*) from users where username = 'zed'"), 0, 'and adds no user');
($st, $out, $err) = $env->authctl({}, 'user', 'email', 'carol', 'ALICE@example.org');
isnt($st, 0, 'an address taken in another case is refused');
like($err, qr/another account/, 'authctl says the address is taken');
($st, $out, $err) = $env->authctl({}, 'user', 'email', 'carol', "carol\@example.org\r\nBcc: eve\@example.net");
isnt($st, 0, 'an address with CR LF is refused');
is($env->psql("select count(*) from users where username = 'carol' and email is not null"), 0,
	'carol has no address after the refusals');

# Known and unknown logins get the same answer.
my $n = mails();
my $known = reset_req('alice');
my $unknown = reset_req('nobody-here');
my $noaddr = reset_req('carol');
is($known->{status}, 202, 'a reset request for a known user is 202');
is_deeply($known->{json}, { status => 'check_your_email' }, 'the body says check_your_email');
for my $other ([$unknown, 'an unknown login'], [$noaddr, 'a user without an address']) {
	is($other->[0]{status}, $known->{status}, "$other->[1]: the same status");
	is($other->[0]{content}, $known->{content}, "$other->[1]: the same body");
	my %a = %{ $known->{headers} };
	my %b = %{ $other->[0]{headers} };
	delete @a{qw(date)};
	delete @b{qw(date)};
	is_deeply(\%b, \%a, "$other->[1]: the same headers (Date aside)");
}
my @m = new_mails($n, 1);
sleep 0.5;
@m = mails();
@m = @m[$n .. $#m];
is(scalar @m, 1, 'one mail: for the known user, none for the others');
is($m[0]{to}, 'alice@example.org', 'it goes to the verified address');
is($m[0]{subject}, 'Reset your password', 'its subject');
like($m[0]{text}, qr/^Date: .*\nMessage-ID: <[0-9a-f]+\@accounts\.example\.com>\nFrom: auth\@example\.com\n/m,
	'Date, Message-ID and From (mail_from)');
like($m[0]{text}, qr/^Content-Type: text\/plain; charset=utf-8$/m, 'UTF-8 plain text');
like($m[0]{link} // '', qr{^\Q$SITE\E/auth/reset\?token=[A-Za-z0-9_-]{43}$},
	'the link starts with site_url and carries a 256-bit token');
my $tok = token_of($m[0]{link});
is($env->psql("select count(*) from account_tokens where token_hash = decode('" .
	sha256_hex($tok) . "', 'hex') and purpose = 'reset'"), 1,
	'the token is stored only as its SHA-256');
is($env->psql("select count(*) from account_tokens where position(convert_to('$tok', 'UTF8') in token_hash) > 0"),
	0, 'the token itself is not stored');

like($env->http(GET => '/auth/login', { headers => { accept => 'text/html' } })->{content},
	qr{<a href="/auth/reset">Forgot your password\?</a>}, 'the login form links to the reset');

# The page answer of a form is the same for both too.
my $jar = {};
my $page = $env->http(GET => '/auth/reset', { headers => { accept => 'text/html' } });
JwtAuthTest->cookie_jar($jar, $page);
is($page->{status}, 200, 'GET /auth/reset shows the request form');
my $csrf = JwtAuthTest->hidden($page->{content}, 'csrf');
my $fa = $env->form('/auth/reset', $jar, { csrf => $csrf, login => 'alice@EXAMPLE.org' });
my $fb = $env->form('/auth/reset', $jar, { csrf => $csrf, login => 'nobody@example.org' });
is($fa->{status}, 202, 'a form request is 202 with a page');
like($fa->{content}, qr/Check your email/, 'the page says to check the email');
is($fb->{content}, $fa->{content}, 'the same page for an unknown address');
my $fc = $env->form('/auth/reset', $jar, { csrf => 'x' x 43, login => 'alice' });
is($fc->{status}, 403, 'a form request without the right CSRF token is 403');
@m = new_mails($n + 1, 1);
is(scalar(@m), 1, 'the address, in any case, is a login too: one more mail');
my $tok_a2 = token_of($m[0]{link});

# The link is built from site_url whatever Host the request names.
sub raw_post {
	my ($path, $host, $body) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $env->port)
	    or die "connect: $!\n";
	print $s "POST $path HTTP/1.0\r\nHost: $host\r\nX-Forwarded-Host: $host\r\n" .
	    "Content-Type: application/json\r\nContent-Length: " . length($body) .
	    "\r\n\r\n$body";
	local $/;
	my $r = <$s>;
	return $r =~ m{^HTTP/1\.\d (\d+)} ? $1 : 0;
}
$n = mails();
is(raw_post('/auth/reset', 'evil.example', encode_json({ login => 'bob' })), 202,
	'a request naming another Host is 202');
@m = new_mails($n, 1);
like($m[0]{link} // '', qr{^\Q$SITE\E/}, 'its link still starts with site_url');
unlike($m[0]{text}, qr/evil\.example/, 'the Host named is nowhere in the mail');
my $tok_bob = token_of($m[0]{link});

# Opening the link changes nothing.
my $before = $env->psql("select count(*) from account_tokens");
my $open = $env->http(GET => "/auth/reset?token=$tok", { headers => { accept => 'text/html' } });
is($open->{status}, 200, 'opening the link shows a page');
like($open->{content}, qr/name="password"/, 'with a new password field');
is(JwtAuthTest->hidden($open->{content}, 'token'), $tok, 'carrying the token on');
is($open->{headers}{'referrer-policy'}, 'strict-origin', 'Referrer-Policy: strict-origin');
is($env->psql("select count(*) from account_tokens"), $before, 'opening it changed nothing');
is($env->login_response('alice', $PW)->{status}, 200, 'the old password still works after opening');

# A reset ends every old session, and the old password.
my $t = $env->must_login('alice', $PW);
my $auth = $env->bearer($t->{access_token});
is($env->json(GET => '/auth/me', { headers => $auth })->{status}, 200, 'the session works before');
$n = mails();
my $r = confirm(token => $tok, password => 'short');
is($r->{status}, 400, 'a password too short is refused');
$r = confirm(token => $tok, password => $NEW);
is($r->{status}, 204, 'the reset with the link is 204');
ok(!defined $r->{headers}{'set-cookie'} || $r->{headers}{'set-cookie'} !~ /jwtauth_access=[^;]/,
	'the reset signs no one in');
is($env->json(GET => '/auth/me', { headers => $auth })->{status}, 401,
	'the old access token is refused');
is($env->refresh($t->{refresh_token})->{status}, 401, 'the old refresh token is refused');
is($env->login_response('alice', $PW)->{status}, 401, 'the old password is refused');
is($env->login_response('alice', $NEW)->{status}, 200, 'the new password works');
$r = confirm(token => $tok, password => 'yet another passphrase');
is($r->{status}, 400, 'the link used again is refused');
is($r->{json}{error}, 'invalid_link', 'as invalid_link');
$r = confirm(token => $tok_a2, password => 'yet another passphrase');
is($r->{status}, 400, 'the other outstanding link of the user died with the reset');
@m = new_mails($n, 1);
is($m[0]{subject} // '', 'Your password was changed', 'a notice is mailed');
like($m[0]{link} // '', qr{^\Q$SITE\E/auth/account$}, 'it links to the account page');
is($env->psql("select count(*) from audit where event = 'password_reset'"), 1, 'the reset is audited');

# Expired, other-purpose, other-user links.
$env->psql("update account_tokens set expires_at = now() - interval '1 second' where token_hash = decode('" .
	sha256_hex($tok_bob) . "', 'hex')");
$r = confirm(token => $tok_bob, password => $NEW);
is($r->{status}, 400, 'an expired link is refused');
my $fake = join '', map { ('A' .. 'Z', 'a' .. 'z', 0 .. 9, '-', '_')[rand 64] } 1 .. 43;
$env->psql("insert into account_tokens (token_hash, user_id, purpose, expires_at) select decode('" .
	sha256_hex($fake) . "', 'hex'), id, 'verify', now() + interval '1 hour' from users where username = 'bob'");
$r = confirm(token => $fake, password => $NEW);
is($r->{status}, 400, 'a token of another purpose is refused');
is($env->http(GET => "/auth/reset?token=$fake", { headers => { accept => 'text/html' } })->{status}, 400,
	'and its link shows no form');
$n = mails();
reset_req('bob');
@m = new_mails($n, 1);
$r = confirm(token => token_of($m[0]{link}), password => 'bobs new passphrase');
is($r->{status}, 204, "bob's link sets a password");
is($env->login_response('bob', 'bobs new passphrase')->{status}, 200, "it is bob's");
is($env->login_response('alice', $NEW)->{status}, 200, "alice's password is untouched");
is($env->login_response('dave', 'bobs new passphrase')->{status}, 401, 'and no one else has it');

# A password change by the user mails a notice too.
$t = $env->must_login('bob', 'bobs new passphrase');
$n = mails();
$r = $env->json(POST => '/auth/password', { headers => $env->bearer($t->{access_token}),
	content => { current_password => 'bobs new passphrase', new_password => 'bobs third passphrase' } });
is($r->{status}, 204, 'bob changes the password');
@m = new_mails($n, 1);
is($m[0]{to} // '', 'bob@example.org', 'a notice goes to his address');
is($m[0]{subject} // '', 'Your password was changed', 'saying the password changed');

# Two-factor sign-in on: the reset needs a code.
$t = $env->must_login('dave', $PW);
$auth = $env->bearer($t->{access_token});
$r = $env->json(POST => '/auth/2fa/setup', { headers => $auth, content => { password => $PW } });
my $secret = $r->{json}{secret};
$n = mails();
$r = $env->json(POST => '/auth/2fa/enable',
	{ headers => $auth, content => { password => $PW, code => code_at($secret) } });
is($r->{status}, 200, 'dave turns two-factor sign-in on');
my @rec = @{ $r->{json}{recovery_codes} // [] };
@m = new_mails($n, 1);
is($m[0]{subject} // '', 'Two-factor sign-in is on', 'a notice is mailed when it is turned on');
$n = mails();
reset_req('dave');
@m = new_mails($n, 1);
my $tok_d = token_of($m[0]{link});
$open = $env->http(GET => "/auth/reset?token=$tok_d", { headers => { accept => 'text/html' } });
like($open->{content}, qr/name="code"/, 'the form asks for a code');
$r = confirm(token => $tok_d, password => $NEW);
is($r->{status}, 400, 'without a code the reset is refused');
$r = confirm(token => $tok_d, password => $NEW, code => '000000');
is($r->{status}, 401, 'a wrong code is refused');
is($r->{json}{error}, 'invalid_code', 'as invalid_code');
is($env->login_response('dave', $NEW)->{status}, 401, 'the password is unchanged');
sleep 1 while time % 30 > 27;
$r = confirm(token => $tok_d, password => $NEW, code => code_at($secret, 30));
is($r->{status}, 204, 'with the next code from the app the reset is done');
is($env->login_response('dave', $NEW)->{json}{error}, 'mfa_required',
	'the new password works, and sign-in still asks for the code');
my $step = $env->login_response('dave', $NEW)->{json}{mfa_token} // '';
$r = $env->json(POST => '/auth/login', { content => { mfa_token => $step, code => $rec[0] // '' } });
is($r->{status}, 200, 'dave signs in with a recovery code');
$n = mails();
$r = $env->json(POST => '/auth/2fa/disable', { headers => $env->bearer($r->{json}{access_token} // ''),
	content => { password => $NEW, code => $rec[1] // '' } });
is($r->{status}, 204, 'dave turns two-factor sign-in off');
@m = new_mails($n, 1);
is($m[0]{subject} // '', 'Two-factor sign-in is off', 'a notice is mailed when it is turned off');
like($m[0]{link} // '', qr{^\Q$SITE\E/auth/account$}, 'with the link to the account page');

# A browser: the page of the link, then its form.
$n = mails();
reset_req('alice');
@m = new_mails($n, 1);
my $ftok = token_of($m[0]{link});
my $fjar = {};
$open = $env->http(GET => "/auth/reset?token=$ftok", { headers => { accept => 'text/html' } });
JwtAuthTest->cookie_jar($fjar, $open);
$r = $env->form('/auth/reset/confirm', $fjar, { csrf => JwtAuthTest->hidden($open->{content}, 'csrf'),
	token => $ftok, password => 'the form passphrase' });
is($r->{status}, 200, 'the form of the link sets the password: a 200 page');
like($r->{content}, qr/Password set/, 'which says so');
is($r->{headers}{'referrer-policy'}, 'strict-origin', 'with Referrer-Policy: strict-origin');
is($env->login_response('alice', 'the form passphrase')->{status}, 200, 'the password of the form works');

# The throttle on reset requests, per login (as at sign-in).
my @st = map { reset_req('Erin@example.org')->{status} } 1 .. 8;
is($st[0], 202, 'the first reset request of a login is 202');
ok((grep { $_ == 429 } @st), 'repeated requests for one login are throttled (429)');
$r = reset_req('erin@example.org');
is($r->{status}, 429, 'the count is per login whatever its case');
ok($r->{headers}{'retry-after'}, 'with Retry-After');
is($r->{json}{error}, 'too_many_attempts', 'as too_many_attempts');

# The same time, within noise: 20 requests each, alternating, for a
# known user and an unknown login (the throttle raised for them).
$env->reconfigure(throttle_user_max => 1000);
my (@tk, @tu);
for (1 .. 20) {
	for ([\@tk, 'bob'], [\@tu, 'nobody-at-all']) {
		my $t0 = time;
		my $res = reset_req($_->[1]);
		push @{ $_->[0] }, time - $t0;
		$res->{status} == 202 or die "timing: $res->{status}\n";
	}
}
sub median { my @s = sort { $a <=> $b } @_; return ($s[9] + $s[10]) / 2 }
my ($mk, $mu) = (median(@tk), median(@tu));
# Noise grows with the machine's load: 20 ms, or a quarter of the
# median where the machine is slower than that; extra work for one kind
# (a hash, a mail sent before the answer) is more than either.
my $noise = 0.25 * ($mk + $mu) / 2;
$noise = 0.02 if $noise < 0.02;
cmp_ok(abs($mk - $mu), '<', $noise,
	sprintf('known and unknown logins take the same time (medians %.1f ms, %.1f ms; within %.0f ms)',
	1000 * $mk, 1000 * $mu, 1000 * $noise));

# Without site_url there is no reset.
$env->reconfigure(site_url => undef);
is($env->json(POST => '/auth/reset', { content => { login => 'alice' } })->{status}, 404,
	'without site_url, POST /auth/reset is 404');
is($env->http(GET => '/auth/reset')->{status}, 404, 'and GET too');
unlike($env->http(GET => '/auth/login', { headers => { accept => 'text/html' } })->{content},
	qr{/auth/reset}, 'and the login form has no reset link');

done_testing();
