# The revocation cache behind Apache's FcgidAccessChecker (see
# tests/lib/RevocationTests.pm), and the end of a cached token's life.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;
use RevocationTests;

RevocationTests::run('apache');

# A token verified before is not let through past its exp: the caches
# drop it (access_ttl at its minimum, no leeway).
my $env = JwtAuthTest->start(access_ttl => 10, leeway => 0,
	template => RevocationTests::one_process_template('apache'));
$env->add_user('ettie', 'ettie password 1');
my $t = $env->must_login('ettie', 'ettie password 1');
my $get = sub {
	$env->http(GET => '/app/index.html',
		{ headers => $env->bearer($t->{access_token}) })->{status};
};
is($get->(), 200, 'a fresh token passes (and is cached)');
my (undef, $c) = JwtAuthTest->jwt_decode($t->{access_token});
sleep 1 while time <= $c->{exp};
is($get->(), 401, 'the same token is refused once its exp has passed');
done_testing;
