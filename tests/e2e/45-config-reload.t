# Config changes take effect without root: a FastCGI process that
# notices its config file (or a key file) changed reads it again before
# it answers (src/reload.c; tests/e2e/81-never-stale.t asserts the very
# next request of every process).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start(access_ttl => 300);
$env->add_user('mona', 'mona password 1');
is($env->must_login('mona', 'mona password 1')->{expires_in}, 300,
	'reload: access_ttl 300 at first');

# Replace the file as an editor would (new inode), with a new setting.
my $file = $env->config_file;
my $conf = do { local (@ARGV, $/) = $file; <> };
$conf =~ s/^access_ttl = 300$/access_ttl = 120/m or die 'no access_ttl';
open my $fh, '>', "$file.new" or die $!;
print $fh $conf;
close $fh or die $!;
chmod 0644, "$file.new";
rename "$file.new", $file or die $!;
select undef, undef, undef, 1.1;	# checks are made at most once a second

# Each process answers at most one request with the old file.
my @seen = map { $env->must_login('mona', 'mona password 1')->{expires_in} } 1 .. 8;
my ($first) = grep { $seen[$_] == 120 } 0 .. $#seen;
ok(defined $first, 'reload: the new access_ttl takes effect') or diag "@seen";
ok(defined $first && !grep({ $_ != 120 } @seen[$first .. $#seen]),
	'reload: and stays in effect') or diag "@seen";
like($env->error_log, qr/jwtauth: \Q$file\E changed: configuration reloaded/,
	'reload: the log says why the process read it again');
is($env->json(GET => '/auth/health')->{status}, 200, 'reload: the service answers');
# No process exits for a reload: none races mod_fcgid, which may hand
# it the next request.
unlike($env->error_log, qr/End of script output|error reading data/,
	'reload: no request reached a process on its way out');
done_testing;
