# Passkeys beyond the first sign-in (issue 17), for API clients, end to
# end through Apache and mod_fcgid with the software authenticator
# (tests/lib/softauthn.py): a passkey as the second factor after the
# password (options bound to the mfa_token, one try of it, amr
# ["pwd","hwk","user","mfa"], otp_paths) and after a passkey without UV
# (not the same passkey twice); refused with 401 and nothing written: a
# credential of another user, a challenge of another mfa_token or of an
# anonymous attempt, an mfa_token used, expired or worn out.  The list
# and the rename of a user's passkeys; a removal confirmed by a passkey
# over a challenge bound to the session.  RS256 (COSE alg -257)
# registration and sign-in.  The throttle of BASE/passkey/login/options
# per client address (apart from its sign-in guesses: password sign-in
# stays open), refused challenges counted toward the address's sign-in
# guesses, no body refused before it counts, while the protected pages
# of a signed-in user stay open.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use JSON::PP ();
use SoftAuthn;

my $RP = 'example.com';
my $ORIGIN = 'https://example.com';

# scripts/deps.sh test installs it: its absence is a failure, not a skip.
my ($oathtool) = grep { -x } map { "$_/oathtool" } split /:/, $ENV{PATH};
die "oathtool is not installed (scripts/deps.sh test)\n" unless $oathtool;

# The software authenticator (tests/lib/SoftAuthn.pm).
sub soft { SoftAuthn::soft(@_) }

my $env = JwtAuthTest->start(otp_paths => '/app/whoami.cgi',
	webauthn_rp_id => $RP, webauthn_origins => $ORIGIN,
	webauthn_user_verification => 'preferred', throttle_user_max => 50,
	throttle_ip_max => 500);
my $PW = 'correct horse battery';
$env->add_user($_, $PW) for qw(alice bob);
my $alice = $env->bearer($env->must_login('alice', $PW)->{access_token});
my $bob = $env->bearer($env->must_login('bob', $PW)->{access_token});

my $sessions = sub { $env->psql('select count(*) from sessions') };
my $logs = sub { scalar(() = $env->error_log =~ /event=passkey_(?:refused|login_failed) /g) };

# A passkey of kind for the session of $auth, registered; its key.
sub add_passkey {
	my ($auth, $kind, $name) = @_;
	my $key = soft(op => 'new', kind => $kind);
	my $res = $env->json(POST => '/auth/passkey/register/options',
		{ headers => $auth, content => {} });
	my $cred = soft(op => 'create', key => $key, origin => $ORIGIN,
		rp_id => $RP, challenge => $res->{json}{publicKey}{challenge});
	$res = $env->json(POST => '/auth/passkey/register', { headers => $auth,
		content => { credential => $cred, name => $name } });
	die "register $kind: $res->{status}\n" unless $res->{status} == 201;
	$key->{id} = $res->{json}{id};
	return $key;
}

# Options of BASE/passkey/login/options with $content (and $auth).
sub options {
	my ($content, $auth) = @_;
	return $env->json(POST => '/auth/passkey/login/options',
		{ content => $content, $auth ? (headers => $auth) : () });
}

# An assertion of $key over challenge $chal, %over changing one thing.
sub assert {
	my ($key, $chal, %over) = @_;
	return soft(op => 'get', key => $key, challenge => $chal,
		origin => $ORIGIN, rp_id => $RP, %over);
}

# The second step with $key over a challenge of $mfa's options (or $chal).
sub mfa_step {
	my ($mfa, $key, %over) = @_;
	my $chal = delete $over{challenge}
		// options({ mfa_token => $mfa })->{json}{publicKey}{challenge};
	return $env->json(POST => '/auth/passkey/login', { content =>
		{ mfa_token => $mfa, credential => assert($key, $chal, %over) } });
}

# A usernameless sign-in with $key.
sub usernameless {
	my ($key, %over) = @_;
	my $o = options({})->{json};
	return $env->json(POST => '/auth/passkey/login', { content => {
		attempt => $o->{attempt},
		credential => assert($key, $o->{publicKey}{challenge}, %over) } });
}

