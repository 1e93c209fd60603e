package BenchServers;

# The set-up of make bench's servers (scripts/bench.pl), each started
# from its real config with the bench's directories beside /app/: Apache
# and lighttpd with FastCGI authorizers (prepare_fcgi: see bench.pl's
# head comment), and
#   apache-module  Apache with mod_jwtauth (apache/module-test.conf.in):
#                  /static/ unprotected, /app/ checked by the module with
#                  the dev config (revocation_check cached), /oidc/ behind
#                  Debian's mod_auth_openidc verifying the same HS256 token
#                  in-process (AuthType oauth20, OIDCOAuthVerifySharedKeys;
#                  it consults no revocation list); bench.pl starts a
#                  second Apache from the same template (a peer: one
#                  JwtAuthConfig per Apache server) to check /app/ with
#                  revocation_check = strict.
#   nginx          nginx/dev.conf.in: /static/ unprotected, /app/ behind
#                  auth_request to jwtauth.fcgi -s, /noop/ behind the same
#                  auth_request to bench/noop-authz, as many processes on a
#                  socket of their own through the same FastCGI hop
#                  (the same upstream and location settings): the ratio
#                  is what our check costs, not what the hop costs.
# Each prepare_* is a before_server hook of JwtAuthTest->start.

use strict;
use warnings;

use File::Copy qw(copy);
use File::Path qw(make_path);
use IO::Socket::UNIX;
use MIME::Base64 qw(decode_base64);
use POSIX ();
use Socket qw(SOCK_STREAM);

use DaemonTests;
use JwtAuthTest;
use PoolTests;

# The kid of the bench's HS256 key, for mod_auth_openidc's key list.
our $KID = 'bench';
# Processes of bench/noop-authz behind nginx: those of jwtauth.fcgi -s
# there (scripts/server.sh, JWTAUTH_WORKERS, default 4).
our $NOOP_PROCS = $ENV{JWTAUTH_WORKERS} || 4;

my @noop_pids;    # bench/noop-authz processes started by noop_start
END { noop_stop() }

