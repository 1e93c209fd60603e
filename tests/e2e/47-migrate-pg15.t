# PostgreSQL 15 and a database made by another role (as a host's panel
# does): the user may not create in schema public (SQLSTATE 42501).
# authctl migrate says what the owner must run; after the owner made a
# schema of the user's own, migrate and the self-check pass.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start;
my $dir = $env->dir;

# owner_sql(DB, SQL): SQL as the cluster's superuser over its socket.
sub owner_sql {
	my ($db, $sql) = @_;
	my @su = $> == 0 ? ('runuser', '-u', 'postgres', '--') : ();
	system(@su, 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', "$dir/pg",
		'-p', $env->{pg_port}, '-d', $db, '-c', $sql) == 0
		or die "psql failed: $sql\n";
}

owner_sql('postgres', 'CREATE DATABASE panel_made');	# owned by the superuser
my $conf = do { local (@ARGV, $/) = $env->config_file; <> };
$conf =~ s/dbname=jwtauth\b/dbname=panel_made/ or die 'no dbname in conninfo';
open my $fh, '>', $env->config_file or die $!;
print $fh $conf;
close $fh or die $!;
# The passfile names the database too: the same password for this one.
my ($passfile) = $conf =~ /passfile=(\S+)/ or die 'no passfile';
my $pass = do { local (@ARGV, $/) = $passfile; <> };
$pass =~ s/^([^:]*:[^:]*):jwtauth:/$1:panel_made:/m or die 'no pgpass line';
open $fh, '>>', $passfile or die $!;
print $fh $pass;
close $fh or die $!;

my ($rc, $out, $err) = $env->authctl({}, 'migrate');
is($rc, 1, 'migrate: refused in a database owned by another role');
like($err, qr/jwtauth may not create tables here \(SQLSTATE 42501\)/,
	'migrate: says why, with the SQLSTATE');
like($err, qr/^  CREATE SCHEMA "jwtauth" AUTHORIZATION "jwtauth";$/m,
	'migrate: gives the CREATE SCHEMA fix');
like($err, qr/^  GRANT CREATE ON SCHEMA public TO "jwtauth";$/m,
	'migrate: and the GRANT fix');

owner_sql('panel_made', 'CREATE SCHEMA jwtauth AUTHORIZATION jwtauth');
($rc, $out, $err) = $env->authctl({}, 'migrate');
is($rc, 0, 'migrate: works once the owner made the schema') or diag $err;
like($out, qr/^applied 001/m, 'migrate: applied the migrations');
($rc, $out) = $env->authctl({}, 'check');
is($rc, 0, 'check: passes on the schema of its own') or diag $out;
done_testing;
