# GET /auth/jwks.json (RFC 7517 §5), also at /.well-known/jwks.json: the
# public parts of every RS256 and ES256 key, cacheable.  jose, a JWT
# implementation independent of ours (tests/browser/jwks.mjs, node),
# verifies our tokens given only that JWK Set; tokens jose signs with a
# key we do not know, under our kid or another, are refused by
# /auth/me and by the authorizer, while the same claims signed by jose
# with our own key are accepted (the control).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use JSON::PP qw(decode_json);
use Test::More;
use JwtAuthTest;

my $REPO = "$FindBin::Bin/../..";
my $USER = 'erin';
my $PASSWORD = 'erin password 1';

-d "$REPO/tests/browser/node_modules/jose"
	or plan skip_all => 'jose is not installed: (cd tests/browser && npm ci)';

for my $case (['ES256', 'RS256', 'apache'], ['RS256', 'ES256', 'lighttpd']) {
	my ($alg, $other, $server) = @$case;
	subtest "$alg signs, $other verifies, behind $server" => sub {
		my $env = JwtAuthTest->start(server => $server, key_alg => $alg,
			key_id => 'sign-1');
		$env->add_user($USER, $PASSWORD);
		my $old = $env->keygen('old.pem', $other);
		$env->pubkey('old.pem', 'old.pub');
		my $hs = $env->keygen('hs.key');
		$env->reconfigure(verify_keys => 'old-1:' . $other . ':'
			. $env->dir . '/old.pub, hs-1:HS256:' . $hs);

		my $res = $env->json(GET => '/auth/jwks.json');
		is($res->{status}, 200, 'GET /auth/jwks.json is 200');
		is($res->{headers}{'cache-control'}, 'public, max-age=300',
			'and may be cached for five minutes');
		my @keys = @{ $res->{json}{keys} // [] };
		is_deeply([map { "$_->{kid} $_->{alg} $_->{use}" } @keys],
			["sign-1 $alg sig", "old-1 $other sig"],
			'it lists the signing key and the asymmetric verify key, not the HS256 one');
		ok(!grep({ exists $_->{d} || exists $_->{k} || exists $_->{p} } @keys),
			'no private or symmetric parameter');
		my $wk = $env->json(GET => '/.well-known/jwks.json');
		is($wk->{status}, 200, '/.well-known/jwks.json answers too');
		is_deeply($wk->{json}, $res->{json}, 'with the same set');
		my $head = $env->http(HEAD => '/auth/jwks.json');
		is($head->{status}, 200, 'HEAD is 200');
		is($env->http(POST => '/auth/jwks.json')->{status}, 405, 'POST is 405');

		my $t = $env->must_login($USER, $PASSWORD);
		my $r = $env->refresh($t->{refresh_token});
		my ($rc, $out, $err) = node($env, $t->{access_token},
			$r->{json}{access_token}, 'e30.e30.e30');
		is($rc, 0, 'node ran jwks.mjs') or diag $err;
		my $j = eval { decode_json($out) } // {};
		ok($j->{verified}[0]{ok}, 'jose verifies our login token with the JWK Set alone')
			or diag explain $j->{verified}[0];
		is($j->{verified}[0]{payload}{username}, $USER, 'and reads its claims');
		ok($j->{verified}[1]{ok}, 'and our refreshed token');
		ok(!$j->{verified}[2]{ok}, 'jose refuses junk (control)');

		my $check = sub {
			my ($tok) = @_;
			my $me = $env->me($tok)->{status};
			my $app = $env->http(GET => '/app/index.html',
				{ headers => $env->bearer($tok) })->{status};
			return "me $me, app $app";
		};
		is($check->($j->{own_key} // ''), 'me 200, app 200',
			'the claims signed by jose with our key are accepted (control)');
		is($check->($j->{same_kid} // ''), 'me 401, app 401',
			'signed by jose with a key of its own under our kid: refused');
		is($check->($j->{unknown_kid} // ''), 'me 401, app 401',
			'signed by jose under a kid we do not have: refused');
	};
}

# node(ENV, TOKEN...): run jwks.mjs against ENV's JWK Set URL.
sub node {
	my ($env, @tokens) = @_;
	return $env->run_cmd({ timeout => 60 }, 'node',
		"$REPO/tests/browser/jwks.mjs", $env->url('/auth/jwks.json'),
		'jwtauth', $env->dir . '/jwt.key', @tokens);
}

done_testing;