# prepare_fcgi(ENV, REPO, PROCS): the set-up of the apache and lighttpd
# sets, with FastCGI authorizers (a before_server hook; PROCS: processes
# of jwtauth -s for /daemon/ on Apache, started by bench.pl on the port
# it leaves in ENV->{bench_daemon}).  Adds the bench's
# directories to the site (each with a copy of www/app/index.html), the
# no-op authorizer, the strict config (the program's config plus
# revocation_check = strict) and the pooled one (strict, its database
# through a PgBouncer started here in ENV->dir/pool) to ENV's directory,
# and a template: the server's dev.conf.in with /noop/, /strict/ and
# /pooled/ protected as /app/ is, with the no-op authorizer, the strict
# and the pooled config (on Apache, FcgidMaxProcesses grows by what
# these three classes may take).  Dies on error.
sub prepare_fcgi {
	my ($env, $repo, $procs) = @_;
	my $dir = $env->dir;
	site($dir, $repo, qw(static noop strict pooled daemon gated));
	copy("$repo/bench/noop-authz", "$dir/noop-authz")
	    or die "BenchServers: no bench/noop-authz ($!): run make"
	    . " bench/noop-authz\n";
	chmod 0755, "$dir/noop-authz";
	my $conf = $env->config_file;
	write_file("$dir/strict.conf", slurp($conf)
	    . "revocation_check = strict\n");
	# Every class's processes hold a connection of their own (the
	# pooled ones only through PgBouncer's ten): more than PostgreSQL's
	# default 100 once /pooled/ is added on Apache.
	PoolTests::super_psql($env, 'ALTER SYSTEM SET max_connections = 400');
	$env->pg_restart;
	my ($pool_port) = JwtAuthTest::_free_ports(1);
	PoolTests::pool_start($env, $pool_port);
	my $pool = slurp("$dir/pool/conninfo");
	chomp $pool;
	(my $pooled = slurp("$dir/strict.conf")) =~
	    s{^database = (.*)$}{database = $pool\nlisten_database = $1}m
	    or die "BenchServers: no database line in $conf\n";
	write_file("$dir/pooled.conf", $pooled);
	my @st = stat $conf;
	for my $f ("$dir/strict.conf", "$dir/pooled.conf") {
		chmod $st[2] & 07777, $f;
		chown $st[4], $st[5], $f;
	}

	my $server = $env->server;
	my $dev = slurp("$repo/$server/dev.conf.in");
	my $app = app_block($server, $dev);
	my ($noop, $strict, $pooled_block) = ($app, $app, $app);
	if ($server eq 'apache') {
		$noop =~ s{"\@DOCROOT\@/app"}{"\@DOCROOT\@/noop"};
		$strict =~ s{"\@DOCROOT\@/app"}{"\@DOCROOT\@/strict"};
		$pooled_block =~ s{"\@DOCROOT\@/app"}{"\@DOCROOT\@/pooled"};
		$noop =~ s{^(\s*FcgidAccessChecker\s+)"[^"]*"}
		    {$1"$dir/noop-authz"}m;
	} else {
		$noop =~ s{/app\b}{/noop}g;
		$strict =~ s{/app\b}{/strict}g;
		$pooled_block =~ s{/app\b}{/pooled}g;
		$pooled_block =~ s{authz\.sock}{pooled.sock};
		$noop =~ s{("bin-path" => )"[^"]*"}{$1"$dir/noop-authz"};
		$noop =~ s{authz\.sock}{noop.sock};
		$strict =~ s{authz\.sock}{strict.sock};
	}
	$strict =~ s{\@CONF\@}{$dir/strict.conf}g;
	$pooled_block =~ s{\@CONF\@}{$dir/pooled.conf}g;
	my $head = "\n# Added by scripts/BenchServers: /noop/, /strict/ and"
	    . " /pooled/, as /app/ above,\n# with bench/noop-authz, with"
	    . " revocation_check = strict, and strict through\n# PgBouncer.\n";
	# Three more classes: the total grows by what they may take, so
	# that each class has the room it has in the dev config.
	if ($server eq 'apache' && $dev =~
	    /^\s*FcgidMaxProcessesPerClass\s+(\d+)/m) {
		my $per = $1;
		$dev =~ s{^(\s*FcgidMaxProcesses\s+)(\d+)}
		    {"$1" . ($2 + 3 * $per)}me
		    and $head .= "# FcgidMaxProcesses above: the dev config's"
		    . " plus 3 x $per for these three classes.\n";
	}
	# Apache: /daemon/ as /app/, checked by jwtauth -s (started after
	# the server, bench_server) through mod_authnz_fcgi.
	my $daemon = '';
	if ($server eq 'apache') {
		($env->{bench_daemon}) = JwtAuthTest::_free_ports(1);
		my $mods = DaemonTests::authnz_modules($env->{bench_daemon});
		$dev =~ s{^LoadModule fcgid_module .*\n}{$&$mods}m
		    or die "BenchServers: no mod_fcgid LoadModule line\n";
		($daemon = DaemonTests::authnz_block($app)) =~
		    s{"\@DOCROOT\@/app"}{"\@DOCROOT\@/daemon"};
		$head .= "# /daemon/: jwtauth.fcgi -s with $procs"
		    . " processes, through mod_authnz_fcgi.\n";
	}
	# Apache: /gated/ in gatekeeper mode (gate_path in %BENCH_CONFIG),
	# the program run as plain CGI from /gatecgi/.
	my $gate = '';
	if ($server eq 'apache') {
		make_path("$dir/www/gatecgi");
		copy("$dir/jwtauth.fcgi", "$dir/www/gatecgi/jwtauth.cgi")
		    or die "BenchServers: copy to $dir/www/gatecgi: $!\n";
		chmod 0755, "$dir/www/gatecgi/jwtauth.cgi";
		$gate = <<"EOT";
# /gated/: every request rewritten to jwtauth as plain CGI, which checks
# the session and sends the file (apache/shared-hosting/gate.htaccess).
<Directory "\@DOCROOT\@/gated">
    Options +SymLinksIfOwnerMatch
    CGIPassAuth On
    RewriteEngine On
    RewriteRule ^ /gatecgi/jwtauth.cgi [L]
</Directory>
<Directory "\@DOCROOT\@/gatecgi">
    Options +ExecCGI
    SetHandler cgi-script
    CGIPassAuth On
    SetEnv JWTAUTH_CONFIG \@CONF\@
</Directory>
EOT
	}
	write_file("$dir/bench.conf.in", $dev . $head . $noop . $strict . $pooled_block
	    . $daemon . $gate);
	$env->template("$dir/bench.conf.in");
}

