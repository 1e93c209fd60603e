# make start in a second checkout on the same machine (issue 19, "Also"):
# a checkout's kept PostgreSQL cluster whose port another program took
# since (the first checkout's cluster, say) moves to a free port when
# the servers start again (scripts/pg.sh repoint), and the development
# config's database line follows; a database line the user edited is
# left alone, and the start says exactly what to write.  The checkout is
# a copy of this tree (built programs included) in a directory of its own.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Test::More;
use JwtAuthTest;

my $tmp = tempdir('jwtauth-checkout-XXXXXX', DIR => '/tmp', CLEANUP => 1);
chmod 0755, $tmp;
my $co = "$tmp/co";
JwtAuthTest->tree_copy($co);

my $http = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
	Proto => 'tcp', Listen => 1)->sockport;	# closed at once: free now
my %env = (HTTP_PORT => $http);

sub run_sh {
	my ($status, $out, $err) = JwtAuthTest::_spawn({ timeout => 180, env => \%env },
		'sh', "$co/scripts/run.sh", @_);
	return ($status >> 8, "$out$err");
}
sub slurp { local (@ARGV, $/) = @_; my $s = <>; return $s }
sub pg_port { (slurp("$co/var/pg/conninfo") =~ / port=(\d+) /)[0] }
sub health {
	my $out = `curl -s --max-time 10 http://127.0.0.1:$http/auth/health`;
	return $out // '';
}
END { run_sh('stop') if -d "$co/var" }

my ($rc, $out) = run_sh('start');
is($rc, 0, 'the checkout starts: cluster, keys, config, web server') or diag $out;
my $first = pg_port();
like(health(), qr/"database":"ok"/, 'its service reaches its database');
($rc, $out) = run_sh('stop');
is($rc, 0, 'and stops') or diag $out;

# Another program now holds the cluster's port.
my $squatter = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $first,
	Proto => 'tcp', Listen => 1, ReuseAddr => 1) or BAIL_OUT("cannot take port $first: $!");
($rc, $out) = run_sh('start');
is($rc, 0, 'a start with the cluster\'s port taken succeeds') or diag $out;
like($out, qr/moved the cluster .* from port $first \(taken\) to \d+/,
	'it says the cluster moved, from which port');
my $second = pg_port();
isnt($second, $first, 'the conninfo names a new port');
like(slurp("$co/var/pg/pgpass"), qr/^127\.0\.0\.1:$second:jwtauth:jwtauth:/m,
	'the passfile names the new port');
like(slurp("$co/var/jwtauth.conf"), qr/^database = .* port=$second /m,
	'the config written by run.sh follows the new port');
like(health(), qr/"database":"ok"/, 'the service reaches its moved database');
($rc, $out) = run_sh('stop');

# A database line the user changed is the user's: the start stops and
# says what to write.
my $conf = slurp("$co/var/jwtauth.conf");
$conf =~ s/^(database = .*)$/$1 connect_timeout=5/m;
open my $fh, '>', "$co/var/jwtauth.conf" or die $!;
print $fh $conf;
close $fh;
my $squatter2 = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $second,
	Proto => 'tcp', Listen => 1, ReuseAddr => 1) or BAIL_OUT("cannot take port $second: $!");
($rc, $out) = run_sh('start');
isnt($rc, 0, 'an edited database line is not rewritten: the start fails');
my $third = pg_port();
like($out, qr/in \Q$co\E\/var\/jwtauth\.conf set: database = host=127\.0\.0\.1 port=$third /,
	'and says exactly which line to write');
like(slurp("$co/var/jwtauth.conf"), qr/connect_timeout=5$/m, 'the edited line is kept');
done_testing;
