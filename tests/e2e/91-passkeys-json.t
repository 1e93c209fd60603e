# Passkeys (W3C WebAuthn Level 3) for API clients, end to end through
# Apache and mod_fcgid, with a software authenticator of our own
# (tests/lib/softauthn.py: an ES256 and an Ed25519 key, authenticator
# data and clientDataJSON built by hand): registration and usernameless
# sign-in, amr (RFC 8176) and otp_paths, and each check refused with its
# status, nothing written (no passkey, no session) and one escaped log
# line: wrong origin, wrong rpId, a reused or another's challenge, no UP,
# no UV when required, crossOrigin, a bad signature, a signCount
# regression (which disables the passkey), a credential of another user,
# an unknown one, a removed one, truncated and oversized CBOR, a COSE key
# of a type we do not take, an attestation other than none, a credential
# id twice; removal with the password (not another user's), which ends
# no session.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use JSON::PP ();
use MIME::Base64 ();
use SoftAuthn;

my $RP = 'example.com';
my $ORIGIN = 'https://example.com';

# The software authenticator (tests/lib/SoftAuthn.pm).
sub soft { SoftAuthn::soft(@_) }

my $env = JwtAuthTest->start(otp_paths => '/app/whoami.cgi',
	metrics_allow => '127.0.0.1 ::1',
	webauthn_rp_id => $RP, webauthn_origins => "https://a.example.com $ORIGIN",
	webauthn_user_verification => 'required', throttle_user_max => 50,
	throttle_ip_max => 500);
my $PW = 'correct horse battery';
$env->add_user($_, $PW) for qw(alice bob);
my $alice = $env->bearer($env->must_login('alice', $PW)->{access_token});
my $bob = $env->bearer($env->must_login('bob', $PW)->{access_token});
my $alice_id = $env->psql("select id from users where username = 'alice'");
my $bob_id = $env->psql("select id from users where username = 'bob'");

my $passkeys = sub { $env->psql('select count(*) from passkeys') };
my $sessions = sub { $env->psql('select count(*) from sessions') };

# Registration options for the session of $auth: the challenge.
sub reg_options {
	my ($auth) = @_;
	my $res = $env->json(POST => '/auth/passkey/register/options',
		{ headers => $auth, content => {} });
	die "register/options: $res->{status}\n" unless $res->{status} == 200;
	return $res->{json}{publicKey};
}

# A registration of $key for $auth with %over changing one thing.
sub register {
	my ($auth, $key, %over) = @_;
	my $chal = delete $over{challenge} // reg_options($auth)->{challenge};
	my $cred = soft(op => 'create', key => $key, challenge => $chal,
		origin => $ORIGIN, rp_id => $RP, %over);
	return $env->json(POST => '/auth/passkey/register', { headers => $auth,
		content => { credential => $cred, name => 'my key' } });
}

# Sign-in options: the challenge and the attempt.
sub login_options {
	my $res = $env->json(POST => '/auth/passkey/login/options',
		{ content => {} });
	die "login/options: $res->{status}\n" unless $res->{status} == 200;
	return ($res->{json}{publicKey}{challenge}, $res->{json}{attempt});
}

# A sign-in with $key, %over changing one thing.
sub login {
	my ($key, %over) = @_;
	my ($chal, $attempt) = login_options();
	$chal = delete $over{challenge} if exists $over{challenge};
	$attempt = delete $over{attempt} if exists $over{attempt};
	my $cred = soft(op => 'get', key => $key, challenge => $chal,
		origin => $ORIGIN, rp_id => $RP, %over);
	return $env->json(POST => '/auth/passkey/login',
		{ content => { credential => $cred, attempt => $attempt } });
}

# --- Registration ---------------------------------------------------

my $es = soft(op => 'new', kind => 'es256');
my $ed = soft(op => 'new', kind => 'ed25519');

my $res = $env->json(POST => '/auth/passkey/register/options', { content => {} });
is($res->{status}, 401, 'register/options without a token is 401');
my $opt = reg_options($alice);
is($opt->{rp}{id}, $RP, 'the options name webauthn_rp_id');
like($opt->{challenge}, qr/^[A-Za-z0-9_-]{43}$/, 'the challenge is 32 bytes');
is($opt->{attestation}, 'none', 'attestation none is asked');
is_deeply([map { $_->{alg} } @{ $opt->{pubKeyCredParams} }], [-7, -8, -257],
	'ES256, EdDSA and RS256 are offered');
