# Logout and its scopes: "local" (the default) ends the caller's session,
# "others" every other session of the user, "global" all of them; a
# refresh token alone ends its own session; GET /auth/sessions lists the
# live sessions and marks the caller's.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use JSON::PP ();
use Test::More;
use JwtAuthTest;

my $USER = 'bob';
my $PASSWORD = 'correct horse battery';

my $env = JwtAuthTest->start;
$env->add_user($USER, $PASSWORD);

# login(): a new session of $USER; the token response, or dies.
sub login { return $env->must_login($USER, $PASSWORD) }

# The access token works at /auth/me (200) or not (401).
sub at_status { return $env->me($_[0])->{status} }

my ($A, $B, $C) = (login(), login(), login());

subtest 'GET /auth/sessions lists the live sessions and marks the caller' => sub {
	my $res = $env->json(GET => '/auth/sessions',
		{ headers => $env->bearer($A->{access_token}) });
	is($res->{status}, 200, 'sessions is 200');
	my $list = $res->{json}{sessions} // [];
	is(scalar @$list, 3, 'three live sessions');
	is_deeply([ map { $_->{id} } @$list ],
		[ map { JwtAuthTest->sid_of($_->{access_token}) } $A, $B, $C ],
		'the three sessions, oldest first');
	is_deeply([ sort keys %{ $list->[0] // {} } ],
		[ sort qw(id created last_used user_agent ip current remembered) ],
		'each has id, created, last_used, user_agent, ip, current, remembered');
	ok(JSON::PP::is_bool($list->[0]{remembered}) && $list->[0]{remembered},
		'remembered is a JSON boolean, true for a JSON sign-in by default');
	is_deeply([ map { $_->{current} ? 1 : 0 } @$list ], [ 1, 0, 0 ],
		'current is true for the caller only');
	ok(JSON::PP::is_bool($list->[0]{current}), 'current is a JSON boolean');
	is($list->[0]{user_agent}, 'jwtauth-test', 'user_agent is the login client');
	is($list->[0]{ip}, '127.0.0.1', 'ip is the login client');
	like($list->[0]{created}, qr/\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z/,
		'created is an RFC 3339 UTC time');
	like($list->[0]{last_used}, qr/\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z/,
		'last_used is an RFC 3339 UTC time');

	$res = $env->json(GET => '/auth/sessions',
		{ headers => $env->bearer($B->{access_token}) });
	is_deeply([ map { $_->{current} ? 1 : 0 } @{ $res->{json}{sessions} // [] } ],
		[ 0, 1, 0 ], 'from another session, that one is current');
};

subtest 'scope others ends every other session and keeps the caller\'s' => sub {
	my $res = $env->logout($A->{access_token}, { scope => 'others' });
	is($res->{status}, 204, 'logout scope=others is 204');
	is(at_status($A->{access_token}), 200, 'A\'s access token still works');
	is(at_status($B->{access_token}), 401, 'B\'s access token is 401');
	is(at_status($C->{access_token}), 401, 'C\'s access token is 401');
	is($env->refresh_answer($B->{refresh_token}), '401 invalid_grant',
		'B\'s refresh token is invalid_grant');
	is($env->refresh_answer($C->{refresh_token}), '401 invalid_grant',
		'C\'s refresh token is invalid_grant');
	$res = $env->json(GET => '/auth/sessions',
		{ headers => $env->bearer($A->{access_token}) });
	is_deeply([ map { $_->{id} } @{ $res->{json}{sessions} // [] } ],
		[ JwtAuthTest->sid_of($A->{access_token}) ], 'only A is listed now');
	my $sids = join ',',
		map { "'" . JwtAuthTest->sid_of($_->{access_token}) . "'" } $B, $C;
	is($env->psql("SELECT string_agg(DISTINCT revoke_reason, ',') FROM sessions "
		. "WHERE id IN ($sids)"), 'logout_others',
		'B and C ended with reason logout_others');
};

subtest 'scope global ends every session, the caller\'s included' => sub {
	my $D = login();
	my $res = $env->logout($A->{access_token}, { scope => 'global' });
	is($res->{status}, 204, 'logout scope=global is 204');
	is(at_status($A->{access_token}), 401, 'A\'s access token is 401');
	is($env->refresh_answer($A->{refresh_token}), '401 invalid_grant',
		'A\'s refresh token is invalid_grant');
	is(at_status($D->{access_token}), 401, 'a later session D is ended too');
	is($env->refresh_answer($D->{refresh_token}), '401 invalid_grant',
		'D\'s refresh token is invalid_grant');
	is($env->psql('SELECT count(*) FROM sessions WHERE revoked_at IS NULL'), '0',
		'no live session is left');
};

subtest 'without a scope, logout ends only the caller\'s session' => sub {
	my ($E, $F) = (login(), login());
	my $res = $env->logout($E->{access_token}, undef);
	is($res->{status}, 204, 'logout without a body is 204');
	is(at_status($E->{access_token}), 401, 'E\'s access token is 401');
	is($env->refresh_answer($E->{refresh_token}), '401 invalid_grant',
		'E\'s refresh token is invalid_grant');
	is(at_status($F->{access_token}), 200, 'F\'s access token still works');

	my $G = login();
	$res = $env->logout($G->{access_token}, {});
	is($res->{status}, 204, 'logout with an empty JSON object is 204');
	is(at_status($G->{access_token}), 401, 'G\'s access token is 401');
	is(at_status($F->{access_token}), 200, 'F\'s access token still works');
};

subtest 'an unknown scope is 400 invalid_request and ends nothing' => sub {
	my $H = login();
	my $res = $env->logout($H->{access_token}, { scope => 'everything' });
	is($res->{status}, 400, 'scope=everything is 400');
	is($res->{json}{error}, 'invalid_request', 'the error is invalid_request');
	is(at_status($H->{access_token}), 200, 'the session goes on');
};

subtest 'a refresh token alone ends its session' => sub {
	my ($I, $J) = (login(), login());
	my $res = $env->logout(undef, { refresh_token => $I->{refresh_token} });
	is($res->{status}, 204, 'logout with only a refresh token is 204');
	is(at_status($I->{access_token}), 401, 'that session\'s access token is 401');
	is($env->refresh_answer($I->{refresh_token}), '401 invalid_grant',
		'that refresh token is invalid_grant');
	is(at_status($J->{access_token}), 200, 'another session goes on');
};

# route_logout.c: "Invalid tokens end nothing (RFC 7009 §2.2)".  An
# access token whose session has ended is no longer valid: it must not
# reach the user's other sessions (think of one stolen before a logout or
# a password change, still within its exp).
subtest 'an access token of an ended session ends no other session' => sub {
	my $K = login();
	is($env->logout($K->{access_token}, undef)->{status}, 204, 'K logs out');
	is(at_status($K->{access_token}), 401, 'K\'s access token is now refused');
	my $L = login();
	my $res = $env->logout($K->{access_token}, { scope => 'others' });
	is($res->{status}, 204, 'logout scope=others with K\'s ended token is 204');
	is(at_status($L->{access_token}), 200, 'a later session L survives scope=others');
	my $M = login();
	$res = $env->logout($K->{access_token}, { scope => 'global' });
	is($res->{status}, 204, 'logout scope=global with K\'s ended token is 204');
	is(at_status($M->{access_token}), 200, 'a later session M survives scope=global');
	is($env->refresh_answer($M->{refresh_token}), 'ok', 'M\'s refresh token still works');
};

subtest 'GET /auth/sessions without a valid token is 401 with a Bearer challenge' => sub {
	my $res = $env->json(GET => '/auth/sessions');
	is($res->{status}, 401, 'no token: 401');
	is($res->{headers}{'www-authenticate'}, 'Bearer realm="jwtauth"',
		'no token: a challenge without an error code (RFC 6750 3.1)');
	$res = $env->json(GET => '/auth/sessions', { headers => $env->bearer('x.y.z') });
	is($res->{status}, 401, 'a bad token: 401');
	like($res->{headers}{'www-authenticate'}, qr/error="invalid_token"/,
		'a bad token: error="invalid_token"');
};

done_testing;
