# Hostile tokens, part 2: the signature and the token's shape.  A real
# access token with its signature tampered, stripped, truncated, padded,
# re-encoded or extended with junk; empty and extra segments; and tokens
# of every size up to several megabytes in the Authorization header, the
# cookie and the body.  Each is refused with the right status (401 from
# the program, 400/413/431 from the web server for what it will not pass
# on), the program's refusals are logged, and nothing is written.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use HostileTest;

my $h = HostileTest->start;
my $at = $h->login->{access_token};
my ($p1, $p2, $sig) = split /\./, $at;
my $env = $h->env;

my $B64 = join '', 'A' .. 'Z', 'a' .. 'z', '0' .. '9', '-', '_';
# flip(S, I): S with the base64url character at I replaced by another.
sub flip {
	my ($s, $i) = @_;
	my $c = substr($s, $i, 1);
	my $n = substr($B64, (index($B64, $c) + 1) % 64, 1);
	substr($s, $i, 1) = $n;
	return $s;
}

subtest 'tampered signatures' => sub {
	for my $i (0, 1, 21, 41, 42) {
		$h->refused_token("$p1.$p2." . flip($sig, $i), "signature character $i changed");
	}
	# The last of 43 characters carries 4 bits and 2 unused ones, which
	# must be zero (RFC 4648 §3.5): the same MAC, spelled otherwise.
	my $last = index($B64, substr($sig, 42, 1));
	my $alias = substr($sig, 0, 42) . substr($B64, $last ^ 1, 1);
	$h->refused_token("$p1.$p2.$alias", 'the same MAC with a non-zero padding bit');
	(my $std = $sig) =~ tr{-_}{+/};
	$h->refused_token("$p1.$p2.$std", 'the signature in standard base64')
		if $std ne $sig;
	$h->refused_token("$p1.$p2." . ('A' x 43), 'a signature of zeros');
	$h->refused_token("$p1." . flip($p2, 5) . ".$sig", 'the payload changed under the signature');
	$h->refused_token(flip($p1, 3) . ".$p2.$sig", 'the header changed under the signature');
	my $other = $h->forge(HostileTest->header, { %{ $h->claims }, username => 'root' },
		'x' x 32);
	$h->refused_token("$p1.$p2." . (split /\./, $other)[2], "another token's signature");
};

subtest 'stripped, truncated, padded and junk-extended signatures' => sub {
	$h->refused_token("$p1.$p2.", 'signature stripped, dot kept');
	$h->refused_token("$p1.$p2", 'signature stripped with its dot');
	$h->refused_token("$p1.$p2." . substr($sig, 0, 42), 'signature cut by one character');
	$h->refused_token("$p1.$p2." . substr($sig, 0, 22), 'signature cut in half');
	$h->refused_token("$p1.$p2." . substr($sig, 0, 1), 'signature of one character');
	$h->refused_token("$p1.$p2.$sig=", 'signature padded with =');
	$h->refused_token("$p1.$p2.$sig==", 'signature padded with ==');
	$h->refused_token("$p1=.$p2.$sig", 'header padded with =');
	$h->refused_token("$p1.$p2.${sig}A", 'one junk character after the signature');
	$h->refused_token("$p1.$p2.${sig}AAAA", 'four junk characters after the signature');
	$h->refused_token("$p1.$p2.$sig.", 'a dot after the signature');
	$h->refused_token("$p1.$p2.$sig.$sig", 'a fourth segment');
	$h->refused_token("$p1.$p2.$sig%00", 'an escaped NUL after the signature');
	$h->refused_token("$p1.$p2.$sig " . 'junk', 'a space and junk after the signature');
	$h->refused_token("$p1.$p2.$sig$sig", 'the signature twice');
	$h->refused_token("$p1.$p2.$sig" . ('A' x 4000), 'junk up to 4 KB');
	$h->refused_token("$p1.$p2.\t$sig", 'a tab inside the token');
	$h->refused_token("$p1.$p2.*$sig", 'a character outside base64url');
};

