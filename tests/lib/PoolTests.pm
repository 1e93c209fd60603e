# What the tests of one database behind PgBouncer share (86, 78): a
# PostgreSQL of max_connections = 40 with a private PgBouncer in front of
# it (scripts/pool.sh, transaction pooling), the service's queries
# through the pool and its host listener (jwtauth.fcgi -l) direct; the
# cluster's backends and the listeners counted from outside.
package PoolTests;
use strict;
use warnings;
use Cwd ();
use File::Basename ();
use JwtAuthTest;

my $REPO = Cwd::abs_path(File::Basename::dirname(__FILE__) . '/../..');
our $POOL_SIZE = 10;
our $MAX_CONNECTIONS = 40;

# Every PgBouncer started is stopped whatever happens (the test's
# directory may be gone by then: by its pid).
my @pool_pids;
END { kill 'INT', @pool_pids if @pool_pids }

# super_psql(ENV, SQL): SQL run by the cluster's superuser over its
# socket; its unaligned output, chomped.
sub super_psql {
	my ($env, $sql) = @_;
	my $dir = $env->dir . '/pg';
	my ($port) = $env->conninfo =~ /port=(\d+)/;
	my $out = `runuser -u postgres -- psql -X -q -A -t -h $dir -p $port -d postgres -c "$sql"`;
	chomp $out;
	return $out;
}

# backends(ENV): the cluster's backends of role jwtauth (the pool's and
# the listeners').
sub backends {
	return super_psql($_[0], "SELECT count(*) FROM pg_stat_activity WHERE usename = 'jwtauth'");
}

# listener_pids(ENV): the pids of the host listeners of ENV's config.
sub listener_pids {
	my ($env) = @_;
	my $conf = $env->config_file;
	return map { /^\s*(\d+)/ ? $1 : () }
		grep { /jwtauth\.fcgi -l -c \Q$conf\E/ } `ps -eo pid=,args=`;
}

# pool_start(ENV, PORT): PgBouncer on 127.0.0.1:PORT in ENV's directory
# (ENV->dir/pool) in front of its cluster; dies when it does not start.
sub pool_start {
	my ($env, $port) = @_;
	my $dir = $env->dir;
	system("$REPO/scripts/pool.sh", 'start', "$dir/pg", "$dir/pool", $port,
		$POOL_SIZE) == 0 or die "pool.sh start failed\n";
	my ($pid) = JwtAuthTest::_slurp("$dir/pool/pid") =~ /(\d+)/;
	push @pool_pids, $pid if $pid;
}

# pool_stop(ENV): PgBouncer stopped (clients cut off).
sub pool_stop {
	system("$REPO/scripts/pool.sh", 'stop', $_[0]->dir . '/pool') == 0
		or die "pool.sh stop failed\n";
}

# pool_kill(ENV): PgBouncer killed as a crash would.
sub pool_kill {
	system("$REPO/scripts/pool.sh", 'kill', $_[0]->dir . '/pool') == 0
		or die "pool.sh kill failed\n";
}

# start(server => S, ...): JwtAuthTest->start with the cluster at
# max_connections = 40 and PgBouncer in front of it, the config's
# database through the pool and its listen_database direct (peers of
# the returned env inherit both); the pool's port is $env->{pool_port}.
sub start {
	my (%opt) = @_;
	return JwtAuthTest->start(%opt, before_server => sub {
		my ($e) = @_;
		super_psql($e, "ALTER SYSTEM SET max_connections = $MAX_CONNECTIONS");
		$e->pg_restart;
		($e->{pool_port}) = JwtAuthTest::_free_ports(1);
		pool_start($e, $e->{pool_port});
		my $pool = JwtAuthTest::_slurp($e->dir . '/pool/conninfo');
		chomp $pool;
		$e->{config}{database} = $pool;
		$e->{config}{listen_database} = $e->conninfo;
		$e->_write_config($e->{config});
	});
}

1;
