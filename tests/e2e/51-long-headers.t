# No response header is ever cut short (GitHub issue 7, section 1.6):
# the longest redirect target the service accepts (next, 2048 bytes)
# comes back whole in Location, percent-encoded where it travels in a
# query; a longer one is not cut but replaced by "/".
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start;
$env->add_user('nina', 'nina password 1');

# uri(S): S percent-encoded as buf_url() does (unreserved and / kept).
sub uri {
	my ($s) = @_;
	$s =~ s{([^A-Za-z0-9\-._~/])}{sprintf '%%%02X', ord $1}ge;
	return $s;
}

# The worst case for Location: every byte of a 2048-byte next needs
# percent-encoding on the way to the login form.
my $next = '/' . ('?' x 2047);
is(length $next, 2048, 'next is 2048 bytes, the most a redirect target may have');
my $res = $env->http(GET => '/auth/refresh?next=' . uri($next));
is($res->{status}, 303, 'GET /auth/refresh without a cookie answers 303 with the longest next');
my $want = '/auth/login?next=' . uri($next);
is(length($res->{headers}{location} // ''), length $want,
	'the Location with the longest next, percent-encoded, is not cut');
is($res->{headers}{location}, $want, 'and it leads back to exactly that next');

$res = $env->http(GET => '/auth/refresh?next=' . uri($next),
	{ headers => { 'sec-fetch-site' => 'cross-site' } });
is($res->{headers}{location}, $next, 'a cross-site GET /auth/refresh sends the whole next on');

# A form login with the longest next goes back to it whole.
my %jar;
$res = $env->http(GET => '/auth/login', { headers => { accept => 'text/html' } });
JwtAuthTest->cookie_jar(\%jar, $res);
my $csrf = JwtAuthTest->hidden($res->{content}, 'csrf');
$next = '/' . ('a' x 2047);
$res = $env->form('/auth/login', \%jar, { username => 'nina',
	password => 'nina password 1', next => $next, csrf => $csrf });
is($res->{status}, 303, 'a form login with the longest next answers 303');
is($res->{headers}{location}, $next, 'and Location carries that next whole');

# One byte more is not a local path: "/" instead, never a cut header.
$res = $env->http(GET => '/auth/refresh?next=' . uri('/' . ('?' x 2048)));
is($res->{headers}{location}, '/auth/login?next=/', 'a 2049-byte next is replaced by /');
done_testing;
