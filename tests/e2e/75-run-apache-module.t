# make run SERVER=apache-module (scripts/run.sh): the development servers
# with mod_jwtauth checking /app/ inside Apache.  In a copy of this tree
# (built programs included; run.sh builds the module if it is missing):
# it starts, its Apache loads the module and has no FastCGI access
# checker, /app/ refuses a request without a token and serves one with
# the demo user's Bearer token, and it stops.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP qw(decode_json encode_json);
use Test::More;
use JwtAuthTest;

my $tmp = tempdir('jwtauth-runmod-XXXXXX', DIR => '/tmp', CLEANUP => 1);
chmod 0755, $tmp;
my $co = "$tmp/co";
JwtAuthTest->tree_copy($co);

my $port = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
	Proto => 'tcp', Listen => 1)->sockport;	# closed at once: free now
my %env = (HTTP_PORT => $port, SERVER => 'apache-module');
sub run_sh {
	my ($status, $out, $err) = JwtAuthTest::_spawn({ timeout => 300, env => \%env },
		'sh', "$co/scripts/run.sh", @_);
	return ($status >> 8, "$out$err");
}
sub slurp { local (@ARGV, $/) = @_; my $s = <>; return $s }
END { run_sh('stop') if -d "$co/var" }

my ($rc, $out) = run_sh('start');
is($rc, 0, 'run.sh start with SERVER=apache-module starts') or diag $out;
like($out, qr{/app/ checked by mod_jwtauth}, 'its banner says the module checks /app/');
my $conf = slurp("$co/var/apache.conf");
# The checkout's module; under make test-san the ASan build it is given
# (JWTAUTH_MODULE, scripts/test.sh).
my $module = $ENV{JWTAUTH_MODULE} // "$co/cgi-bin/mod_jwtauth.so";
like($conf, qr{^LoadModule jwtauth_module \Q$module\E$}m,
	"its Apache loads $module");
unlike($conf, qr/^\s*FcgidAccessChecker/m, 'and has no FastCGI access checker');

my $ua = HTTP::Tiny->new(timeout => 20);
my $base = "http://127.0.0.1:$port";
my $res = $ua->get("$base/app/index.html", { headers => { accept => 'application/json' } });
is($res->{status}, 401, 'a protected page without a token is refused');
chomp(my $pw = slurp("$co/var/demo-password"));
$res = $ua->post("$base/auth/login", { headers => {
	'content-type' => 'application/json', accept => 'application/json' },
	content => encode_json({ username => 'demo', password => $pw }) });
is($res->{status}, 200, 'the demo user signs in') or diag $res->{content};
my $at = eval { decode_json($res->{content})->{access_token} } // '';
$res = $ua->get("$base/app/index.html", { headers => {
	authorization => "Bearer $at" } });
is($res->{status}, 200, 'the protected page is served with the demo user\'s token');

($rc, $out) = run_sh('stop');
is($rc, 0, 'and it stops') or diag $out;
ok(!IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Proto => 'tcp'),
	'nothing listens on its port any more');
done_testing;
