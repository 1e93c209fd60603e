# A signing key rotates without logging anybody out (RFC 8725 §3.1: the
# kid selects the key, each key keeps its own algorithm).  Tokens signed
# with k1 (HS256, the old default) stay valid once k2 (ES256) signs and
# k1 only verifies; new tokens carry kid k2; once k1 is dropped, its
# tokens are refused while the sessions go on through their refresh
# tokens.  Reconfiguring is rewriting the config and restarting the web
# server, as an administrator would.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $USER = 'dave';
my $PASSWORD = 'dave password 1';

my $env = JwtAuthTest->start(key_id => 'k1');
$env->add_user($USER, $PASSWORD);

# accepted(TOKEN): 1 when both /auth/me and the authorizer accept TOKEN.
sub accepted {
	my ($tok) = @_;
	my $me = $env->me($tok)->{status};
	my $app = $env->http(GET => '/app/index.html',
		{ headers => $env->bearer($tok) })->{status};
	return "me $me, app $app";
}

my $old = $env->must_login($USER, $PASSWORD);
is((JwtAuthTest->jwt_decode($old->{access_token}))[0]{kid}, 'k1',
	'before: tokens carry kid k1');
is(accepted($old->{access_token}), 'me 200, app 200', 'before: a k1 token is accepted');

my $k2 = $env->keygen('k2.pem', 'ES256');
$env->reconfigure(key_alg => 'ES256', key_file => $k2, key_id => 'k2',
	verify_keys => "k1:HS256:" . $env->dir . '/jwt.key');
is(accepted($old->{access_token}), 'me 200, app 200',
	'k2 signs, k1 verifies: the k1 token is still accepted');
my $new = $env->must_login($USER, $PASSWORD);
is_deeply((JwtAuthTest->jwt_decode($new->{access_token}))[0],
	{ alg => 'ES256', kid => 'k2', typ => 'JWT' }, 'new tokens carry kid k2, ES256');
is(accepted($new->{access_token}), 'me 200, app 200', 'and are accepted');
my $r = $env->refresh($old->{refresh_token});
is($r->{status}, 200, 'the session of the k1 token refreshes');
is((JwtAuthTest->jwt_decode($r->{json}{access_token}))[0]{kid}, 'k2',
	'and gets a k2 token');

my $forged = $env->sign_jwt({ alg => 'HS256', typ => 'JWT', kid => 'k2' },
	(JwtAuthTest->jwt_decode($old->{access_token}))[1]);
is(accepted($forged), 'me 401, app 401',
	'an HS256 token under kid k2 (MACed with the k1 key) is refused');

$env->reconfigure(verify_keys => undef);
is(accepted($old->{access_token}), 'me 401, app 401',
	'k1 dropped: the k1 token is refused');
is(accepted($r->{json}{access_token}), 'me 200, app 200',
	'the k2 token of the same session is still accepted');
is($env->refresh_answer($r->{json}{refresh_token}), 'ok',
	'and the session goes on refreshing');

done_testing;