# app_block(SERVER, TEXT): the part of dev.conf.in TEXT that protects
# /app/ (Apache's <Directory "@DOCROOT@/app"> section, lighttpd's
# $HTTP["url"] =~ "^/app(/|$)" block), from its first line to its last.
# Dies when there is none.
sub app_block {
	my ($server, $text) = @_;
	my $re = $server eq 'apache'
	    ? qr{^<Directory "\@DOCROOT\@/app">\n.*?^</Directory>\n}ms
	    : qr{^\$HTTP\["url"\] =~ "\^/app\(/\|\$\)" \{\n.*?^\}\n}ms;
	$text =~ /($re)/ or die "BenchServers: $server/dev.conf.in: no /app/"
	    . " section to copy\n";
	return $1;
}

# prepare_module(ENV, REPO): the site and template of the apache-module
# set: www/static and www/oidc (copies of www/app/index.html), and
# ENV->dir/bench-module.conf.in: apache/module-test.conf.in with
# mod_auth_openidc loaded, given the HS256 key of ENV's config (its kid
# $KID: start the environment with key_id => $KID), and /oidc/ behind it.
# Dies on error.
sub prepare_module {
	my ($env, $repo) = @_;
	my $dir = $env->dir;
	my $so = '/usr/lib/apache2/modules/mod_auth_openidc.so';
	-f "$repo/cgi-bin/mod_jwtauth.so" or die "BenchServers: no"
	    . " cgi-bin/mod_jwtauth.so: run make apache-module\n";
	-f $so or die "BenchServers: no $so: scripts/deps.sh bench\n";
	site($dir, $repo, qw(static oidc));
	my $key = slurp("$dir/jwt.key");
	$key =~ s/\s+//g;
	$key =~ tr{-_}{+/};
	my $hex = unpack 'H*', decode_base64($key);
	length $hex >= 64 or die "BenchServers: jwt.key: no key\n";
	my $pass = unpack 'H*', join '', map { chr int rand 256 } 1 .. 16;
	my $conf = slurp("$repo/apache/module-test.conf.in");
	# AuthType is mod_authn_core's, Require valid-user mod_authz_user's.
	my $load = '';
	for my $m (qw(authn_core authz_user)) {
		$load .= "<IfModule !${m}_module>\n    LoadModule ${m}_module"
		    . " /usr/lib/apache2/modules/mod_$m.so\n</IfModule>\n";
	}
	$load .= "LoadModule auth_openidc_module $so\n";
	$conf =~ s{^(LoadModule jwtauth_module .*\n)}{$1$load}m
	    or die "BenchServers: no jwtauth_module line in"
	    . " apache/module-test.conf.in\n";
	$conf .= <<"EOT";

# Added by scripts/bench.pl: /oidc/ behind Debian's mod_auth_openidc as
# an OAuth 2.0 resource server verifying the same HS256 access token
# in-process (signature, exp, iat), with no revocation list.
# The key, in a file only root reads (Apache reads its config as root).
Include "$dir/oidc-key.conf"
<Directory "\@DOCROOT\@/oidc">
    AuthType oauth20
    Require valid-user
    Header always set Cache-Control "no-store"
</Directory>
EOT
	write_file("$dir/oidc-key.conf", "OIDCCryptoPassphrase $pass\n"
	    . "OIDCOAuthVerifySharedKeys hex#$KID#$hex\n");
	write_file("$dir/bench-module.conf.in", $conf);
	$env->template("$dir/bench-module.conf.in");
}

