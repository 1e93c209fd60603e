# The login throttle (src/throttle.c): failed sign-ins counted per account
# and per client address in PostgreSQL; past the threshold 429 with
# Retry-After, before any password hashing; signed-in sessions keep
# working; the block is short; X-Forwarded-For counts only from a
# trusted proxy; authctl shows and clears; the audit records it.  And an
# unknown user, a wrong password and a locked user get the same answer.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use RevocationTests;

my $env = JwtAuthTest->start(throttle_user_max => 3, throttle_ip_max => 1000,
	throttle_max_delay => 2, pwhash_concurrency => 1);
$env->add_user('tess', 'tess password 1');
my $t = $env->must_login('tess', 'tess password 1');
my $try = sub { $env->login_response($_[0], $_[1] // 'wrong password') };

# Same answer for an unknown user, a wrong password, a locked user.
$env->add_user('lola', 'lola password 1');
$env->authctl({}, 'user', 'lock', 'lola');
my @answers = map { $try->($_) } qw(nobody-here tess), undef;
$answers[2] = $env->login_response('lola', 'lola password 1');
my $shape = sub {
	my ($r) = @_;
	my %h = %{ $r->{headers} };
	delete @h{qw(date content-length)};
	return join "\n", $r->{status}, $r->{content},
		map { "$_: " . (ref $h{$_} ? join(',', @{ $h{$_} }) : $h{$_}) } sort keys %h;
};
is($shape->($answers[0]), $shape->($answers[1]),
	'an unknown user and a wrong password get the same status, body and headers');
is($shape->($answers[2]), $shape->($answers[1]),
	'a locked user with the right password gets the same answer too');
is($answers[1]{status}, 401, 'that answer is 401');
$env->authctl({}, 'throttle', 'clear', '--all');

# The account: 3 failures, then blocks.
is($try->('tess')->{status}, 401, 'a first wrong password is 401') for 1 .. 1;
is($try->('tess')->{status}, 401, 'a second wrong password is 401');
is($try->('tess')->{status}, 401, 'the third wrong password is 401 and starts a block');
my $res = $try->('tess', 'tess password 1');
is($res->{status}, 429, 'during the block even the right password gets 429');
is($res->{json}{error}, 'too_many_attempts', 'the error says too_many_attempts');
like($res->{headers}{'retry-after'} // '', qr/^[12]$/, 'Retry-After says how long (at most throttle_max_delay)');
is($try->('TESS')->{status}, 401, 'another account name is not blocked');

# Checked before hashing: with the only hashing slot taken, a throttled
# sign-in is still 429 (it never asks for a slot), an unthrottled 503.
my $hold = RevocationTests::hold_slot($env, 0);
ok($hold, 'another process holds the only hashing slot');
is($try->('tess')->{status}, 429, 'a throttled sign-in is refused before any hashing');
is($try->('someone-else')->{status}, 503, 'while an unthrottled one waits for no hashing slot either (503)');
RevocationTests::release_slot($hold);

# Signed-in sessions are not touched.
is($env->me($t->{access_token})->{status}, 200, 'a signed-in session keeps working during the block');
my $r = $env->refresh($t->{refresh_token});
is($r->{status}, 200, 'and can refresh');

# The block is short; the right password then works and clears the count.
sleep 3;
is($try->('tess', 'tess password 1')->{status}, 200, 'after the block the right password works');
is($try->('tess')->{status}, 401, 'and the count started again (a wrong password is 401, not 429)');

# The audit trail and authctl.
my ($rc, $out) = $env->authctl({}, 'audit', '50');
like($out, qr/login_throttled/, 'the audit trail records the block');
($rc, $out) = $env->authctl({}, 'throttle');
like($out, qr/^user\ttess\t1\t/m, 'authctl throttle shows the account count');
like($out, qr/^ip\t127\.0\.0\.1\t\d+\t/m, 'and the address count');
($rc, $out) = $env->authctl({}, 'throttle', 'clear', '--user', 'tess');
is($rc, 0, 'authctl throttle clear --user works');
($rc, $out) = $env->authctl({}, 'throttle');
unlike($out, qr/^user\ttess\t/m, 'the account count is gone');

# Password change: a wrong current password counts too.
$t = $env->must_login('tess', 'tess password 1');
for (1 .. 3) {
	$env->json(POST => '/auth/password', { headers => $env->bearer($t->{access_token}),
		content => { current_password => 'not it', new_password => 'new password 9' } });
}
$res = $env->json(POST => '/auth/password', { headers => $env->bearer($t->{access_token}),
	content => { current_password => 'tess password 1', new_password => 'new password 9' } });
is($res->{status}, 429, 'wrong current passwords at a password change lead to 429 too');
is($try->('tess', 'tess password 1')->{status}, 429, 'and block sign-ins of that account');
$env->stop;

# Per address, and X-Forwarded-For only from a trusted proxy.
for my $trusted (0, 1) {
	my $e = JwtAuthTest->start(throttle_user_max => 1000, throttle_ip_max => 2,
		throttle_max_delay => 60, ($trusted ? (trusted_proxies => '127.0.0.1') : ()));
	my $from = sub {
		my ($ip, $user) = @_;
		$e->json(POST => '/auth/login', { headers => { 'x-forwarded-for' => $ip },
			content => { username => $user, password => 'wrong password' } })->{status};
	};
	my $what = $trusted ? 'through a trusted proxy' : 'with no trusted proxy';
	is($from->('198.51.100.1', 'a1'), 401, "$what: a failure from one client");
	is($from->('198.51.100.1', 'a2'), 401, "$what: a second failure, another account");
	is($from->('198.51.100.1', 'a3'), 429, "$what: the address is blocked, whatever the account");
	is($from->('198.51.100.2', 'a4'), $trusted ? 401 : 429,
		$trusted ? "$what: another client behind the proxy is not"
			 : "$what: a forged X-Forwarded-For does not escape the block");
	$e->stop;
}

done_testing;
