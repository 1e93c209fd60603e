# Hostile tokens, part 1: the algorithm and the JOSE header (RFC 8725
# §2.1, §3.1).  alg "none" in every spelling, other HMAC algorithms keyed
# with our own secret, HS256 keyed with public-key text, RS256, ES256 and
# PS256 tokens (fresh keys made here with openssl) at this HS256-only
# service, and the header members that point elsewhere for a key (kid,
# jku, x5u, jwk, x5c, crit).  Each is refused as a Bearer token, as the
# access cookie and at the authorizer, with a logged reason, and nothing
# is written.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Digest::SHA ();
use File::Temp qw(tempdir);
use JSON::PP;
use Test::More;
use HostileTest;

my $h = HostileTest->start;
my $c = $h->claims;
my $hdr = HostileTest->header;
my ($s_h, $s_p, $s_s) = split /\./, $h->login->{access_token};

# The claims of the signed-in user, valid now, with header HDR, signed
# with our key by HMAC DIGEST (default SHA-256).
sub ours { my ($hd, $digest) = @_; return $h->forge($hd, $c, undef, $digest) }

subtest 'alg none in every spelling' => sub {
	for my $alg ('none', 'None', 'NONE', 'nOnE', 'none ', ' none', "none\0",
	    '', 'null') {
		my $name = 'alg ' . JSON::PP->new->allow_nonref->encode($alg);
		my $p = HostileTest::b64url(JSON::PP->new->canonical->encode(
			{ %$hdr, alg => $alg }));
		# With no signature, with our real signature, with junk.
		$h->refused_token("$p.$s_p.", "$name, no signature");
		$h->refused_token("$p.$s_p", "$name, two segments");
		$h->refused_token("$p.$s_p.$s_s", "$name, a real token's signature");
		$h->refused_token(ours({ %$hdr, alg => $alg }), "$name, HMACed with our key");
	}
	my $nohdr = HostileTest::b64url('{"typ":"JWT","kid":"k1"}');
	$h->refused_token("$nohdr.$s_p.$s_s", 'no alg at all');
	$h->refused_token(ours({ typ => 'JWT', kid => 'k1', alg => undef }), 'alg null');
	$h->refused_token(ours({ typ => 'JWT', kid => 'k1', alg => ['HS256'] }), 'alg an array');
};

subtest 'other HMAC algorithms and spellings keyed with our own secret' => sub {
	$h->refused_token(ours({ %$hdr, alg => 'HS384' }, \&Digest::SHA::hmac_sha384),
		'HS384 with our key');
	$h->refused_token(ours({ %$hdr, alg => 'HS512' }, \&Digest::SHA::hmac_sha512),
		'HS512 with our key');
	$h->refused_token(ours({ %$hdr, alg => 'HS384' }), 'HS384 header over an HS256 MAC');
	$h->refused_token(ours({ %$hdr, alg => 'HS1' }, \&Digest::SHA::hmac_sha1),
		'HS1 with our key');
	# libjwt 1.10.2 compares alg case-insensitively: we must not.
	for my $alg ('hs256', 'Hs256', 'HS256 ', 'HS-256', "HS256\0") {
		$h->refused_token(ours({ %$hdr, alg => $alg }),
			'alg ' . JSON::PP->new->ascii->allow_nonref->encode($alg) . ' with our key');
	}
	$h->refused_token($h->forge_raw('{"alg":"none","alg":"HS256","typ":"JWT","kid":"k1"}',
		JSON::PP->new->canonical->encode($c)), 'a duplicated alg member');
	$h->refused_token(ours({ %$hdr, typ => 'at+jwt' }), 'another typ');
	$h->refused_token(ours({ alg => 'HS256', kid => 'k1' }), 'no typ');
};

# Fresh RSA and EC keys, made for this test.
my $dir = tempdir(CLEANUP => 1);
sub openssl {
	my @cmd = ('openssl', @_);
	system(@cmd) == 0 or die "@cmd failed\n";
}
openssl('genpkey', '-quiet', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048',
	'-out', "$dir/rsa.pem");
openssl('pkey', '-in', "$dir/rsa.pem", '-pubout', '-out', "$dir/rsa.pub");
openssl('genpkey', '-quiet', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256',
	'-out', "$dir/ec.pem");
openssl('pkey', '-in', "$dir/ec.pem", '-pubout', '-out', "$dir/ec.pub");

sub slurp { open my $fh, '<', $_[0] or die "$_[0]: $!"; local $/; return scalar <$fh> }

# sign(ALG, KEYFILE, INPUT): the JWS signature of INPUT (RFC 7518 §3.3,
# §3.4, §3.5) made by openssl; ES256's DER signature becomes r || s.
sub sign {
	my ($alg, $key, $input) = @_;
	open my $fh, '>', "$dir/in" or die; print $fh $input; close $fh;
	my @pss = $alg eq 'PS256' ? ('-sigopt', 'rsa_padding_mode:pss',
		'-sigopt', 'rsa_pss_saltlen:32') : ();
	openssl('dgst', '-sha256', '-sign', $key, @pss, '-out', "$dir/sig", "$dir/in");
	my $sig = slurp("$dir/sig");
	if ($alg eq 'ES256') {
		# SEQUENCE { INTEGER r, INTEGER s }, each to 32 bytes.
		my $p = 2;
		my @rs;
		for (1, 2) {
			my $len = ord substr($sig, $p + 1, 1);
			my $int = substr($sig, $p + 2, $len);
			$int =~ s/\A\0+//;
			push @rs, ("\0" x (32 - length $int)) . $int;
			$p += 2 + $len;
		}
		$sig = join '', @rs;
	}
	return HostileTest::b64url($sig);
}