# prepare_nginx(ENV, REPO): the site and template of the nginx set:
# www/static and www/noop, ENV->dir/bench-nginx.conf.in (nginx/
# dev.conf.in with /noop/ as /app/ but for its check, asked of the
# no-op upstream on ENV->dir/noop.sock), and bench/noop-authz started
# there ($NOOP_PROCS processes).  Dies on error.
sub prepare_nginx {
	my ($env, $repo) = @_;
	my $dir = $env->dir;
	site($dir, $repo, qw(static noop));
	copy("$repo/bench/noop-authz", "$dir/noop-authz")
	    or die "BenchServers: no bench/noop-authz ($!): run make"
	    . " bench/noop-authz\n";
	chmod 0755, "$dir/noop-authz";
	my $conf = slurp("$repo/nginx/dev.conf.in");
	my ($up) = $conf =~ /^(\tupstream jwtauth \{\n.*?^\t\}\n)/ms
	    or die "BenchServers: nginx/dev.conf.in: no upstream jwtauth\n";
	my ($check) = $conf =~
	    /^(\t\tlocation = \/_jwtauth_check \{\n.*?^\t\t\}\n)/ms
	    or die "BenchServers: nginx/dev.conf.in: no check location\n";
	(my $noop_up = $up) =~ s/upstream jwtauth/upstream noop/;
	$noop_up =~ s{server unix:\S+;}{server unix:$dir/noop.sock;};
	(my $noop_check = $check) =~ s{/_jwtauth_check}{/_noop_check};
	$noop_check =~ s{fastcgi_pass jwtauth;}{fastcgi_pass noop;};
	my $noop_loc = <<'EOT';
		# Added by scripts/bench.pl: /noop/ as /app/, its check asked of
		# bench/noop-authz through the same FastCGI hop.
		location /noop/ {
			auth_request /_noop_check;
			auth_request_set $noop_user $upstream_http_x_auth_user;
			auth_request_set $noop_sub $upstream_http_x_auth_sub;
			auth_request_set $noop_sid $upstream_http_x_auth_sid;
			add_header Cache-Control no-store always;
			add_header X-Content-Type-Options nosniff always;
		}
EOT
	$conf =~ s{^(\tserver \{\n)}{$noop_up\n$1}m
	    and $conf =~ s{^(\t\tlocation /app/ \{\n)}{$noop_check$noop_loc$1}m
	    or die "BenchServers: nginx/dev.conf.in: no place for /noop/\n";
	write_file("$dir/bench-nginx.conf.in", $conf);
	$env->template("$dir/bench-nginx.conf.in");
	noop_start($dir, "$dir/noop.sock");
}

# noop_start(DIR, SOCKET): $NOOP_PROCS processes of DIR/noop-authz
# (copied from bench/) accepting on one Unix socket SOCKET as their
# standard input (FastCGI 1.0 §2.2), as jwtauth.fcgi -s keeps its
# workers, as the web server's user when run as root.  noop_stop ends
# them (also at exit).  Dies on error.
sub noop_start {
	my ($dir, $path) = @_;
	unlink $path;
	my $sock = IO::Socket::UNIX->new(Type => SOCK_STREAM, Local => $path,
	    Listen => 256) or die "BenchServers: listen on $path: $!\n";
	my ($uid, $gid) = $> == 0 ? (getpwnam 'www-data')[2, 3] : ($>, $));
	chown $uid, $gid, $path;
	chmod 0660, $path;
	for (1 .. $NOOP_PROCS) {
		my $pid = fork // die "BenchServers: fork: $!\n";
		if (!$pid) {
			POSIX::dup2(fileno $sock, 0) // POSIX::_exit(126);
			open STDOUT, '>', '/dev/null';
			if ($> == 0) {
				POSIX::setgid($gid) && POSIX::setuid($uid)
				    or POSIX::_exit(126);
			}
			exec { "$dir/noop-authz" } "$dir/noop-authz"
			    or POSIX::_exit(127);
		}
		push @noop_pids, $pid;
	}
	close $sock;
}

# noop_stop: ends the processes noop_start started; safe to call twice.
sub noop_stop {
	local ($?, $!);
	kill 'TERM', @noop_pids if @noop_pids;
	waitpid $_, 0 for @noop_pids;
	@noop_pids = ();
}

# noop_pids: the processes noop_start started, for the CPU count.
sub noop_pids { @noop_pids }

# site(DIR, REPO, SUB...): DIR/www/SUB/index.html, a copy of /app/'s,
# for each SUB.  Dies on error.
sub site {
	my ($dir, $repo, @sub) = @_;
	for my $sub (@sub) {
		make_path("$dir/www/$sub");
		copy("$repo/www/app/index.html", "$dir/www/$sub/index.html")
		    or die "BenchServers: copy to $dir/www/$sub: $!\n";
	}
}

sub slurp {
	my ($file) = @_;
	open my $fh, '<', $file or die "BenchServers: read $file: $!\n";
	local $/;
	return scalar <$fh>;
}

# write_file(FILE, TEXT): FILE, readable by its owner alone, holds TEXT.
sub write_file {
	my ($file, $text) = @_;
	open my $fh, '>', $file or die "BenchServers: write $file: $!\n";
	print $fh $text;
	close $fh or die "BenchServers: write $file: $!\n";
	chmod 0600, $file;
}

1;