subtest 'empty and missing segments' => sub {
	for my $t ('.', '..', '...', "$p1..$sig", ".$p2.$sig", "$p1.$p2.",
	    "..$sig", "$p1..", ".$p2.", "$p1", "$p1.$p2.$sig..", 'a.b.c',
	    'e30.e30.', 'e30.e30.e30', "$p1.e30.$sig", "$p1.$p2.$sig" =~ s/\./ . /gr) {
		my $name = length $t > 20 ? 'segments ' . join('|', map { length } split /\./, $t, -1)
		    : "token '$t'";
		$h->refused_token($t, $name);
	}
};

subtest 'long tokens that the web server passes on' => sub {
	my $long = "$p1." . ('A' x 4000) . ".$sig";
	$h->refused_token($long, 'a 4 KB token');
	$h->refused_token("$p1." . ('A' x 7800) . ".$sig", 'a 7.8 KB token (over the program\'s 4 KB bound)');
	$h->refused_token('A' x 8000, 'an 8000-byte token without dots');
	$h->refused_token(('a.' x 3000) . 'a', 'a token of 3000 dots');
};

# Multi-megabyte tokens stop at the web server: a request header field is
# at most 8190 bytes (400 from Apache, 431 from lighttpd), a body at most
# max_body (413 before it is read).
subtest 'multi-megabyte tokens in header, cookie and body' => sub {
	my $mb = "$p1." . ('A' x (3 * 1024 * 1024)) . ".$sig";
	$h->secret($mb);
	for my $w (["Authorization: Bearer $mb\r\n", 'the Authorization header'],
	    ["Cookie: jwtauth_at=$mb\r\n", 'the access cookie'],
	    ["Cookie: jwtauth_rt=$mb\r\n", 'the refresh cookie']) {
		my ($status) = $h->request(GET => '/auth/me', $w->[0]);
		like($status, qr/\A(?:400|413|431)\z/, "a 3 MB token in $w->[1] is refused by the web server ($status)");
		($status) = $h->request(GET => '/app/index.html', $w->[0]);
		like($status, qr/\A(?:400|413|431)\z/, "a 3 MB token in $w->[1] at the authorizer is refused ($status)");
	}
	for my $r (['/auth/refresh', qq({"refresh_token":"$mb"})],
	    ['/auth/login', qq({"username":"$HostileTest::USER","password":"$mb"})],
	    ['/auth/logout', qq({"refresh_token":"$mb"})]) {
		my ($status) = $h->request(POST => $r->[0],
			"Content-Type: application/json\r\n", $r->[1]);
		is($status, 413, "a 3 MB token in the body of POST $r->[0] is 413");
	}
	# Just under max_body (16 KiB): read, parsed, and refused.
	my $big = 'A' x 15000;
	$h->mark;
	my $res = $env->json(POST => '/auth/refresh', { content => { refresh_token => $big } });
	$h->is_refusal($res, 'a 15 KB refresh token in the body');
	is($res->{json}{error}, 'invalid_grant', 'a 15 KB refresh token is invalid_grant');
	$h->logged_refusal('a 15 KB refresh token in the body');
	$res = $env->json(POST => '/auth/refresh', { content => { refresh_token => $at } });
	$h->is_refusal($res, 'an access token as the refresh token');
	# Many tokens in one header.
	my ($status) = $h->request(GET => '/auth/me', "Authorization: Bearer $at, Bearer $at\r\n");
	is($status, 401, 'two Bearer tokens in one Authorization header are 401');
	($status) = $h->request(GET => '/auth/me',
		"Authorization: Bearer $at\r\nAuthorization: Bearer $at\r\n");
	is($status, 401, 'two Authorization headers are 401 (merged with a comma)');
	is($env->http(GET => '/auth/health')->{status}, 200, 'the service still answers');
};

$h->done;
done_testing;
