# The API flow with JSON and Bearer tokens, end to end through Apache
# and mod_fcgid: login -> me -> refresh -> me -> logout -> me (401).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

# No grace window: a used refresh token must fail at once.
my $env = JwtAuthTest->start(refresh_grace => 0);
$env->add_user('alice', 'correct horse battery');

my $res = $env->json(POST => '/auth/login',
	{ content => { username => 'alice', password => 'correct horse battery' } });
is($res->{status}, 200, 'login with the right password is 200');
my $t = $res->{json};
is($t->{token_type}, 'Bearer', 'token_type is Bearer (RFC 6749 5.1)');
is($t->{expires_in}, 300, 'expires_in is the default access_ttl');
ok($t->{refresh_expires_in} > 1_209_000, 'refresh_expires_in is about 14 days');
like($t->{refresh_token}, qr/^[A-Za-z0-9_-]{43}$/,
	'refresh token is 256 bits of base64url');
like($res->{headers}{'cache-control'}, qr/no-store/, 'token response is not cached');

my ($hdr, $claims) = JwtAuthTest->jwt_decode($t->{access_token});
is_deeply($hdr, { alg => 'HS256', typ => 'JWT', kid => 'k1' },
	'JOSE header is exactly alg HS256, typ JWT and kid');
is($claims->{iss}, 'jwtauth', 'iss is the configured issuer');
is($claims->{username}, 'alice', 'username claim');
is($claims->{token_use}, 'access', 'token says it is an access token');
like($claims->{sub}, qr/^[0-9a-f-]{36}$/, 'sub is the user id (UUID)');
like($claims->{sid}, qr/^[0-9a-f-]{36}$/, 'sid is the session id (UUID)');
like($claims->{jti}, qr/^[A-Za-z0-9_-]{22}$/, 'jti holds 128 random bits');
is($claims->{exp} - $claims->{iat}, 300, 'exp is iat + 300');

$res = $env->json(GET => '/auth/me', { headers => $env->bearer($t->{access_token}) });
is($res->{status}, 200, 'me with the access token is 200');
is_deeply($res->{json}, { sub => $claims->{sub}, username => 'alice',
	sid => $claims->{sid}, exp => $claims->{exp} },
	'me returns sub, username, sid and exp');

$res = $env->json(POST => '/auth/refresh',
	{ content => { refresh_token => $t->{refresh_token} } });
is($res->{status}, 200, 'refresh is 200');
my $t2 = $res->{json};
isnt($t2->{refresh_token}, $t->{refresh_token}, 'refresh rotates the refresh token');
isnt($t2->{access_token}, $t->{access_token}, 'refresh issues a new access token');
my (undef, $claims2) = JwtAuthTest->jwt_decode($t2->{access_token});
is($claims2->{sid}, $claims->{sid}, 'the refreshed token stays in the same session');

$res = $env->json(GET => '/auth/me', { headers => $env->bearer($t2->{access_token}) });
is($res->{status}, 200, 'me with the refreshed access token is 200');

$res = $env->json(POST => '/auth/refresh',
	{ content => { refresh_token => $t->{refresh_token} } });
is($res->{status}, 401, 'a used refresh token is refused');
is($res->{json}{error}, 'invalid_grant', 'a used refresh token is invalid_grant');

# The replay above revoked the session (theft detection); a new login.
$t = $env->login('alice', 'correct horse battery');
ok($t, 'login again');
(undef, $claims) = JwtAuthTest->jwt_decode($t->{access_token});
$res = $env->json(POST => '/auth/logout', { headers => $env->bearer($t->{access_token}) });
is($res->{status}, 204, 'logout with the Bearer token is 204');
is($env->psql("select count(*) from revoked_tokens where jti = '$claims->{jti}'"), 1,
	'the logged-out jti is in the revocation table');
is($env->psql("select expires_at = to_timestamp($claims->{exp}) from revoked_tokens where jti = '$claims->{jti}'"),
	't', 'the revocation lasts until the token\'s exp');

$res = $env->json(GET => '/auth/me', { headers => $env->bearer($t->{access_token}) });
is($res->{status}, 401, 'an access token inside its exp is refused right after logout');
like($res->{headers}{'www-authenticate'}, qr/^Bearer .*error="invalid_token"/,
	'the refusal carries WWW-Authenticate: Bearer error="invalid_token" (RFC 6750 3)');
is($res->{json}{error}, 'invalid_token', 'the JSON error says invalid_token');

$res = $env->json(POST => '/auth/refresh',
	{ content => { refresh_token => $t->{refresh_token} } });
is($res->{status}, 401, 'the refresh token of a logged-out session is refused');

$res = $env->json(GET => '/auth/me');
is($res->{status}, 401, 'me without any token is 401');
like($res->{headers}{'www-authenticate'}, qr/^Bearer realm="jwtauth"$/,
	'without a token the challenge carries no error code (RFC 6750 3.1)');

$res = $env->json(POST => '/auth/login',
	{ content => { username => 'alice', password => 'wrong password' } });
is($res->{status}, 401, 'a wrong password is 401');
is_deeply($res->{json}, { error => 'invalid_credentials' }, 'a wrong password says invalid_credentials');
my $unknown = $env->json(POST => '/auth/login',
	{ content => { username => 'nobody', password => 'wrong password' } });
is($unknown->{status}, 401, 'an unknown user is 401');
is($unknown->{content}, $res->{content}, 'an unknown user gets the same answer as a wrong password');

$res = $env->json(GET => '/auth/health');
is($res->{status}, 200, 'health is 200');
is_deeply($res->{json}, { status => 'ok', database => 'ok',
	revocation_cache => 'listening' },
	'health says ok: the database answers, the revocation cache listens');

done_testing;
