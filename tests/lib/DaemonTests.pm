package DaemonTests;

# jwtauth.fcgi as a FastCGI server of its own (-s, src/daemon.c) behind
# Apache's mod_authnz_fcgi instead of mod_fcgid's FcgidAccessChecker:
# the template is apache/dev.conf.in with the protected directory's
# checker swapped (authnz_template), and the daemon is started as the
# web server's user (start_daemon).  Used by tests/e2e/39-*.t and by
# scripts/bench.pl.

use strict;
use warnings;
use Cwd ();
use File::Basename ();
use IO::Socket::INET;
use POSIX qw(_exit);
use JwtAuthTest;

my $REPO = Cwd::abs_path(File::Basename::dirname(__FILE__) . '/../..');

# authnz_modules(PORT): the lines that load mod_authnz_fcgi (and what
# Require valid-user needs) and define the provider "jwtauth" for the
# daemon on 127.0.0.1:PORT.
sub authnz_modules {
	my ($port) = @_;
	return join "\n",
	    'LoadModule auth_basic_module /usr/lib/apache2/modules/mod_auth_basic.so',
	    'LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so',
	    'LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so',
	    'LoadModule authnz_fcgi_module /usr/lib/apache2/modules/mod_authnz_fcgi.so',
	    "AuthnzFcgiDefineProvider authnz jwtauth fcgi://127.0.0.1:$port/", '';
}

# authnz_block(TEXT): TEXT (a <Directory> section of dev.conf.in) with
# its FcgidAccessChecker lines replaced by the mod_authnz_fcgi ones.
sub authnz_block {
	my ($text) = @_;
	$text =~ s{^(\s*)FcgidAccessChecker .*\n\s*FcgidAccessCheckerAuthoritative On\n}{$1AuthType jwtauth
$1AuthName jwtauth
$1AuthnzFcgiCheckAuthnProvider jwtauth Authoritative On RequireBasicAuth Off UserExpr "%{reqenv:REMOTE_USER}"
$1Require valid-user
}m or die "no FcgidAccessChecker to replace\n";
	return $text;
}

# authnz_template(PORT): the file name of a copy of apache/dev.conf.in
# whose /app/ is checked through mod_authnz_fcgi by the daemon on PORT.
sub authnz_template {
	my ($port) = @_;
	my $text = JwtAuthTest::_slurp("$REPO/apache/dev.conf.in");
	my $mods = authnz_modules($port);
	$text =~ s{^LoadModule fcgid_module .*\n}{$&$mods}m
		or die "no mod_fcgid LoadModule line in apache/dev.conf.in\n";
	$text = authnz_block($text);
	return JwtAuthTest->temp_template($text);
}

# start_daemon(ENV, PORT, PROCESSES): starts ENV's program as the daemon
# on 127.0.0.1:PORT with its config; returns its pid once it listens.
# stop_daemon(PID) ends it and its workers.
sub start_daemon {
	my ($env, $port, $n) = @_;
	my @cmd = ($env->dir . '/jwtauth.fcgi', '-c', $env->config_file,
		'-r', 'authorizer', '-s', "127.0.0.1:$port", '-n', $n);
	my $pid = fork // die "fork: $!\n";
	if (!$pid) {
		open STDIN, '<', '/dev/null';
		open STDERR, '>>', $env->dir . '/daemon.log';
		if ($> == 0) {
			# As the web server's user, who owns the key files.
			my ($uid, $gid) = (getpwnam 'www-data')[2, 3];
			POSIX::setgid($gid) && POSIX::setuid($uid) or _exit(126);
		}
		exec @cmd or _exit(127);
	}
	# Listening, and still alive: a daemon that could not bind exits,
	# and whatever took the port would answer instead.
	for (1 .. 100) {
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port");
		if ($s && JwtAuthTest::_slurp($env->dir . '/daemon.log') =~ /listening on/) {
			select undef, undef, undef, 0.2;
			return $pid if waitpid($pid, POSIX::WNOHANG()) == 0;
			last;
		}
		select undef, undef, undef, 0.05;
	}
	die "the daemon does not listen on $port: "
	    . JwtAuthTest::_slurp($env->dir . '/daemon.log') . "\n";
}

sub stop_daemon {
	my ($pid) = @_;
	kill 'TERM', $pid;
	waitpid $pid, 0;
}

1;