is($opt->{authenticatorSelection}{userVerification}, 'required',
	'userVerification as configured');
is($opt->{authenticatorSelection}{residentKey}, 'required',
	'a discoverable credential is asked');
(my $chal64 = $opt->{challenge}) =~ tr{-_}{+/};
my $chalhex = unpack 'H*', MIME::Base64::decode_base64($chal64);
is($env->psql("select count(*) from webauthn_challenges where challenge_hash = "
	. "sha256('\\x$chalhex'::bytea) and purpose = 'register'"), 1,
	'the challenge is stored as its SHA-256');
is($env->psql("select count(*) from webauthn_challenges where position('\\x$chalhex'::bytea "
	. "in challenge_hash) > 0"), 0, 'and not as it is');

$res = register($alice, $es, challenge => $opt->{challenge}, flags => 0x4d);
is($res->{status}, 201, 'an ES256 passkey is registered (201)');
like($res->{json}{id} // '', qr/^[0-9a-f-]{36}$/, 'its id is answered');
is($env->psql("select alg || ' ' || backup_eligible || ' ' || backed_up || ' ' || name "
	. "from passkeys p join users u on u.id = p.user_id where u.username = 'alice'"),
	'-7 true false my key', 'stored: alg, BE, BS and the name');
is($env->psql("select count(*) from audit where event = 'passkey_added'"), 1,
	'the registration is audited');

# Each refusal: its status, nothing written, one log line with its reason.
my $count = $passkeys->();
my $logs = sub { scalar(() = $env->error_log =~ /event=passkey_(?:refused|login_failed) /g) };
my @reg = (
	[ 'a wrong origin', 400, qr/reason=origin/,
		sub { register($alice, $ed, origin => 'https://evil.example') } ],
	[ 'an origin only like a listed one', 400, qr/reason=origin/,
		sub { register($alice, $ed, origin => 'https://example.com.evil') } ],
	[ 'a wrong rpId', 400, qr/reason=rpIdHash/,
		sub { register($alice, $ed, rp_id => 'evil.example') } ],
	[ 'a used challenge', 400, qr/reason=challenge/,
		sub { register($alice, $ed, challenge => $opt->{challenge}) } ],
	[ 'another session\'s challenge', 400, qr/reason=challenge/,
		sub { register($alice, $ed, challenge => reg_options($bob)->{challenge}) } ],
	[ 'no UP', 400, qr/reason=user\\x20presence/,
		sub { register($alice, $ed, flags => 0x44) } ],
	[ 'no UV when required', 400, qr/reason=user\\x20verification/,
		sub { register($alice, $ed, flags => 0x41) } ],
	[ 'crossOrigin true', 400, qr/reason=crossOrigin/,
		sub { register($alice, $ed, cross_origin => JSON::PP::true) } ],
	[ 'type webauthn.get', 400, qr/reason=clientDataJSON\\x20type/,
		sub { register($alice, $ed, type => 'webauthn.get') } ],
	[ 'truncated CBOR', 400, qr/reason=attestation/,
		sub { register($alice, $ed, truncate => 7) } ],
	[ 'oversized CBOR', 400, qr/reason=attestation/,
		sub { register($alice, $ed, pad => 5000) } ],
	[ 'a COSE key of another type (ES384)', 400, qr/reason=attestation/,
		sub { register($alice, $ed, cose => JwtAuthTest->b64url(
			"\xa5\x01\x02\x03\x38\x22\x20\x02\x21\x58\x30" . ("\x11" x 48)
			. "\x22\x58\x30" . ("\x22" x 48))) } ],
	[ 'fmt packed', 400, qr/reason=attestation/,
		sub { register($alice, $ed, fmt => 'packed') } ],
	[ 'a credential id registered already', 409, qr/reason=credential\\x20id\\x20registered/,
		sub { register($bob, $es) } ],
);
for my $case (@reg) {
	my ($name, $status, $reason, $run) = @$case;
	my $before = $logs->();
	my $log0 = length $env->error_log;
	my $r = $run->();
	is($r->{status}, $status, "registration with $name is refused ($status)");
	is($passkeys->(), $count, "registration with $name writes no passkey");
	is($logs->(), $before + 1, "registration with $name logs one line");
	like(substr($env->error_log, $log0), $reason, "registration with $name logs why");
}
is($env->json(POST => '/auth/passkey/register', { headers => $alice,
	content => { name => 'x', credential => { type => 'public-key' } } })->{status},
	400, 'a credential without a response is 400');

$res = register($alice, $ed, flags => 0x45);
is($res->{status}, 201, 'an Ed25519 passkey is registered (201)');
is($env->psql("select alg from passkeys where name = 'my key' order by created_at desc limit 1"),
	-8, 'stored with alg -8');

# --- Sign-in ---------------------------------------------------------

my ($chal, $attempt) = login_options();
like($attempt // '', qr/^[A-Za-z0-9_-]{43}$/, 'login/options gives an attempt of 256 bits');
$res = $env->json(POST => '/auth/passkey/login/options', { content => {} });
is_deeply($res->{json}{publicKey}{allowCredentials}, [], 'allowCredentials is empty (usernameless)');
is($res->{json}{publicKey}{rpId}, $RP, 'rpId is webauthn_rp_id');

my $s0 = $sessions->();
my $cred = soft(op => 'get', key => $es, challenge => $chal, origin => $ORIGIN,
	rp_id => $RP, count => 1, user_handle => $alice_id);
$res = $env->json(POST => '/auth/passkey/login',
	{ content => { credential => $cred, attempt => $attempt } });
is($res->{status}, 200, 'a passkey sign-in with UV is 200');
my $t = $res->{json};
my (undef, $claims) = JwtAuthTest->jwt_decode($t->{access_token} // '');
is($claims->{username}, 'alice', 'the token is alice\'s');
is_deeply($claims->{amr}, ['hwk', 'user', 'mfa'], 'amr says ["hwk","user","mfa"]');
is($sessions->(), $s0 + 1, 'one session is made');
is($env->json(GET => '/app/whoami.cgi', { headers => $env->bearer($t->{access_token}) })->{status},
	200, 'it passes otp_paths');
$res = $env->refresh($t->{refresh_token});
(undef, $claims) = JwtAuthTest->jwt_decode($res->{json}{access_token} // '');
is_deeply($claims->{amr}, ['hwk', 'user', 'mfa'], 'refresh keeps the amr');
is($env->psql("select sign_count || ' ' || (last_used_at is not null) from passkeys where alg = -7"),
	'1 true', 'the counter and last use are stored');
$res = $env->json(POST => '/auth/passkey/login',
	{ content => { credential => $cred, attempt => $attempt } });
is($res->{status}, 401, 'the same assertion again is refused (challenge used)');

is(login($ed, count => 0)->{status}, 200, 'an Ed25519 sign-in with counter 0 is 200');
is(login($ed, count => 0)->{status}, 200, 'counter 0 again is taken (no counter kept)');

# The counter of failed logins of GET /auth/metrics.
my $failed = sub {
	my $res = $env->http(GET => '/auth/metrics');
	return $res->{content} =~ /^jwtauth_logins_total\{result="failed"\} (\d+)$/m ? $1 : -1;
};
my $failed0 = $failed->();
my ($c2, $a2) = login_options();
my ($c3, $a3) = login_options();
$s0 = $sessions->();
my $fails0 = $env->psql("select coalesce(max(failures), 0) from throttle where kind = 'user' and key = 'alice'");
my @login = (
	[ 'a wrong origin', 401, qr/reason=origin/,
		sub { login($es, count => 10, origin => 'https://evil.example') } ],
	[ 'a wrong rpId', 401, qr/reason=rpIdHash/,
		sub { login($es, count => 10, rp_id => 'evil.example') } ],
	[ 'a used challenge', 401, qr/reason=challenge/,
		sub { login($es, count => 10, challenge => $chal, attempt => $attempt) } ],
	[ 'another attempt\'s challenge', 401, qr/reason=challenge/,
		sub { login($es, count => 10, challenge => $c2, attempt => $a3) } ],
	[ 'no UP', 401, qr/reason=user\\x20presence/,
		sub { login($es, count => 10, flags => 0x04) } ],
	[ 'no UV when required', 401, qr/reason=user\\x20verification/,
		sub { login($es, count => 10, flags => 0x01) } ],
	[ 'crossOrigin true', 401, qr/reason=crossOrigin/,
		sub { login($es, count => 10, cross_origin => JSON::PP::true) } ],
	[ 'type webauthn.create', 401, qr/reason=clientDataJSON\\x20type/,
		sub { login($es, count => 10, type => 'webauthn.create') } ],
	[ 'a bad signature', 401, qr/reason=signature/,
		sub { login($es, count => 10, bad_sig => 1) } ],
	[ 'another user\'s userHandle', 401, qr/reason=userHandle/,
		sub { login($es, count => 10, user_handle => $bob_id) } ],
	[ 'an unknown credential', 401, qr/reason=unknown\\x20credential/,
		sub { login(soft(op => 'new', kind => 'es256'), count => 10) } ],
	[ 'truncated authenticator data', 400, qr/reason=malformed/,
		sub { login($es, count => 10, authdata_len => 36) } ],
	[ 'a signCount regression', 401, qr/reason=signCount\\x20regression/,
		sub { login($es, count => 1) } ],
	[ 'a passkey disabled after a regression', 401, qr/reason=passkey\\x20disabled/,
		sub { login($es, count => 50) } ],
);
for my $case (@login) {
	my ($name, $status, $reason, $run) = @$case;
	my $before = $logs->();
	my $log0 = length $env->error_log;
	my $r = $run->();
	is($r->{status}, $status, "sign-in with $name is refused ($status)");
	ok(!exists(($r->{json} // {})->{access_token}), "sign-in with $name gives no token");
	is($sessions->(), $s0, "sign-in with $name makes no session");
	is($logs->(), $before + 1, "sign-in with $name logs one line");
	like(substr($env->error_log, $log0), $reason, "sign-in with $name logs why");
}
is($failed->(), $failed0 + 13, 'each refused sign-in but the malformed one counts as a failed login');
like($env->error_log, qr/event=passkey_clone_suspected user=alice /,
	'the regression is logged as a possible clone');
is($env->psql("select disabled_at is not null from passkeys where alg = -7"), 't',
	'the regression disabled that passkey');
is($env->psql("select sign_count from passkeys where alg = -7"), 1,
	'no refused sign-in moved the counter');
ok($env->psql("select coalesce(max(failures), 0) from throttle where kind = 'user' and key = 'alice'")
	> $fails0, 'refused passkeys count toward the user\'s throttle');
ok($env->psql("select count(*) from audit where event = 'login_failed' and detail = 'passkey'") > 0,
	'refused passkeys are audited');

# --- Without UV, where it is only preferred --------------------------

$env->reconfigure(webauthn_user_verification => 'preferred');
$res = login($ed, count => 0, flags => 0x01);
is($res->{status}, 200, 'no UV is taken when only preferred');
(undef, $claims) = JwtAuthTest->jwt_decode($res->{json}{access_token} // '');
is_deeply($claims->{amr}, ['hwk', 'user'], 'amr says ["hwk","user"] without UV');
is($env->json(GET => '/app/whoami.cgi', { headers => $env->bearer($res->{json}{access_token}) })->{status},
	401, 'a sign-in without UV does not pass otp_paths');

# --- Removal ---------------------------------------------------------

my $ed_id = $env->psql("select id from passkeys where alg = -8");
$alice = $env->bearer($env->must_login('alice', $PW)->{access_token});
my $n = $passkeys->();
$res = $env->json(POST => '/auth/passkey/remove', { headers => $alice,
	content => { id => $ed_id, password => 'wrong password' } });
is($res->{status}, 401, 'removal with a wrong password is 401');
$res = $env->json(POST => '/auth/passkey/remove', { headers => $bob,
	content => { id => $ed_id, password => $PW } });
is($res->{status}, 404, 'removal of another user\'s passkey is 404');
is($passkeys->(), $n, 'neither removed anything');
$res = $env->json(POST => '/auth/passkey/remove', { headers => $alice,
	content => { id => $ed_id, password => $PW } });
is($res->{status}, 204, 'removal with the password is 204');
is($passkeys->(), $n - 1, 'the passkey is gone');
is($env->psql("select count(*) from audit where event = 'passkey_removed'"), 1,
	'the removal is audited');
is($env->json(GET => '/auth/me', { headers => $alice })->{status}, 200,
	'removing a passkey ends no session');
$s0 = $sessions->();
$res = login($ed, count => 0);
is($res->{status}, 401, 'a removed passkey signs in no more');
is($sessions->(), $s0, 'and makes no session');

# Passkeys off: no webauthn_rp_id and no site_url.
$env->reconfigure(webauthn_rp_id => undef, webauthn_origins => undef);
is($env->json(POST => '/auth/passkey/login/options', { content => {} })->{status}, 404,
	'without webauthn_rp_id or site_url the routes are 404');

done_testing();
