# Guesses sent at once cannot get past the login throttle: every route
# that checks a password or a code (sign-in, BASE/password,
# BASE/2fa/setup|enable|disable) counts each guess before it checks it,
# so of 20 wrong guesses of one account sent together at most
# throttle_user_max are checked (401) before the first block, and one
# more as each block ends (GuessBurst::checked_bound, from the seconds
# the burst took); the rest are 429.  A right guess gives its count back.
# Through Apache with mod_fcgid, its processes started beforehand so the
# guesses are answered side by side, and enough hashing slots for all.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use GuessBurst qw(burst checked_bound);

# scripts/deps.sh test installs it: its absence is a failure, not a skip.
my ($oathtool) = grep { -x } map { "$_/oathtool" } split /:/, $ENV{PATH};
die "oathtool is not installed (scripts/deps.sh test)\n" unless $oathtool;

sub code_at {
	my ($secret) = @_;
	my $c = `$oathtool --totp -b $secret`;
	die "oathtool failed" if $?;
	chomp $c;
	return $c;
}

my ($MAX, $DELAY, $N) = (3, 60, 20);
my $env = JwtAuthTest->start(throttle_user_max => $MAX,
	throttle_ip_max => 100000, throttle_max_delay => $DELAY,
	pwhash_concurrency => $N);
my $PW = 'correct horse battery';
$env->add_user($_, $PW) for qw(gina hugo ivy);
my $login = $env->url('/auth/login');

# Twenty posts that are refused before the throttle (400), until the web
# server has the processes to answer twenty at once.
my $warm = sub { burst($login, {}, ({}) x $N) for 1 .. 3 };
my $count = sub {
	my ($kind, $key) = @_;
	return $env->psql("select coalesce(max(failures), 0) from throttle where kind = '$kind' and key = '$key'");
};

# guesses(WHAT, PATH, HEADERS, BODY): N copies of BODY at once; at least
# MAX and at most the bound are checked (401), every other one is 429.
sub guesses {
	my ($what, $path, $headers, $body) = @_;
	$env->psql('delete from throttle');
	$warm->();
	my ($took, @st) = burst($env->url($path), $headers, ($body) x $N);
	my $checked = grep { $_ == 401 } @st;
	my $bound = checked_bound($MAX, $took, $DELAY);
	is(scalar(grep { $_ != 401 && $_ != 429 } @st), 0,
		"$what: each of $N guesses at once is checked (401) or throttled (429): " . join(',', sort @st));
	cmp_ok($checked, '>=', $MAX, "$what: the first $MAX are checked ($checked)");
	cmp_ok($checked, '<=', $bound, sprintf('%s: no more than %d are checked in %.1f s (%d)',
		$what, $bound, $took, $checked));
	$env->psql('delete from throttle');
}

guesses('sign-in, wrong password', '/auth/login', {},
	{ username => 'gina', password => 'not the password' });

my $hugo = $env->bearer($env->must_login('hugo', $PW)->{access_token});
guesses('password change, wrong current password', '/auth/password', $hugo,
	{ current_password => 'not the password', new_password => 'another long password' });
guesses('2fa setup, wrong password', '/auth/2fa/setup', $hugo,
	{ password => 'not the password' });

my $res = $env->json(POST => '/auth/2fa/setup', { headers => $hugo, content => { password => $PW } });
is($res->{status}, 200, 'hugo sets up two-factor sign-in');
my $hsecret = $res->{json}{secret} // '';
my $wrong = sub { code_at($_[0]) eq '000000' ? '111111' : '000000' };
guesses('2fa enable, right password and wrong code', '/auth/2fa/enable', $hugo,
	{ password => $PW, code => $wrong->($hsecret) });

my $ivy = $env->bearer($env->must_login('ivy', $PW)->{access_token});
$res = $env->json(POST => '/auth/2fa/setup', { headers => $ivy, content => { password => $PW } });
my $isecret = $res->{json}{secret} // '';
$res = $env->json(POST => '/auth/2fa/enable', { headers => $ivy,
	content => { password => $PW, code => code_at($isecret) } });
is($res->{status}, 200, 'ivy turns two-factor sign-in on');
guesses('2fa disable, right password and wrong code', '/auth/2fa/disable', $ivy,
	{ password => $PW, code => $wrong->($isecret) });

# A right guess gives back the count it took; wrong ones keep theirs.
$env->login_response('gina', 'wrong one') for 1 .. 2;
is($count->('user', 'gina'), 2, 'two wrong sign-ins count two');
my $gina = $env->bearer($env->must_login('gina', $PW)->{access_token});
is($count->('user', 'gina'), 0, 'a right sign-in clears the account\'s count');
is($count->('ip', '127.0.0.1'), 2, 'and gives back the address\'s count it took');
$env->psql('delete from throttle');
$res = $env->json(POST => '/auth/password', { headers => $gina,
	content => { current_password => 'wrong one', new_password => 'another long password' } });
is($res->{status}, 401, 'a wrong current password is 401');
$res = $env->json(POST => '/auth/password', { headers => $gina,
	content => { current_password => $PW, new_password => 'another long password' } });
is($res->{status}, 204, 'the right one changes the password');
is($count->('user', 'gina'), 1, 'the right current password gave back its count, the wrong one kept its own');

done_testing;
