# Hostile tokens, part 3: the claims (RFC 7519 §4.1), in tokens that
# carry a valid HS256 signature under the service's own key, as a
# leaked key or a signing oracle would make them: claims of the wrong
# JSON type, duplicated or missing; expired, not yet valid, issued in the
# future or living too long; the wrong issuer or audience; a session or
# user that does not exist; and a refresh token offered as an access
# token and the reverse.  The service is configured with an issuer and an
# audience.  Each is refused, logged, and writes nothing.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use JSON::PP;
use Test::More;
use HostileTest;

my $ISS = 'https://auth.example';
my $AUD = 'https://api.example';
my $h = HostileTest->start(issuer => $ISS, audience => $AUD, leeway => 30);
my $env = $h->env;
my $c = $h->claims;
is($c->{iss}, $ISS, 'the service issues tokens with our issuer');
is($c->{aud}, $AUD, 'and our audience');
my $hdr = HostileTest->header;
my $json = JSON::PP->new->canonical->allow_nonref;
my $now = time;

# A token of our claims with CHANGES applied (undef deletes a claim).
sub with {
	my (%changes) = @_;
	my %claims = %$c;
	for (keys %changes) {
		if (defined $changes{$_}) { $claims{$_} = $changes{$_} }
		else { delete $claims{$_} }
	}
	return $h->forge($hdr, \%claims);
}

# The control: a token we forge with unchanged claims is accepted, so
# that each refusal below is the change's doing.
is($env->me(with())->{status}, 200, 'a forged token with our claims unchanged is accepted');
$h->mark;

subtest 'claims of the wrong type' => sub {
	my %strings = map { $_ => $c->{$_} } qw(iss aud sub sid jti username token_use);
	for my $k (sort keys %strings) {
		my $v = $strings{$k};
		for my $bad ([1, 'a number'], [[$v], 'an array of it'], [{ v => $v }, 'an object'],
		    [JSON::PP::true, 'true'], ['', 'empty']) {
			$h->refused_token(with($k => $bad->[0]), "$k $bad->[1]");
		}
		$h->refused_token($h->forge($hdr, { %$c, $k => undef }), "$k null");
	}
	for my $k (qw(iat exp nbf)) {
		my $v = $k eq 'nbf' ? $now - 60 : $c->{$k};
		for my $bad (["$v", 'a string'], [$v + 0.5, 'a fraction'],
		    [JSON::PP::true, 'true'], [[$v], 'an array'], [1e30, '1e30'],
		    ($k eq 'nbf' ? () : [-$v, 'negative']), ["${v}e0", 'a string with an exponent']) {
			$h->refused_token(with($k => $bad->[0]), "$k $bad->[1]");
		}
		$h->refused_token($h->forge($hdr, { %$c, $k => undef }), "$k null");
	}
	# 9223372036854775807 and beyond: no overflow in exp - iat.
	for my $big ('9223372036854775807', '9223372036854775808', '-9223372036854775808',
	    '18446744073709551616') {
		(my $text = $json->encode({ %$c, exp => 0 })) =~ s/"exp":0/"exp":$big/;
		$h->refused_token($h->forge_raw($json->encode($hdr), $text), "exp $big");
		($text = $json->encode({ %$c, iat => 0 })) =~ s/"iat":0/"iat":$big/;
		$h->refused_token($h->forge_raw($json->encode($hdr), $text), "iat $big");
	}
	$h->refused_token($h->forge_raw($json->encode($hdr), '[' . $json->encode($c) . ']'),
		'claims that are a JSON array');
	$h->refused_token($h->forge_raw($json->encode($hdr), '"' . $c->{sub} . '"'),
		'claims that are a JSON string');
	$h->refused_token($h->forge_raw($json->encode($hdr), $json->encode($c) . ' {}'),
		'claims followed by a second JSON value');
};

subtest 'duplicated claims' => sub {
	my $text = $json->encode($c);
	for my $k (qw(iss aud sub sid jti username token_use iat exp)) {
		my $dup = $json->encode($k) . ':' . $json->encode($c->{$k});
		(my $same = $text) =~ s/\{/{$dup,/;
		$h->refused_token($h->forge_raw($json->encode($hdr), $same),
			"$k twice with the same value");
		my $other = $k =~ /^(?:iat|exp)\z/ ? $c->{$k} + 1000 : 'x' . $c->{$k};
		(my $diff = $text) =~ s/\}\z/,${\ $json->encode($k)}:${\ $json->encode($other)}}/;
		$h->refused_token($h->forge_raw($json->encode($hdr), $diff),
			"$k twice, the second different");
	}
	(my $esc = $text) =~ s/\}\z/,"s\\u0075b":"x"}/;
	$h->refused_token($h->forge_raw($json->encode($hdr), $esc),
		'sub twice, once spelled with a \\u escape');
};

