package DaemonTests;

# jwtauth.fcgi as a FastCGI server of its own (-s, src/daemon.c) behind
# Apache's mod_authnz_fcgi instead of mod_fcgid's FcgidAccessChecker:
# the template is apache/dev.conf.in with the protected directory's
# checker swapped (authnz_template), and the daemon is started as the
# web server's user (start_daemon); fcgi_get asks it directly, as a
# responder.  Used by tests/e2e/39-*.t, 81-*.t and by scripts/bench.pl.

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

# authnz_template(PORT, [TEXT]): the file name of a copy of TEXT (default
# apache/dev.conf.in) whose /app/ is checked through mod_authnz_fcgi by
# the daemon on PORT.
sub authnz_template {
	my ($port, $text) = @_;
	$text //= JwtAuthTest::_slurp("$REPO/apache/dev.conf.in");
	my $mods = authnz_modules($port);
	$text =~ s{^LoadModule fcgid_module .*\n}{$&$mods}m
		or die "no mod_fcgid LoadModule line in apache/dev.conf.in\n";
	$text = authnz_block($text);
	return JwtAuthTest->temp_template($text);
}

# start_daemon(ENV, PORT, PROCESSES, [ROLE]): starts ENV's program as the
# daemon on 127.0.0.1:PORT with its config, started with -r ROLE
# (default 'authorizer'; 'both': without -r); returns its pid once it
# listens.  stop_daemon(PID) ends it and its workers.
sub start_daemon {
	my ($env, $port, $n, $role) = @_;
	$role //= 'authorizer';
	my @cmd = ($env->dir . '/jwtauth.fcgi', '-c', $env->config_file,
		($role eq 'both' ? () : ('-r', $role)),
		'-s', "127.0.0.1:$port", '-n', $n);
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

# fcgi_get(PORT, PATH, [PARAMS]): a GET of PATH sent straight to the
# daemon on 127.0.0.1:PORT as a FastCGI responder request (FastCGI 1.0
# §5, one request per connection), as a web server would for a client
# at 127.0.0.1; PARAMS (a hash reference) adds or replaces variables.
# Returns the status (from the Status header, 200 without one) and the
# body; (599, reason) when the daemon could not be asked.
sub fcgi_get {
	my ($port, $path, $params) = @_;
	my %p = (REQUEST_METHOD => 'GET', SCRIPT_NAME => $path,
		REQUEST_URI => $path, QUERY_STRING => '', HTTP_HOST => '127.0.0.1',
		REMOTE_ADDR => '127.0.0.1', SERVER_PROTOCOL => 'HTTP/1.1',
		%{ $params // {} });
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Timeout => 10)
		or return (599, "connect: $!");
	my $rec = sub { pack('CCnnCx', 1, $_[0], 1, length $_[1], 0) . $_[1] };
	my $len = sub { length $_[0] < 128 ? pack('C', length $_[0])
		: pack('N', length($_[0]) | 0x80000000) };
	my $pairs = join '', map { $len->($_) . $len->($p{$_}) . $_ . $p{$_} } sort keys %p;
	print $s $rec->(1, pack('nCx5', 1, 0)), $rec->(4, $pairs), $rec->(4, ''),
		$rec->(5, '');
	my ($out, $buf) = ('', '');
	while (1) {
		while (length $buf < 8) {
			my $n = sysread $s, $buf, 65536, length $buf;
			return (599, 'connection closed') if !$n;
		}
		my ($type, $clen, $pad) = (unpack 'CCnnC', $buf)[1, 3, 4];
		while (length $buf < 8 + $clen + $pad) {
			my $n = sysread $s, $buf, 65536, length $buf;
			return (599, 'connection closed') if !$n;
		}
		my $content = substr $buf, 8, $clen;
		substr($buf, 0, 8 + $clen + $pad) = '';
		$out .= $content if $type == 6;
		last if $type == 3;
	}
	my ($head, $body) = split /\r?\n\r?\n/, $out, 2;
	my ($status) = ($head // '') =~ /^Status:\s*(\d+)/mi;
	return ($status // 200, $body // '');
}

1;