sub pk_token {
	my ($alg, $key, $extra) = @_;
	my $json = JSON::PP->new->canonical;
	my $input = HostileTest::b64url($json->encode({ %$hdr, alg => $alg, %{ $extra // {} } }))
		. '.' . HostileTest::b64url($json->encode($c));
	my $t = "$input." . sign($alg, $key, $input);
	$h->secret($t);
	return $t;
}

subtest 'RS256, ES256 and PS256 tokens at an HS256-only service' => sub {
	my $rs = pk_token('RS256', "$dir/rsa.pem");
	my $es = pk_token('ES256', "$dir/ec.pem");
	my $ps = pk_token('PS256', "$dir/rsa.pem");
	# The tokens are well made: openssl verifies its own signatures.
	for ([$rs, 'RS256'], [$es, 'ES256'], [$ps, 'PS256']) {
		my ($t, $alg) = @$_;
		like($t, qr/\A[\w-]+\.[\w-]+\.[\w-]{40,}\z/, "$alg token is a compact JWS");
		$h->refused_token($t, "an $alg token signed with a fresh key");
	}
	$h->refused_token(pk_token('RS256', "$dir/rsa.pem", { kid => 'attacker' }),
		'an RS256 token with its own kid');
};

subtest 'HS256 keyed with public-key text (key confusion)' => sub {
	for my $pub ("$dir/rsa.pub", "$dir/ec.pub") {
		my $pem = slurp($pub);
		(my $bare = $pem) =~ s/\n\z//;
		(my $body = $pem) =~ s/-----[^\n]*-----\n?//g;
		$body =~ s/\n//g;
		$h->refused_token($h->forge($hdr, $c, $pem), "HS256 keyed with the PEM of $pub");
		$h->refused_token($h->forge($hdr, $c, $bare), "HS256 keyed with the PEM of $pub, no newline");
		$h->refused_token($h->forge($hdr, $c, $body), "HS256 keyed with the base64 of $pub");
	}
	$h->refused_token($h->forge($hdr, $c, ''), 'HS256 keyed with the empty key');
	my $keyfile = slurp($h->env->dir . '/jwt.key');
	chomp $keyfile;
	$h->refused_token($h->forge($hdr, $c, $keyfile), 'HS256 keyed with the key file text, not its bytes');
};

subtest 'kid, jku, x5u, jwk, x5c and crit headers' => sub {
	my $url = $h->env->url('/attacker.json');
	my %extra = (
		jku  => $url,
		x5u  => $url,
		jwk  => { kty => 'oct', k => HostileTest::b64url('attacker key') },
		x5c  => ['MIIB'],
		x5t  => 'AAAA',
		crit => ['exp'],
		cty  => 'JWT',
		zip  => 'DEF',
		b64  => JSON::PP::false,
	);
	for my $k (sort keys %extra) {
		$h->refused_token(ours({ %$hdr, $k => $extra{$k} }), "a $k header, signed with our key");
	}
	$h->refused_token($h->forge({ %$hdr, jwk => $extra{jwk} }, $c, 'attacker key'),
		'a jwk header whose key signed the token');
	$h->refused_token($h->forge({ %$hdr, crit => ['b64'], b64 => JSON::PP::false }, $c),
		'crit b64 false (RFC 7797), signed with our key');
	for my $kid ('k2', '', '../../../../dev/null', "k1' OR '1'='1", 'K1', "k1\0", 'k1 ',
	    'x' x 300) {
		$h->refused_token(ours({ %$hdr, kid => $kid }),
			'kid ' . JSON::PP->new->ascii->allow_nonref->encode(substr $kid, 0, 20));
	}
	$h->refused_token(ours({ alg => 'HS256', typ => 'JWT' }), 'no kid');
	$h->refused_token(ours({ %$hdr, kid => 1 }), 'kid a number');
	$h->refused_token(ours({ %$hdr, kid => ['k1'] }), 'kid an array');
	$h->refused_token($h->forge_raw('{"alg":"HS256","typ":"JWT","kid":"k1","kid":"k2"}',
		JSON::PP->new->canonical->encode($c)), 'a duplicated kid member');
	$h->refused_token($h->forge_raw('["HS256"]', JSON::PP->new->canonical->encode($c)),
		'a header that is a JSON array');
	$h->refused_token($h->forge_raw('{"alg":"HS256","typ":"JWT","kid":"k1"', 
		JSON::PP->new->canonical->encode($c)), 'a header that is truncated JSON');
};

$h->done;
done_testing;