subtest 'missing claims' => sub {
	for my $k (qw(iss aud sub sid jti username token_use iat exp)) {
		$h->refused_token(with($k => undef), "no $k");
	}
	$h->refused_token($h->forge($hdr, {}), 'no claims at all');
};

subtest 'times: expired, not yet valid, issued in the future, too long' => sub {
	$h->refused_token(with(iat => $now - 7200, exp => $now - 3600), 'expired an hour ago');
	$h->refused_token(with(iat => $now - 400, exp => $now - 31), 'expired just beyond the leeway');
	$h->refused_token(with(nbf => $now + 3600), 'not valid for an hour (nbf)');
	$h->refused_token(with(nbf => $now + 120), 'not valid for two minutes (nbf)');
	$h->refused_token(with(iat => $now + 3600, exp => $now + 3900), 'issued an hour in the future');
	$h->refused_token(with(iat => $now + 120, exp => $now + 300), 'issued two minutes in the future');
	$h->refused_token(with(iat => $now - 100000, exp => $now + 100), 'living longer than a day');
	$h->refused_token(with(iat => $now - 60, exp => $now + 86400 * 365 * 100), 'valid for a century');
	$h->refused_token(with(iat => 0), 'issued at the epoch');
	$h->refused_token(with(exp => $c->{iat}), 'exp equal to iat');
	$h->refused_token(with(exp => $c->{iat} - 1), 'exp before iat');
};

subtest 'wrong issuer or audience' => sub {
	for my $iss ('jwtauth', "$ISS/", uc $ISS, "$ISS ", "$ISS\0", 'https://evil.example') {
		$h->refused_token(with(iss => $iss), 'iss ' . JSON::PP->new->ascii->allow_nonref->encode($iss));
	}
	for my $aud ('https://other.example', "$AUD/", [$AUD], [$AUD, 'https://other.example'],
	    "$AUD\0") {
		$h->refused_token(with(aud => $aud), 'aud ' . JSON::PP->new->ascii->canonical->allow_nonref->encode($aud));
	}
};

subtest 'another session, another user, another use' => sub {
	my $uuid = '00000000-0000-4000-8000-000000000000';
	$h->refused_token(with(sid => $uuid), 'a session that does not exist');
	$h->refused_token(with(sub => $uuid), 'a user who does not exist, in a live session');
	$h->refused_token(with(sid => uc $c->{sid}), 'the session id in capitals');
	$h->refused_token(with(sub => "$c->{sub}' OR '1'='1"), 'SQL in sub');
	for my $use ('refresh', 'id', 'Access', 'access ', '') {
		$h->refused_token(with(token_use => $use), "token_use '$use'");
	}
	$h->refused_token(with(jti => 'short'), 'a short jti');
	$h->refused_token(with(jti => 'A' x 22 . '='), 'a jti with padding');
};

subtest 'a refresh token as an access token and the reverse' => sub {
	my $rt = $h->login->{refresh_token};
	my $at = $h->login->{access_token};
	$h->refused_token($rt, 'the refresh token as an access token');
	$h->refused_token("$rt.$rt.$rt", 'the refresh token thrice, dotted');
	$h->mark;
	my $res = $env->json(POST => '/auth/refresh', { content => { refresh_token => $at } });
	$h->is_refusal($res, 'the access token as a refresh token');
	is($res->{json}{error}, 'invalid_grant', 'is invalid_grant');
	$h->logged_refusal('the access token as a refresh token');
	$h->mark;
	$res = $env->http(GET => '/auth/refresh?next=/app/', { headers => {
		cookie => "jwtauth_rt=$at" } });
	is($res->{status}, 303, 'the access token as the refresh cookie: 303');
	like($res->{headers}{location} // '', qr{/auth/login\?next=}, 'to the login form');
	$h->logged_refusal('the access token as the refresh cookie');
	$h->mark;
	$res = $env->json(POST => '/auth/refresh', { content => { refresh_token => substr($at, 0, 43) } });
	$h->is_refusal($res, '43 characters of the access token as a refresh token');
	$h->logged_refusal('43 characters of the access token as a refresh token');
};

$h->done;
done_testing;
