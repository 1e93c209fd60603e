# Another service verifies our tokens with the JWK Set alone: the Python
# example of the guide docs/multi-server.md ("Other services verify our
# tokens"), taken from the guide itself so that what is shown is what is
# tested, run with Debian's python3 and python3-jwt (PyJWKClient) against the service's
# /.well-known/jwks.json, for an ES256 key behind Apache and an RS256
# key behind lighttpd.  Controls: a token whose payload was changed, a
# token signed HS256 with our public key as the HMAC key (algorithm
# confusion), and our token checked for another issuer are refused.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::SHA ();
use JSON::PP ();
use JwtAuthTest;

my $REPO = "$FindBin::Bin/../..";
my $PYTHON = '/usr/bin/python3';

-x $PYTHON && system($PYTHON, '-c', 'import jwt, cryptography') == 0
	or plan skip_all => 'no python3-jwt: scripts/deps.sh test installs it';

# The one python block of the guide.
my $guide = JwtAuthTest::_slurp("$REPO/docs/multi-server.md");
my @blocks = $guide =~ /^```python\n(.*?)^```$/msg;
is(scalar @blocks, 1, 'docs/multi-server.md has one Python example');
like($blocks[0] // '', qr/PyJWKClient/, 'and it uses PyJWKClient');

for my $case (['ES256', 'apache'], ['RS256', 'lighttpd']) {
	my ($alg, $server) = @$case;
	subtest "$alg behind $server" => sub {
		my $env = JwtAuthTest->start(server => $server, key_alg => $alg,
			key_id => "py-$alg");
		$env->add_user('pyra', 'pyra password 1');
		my $file = $env->dir . '/verify.py';
		open my $fh, '>', $file or die "$file: $!";
		print $fh $blocks[0];
		close $fh or die "$file: $!";
		my $verify = sub {
			my ($token, $issuer) = @_;
			return $env->run_cmd({ stdin => "$token\n", timeout => 30 },
				$PYTHON, $file, $env->url('/.well-known/jwks.json'),
				$issuer // 'jwtauth');
		};
		my $t = $env->must_login('pyra', 'pyra password 1');
		my (undef, $claims) = JwtAuthTest->jwt_decode($t->{access_token});
		my ($rc, $out, $err) = $verify->($t->{access_token});
		is($rc, 0, 'the example accepts our access token') or diag $err;
		is($out, "$claims->{sub} pyra\n", 'and prints its sub and username');

		# The payload changed (another username), the signature kept.
		my ($h64, $p64, $s64) = split /\./, $t->{access_token};
		my %forged = (%$claims, username => 'mallory');
		my $forged = join '.', $h64, JwtAuthTest->b64url(
			JSON::PP->new->canonical->encode(\%forged)), $s64;
		($rc, undef, $err) = $verify->($forged);
		isnt($rc, 0, 'a token whose payload was changed is refused');
		like($err, qr/^refused: /, 'with a message') or diag $err;

		# Algorithm confusion (RFC 8725 §2.1): HS256 under our kid,
		# with our public key's PEM as the HMAC key.
		my $pem = JwtAuthTest::_slurp($env->pubkey('jwt.key', 'jwt.pub'));
		my $json = JSON::PP->new->canonical;
		my $input = JwtAuthTest->b64url($json->encode({ alg => 'HS256',
			typ => 'JWT', kid => "py-$alg" })) . '.'
			. JwtAuthTest->b64url($json->encode($claims));
		my $hs = "$input." . JwtAuthTest->b64url(
			Digest::SHA::hmac_sha256($input, $pem));
		($rc, undef, $err) = $verify->($hs);
		isnt($rc, 0, 'an HS256 token keyed with our public key is refused');

		($rc, undef, $err) = $verify->($t->{access_token}, 'someone-else');
		isnt($rc, 0, 'our token is refused for another issuer');
		like($err, qr/issuer/i, 'as a wrong issuer');
		# Now: at the end of the scope $? would still hold the
		# example's last exit status, which stop takes for a failure.
		$env->stop;
	};
}
done_testing;