# The mfa_token of a password sign-in of $name.
sub mfa_token {
	my $res = $env->login_response($_[0], $PW);
	die "login $_[0]: $res->{status}\n" unless $res->{status} == 401
		&& ($res->{json}{error} // '') eq 'mfa_required';
	return $res->{json}{mfa_token};
}

# Two-factor sign-in on for $auth's user, with a code of oathtool.
sub totp_on {
	my ($auth) = @_;
	my $res = $env->json(POST => '/auth/2fa/setup',
		{ headers => $auth, content => { password => $PW } });
	my $secret = $res->{json}{secret};
	my $code = `$oathtool --totp -b $secret`;
	chomp $code;
	$res = $env->json(POST => '/auth/2fa/enable',
		{ headers => $auth, content => { password => $PW, code => $code } });
	die "2fa enable: $res->{status}\n" unless $res->{status} == 200;
	return @{ $res->{json}{recovery_codes} };
}

my $amr = sub { (JwtAuthTest->jwt_decode($_[0] // ''))[1]{amr} };
my $whoami = sub { $env->json(GET => '/app/whoami.cgi',
	{ headers => $env->bearer($_[0] // '') })->{status} };

# --- RS256 -----------------------------------------------------------

my $es = add_passkey($alice, 'es256', 'phone');
my $ed = add_passkey($alice, 'ed25519', 'key');
my $rs = add_passkey($bob, 'rs256', 'windows');
is($env->psql("select alg from passkeys where id = '$rs->{id}'"), -257,
	'an RS256 passkey is registered with alg -257');
my $res = usernameless($rs, count => 1);
is($res->{status}, 200, 'an RS256 passkey signs in (200)');
is_deeply($amr->($res->{json}{access_token}), ['hwk', 'user', 'mfa'],
	'with UV its amr is ["hwk","user","mfa"]');
is(usernameless($rs, count => 2, bad_sig => 1)->{status}, 401,
	'an RS256 assertion with a bad signature is refused');

# --- The second factor after a password -------------------------------

my @recovery = totp_on($alice);
my $mfa = mfa_token('alice');
$res = options({ mfa_token => $mfa });
is($res->{status}, 200, 'options for an mfa_token are 200');
is_deeply([sort map { $_->{id} } @{ $res->{json}{publicKey}{allowCredentials} }],
	[sort $es->{cred_id}, $ed->{cred_id}], 'allowCredentials lists that user\'s passkeys');
ok(!exists $res->{json}{attempt}, 'and no anonymous attempt');
is($env->psql("select count(*) from webauthn_challenges where purpose = 'mfa' and mfa_hash is not null"),
	1, 'the challenge is stored bound to the mfa_token');
is($env->psql('select attempts from mfa_challenges'), 0, 'asking for options uses no try');
is(options({ mfa_token => 'A' x 43 })->{status}, 401, 'options for an unknown mfa_token are 401');

my $s0 = $sessions->();
my $count = $env->psql("select sign_count from passkeys where id = '$es->{id}'");
my $other = mfa_token('alice');
my @refused = (
	[ 'a credential of another user', qr/reason=credential\\x20of\\x20another\\x20user/,
		sub { mfa_step($mfa, $rs, count => 10) } ],
	[ 'a challenge of another mfa_token', qr/reason=challenge/,
		sub { mfa_step($mfa, $es, count => 10, challenge =>
			options({ mfa_token => $other })->{json}{publicKey}{challenge}) } ],
	[ 'a challenge of an anonymous attempt', qr/reason=challenge/,
		sub { mfa_step($mfa, $es, count => 10,
			challenge => options({})->{json}{publicKey}{challenge}) } ],
	[ 'a bad signature', qr/reason=signature/,
		sub { mfa_step($mfa, $es, count => 10, bad_sig => 1) } ],
);
my $tries = 0;
for my $case (@refused) {
	my ($name, $reason) = @$case[0, 1];
	my $before = $logs->();
	my $log0 = length $env->error_log;
	my $r = $case->[2]->();
	is($r->{status}, 401, "the second step with $name is refused (401)");
	ok(!exists(($r->{json} // {})->{access_token}), "with $name no token");
	is($sessions->(), $s0, "with $name no session");
	is($env->psql("select attempts from mfa_challenges where user_id = "
		. "(select id from users where username = 'alice') order by attempts desc limit 1"),
		++$tries, "with $name one try of the mfa_token is counted");
	is($logs->(), $before + 1, "with $name one line is logged");
	like(substr($env->error_log, $log0), $reason, "with $name the line says why");
}
is($env->psql("select sign_count from passkeys where id = '$es->{id}'"), $count,
	'no refused step moved the counter');
my $anon = sub { options({})->{json}{publicKey}{challenge} };
$res = mfa_step('B' x 43, $es, count => 10, challenge => $anon->());
is($res->{status}, 401, 'an unknown mfa_token is 401');
is($res->{json}{error}, 'invalid_mfa_token', 'as invalid_mfa_token');

$mfa = mfa_token('alice');
my $live = $env->psql('select count(*) from mfa_challenges');
$res = mfa_step($mfa, $es, count => 11);
is($res->{status}, 200, 'a passkey as the second factor is 200');
my $t = $res->{json};
is_deeply($amr->($t->{access_token}), ['pwd', 'hwk', 'user', 'mfa'],
	'amr says ["pwd","hwk","user","mfa"]');
is($whoami->($t->{access_token}), 200, 'it passes otp_paths');
is_deeply($amr->($env->refresh($t->{refresh_token})->{json}{access_token}),
	['pwd', 'hwk', 'user', 'mfa'], 'refresh keeps the amr');
is($env->psql("select count(*) from audit where event = 'login' and detail = 'second factor: passkey'"),
	1, 'the sign-in is audited as a passkey second factor');
is($env->psql('select count(*) from mfa_challenges'), $live - 1, 'the mfa_token is ended');
$res = mfa_step($mfa, $es, count => 12, challenge => $anon->());
is($res->{status}, 401, 'the used mfa_token is refused');
is($res->{json}{error}, 'invalid_mfa_token', 'as invalid_mfa_token');

# Five tries an mfa_token (MFA_CHALLENGE_TRIES), then none, right or not.
$mfa = mfa_token('alice');
my $chal6 = options({ mfa_token => $mfa })->{json}{publicKey}{challenge};
mfa_step($mfa, $es, count => 20, bad_sig => 1) for 1 .. 5;
is(options({ mfa_token => $mfa })->{status}, 401, 'a worn out mfa_token gets no options');
$s0 = $sessions->();
$res = mfa_step($mfa, $es, count => 21, challenge => $chal6);
is($res->{status}, 401, 'after five tries a right passkey is refused');
is($sessions->(), $s0, 'and makes no session');
$mfa = mfa_token('alice');
my $chal = options({ mfa_token => $mfa })->{json}{publicKey}{challenge};
$env->psql("update mfa_challenges set expires_at = now() - interval '1 second'");
$res = mfa_step($mfa, $es, count => 22, challenge => $chal);
is($res->{status}, 401, 'an expired mfa_token is refused');
is($sessions->(), $s0, 'and makes no session');

# --- The second factor after a passkey without UV --------------------

$res = usernameless($ed, flags => 0x01);
is($res->{status}, 401, 'a passkey without UV of a user with two factors is not enough');
is($res->{json}{error}, 'mfa_required', 'mfa_required is answered');
$mfa = $res->{json}{mfa_token};
$res = mfa_step($mfa, $ed, flags => 0x01);
is($res->{status}, 401, 'the same passkey again is refused as the second factor');
like($env->error_log, qr/reason=the\\x20first\\x20factor's\\x20passkey\\x20again/,
	'and logged why');
$res = mfa_step($mfa, $es, count => 29, flags => 0x01);
is($res->{status}, 401, 'another passkey without UV is refused too: two things the user has are not two factors');
like($env->error_log, qr/reason=a\\x20passkey\\x20without\\x20UV\\x20after\\x20a\\x20passkey/,
	'and logged why');
$res = mfa_step($mfa, $es, count => 30);
is($res->{status}, 200, 'another passkey that verifies the user completes it (200)');
is_deeply($amr->($res->{json}{access_token}), ['hwk', 'user', 'mfa'],
	'amr says ["hwk","user","mfa"], no password');
is($whoami->($res->{json}{access_token}), 200, 'it passes otp_paths');
$res = usernameless($ed, flags => 0x01);
$res = $env->json(POST => '/auth/login', { content =>
	{ mfa_token => $res->{json}{mfa_token}, code => $recovery[0] } });
is($res->{status}, 200, 'after a passkey without UV a recovery code completes it too');
is_deeply($amr->($res->{json}{access_token}), ['hwk', 'user', 'mfa'],
	'and amr says a passkey, not a password');

# --- List and rename -------------------------------------------------

is($env->json(GET => '/auth/passkeys')->{status}, 401, 'the list needs a sign-in');
$res = $env->json(GET => '/auth/passkeys', { headers => $alice });
is($res->{status}, 200, 'the list is 200');
my @list = @{ $res->{json}{passkeys} // [] };
is_deeply([map { $_->{name} } @list], ['phone', 'key'], 'alice\'s two passkeys, oldest first');
is_deeply([sort keys %{ $list[0] }], [sort qw(id name created last_used
	backup_eligible backed_up disabled)], 'each with its fields');
like($list[0]{created}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'created in UTC');
ok(defined $list[0]{last_used}, 'last_used of a used passkey is set');
is($env->json(GET => '/auth/passkeys', { headers => $bob })->{json}{passkeys}[0]{name},
	'windows', 'bob sees only his');
my %jar;
my $page = $env->http(GET => '/auth/login', { headers => { accept => 'text/html' } });
JwtAuthTest->cookie_jar(\%jar, $page);
$res = $env->form('/auth/login', \%jar, { username => 'bob', password => $PW,
	next => '/', csrf => JwtAuthTest->hidden($page->{content}, 'csrf') });
is($res->{status}, 303, 'bob signs in with the form');
$res = $env->json(GET => '/auth/passkeys',
	{ headers => { cookie => JwtAuthTest->cookie_header(\%jar) } });
is($res->{status}, 200, 'the list takes the access cookie');
is($res->{json}{passkeys}[0]{name}, 'windows', 'and lists that user\'s passkeys');

my $rename = sub { $env->json(POST => '/auth/passkey/rename',
	{ headers => $_[0], content => $_[1] }) };
is($rename->($alice, { id => $es->{id}, name => 'old phone' })->{status}, 204,
	'a rename is 204');
is($env->psql("select name from passkeys where id = '$es->{id}'"), 'old phone', 'the name is stored');
is($rename->($bob, { id => $es->{id}, name => 'mine' })->{status}, 404,
	'renaming another user\'s passkey is 404');
is($rename->($alice, { id => '00000000-0000-4000-8000-000000000000', name => 'x' })->{status},
	404, 'renaming an unknown passkey is 404');
is($rename->($alice, { id => $es->{id}, name => '' })->{status}, 400, 'an empty name is 400');
is($rename->($alice, { id => $es->{id}, name => 'x' x 65 })->{status}, 400,
	'a name of 65 bytes is 400');
is($rename->($alice, { id => 'nope', name => 'x' })->{status}, 400, 'an id not a UUID is 400');
is($rename->(undef, { id => $es->{id}, name => 'x' })->{status}, 401, 'a rename needs a sign-in');
is($env->psql("select name from passkeys where id = '$es->{id}'"), 'old phone',
	'no refused rename changed it');

# --- Removal confirmed by a passkey ----------------------------------

is(options({ purpose => 'confirm' })->{status}, 401, 'confirm options need a sign-in');
is(options({ purpose => 'other' }, $alice)->{status}, 400, 'another purpose is 400');
$res = options({ purpose => 'confirm' }, $alice);
is($res->{status}, 200, 'confirm options are 200');
is(scalar @{ $res->{json}{publicKey}{allowCredentials} }, 2, 'listing the user\'s passkeys');
my $remove = sub {
	my ($auth, $id, $key, $c, %over) = @_;
	$c //= options({ purpose => 'confirm' }, $auth)->{json}{publicKey}{challenge};
	return $env->json(POST => '/auth/passkey/remove', { headers => $auth,
		content => { id => $id, credential => assert($key, $c, %over) } });
};
my $n = $env->psql('select count(*) from passkeys');
is($remove->($alice, $ed->{id}, $rs, undef, count => 40)->{status}, 401,
	'a removal confirmed by another user\'s passkey is 401');
is($remove->($alice, $ed->{id}, $es, options({ purpose => 'confirm' }, $bob)
	->{json}{publicKey}{challenge}, count => 40)->{status}, 401,
	'one over another session\'s challenge is 401');
is($remove->($alice, $ed->{id}, $es, options({})->{json}{publicKey}{challenge},
	count => 40)->{status}, 401, 'one over an anonymous attempt\'s challenge is 401');
is($remove->($alice, $ed->{id}, $es, undef, count => 40, bad_sig => 1)->{status}, 401,
	'one with a bad signature is 401');
is($env->psql('select count(*) from passkeys'), $n, 'none removed anything');
is($env->json(POST => '/auth/passkey/remove', { headers => $alice, content =>
	{ id => $ed->{id}, password => $PW, credential => {} } })->{status}, 400,
	'a password and a credential at once are 400');
is($remove->($alice, $ed->{id}, $es, undef, count => 41)->{status}, 204,
	'a removal confirmed by another of the user\'s passkeys is 204');
is($env->psql("select count(*) from passkeys where id = '$ed->{id}'"), 0, 'that passkey is gone');
is($remove->($alice, $es->{id}, $es, undef, count => 42)->{status}, 204,
	'a passkey may confirm its own removal');
is($env->psql("select count(*) from audit where event = 'passkey_removed'"), 2,
	'the removals are audited');

# --- The throttle of login/options -----------------------------------

$env->reconfigure(throttle_ip_max => 5);
$env->psql('delete from throttle');
# Five are taken; the fifth begins a block of one second, doubled with
# each request taken after it, so a 429 comes at the sixth or soon after.
my @st = map { options({})->{status} } 1 .. 5;
is_deeply(\@st, [(200) x 5], 'five options from one address are 200');
my $c0 = $env->psql("select count(*) from webauthn_challenges where purpose = 'login'");
my ($i, $blocked, $taken) = (0, undef, 0);
while (!$blocked && $i++ < 6) {
	$res = options({});
	if ($res->{status} == 429) { $blocked = $res } else { $taken++ }
}
ok($blocked, 'then a 429 comes from the same address');
is(($blocked // {})->{json}{error}, 'too_many_attempts', 'as too_many_attempts');
ok((($blocked // {})->{headers}{'retry-after'} // 0) >= 1, 'with Retry-After');
is($env->psql("select count(*) from webauthn_challenges where purpose = 'login'"), $c0 + $taken,
	'the refused request stored no challenge');
is($whoami->($t->{access_token}), 200,
	'a signed-in user\'s protected page is unaffected by the block');
is($env->json(GET => '/auth/passkeys', { headers => $alice })->{status}, 200,
	'and so is the list of passkeys');
is($env->login_response('bob', $PW)->{status}, 200,
	'and a password sign-in from the same address: options never used block no sign-in');

# No body (what another site's page can send without a preflight) is
# refused before it counts.
my $f0 = $env->psql("select coalesce(sum(failures), 0) from throttle");
is($env->http(POST => '/auth/passkey/login/options')->{status}, 415,
	'options asked with no body are 415');
is($env->http(POST => '/auth/passkey/login/options', { headers =>
	{ 'Content-Type' => 'application/x-www-form-urlencoded' } })->{status}, 415,
	'and with an empty form body too');
is($env->psql("select coalesce(sum(failures), 0) from throttle"), $f0,
	'and count nothing');

# A sign-in that succeeds gives back the count its options took.
$env->psql('delete from throttle');
is(usernameless($rs, count => 60)->{status}, 200, 'a passkey sign-in after the block is 200');
is($env->psql("select coalesce(sum(failures), 0) from throttle where kind = 'ip'"), 0,
	'and leaves no failure of the address');

# A refused challenge counts toward the client's throttle as well.
$env->psql('delete from throttle');
$res = $env->json(POST => '/auth/passkey/login', { content => { attempt => 'A' x 43,
	credential => assert($rs, 'A' x 43, count => 50) } });
is($res->{status}, 401, 'a sign-in over an unknown challenge is 401');
is($env->psql("select failures from throttle where kind = 'ip'"), 1,
	'and counts one failure of the client\'s address');

# --- At most 64 passkeys a user ---------------------------------------

# bob is filled up to 64 by hand (keys never read), then asks for one more.
$env->psql("INSERT INTO passkeys (user_id, credential_id, public_key, alg, "
	. "backup_eligible, backed_up, name) SELECT u.id, decode('ff' || "
	. "lpad(to_hex(g), 8, '0'), 'hex'), '\\x01', -7, false, false, 'Key ' || g "
	. "FROM users u, generate_series(1, 64 - (SELECT count(*) FROM passkeys p "
	. "JOIN users v ON v.id = p.user_id WHERE v.username = 'bob')) g "
	. "WHERE u.username = 'bob'");
my $bobs = sub { $env->psql("SELECT count(*) FROM passkeys p JOIN users u "
	. "ON u.id = p.user_id WHERE u.username = 'bob'") };
is($bobs->(), 64, 'bob has 64 passkeys');
my $k65 = soft(op => 'new', kind => 'es256');
$res = $env->json(POST => '/auth/passkey/register/options',
	{ headers => $bob, content => {} });
$res = $env->json(POST => '/auth/passkey/register', { headers => $bob,
	content => { name => 'One more', credential => soft(op => 'create',
	key => $k65, origin => $ORIGIN, rp_id => $RP,
	challenge => $res->{json}{publicKey}{challenge}) } });
is($res->{status}, 409, 'a 65th passkey is refused (409)');
is($res->{json}{error}, 'too_many_passkeys', 'as too_many_passkeys');
is($bobs->(), 64, 'and nothing is written');
is(scalar @{ $env->json(GET => '/auth/passkeys', { headers => $bob })->{json}{passkeys} },
	64, 'the list shows all 64');

done_testing();
