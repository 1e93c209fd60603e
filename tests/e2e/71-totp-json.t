# Two-factor sign-in (TOTP, RFC 6238) for API clients, end to end
# through Apache and mod_fcgid, with codes computed by oathtool (an
# independent TOTP implementation): setup and enable with the password,
# the mfa_required step of sign-in, a code replayed in its window
# refused, a wrong or used mfa_token refused, a recovery code good once,
# amr (RFC 8176) in the access tokens and kept by refresh, the
# authorizer's otp_paths, ending a session by id (never another user's),
# disable, authctl user 2fa NAME off, and the audit trail.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use GuessBurst;
use JSON::PP ();

# scripts/deps.sh test installs it: its absence is a failure, not a skip.
my ($oathtool) = grep { -x } map { "$_/oathtool" } split /:/, $ENV{PATH};
die "oathtool is not installed (scripts/deps.sh test)\n" unless $oathtool;

# A code for secret (base32) at now + offset seconds, from oathtool.
sub code_at {
	my ($secret, $offset) = @_;
	my $t = time + ($offset // 0);
	my $c = `$oathtool --totp -b -N \@$t $secret`;
	die "oathtool failed" if $?;
	chomp $c;
	return $c;
}

my $env = JwtAuthTest->start(otp_paths => '/app/whoami.cgi',
	throttle_user_max => 20);
my $PW = 'correct horse battery';
$env->add_user($_, $PW) for qw(alice bob carol dave erin);

my $t = $env->must_login('alice', $PW);
my $auth = $env->bearer($t->{access_token});
my (undef, $claims) = JwtAuthTest->jwt_decode($t->{access_token});
is_deeply($claims->{amr}, ['pwd'], 'a password sign-in says amr ["pwd"]');

# Setup and enable.
my $res = $env->json(POST => '/auth/2fa/setup',
	{ headers => $auth, content => { password => 'wrong password' } });
is($res->{status}, 401, 'setup with a wrong password is refused');
$res = $env->json(POST => '/auth/2fa/setup', { content => { password => $PW } });
is($res->{status}, 401, 'setup without a token is refused');
$res = $env->json(POST => '/auth/2fa/setup',
	{ headers => $auth, content => { password => $PW } });
is($res->{status}, 200, 'setup with the password is 200');
my $secret = $res->{json}{secret} // '';
like($secret, qr/^[A-Z2-7]{32}$/, 'the secret is 160 bits of base32');
like($res->{json}{otpauth_uri} // '',
	qr{^otpauth://totp/jwtauth:alice\?secret=$secret&issuer=jwtauth&algorithm=SHA1&digits=6&period=30$},
	'otpauth_uri names issuer, user and secret');
is($env->psql("select count(*) from totp where position(convert_to('$secret', 'UTF8') in secret_box) > 0"),
	0, 'the secret is not stored in clear');

$res = $env->login_response('alice', $PW);
is($res->{status}, 200, 'a secret set up but not confirmed does not ask for a code');

$res = $env->json(POST => '/auth/2fa/enable',
	{ headers => $auth, content => { password => $PW, code => '000000' } });
is($res->{status}, 401, 'enable with a wrong code is refused');
is($res->{json}{error}, 'invalid_code', 'the error is invalid_code');
my $code0 = code_at($secret);
$res = $env->json(POST => '/auth/2fa/enable',
	{ headers => $auth, content => { password => $PW, code => $code0 } });
is($res->{status}, 200, 'enable with the code of oathtool is 200');
my @recovery = @{ $res->{json}{recovery_codes} // [] };
is(scalar @recovery, 10, 'ten recovery codes');
like($recovery[0] // '', qr/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/, 'a recovery code is four groups of four');
is($env->psql("select count(*) from recovery_codes r join users u on u.id = r.user_id where u.username = 'alice'"),
	10, 'ten recovery codes are stored');
is($env->psql("select count(*) from recovery_codes where encode(code_hash, 'escape') like '%" .
	($recovery[0] =~ s/-//gr) . "%'"), 0, 'recovery codes are stored hashed');
$res = $env->json(POST => '/auth/2fa/setup',
	{ headers => $auth, content => { password => $PW } });
is($res->{status}, 409, 'setup while on is refused (409)');

# Sign-in: the mfa_required step.
$res = $env->login_response('alice', $PW);
is($res->{status}, 401, 'sign-in with the password alone is 401');
is($res->{json}{error}, 'mfa_required', 'the error is mfa_required');
my $mfa = $res->{json}{mfa_token} // '';
like($mfa, qr/^[A-Za-z0-9_-]{43}$/, 'mfa_token holds 256 bits');
ok(!exists $res->{json}{access_token}, 'no access token before the code');
is($env->json(GET => '/auth/me', { headers => $env->bearer($mfa) })->{status}, 401,
	'an mfa_token is no access token');
is($env->json(POST => '/auth/refresh', { content => { refresh_token => $mfa } })->{status}, 401,
	'an mfa_token is no refresh token');

my $fails = sub { $env->psql("select coalesce(max(failures), 0) from throttle where kind = 'user' and key = 'alice'") };
my $before = $fails->();
$res = $env->json(POST => '/auth/login', { content => { mfa_token => $mfa, code => $code0 } });
is($res->{status}, 401, 'the code used to enable, replayed in its window, is refused');
is($res->{json}{error}, 'invalid_code', 'the replay is invalid_code');
is($fails->(), $before + 1, 'a wrong code counts toward the login throttle');
my $code1 = code_at($secret, 30);
$res = $env->json(POST => '/auth/login', { content => { mfa_token => 'A' x 43, code => $code1 } });
is($res->{status}, 401, 'a wrong mfa_token is refused');
is($res->{json}{error}, 'invalid_mfa_token', 'the error is invalid_mfa_token');
$res = $env->json(POST => '/auth/login', { content => { mfa_token => $mfa, code => $code1 } });
is($res->{status}, 200, 'the next step\'s code completes the sign-in');
my $t2 = $res->{json};
(undef, $claims) = JwtAuthTest->jwt_decode($t2->{access_token});
is_deeply($claims->{amr}, ['pwd', 'otp'], 'amr says ["pwd","otp"]');
is($fails->(), 0, 'the sign-in with the code clears the account\'s count');
$res = $env->json(POST => '/auth/login', { content => { mfa_token => $mfa, code => $code1 } });
is($res->{status}, 401, 'an mfa_token used once is refused');
is($res->{json}{error}, 'invalid_mfa_token', 'a used mfa_token is invalid_mfa_token');
$res = $env->login_response('alice', $PW);
$res = $env->json(POST => '/auth/login', { content => { mfa_token => $res->{json}{mfa_token}, code => $code1 } });
is($res->{status}, 401, 'a code used for a sign-in is refused for another (replay)');

$res = $env->refresh($t2->{refresh_token});
is($res->{status}, 200, 'refresh of the two-factor session');
my $t3 = $res->{json};
(undef, $claims) = JwtAuthTest->jwt_decode($t3->{access_token} // '');
is_deeply($claims->{amr}, ['pwd', 'otp'], 'refresh keeps amr ["pwd","otp"]');

# A recovery code, once.
$res = $env->login_response('alice', $PW);
$res = $env->json(POST => '/auth/login',
	{ content => { mfa_token => $res->{json}{mfa_token}, code => uc $recovery[0] } });
is($res->{status}, 200, 'a recovery code (in capitals) completes a sign-in');
my $t4 = $res->{json};
(undef, $claims) = JwtAuthTest->jwt_decode($t4->{access_token});
is_deeply($claims->{amr}, ['pwd', 'otp'], 'a recovery code also gives amr otp');
$res = $env->login_response('alice', $PW);
$res = $env->json(POST => '/auth/login',
	{ content => { mfa_token => $res->{json}{mfa_token}, code => $recovery[0] } });
is($res->{status}, 401, 'the same recovery code a second time is refused');

# The authorizer: otp_paths needs amr otp.
my $tb = $env->must_login('bob', $PW);
$res = $env->json(GET => '/app/whoami.cgi', { headers => $env->bearer($tb->{access_token}) });
is($res->{status}, 401, 'a token without otp is refused under otp_paths');
is($res->{json}{error}, 'insufficient_user_authentication',
	'the error is insufficient_user_authentication (RFC 9470)');
like($res->{headers}{'www-authenticate'} // '', qr/error="insufficient_user_authentication"/,
	'and so says the Bearer challenge');
is($env->http(GET => '/app/index.html', { headers => $env->bearer($tb->{access_token}) })->{status},
	200, 'the same token passes outside otp_paths');
$res = $env->http(GET => '/app/whoami.cgi', { headers => $env->bearer($t3->{access_token}) });
is($res->{status}, 200, 'a token with otp passes under otp_paths');
like($res->{content}, qr/alice/, 'and the page sees alice');

# The checker started with -m otp requires otp everywhere it checks
# (Apache's template: its checker is one command line).
if ($env->server eq 'apache') {
	my $conf = do { local (@ARGV, $/) = ("$FindBin::Bin/../../apache/dev.conf.in"); <> };
	$conf =~ s/-r authorizer"/-r authorizer -m otp"/ or die "no checker line\n";
	$env->template(JwtAuthTest->temp_template($conf));
	$env->restart_server;
	$res = $env->json(GET => '/app/index.html', { headers => $env->bearer($tb->{access_token}) });
	is($res->{status}, 401, 'a checker with -m otp refuses a token without otp anywhere');
	# Apache's 401 page (the login route, another process class) cannot
	# know the checker's -m: the body is the plain sign-in answer there
	# (BUGS in jwtauth.fcgi(8)); otp_paths, in the config, has no such gap.
	is($env->http(GET => '/app/index.html', { headers => $env->bearer($t3->{access_token}) })->{status},
		200, 'and passes a token with otp');
	$env->template(undef);
	$env->restart_server;
}

# Ending a session by id: one's own, never another user's.
my $sid4 = JwtAuthTest->sid_of($t4->{access_token});
my $sidb = JwtAuthTest->sid_of($tb->{access_token});
$res = $env->json(POST => "/auth/sessions/$sidb/end", { headers => $env->bearer($t3->{access_token}) });
is($res->{status}, 404, 'ending another user\'s session is 404');
is($env->me($tb->{access_token})->{status}, 200, 'and that session lives on');
$res = $env->json(POST => '/auth/sessions/00000000-0000-4000-8000-000000000000/end',
	{ headers => $env->bearer($t3->{access_token}) });
is($res->{status}, 404, 'ending an unknown session is 404');
$res = $env->json(POST => "/auth/sessions/$sid4/end");
is($res->{status}, 401, 'ending a session needs a token');
$res = $env->json(POST => "/auth/sessions/$sid4/end", { headers => $env->bearer($t3->{access_token}) });
is($res->{status}, 204, 'ending one\'s own other session by id is 204');
is($env->me($t4->{access_token})->{status}, 401, 'that session\'s access token is refused at once');
is($env->json(POST => '/auth/refresh', { content => { refresh_token => $t4->{refresh_token} } })->{status},
	401, 'and its refresh token too');
is($env->me($t3->{access_token})->{status}, 200, 'the session that ended it lives on');
$res = $env->json(POST => "/auth/sessions/$sid4/end", { headers => $env->bearer($t3->{access_token}) });
is($res->{status}, 404, 'a session ended already is 404');

# Disable: password and a code.
$res = $env->json(POST => '/auth/2fa/disable',
	{ headers => $env->bearer($t3->{access_token}), content => { password => $PW, code => $recovery[0] } });
is($res->{status}, 401, 'disable with a used recovery code is refused');
$res = $env->json(POST => '/auth/2fa/disable',
	{ headers => $env->bearer($t3->{access_token}), content => { password => 'nope nope', code => $recovery[1] } });
is($res->{status}, 401, 'disable with a wrong password is refused');
$res = $env->json(POST => '/auth/2fa/disable',
	{ headers => $env->bearer($t3->{access_token}), content => { password => $PW, code => $recovery[1] } });
is($res->{status}, 204, 'disable with the password and a recovery code is 204');
$res = $env->login_response('alice', $PW);
is($res->{status}, 200, 'after disable the password alone signs in');

# authctl user 2fa NAME off.
my $tc = $env->must_login('carol', $PW);
$res = $env->json(POST => '/auth/2fa/setup',
	{ headers => $env->bearer($tc->{access_token}), content => { password => $PW } });
my $csecret = $res->{json}{secret};
$res = $env->json(POST => '/auth/2fa/enable',
	{ headers => $env->bearer($tc->{access_token}), content => { password => $PW, code => code_at($csecret) } });
is($res->{status}, 200, 'carol turns on two-factor sign-in');
is($env->login_response('carol', $PW)->{json}{error}, 'mfa_required', 'carol then needs a code');
my ($rc, $out, $err) = $env->authctl({}, 'user', '2fa', 'carol', 'off');
is($rc, 0, 'authctl user 2fa carol off succeeds');
is($env->login_response('carol', $PW)->{status}, 200, 'carol signs in with the password alone again');
($rc) = $env->authctl({}, 'user', '2fa', 'carol', 'off');
isnt($rc, 0, 'authctl user 2fa off for a user without it fails');

# Once the database has turned it on (or off), the answer says so even if
# ending the other sessions fails next: the recovery codes are not lost.
$env->psql(q{create function fail_logout() returns trigger language plpgsql as $$ begin raise exception 'test: logout fails'; end $$; }
	. q{create trigger fail_logout before insert on audit for each row when (new.event = 'logout') execute function fail_logout()});
my $td = $env->must_login('dave', $PW);
my $dauth = $env->bearer($td->{access_token});
$res = $env->json(POST => '/auth/2fa/setup', { headers => $dauth, content => { password => $PW } });
my $dsecret = $res->{json}{secret} // '';
$res = $env->json(POST => '/auth/2fa/enable', { headers => $dauth,
	content => { password => $PW, code => code_at($dsecret), end_other_sessions => JSON::PP::true() } });
is($res->{status}, 200, 'enable is 200 though ending the other sessions failed');
is(scalar @{ $res->{json}{recovery_codes} // [] }, 10, 'with the ten recovery codes');
my @drec = @{ $res->{json}{recovery_codes} // [] };
is($env->login_response('dave', $PW)->{json}{error}, 'mfa_required', 'and it is on');
$res = $env->json(POST => '/auth/2fa/disable', { headers => $dauth,
	content => { password => $PW, code => $drec[0] // '', end_other_sessions => JSON::PP::true() } });
is($res->{status}, 204, 'disable is 204 though ending the other sessions failed');
is($env->login_response('dave', $PW)->{status}, 200, 'and it is off');
$env->psql('drop trigger fail_logout on audit');

# burst(BODY...): POST /auth/login with each JSON body at once, from as
# many processes released together; returns the seconds it took, then
# the statuses (GuessBurst).
sub burst { return GuessBurst::burst($env->url('/auth/login'), {}, @_) }

# Codes guessed all at once: each is counted before it is checked, so no
# more than throttle_user_max (20) of them get an answer other than 429
# before the first block, and one more as each block ends
# (GuessBurst::checked_bound).
{
	my $te = $env->must_login('erin', $PW);
	my $eauth = $env->bearer($te->{access_token});
	$res = $env->json(POST => '/auth/2fa/setup', { headers => $eauth, content => { password => $PW } });
	my $esecret = $res->{json}{secret} // '';
	$res = $env->json(POST => '/auth/2fa/enable', { headers => $eauth,
		content => { password => $PW, code => code_at($esecret) } });
	is($res->{status}, 200, 'erin turns on two-factor sign-in');
	my @erec = @{ $res->{json}{recovery_codes} // [] };
	my $wrong = code_at($esecret) eq '000000' ? '111111' : '000000';
	my @tokens = map { $env->login_response('erin', $PW)->{json}{mfa_token} // '' } 1 .. 8;
	$env->psql('delete from throttle');
	my ($took, @st) = burst(map { +{ mfa_token => $tokens[$_ % 8], code => $wrong } } 0 .. 39);
	my $checked = grep { $_ == 401 } @st;
	my $bound = GuessBurst::checked_bound(20, $took, 60);
	is(scalar @st, 40, 'forty wrong codes at once all get an answer');
	cmp_ok($checked, '<=', $bound, sprintf('no more than throttle_user_max of them are checked before the first block, one more as each ends: %d in %.1f s (at most %d), the rest 429', $checked, $took, $bound));
	$env->psql('delete from throttle');

	# A throttled attempt does not use up one of the token's tries.
	$env->psql('delete from mfa_challenges');
	my $ta = $env->login_response('erin', $PW)->{json}{mfa_token} // '';
	$env->psql("insert into throttle (kind, key, failures, blocked_until) values ('user', 'erin', 100, now() + interval '1 hour') on conflict (kind, key) do update set failures = 100, blocked_until = now() + interval '1 hour', last_failure = now()");
	$res = $env->json(POST => '/auth/login', { content => { mfa_token => $ta, code => $wrong } });
	is($res->{status}, 429, 'a code step of a blocked account is 429');
	is($env->psql('select attempts from mfa_challenges'), 0, 'and used none of the token\'s tries');
	$env->psql('delete from throttle');

	# Five recovery codes at once with one token: one signs in, and only
	# its code is used up.
	my $unused = sub { $env->psql("select count(*) from recovery_codes r join users u on u.id = r.user_id where u.username = 'erin' and r.used_at is null") };
	my $before = $unused->();
	my $tb = $env->login_response('erin', $PW)->{json}{mfa_token} // '';
	(undef, @st) = burst(map { +{ mfa_token => $tb, code => $erec[$_] // '' } } 0 .. 4);
	is(scalar(grep { $_ == 200 } @st), 1, 'five recovery codes at once on one token: one signs in (' . join(',', sort @st) . ')');
	is($unused->(), $before - 1, 'and only its recovery code is used up');
	$env->psql('delete from throttle');

	# A password change ends the pending second steps: an mfa_token won
	# with the old password is worth nothing after it.
	my $mtok = $env->login_response('erin', $PW)->{json}{mfa_token} // '';
	my ($prc) = $env->authctl({ stdin => "erin new password 1\n" }, 'user', 'passwd', 'erin');
	is($prc, 0, 'authctl user passwd erin succeeds');
	$res = $env->json(POST => '/auth/login', { content => { mfa_token => $mtok, code => code_at($esecret, 30) } });
	is($res->{json}{error}, 'invalid_mfa_token', 'an mfa_token from before a password change is refused');
}

# The audit trail.
my %events = map { $_ => 1 } split /\n/, $env->psql("select distinct event from audit");
ok($events{$_}, "the audit trail records $_")
	for qw(2fa_setup 2fa_enable 2fa_disable 2fa_recovery_used);
is($env->psql("select count(*) from audit where event = '2fa_disable' and detail = 'authctl'"),
	1, 'the audit trail records authctl turning it off');

done_testing();
