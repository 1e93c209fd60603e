# The refusal of a protected page carries each of our headers once
# (GitHub issue 7, section 1.3).  Apache merges the authorizer's headers
# into those of its ErrorDocument 401, our login route, which sends its
# own; lighttpd passes the authorizer's answer on as it is.  Either way
# Cache-Control, the CSP, WWW-Authenticate and the rest appear once, for
# browsers and for JSON clients.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

# occurrences(RES, HEADER, NEEDLE): how often NEEDLE occurs in all the values of
# HEADER in RES (HTTP::Tiny keeps repeated headers as a list; Apache
# merges them into one, comma-separated).
sub occurrences {
	my ($res, $header, $needle) = @_;
	my $v = $res->{headers}{$header} // [];
	my $n = 0;
	$n += () = $_ =~ /\Q$needle\E/g for ref $v ? @$v : ($v);
	return $n;
}

for my $server ('apache', 'lighttpd') {
	my $env = JwtAuthTest->start(server => $server);
	$env->add_user('pia', 'pia password 1');
	my $expired = $env->expired_access_token('pia', 'pia password 1');
	my %clients = (
		'a browser without a session' => { accept => 'text/html' },
		'a browser with an expired access cookie' =>
			{ accept => 'text/html', cookie => "jwtauth_at=$expired" },
		'a JSON client without a token' => {},
		'a JSON client with an expired token' =>
			{ authorization => "Bearer $expired" },
	);
	for my $who (sort keys %clients) {
		my $res = $env->http(GET => '/app/index.html', { headers => $clients{$who} });
		is($res->{status}, 401, "$server: $who is refused with 401");
		is(occurrences($res, 'cache-control', 'no-store'), 1,
			"$server: $who gets Cache-Control: no-store once");
		is(occurrences($res, 'x-content-type-options', 'nosniff'), 1,
			"$server: $who gets X-Content-Type-Options once");
		if ($who =~ /browser/) {
			is(occurrences($res, 'content-security-policy', "default-src 'none'"), 1,
				"$server: $who gets our Content-Security-Policy once");
			is(occurrences($res, 'x-frame-options', 'DENY'), 1,
				"$server: $who gets X-Frame-Options once");
			is(occurrences($res, 'referrer-policy', 'same-origin'), 1,
				"$server: $who gets Referrer-Policy once");
		} else {
			is(occurrences($res, 'www-authenticate', 'Bearer'), 1,
				"$server: $who gets one WWW-Authenticate challenge");
			is(occurrences($res, 'content-type', 'application/json'), 1,
				"$server: $who gets JSON once");
		}
	}
	$env->stop;
}
done_testing;
