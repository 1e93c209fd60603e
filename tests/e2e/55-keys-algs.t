# RS256 and ES256 end to end (RFC 7518 §3.3, §3.4): the service signs
# with a PEM key made by authctl keygen --alg, and its own routes and
# the FastCGI authorizer accept those tokens; a token whose header names
# another algorithm for our kid, or whose signature is not our key's, is
# refused.  ES256 behind Apache, RS256 behind lighttpd.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $USER = 'carol';
my $PASSWORD = 'carol password 1';

for my $case (['ES256', 'apache'], ['RS256', 'lighttpd']) {
	my ($alg, $server) = @$case;
	subtest "$alg behind $server" => sub {
		my $env = JwtAuthTest->start(server => $server, key_alg => $alg,
			key_id => lc($alg) . '-1');
		$env->add_user($USER, $PASSWORD);
		my $t = $env->must_login($USER, $PASSWORD);
		my ($h, $c) = JwtAuthTest->jwt_decode($t->{access_token});
		is_deeply($h, { alg => $alg, kid => lc($alg) . '-1', typ => 'JWT' },
			"$alg: the header names the algorithm and the kid");
		my $sig = (split /\./, $t->{access_token})[2];
		is(length $sig, $alg eq 'ES256' ? 86 : 342,
			"$alg: the signature has the length of the key's");

		my $me = $env->me($t->{access_token});
		is($me->{status}, 200, "$alg: /auth/me accepts the token");
		is($me->{json}{username}, $USER, "$alg: and says whose it is");
		my $res = $env->http(GET => '/app/whoami.cgi',
			{ headers => $env->bearer($t->{access_token}) });
		is($res->{status}, 200, "$alg: the authorizer lets the token through");
		like($res->{content}, qr{<dd id="auth-user">\Q$USER\E</dd>},
			"$alg: and the page gets the user");

		my $r = $env->refresh($t->{refresh_token});
		is($r->{status}, 200, "$alg: a refresh answers");
		is($env->me($r->{json}{access_token})->{status}, 200,
			"$alg: with an access token that is accepted");

		# The HS256 key confusion: MACed with the public key's PEM.
		my $pub = $env->pubkey('jwt.key', 'jwt.pub');
		my $pem = do { local $/; open my $fh, '<', $pub or die; <$fh> };
		my %bad = (
			'HS256 under our kid, MACed with the public key PEM' =>
				hs256($pem, { %$h, alg => 'HS256' }, $c),
			'a flipped signature' => flip($t->{access_token}),
			'alg none' => JwtAuthTest->b64url('{"alg":"none","typ":"JWT"}')
				. '.' . (split /\./, $t->{access_token})[1] . '.',
			'the other asymmetric alg named in the header' =>
				swap_alg($t->{access_token}, $alg eq 'ES256' ? 'RS256' : 'ES256'),
		);
		for my $name (sort keys %bad) {
			is($env->me($bad{$name})->{status}, 401, "$alg: /auth/me refuses $name");
			is($env->http(GET => '/app/index.html',
				{ headers => $env->bearer($bad{$name}) })->{status}, 401,
				"$alg: the authorizer refuses $name");
		}
	};
}

# A JWT HS256 with key $key over header $h and claims $c.
sub hs256 {
	my ($key, $h, $c) = @_;
	require Digest::SHA;
	my $json = JSON::PP->new->canonical;
	my $input = JwtAuthTest->b64url($json->encode($h)) . '.'
		. JwtAuthTest->b64url($json->encode($c));
	return "$input." . JwtAuthTest->b64url(Digest::SHA::hmac_sha256($input, $key));
}

# The token with the first character of its signature changed.
sub flip {
	my ($tok) = @_;
	my ($h, $p, $s) = split /\./, $tok;
	return "$h.$p." . (substr($s, 0, 1) eq 'A' ? 'B' : 'A') . substr($s, 1);
}

# The token with "alg" of its header replaced, the signature kept.
sub swap_alg {
	my ($tok, $alg) = @_;
	my ($h, $p, $s) = split /\./, $tok;
	my ($hdr) = JwtAuthTest->jwt_decode($tok);
	$hdr->{alg} = $alg;
	return JwtAuthTest->b64url(JSON::PP->new->canonical->encode($hdr)) . ".$p.$s";
}

done_testing;
