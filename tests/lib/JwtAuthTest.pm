package JwtAuthTest;

# Real servers for the end-to-end tests: a private PostgreSQL cluster and
# a web server in front of jwtauth.fcgi (Apache with mod_fcgid, or
# lighttpd with mod_fastcgi), in one directory under /tmp that is removed
# at the end (kept when JWTAUTH_KEEP=1).
#
#   my $env = JwtAuthTest->start(access_ttl => 5);   # extra config keys
#   my $env = JwtAuthTest->start(server => 'lighttpd');
#   my $env = JwtAuthTest->start(template => "$REPO/apache/x.conf.in");
#   my $env = JwtAuthTest->start(before_server => sub { my ($env) = @_;
#       ...write files into $env->dir; $env->template($file) });
#   $env->restart_server;                            # after template()
#   $env->add_user('alice', 'secret password');
#   my $res = $env->http(GET => '/auth/health');     # HTTP::Tiny response
#   my $res = $env->json(POST => '/auth/login', { content => {...} });
#   is($res->{json}{status}, 'ok');
#   my $t = $env->must_login('alice', 'secret password');
#   is($env->me($t->{access_token})->{status}, 200);
#   my ($rc, $out, $err) = $env->authctl({}, 'sessions', 'alice');
#   my $env = JwtAuthTest->start(key_alg => 'ES256'); # jwt.key made so
#   my $k2 = $env->keygen('k2.pem', 'RS256');         # another key file
#   $env->reconfigure(key_file => $k2, key_id => 'k2', ...); # restart
#   my $b = $env->peer(server => 'lighttpd');       # a second web server
#   my $standby_dir = $env->standby('pg2', 'sync'); # pg.sh standby
#   $env->pg_crash; $env->pg_promote('pg2');
#
# The programs are the ones built in this repository; JWTAUTH_FCGI and
# JWTAUTH_AUTHCTL name others (make san builds them with ASan+UBSan, and
# a test fails at its end if a sanitizer reported in the error log or in
# a command's standard error).  The FastCGI program is copied into the
# temporary directory, so the web server's user (www-data under root) can
# run it wherever the repository lives.  Every command has a time limit.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Path qw(remove_tree);
use File::Temp qw(tempdir tempfile);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use MIME::Base64 ();
use Digest::SHA ();
use POSIX qw(WNOHANG _exit);
use Scalar::Util qw(weaken);
use Test::More ();

my $REPO = abs_path(dirname(__FILE__) . '/../..');
my @LIVE;    # weak references to started environments, for END
# What a sanitizer reported (the ASan+UBSan build, make san): the test
# fails at its end when any program wrote one of these.
my $SANITIZER = qr/ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer/;
my @SAN_REPORTS;

# start(KEY => VALUE...): start everything; the pairs are written to the
# program's config file after the defaults (database, key_file,
# secret_file, base_path), an undef value removing a key (@DIR@ in a
# value stands for the test's directory, $env->dir).  The key server
# is not: it picks the web server, 'apache', 'lighttpd', 'nginx' or 'caddy' (default
# $ENV{JWTAUTH_SERVER} if not empty, else 'apache'), nor template (the web
# server's config template, default SERVER/dev.conf.in), nor before_server:
# code called as CODE->($env) once the program's config is written and
# the database migrated, just before the web server starts, to add files
# to $env->dir or set the template.  Dies with the reason on failure,
# having stopped what it had started.
sub start {
	my ($class, %config) = @_;
	my $server = delete $config{server} // ($ENV{JWTAUTH_SERVER} || 'apache');
	$server =~ /^(?:apache|lighttpd|nginx|caddy)\z/
		or die "unknown server '$server': use apache, lighttpd, nginx or caddy\n";
	my $template = delete $config{template};
	my $before = delete $config{before_server};
	my $self = bless { owner => $$, server => $server,
		template => $template, before_server => $before }, $class;
	push @LIVE, $self;
	weaken($LIVE[-1]);
	for my $sig (qw(INT TERM HUP)) {
		$SIG{$sig} = sub { exit 1 } if !$SIG{$sig} || $SIG{$sig} eq 'DEFAULT';
	}
	eval { $self->_start(\%config); 1 } or do {
		my $err = $@;
		$self->stop(1);
		die $err;
	};
	return $self;
}

# attach(port => PORT, error_log => FILE): the request helpers (http,
# json, form, run_cmd ...) for a web server started by other means (the
# simulated shared host of scripts/suexec-host.sh), on 127.0.0.1:PORT.
# Nothing is started or stopped; at the end FILE is searched for
# sanitizer reports, and its last lines are shown when tests failed.
sub attach {
	my ($class, %opt) = @_;
	my $self = bless { owner => $$, port => $opt{port},
		attached => $opt{error_log} }, $class;
	push @LIVE, $self;
	weaken($LIVE[-1]);
	return $self;
}

sub _start {
	my ($self, $config) = @_;
	my $fcgi = $ENV{JWTAUTH_FCGI} // "$REPO/cgi-bin/jwtauth.fcgi";
	my $authctl = $ENV{JWTAUTH_AUTHCTL} // "$REPO/authctl";
	-x $fcgi or die "no FastCGI program at $fcgi: run make\n";
	-x $authctl or die "no authctl at $authctl: run make\n";
	$self->{authctl} = $authctl;

	my $dir = $self->{dir} = tempdir('jwtauth-XXXXXX', DIR => '/tmp');
	chmod 0755, $dir or die "chmod $dir: $!\n";
	@$self{qw(pg_port port)} = _free_ports(2);

	copy($fcgi, "$dir/jwtauth.fcgi") or die "copy $fcgi: $!\n";
	chmod 0755, "$dir/jwtauth.fcgi" or die "chmod: $!\n";
	# The demo site, sub-directories (the protected /app/) included.
	_run({}, 'cp', '-R', "$REPO/www", "$dir/www");

	_run({}, "$REPO/scripts/pg.sh", 'init', "$dir/pg", $self->{pg_port});
	_run({}, "$REPO/scripts/pg.sh", 'start', "$dir/pg");
	$self->{conninfo} = _slurp("$dir/pg/conninfo");
	chomp $self->{conninfo};

	# jwt.key is of key_alg (HS256 unless the test says otherwise).
	$self->keygen('jwt.key', $config->{key_alg});
	$self->keygen('secret.key');
	$self->{config} = { %$config };
	$self->_write_config($config);
	_run({}, $authctl, '-c', $self->config_file, 'migrate');
	$self->{before_server}->($self) if $self->{before_server};
	$self->_server_start;
}

# _server_start: start the web server from the current template; dies
# when it does not start.
sub _server_start {
	my ($self) = @_;
	my $dir = $self->{dir};
	_run({ env => { JWTAUTH_FCGI => "$dir/jwtauth.fcgi",
			SERVER => $self->{server},
			($self->{template} ? (JWTAUTH_TEMPLATE => $self->{template}) : ()) } },
		"$REPO/scripts/server.sh", 'start', $self->{dir}, $self->{port});
}

# keygen(NAME, [ALG]): make the key file NAME in the test's directory with
# authctl keygen [--alg ALG] (HS256 when ALG is undef), owned by the web
# server's user; returns its path.  Dies on failure.
sub keygen {
	my ($self, $name, $alg) = @_;
	my $file = "$self->{dir}/$name";
	_run({}, $self->{authctl}, 'keygen', ($alg ? ('--alg', $alg) : ()),
		$file);
	_give_to_web_user($file);
	return $file;
}

# pubkey(KEY_NAME, PUB_NAME): write the public half of key file KEY_NAME
# (authctl pubkey) to PUB_NAME, readable by all; returns its path.
sub pubkey {
	my ($self, $key, $pub) = @_;
	my $out = _run({}, $self->{authctl}, 'pubkey', "$self->{dir}/$key");
	my $file = "$self->{dir}/$pub";
	open my $fh, '>', $file or die "write $file: $!\n";
	print $fh $out;
	close $fh or die "write $file: $!\n";
	chmod 0644, $file;
	return $file;
}

# reconfigure(KEY => VALUE...): change the program's config (the keys
# given to start, then these; an undef value removes a key) and restart
# the web server, so that every FastCGI process reads it anew (lighttpd
# starts its processes only at its own start).  PostgreSQL keeps
# running.  Dies on failure.
sub reconfigure {
	my ($self, %change) = @_;
	my %config = (%{ $self->{config} }, %change);
	$self->{config} = \%config;
	$self->_write_config(\%config);
	$self->restart_server;
}

# restart_server: stop the web server and start it again, from the
# template now set (template()), on the same port; the database and the
# program's config stay.  Dies when it does not start again.
sub restart_server {
	my ($self) = @_;
	_run({ env => { SERVER => $self->{server} } },
		"$REPO/scripts/server.sh", 'stop', $self->{dir});
	$self->_server_start;
}

# peer(server => S, template => T, KEY => VALUE...): a second web server
# (default: of the same kind) with its own FastCGI processes, directory,
# port and config file, as if on another host: its config is this one's
# (the keys given to start and reconfigure) and then KEY => VALUE, on this
# one's database and key files.  It is stopped when the test ends; its
# stop leaves the database alone.  Dies on failure.
sub peer {
	my ($self, %config) = @_;
	my $server = delete $config{server} // $self->{server};
	my $peer = bless { owner => $$, server => $server,
		template => delete $config{template},
		authctl => $self->{authctl}, conninfo => $self->{conninfo},
		keys_dir => $self->{dir},
		config => { %{ $self->{config} }, %config } }, ref $self;
	push @LIVE, $peer;
	weaken($LIVE[-1]);
	eval {
		my $dir = $peer->{dir} = tempdir('jwtauth-XXXXXX', DIR => '/tmp');
		chmod 0755, $dir or die "chmod $dir: $!\n";
		($peer->{port}) = _free_ports(1);
		copy("$self->{dir}/jwtauth.fcgi", "$dir/jwtauth.fcgi")
			or die "copy jwtauth.fcgi: $!\n";
		chmod 0755, "$dir/jwtauth.fcgi" or die "chmod: $!\n";
		_run({}, 'cp', '-R', "$REPO/www", "$dir/www");
		$peer->_write_config($peer->{config});
		$peer->_server_start;
		1;
	} or do {
		my $err = $@;
		$peer->stop(1);
		die $err;
	};
	return $peer;
}

sub _write_config {
	my ($self, $extra) = @_;
	my $dir = $self->{dir};
	my $keys = $self->{keys_dir} // $dir;
	my %config = (
		database    => $self->{conninfo},
		key_file    => "$keys/jwt.key",
		secret_file => "$keys/secret.key",
		base_path   => '/auth',
		%$extra,
	);
	open my $fh, '>', $self->config_file or die "write config: $!\n";
	print $fh "# Written by tests/lib/JwtAuthTest.pm.\n";
	for my $key (sort keys %config) {
		next if !defined $config{$key};
		die "config $key: a value is one line\n" if $config{$key} =~ /\n/;
		(my $value = $config{$key}) =~ s/\@DIR\@/$dir/g;
		print $fh "$key = $value\n";
	}
	close $fh or die "write config: $!\n";
}

# Accessors.
sub dir         { $_[0]{dir} }
sub server      { $_[0]{server} }    # apache, lighttpd, nginx, caddy
sub port        { $_[0]{port} }
# conninfo([NEW]): the test's libpq conninfo (psql uses it); NEW sets it.
sub conninfo    { $_[0]{conninfo} = $_[1] if @_ > 1; $_[0]{conninfo} }
sub config_file { "$_[0]{dir}/jwtauth.conf" }
sub url         { "http://127.0.0.1:$_[0]{port}$_[1]" }

# template([PATH]): the web server's config template (undef: the
# server's dev.conf.in); with PATH, sets it for the next start, as in
# before_server or before restart_server.
sub template {
	my ($self, @path) = @_;
	$self->{template} = $path[0] if @path;
	return $self->{template};
}

# temp_template(TEXT): a web server config template holding TEXT, in a
# file under /tmp removed when the test ends; returns its name (for
# start(template => ...)).
sub temp_template {
	my ($class, $text) = @_;
	my ($fh, $name) = tempfile('jwtauth-conf-XXXXXX', DIR => '/tmp',
		UNLINK => 1, SUFFIX => '.in');
	print $fh $text;
	close $fh or die "write $name: $!\n";
	return $name;
}

# add_user(NAME, PASSWORD): add a user with authctl; dies on failure.
sub add_user {
	my ($self, $name, $password) = @_;
	_run({ stdin => "$password\n" }, $self->{authctl}, '-c',
		$self->config_file, 'user', 'add', $name);
}

# authctl({stdin, env, timeout}, ARGS...): run authctl -c CONFIG ARGS as
# add_user does (the same program and user; the options and the 60 s
# limit as for _run); returns its exit status (128 + the signal number
# when a signal ended it), standard output and standard error.  It does
# not die when authctl fails, so that the test checks the status; one
# that overruns is killed and its standard error ends with a line saying
# so.
sub authctl {
	my ($self, $opt, @args) = @_;
	my ($status, $out, $err, $killed) = _spawn($opt, $self->{authctl},
		'-c', $self->config_file, @args);
	my $exit = $status & 127 ? 128 + ($status & 127) : $status >> 8;
	return ($exit, $out, $err . $killed);
}

# run_cmd({stdin, env, timeout}, COMMAND...): run any command as authctl()
# runs authctl: returns its exit status, standard output and standard
# error, without dying when it fails.
sub run_cmd {
	my ($self, $opt, @cmd) = @_;
	my ($status, $out, $err, $killed) = _spawn($opt, @cmd);
	my $exit = $status & 127 ? 128 + ($status & 127) : $status >> 8;
	return ($exit, $out, $err . $killed);
}

# http(METHOD, PATH, {headers => {...}, content => ...}): one request,
# redirects not followed; returns the HTTP::Tiny response hash (status 599
# when the request could not be made).
sub http {
	my ($self, $method, $path, $args) = @_;
	$self->{ua} //= HTTP::Tiny->new(max_redirect => 0, timeout => 10,
		agent => 'jwtauth-test');
	return $self->{ua}->request($method, $self->url($path), $args // {});
}

# json(METHOD, PATH, ARGS): http() where a reference as content is sent
# as JSON; the response gets {json}, the decoded body (undef if the body
# is not JSON).
sub json {
	my ($self, $method, $path, $args) = @_;
	my %args = %{ $args // {} };
	if (ref $args{content}) {
		$args{content} = encode_json($args{content});
		$args{headers} = { 'content-type' => 'application/json',
			%{ $args{headers} // {} } };
	}
	my $res = $self->http($method, $path, \%args);
	$res->{json} = eval { JSON::PP->new->allow_nonref->decode($res->{content}) };
	return $res;
}

# login_response(NAME, PASSWORD): POST /auth/login as JSON; returns the
# json() response, whatever its status.
sub login_response {
	my ($self, $name, $password) = @_;
	return $self->json(POST => '/auth/login',
		{ content => { username => $name, password => $password } });
}

# login(NAME, PASSWORD): JSON login; returns the decoded token response
# (access_token, refresh_token, ...) or undef when it was not a 200.
sub login {
	my ($self, $name, $password) = @_;
	my $res = $self->login_response($name, $password);
	return $res->{status} == 200 ? $res->{json} : undef;
}

# must_login(NAME, PASSWORD): login() for a test that needs the session:
# returns the token response; dies with the status and body when the
# login is not a 200.
sub must_login {
	my ($self, $name, $password) = @_;
	my $res = $self->login_response($name, $password);
	$res->{status} == 200
		or die "login $name: $res->{status} $res->{content}\n";
	return $res->{json};
}

# bearer(TOKEN): the headers of a request authenticated by TOKEN.
sub bearer { return { authorization => "Bearer $_[1]" } }

# me(ACCESS_TOKEN): GET /auth/me with the Bearer token; returns the
# json() response (200 while the token and its session are valid, 401
# otherwise).
sub me {
	my ($self, $token) = @_;
	return $self->json(GET => '/auth/me', { headers => $self->bearer($token) });
}

# refresh(REFRESH_TOKEN): POST /auth/refresh with the token as JSON;
# returns the json() response.
sub refresh {
	my ($self, $token) = @_;
	return $self->json(POST => '/auth/refresh',
		{ content => { refresh_token => $token } });
}

# refresh_answer(REFRESH_TOKEN): refresh(), told short: "ok" for a 200,
# else the status and the OAuth error ("401 invalid_grant"), or the
# status and the body when there is no error member.
sub refresh_answer {
	my ($self, $token) = @_;
	my $res = $self->refresh($token);
	return $res->{status} == 200 ? 'ok' : "$res->{status} "
		. ($res->{json}{error} // $res->{content});
}

# logout(ACCESS_TOKEN, BODY): POST /auth/logout with the Bearer token
# (none if undef) and BODY as JSON (no body at all if undef); returns the
# json() response.
sub logout {
	my ($self, $token, $body) = @_;
	my %args = (headers => defined $token ? $self->bearer($token) : {});
	$args{content} = $body if defined $body;
	return $self->json(POST => '/auth/logout', \%args);
}

# jwt_decode(TOKEN): the decoded header and payload of a JWT (not
# verified: for looking at what the service issued).
sub jwt_decode {
	my ($class, $token) = @_;
	my @seg = split /\./, $token, -1;
	my @json = map {
		(my $s = $_) =~ tr{-_}{+/};
		$s .= '=' x ((4 - length($s) % 4) % 4);
		JSON::PP->new->decode(MIME::Base64::decode_base64($s));
	} @seg[0, 1];
	return @json;
}

# b64url(BYTES): base64url without padding (RFC 7515 §2).
sub b64url {
	my ($class, $bytes) = @_;
	(my $s = MIME::Base64::encode_base64($bytes, '')) =~ tr{+/}{-_};
	$s =~ s/=+$//;
	return $s;
}

# tree_copy(DEST): a copy of this tree (its built programs included, not
# var/, tests/out/, .git or node_modules) in the new directory DEST, for
# a test of a second checkout; dies when it cannot be made.
sub tree_copy {
	my ($class, $dest) = @_;
	mkdir $dest or die "mkdir $dest: $!\n";
	system('sh', '-c', 'tar -C "$1" -cf - --exclude=./var '
		. '--exclude=./tests/out --exclude=./.git '
		. '--exclude=./tests/browser/node_modules . | tar -C "$2" -xpf -',
		'-', $REPO, $dest) == 0 or die "cannot copy the tree to $dest\n";
	return $dest;
}

# node_tap(PREFIX, SCRIPT, ARGS...): runs a walk of tests/browser
# (node SCRIPT ARGS), each of its TAP lines a test here named PREFIX and
# its name, each comment a diag; then a test that it ended cleanly.
sub node_tap {
	my ($class, $prefix, @cmd) = @_;
	open my $fh, '-|', 'node', @cmd or die "node: $!\n";
	while (my $line = <$fh>) {
		chomp $line;
		if ($line =~ /^(not )?ok \d+ - (.*)$/) {
			Test::More::ok(!$1, "$prefix$2");
		} elsif ($line =~ /^# ?(.*)$/) {
			Test::More::diag($1);
		}
	}
	close $fh;
	return Test::More::is($? >> 8, 0, "$prefix the run ended cleanly");
}

# sid_of(ACCESS_TOKEN): the "sid" claim, the session the token names
# (read without verifying, as jwt_decode); dies when there is no session
# id (36 characters of hex digits and dashes) in it.
sub sid_of {
	my ($class, $token) = @_;
	my (undef, $payload) = $class->jwt_decode($token);
	my $sid = $payload->{sid} // '';
	$sid =~ /\A[0-9a-f-]{36}\z/ or die "no sid in access token\n";
	return $sid;
}

# set_cookies(RES): the Set-Cookie headers of response RES, as a list.
sub set_cookies {
	my ($class, $res) = @_;
	my $h = $res->{headers}{'set-cookie'} // [];
	return ref $h ? @$h : ($h);
}

# cookie_jar(JAR, RES): updates hash JAR (name => value) from the
# Set-Cookie headers of RES, deleting cookies set with Max-Age=0.
sub cookie_jar {
	my ($class, $jar, $res) = @_;
	for my $c ($class->set_cookies($res)) {
		my ($name, $value) = $c =~ /^([^=]+)=([^;]*)/ or next;
		if ($c =~ /Max-Age=0(?:;|$)/) {
			delete $jar->{$name};
		} else {
			$jar->{$name} = $value;
		}
	}
	return $jar;
}

# cookie_header(JAR): the Cookie request header for the cookies in JAR.
sub cookie_header {
	my ($class, $jar) = @_;
	return join '; ', map { "$_=$jar->{$_}" } sort keys %$jar;
}

# form(PATH, JAR, FIELDS, [HEADERS]): a browser-like form POST from this
# site, carrying the cookies of JAR (updated from the answer); HEADERS
# add or override headers, undef values removing one.
sub form {
	my ($self, $path, $jar, $fields, $headers) = @_;
	my %h = (
		'content-type' => 'application/x-www-form-urlencoded',
		accept => 'text/html',
		origin => "http://127.0.0.1:$self->{port}",
		cookie => JwtAuthTest->cookie_header($jar),
		%{ $headers // {} },
	);
	# A header given as undef is not sent (e.g. origin => undef).
	delete @h{ grep { !defined $h{$_} } keys %h };
	my $res = $self->http(POST => $path, {
		headers => \%h,
		content => $self->{ua}->www_form_urlencode($fields),
	});
	JwtAuthTest->cookie_jar($jar, $res);
	return $res;
}

# hidden(HTML, NAME): the value of hidden input NAME in HTML.
sub hidden {
	my ($class, $html, $name) = @_;
	return $html =~ /<input type="hidden" name="\Q$name\E" value="([^"]*)"/
	    ? $1 : undef;
}

# sign_jwt(HEADER, CLAIMS): a JWT signed HS256 with the service's own key
# (from its key file), for tests that need a token the service did not
# issue: expired ones, or ones that differ in one claim.
sub sign_jwt {
	my ($self, $header, $claims) = @_;
	my $b64 = sub {
		(my $s = MIME::Base64::encode_base64($_[0], '')) =~ tr{+/}{-_};
		$s =~ s/=+$//;
		return $s;
	};
	open my $fh, '<', "$self->{dir}/jwt.key" or die "jwt.key: $!";
	chomp(my $text = <$fh>);
	close $fh;
	(my $std = $text) =~ tr{-_}{+/};
	$std .= '=' x ((4 - length($std) % 4) % 4);
	my $key = MIME::Base64::decode_base64($std);
	my $json = JSON::PP->new->canonical;
	my $input = $b64->($json->encode($header)) . '.' . $b64->($json->encode($claims));
	return "$input." . $b64->(Digest::SHA::hmac_sha256($input, $key));
}

# expired_access_token(NAME, PASSWORD): logs in and returns that access
# token re-signed with iat and exp an hour in the past.
sub expired_access_token {
	my ($self, $name, $password) = @_;
	my $t = $self->login($name, $password) or die "login $name failed";
	my ($h, $c) = JwtAuthTest->jwt_decode($t->{access_token});
	$c->{iat} = time - 3600;
	$c->{exp} = time - 3000;
	return $self->sign_jwt($h, $c);
}

# psql(SQL, [CONNINFO]): run SQL as role jwtauth (on the test's database,
# or the one CONNINFO names); returns psql's unaligned output.
sub psql {
	my ($self, $sql, $conninfo) = @_;
	my $out = _run({ env => { PGCONNECT_TIMEOUT => 5 } }, 'psql', '-X',
		'-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d',
		$conninfo // $self->{conninfo}, '-c', $sql);
	chomp $out;
	return $out;
}

sub pg_stop    { _run({}, "$REPO/scripts/pg.sh", 'stop', "$_[0]{dir}/pg") }
sub pg_start   { _run({}, "$REPO/scripts/pg.sh", 'start', "$_[0]{dir}/pg") }
sub pg_restart { _run({}, "$REPO/scripts/pg.sh", 'restart', "$_[0]{dir}/pg") }
# pg_crash: stop the database as a crash would (pg.sh crash).
sub pg_crash   { _run({}, "$REPO/scripts/pg.sh", 'crash', "$_[0]{dir}/pg") }

# standby(NAME, ['sync']): a streaming-replication standby of the test's
# database in the directory NAME of the test's directory, on a free port
# (scripts/pg.sh standby; synchronous with 'sync'); returns its
# directory, which holds conninfo (the standby alone) and
# conninfo-failover (both, primary first).  It stops with the test.
sub standby {
	my ($self, $name, $sync) = @_;
	my ($port) = _free_ports(1);
	my $dir = "$self->{dir}/$name";
	push @{ $self->{standbys} }, $dir;
	_run({}, "$REPO/scripts/pg.sh", 'standby', "$self->{dir}/pg", $dir,
		$port, ($sync ? ('sync') : ()));
	return $dir;
}

# pg_promote(NAME): make the standby NAME a primary; returns once it
# takes writes.
sub pg_promote {
	_run({}, "$REPO/scripts/pg.sh", 'promote', "$_[0]{dir}/$_[1]");
}

# error_log: the text of the web server's error log and of the program's
# standard error: Apache's error.log holds both; lighttpd keeps its own
# in error.log (with what the program sends as FastCGI stderr) and the
# program's standard error in stderr.log, which follows it here; under
# nginx and Caddy the program (jwtauth.fcgi -s) writes to daemon.log.
sub error_log {
	my ($self) = @_;
	return join '', map { -f $_ ? _slurp($_) : '' } $self->_log_files;
}

# _log_files: the files error_log reads.
sub _log_files {
	my ($self) = @_;
	my $run = "$self->{dir}/$self->{server}";
	return $self->{server} eq 'lighttpd'
	    ? ("$run/error.log", "$run/stderr.log")
	    : $self->{server} =~ /^(?:nginx|caddy)\z/
	    ? ("$run/error.log", "$run/daemon.log") : ("$run/error.log");
}

# stop([FAILED]): stop the web server and PostgreSQL, remove the directory
# unless JWTAUTH_KEEP=1.  Shows the end of the error log when tests
# failed.  Safe to call twice; does nothing in a forked child.
sub stop {
	my ($self, $failed) = @_;
	return if $self->{stopped} || $$ != $self->{owner};
	$self->{stopped} = 1;
	local ($?, $@, $!);
	if (my $log = $self->{attached}) {
		my $text = -f $log ? _slurp($log) : '';
		Test::More::diag("error log ($log):\n", join "\n",
			grep { defined } (split /\n/, $text)[-20 .. -1])
			if length $text && ($failed || !Test::More->builder->is_passing);
		_sanitizer_check('the error log', $text);
		return;
	}
	my $dir = $self->{dir} or return;
	if ($failed || !Test::More->builder->is_passing) {
		my @lines = split /\n/, $self->error_log;
		splice @lines, 0, -20 if @lines > 20;
		my $name = { apache => 'Apache', lighttpd => 'lighttpd',
			nginx => 'nginx', caddy => 'Caddy' }->{ $self->{server} };
		Test::More::diag("$name error log (" .
			join(', ', $self->_log_files) . '):',
			map { "\n  $_" } @lines) if @lines;
	}
	eval { _run({ env => { SERVER => $self->{server} } },
		"$REPO/scripts/server.sh", 'stop', $dir); 1 } or warn $@;
	_sanitizer_check('the error log', $self->error_log);
	eval { _run({}, "$REPO/scripts/pg.sh", 'stop', "$dir/pg"); 1 }
		or warn $@ if -f "$dir/pg/conninfo";
	for my $standby (@{ $self->{standbys} // [] }) {
		eval { _run({}, "$REPO/scripts/pg.sh", 'stop', $standby); 1 }
			or warn $@ if -f "$standby/conninfo";
	}
	if ($ENV{JWTAUTH_KEEP}) {
		Test::More::diag("JWTAUTH_KEEP: kept $dir");
	} else {
		unlink glob '/dev/shm/jwtauth-*-' . shm_hash($self->config_file);
		remove_tree($dir);
	}
}

# shm_hash(CONFIG): the part of the shared counters' name (metrics.c,
# /dev/shm/jwtauth-UID-HASH) that comes from the config file's real
# path: FNV-1a, 64 bits, in hex.
sub shm_hash {
	require Cwd;
	require Math::BigInt;
	my $path = Cwd::realpath($_[0]) // $_[0];
	my $h = Math::BigInt->from_hex('cbf29ce484222325');
	my $mod = Math::BigInt->new(2)->bpow(64);
	for my $c (unpack 'C*', $path) {
		$h->bxor($c)->bmul(Math::BigInt->from_hex('100000001b3'))->bmod($mod);
	}
	return sprintf '%016s', substr($h->as_hex, 2);
}

# A test that dies leaves its exit status in $? before its lexicals go.
sub DESTROY { $_[0]->stop($?) }

# _sanitizer_check(WHERE, TEXT): keeps the sanitizer reports in TEXT,
# with some lines after each, for END.
sub _sanitizer_check {
	my ($where, $text) = @_;
	while ($text =~ /^(.*(?:$SANITIZER).*\n(?:.*\n){0,12})/mg) {
		push @SAN_REPORTS, "$where:\n$1";
	}
}

END {
	my $failed = $?;
	$_ && $_->stop($failed) for @LIVE;
	if (@SAN_REPORTS) {
		Test::More::diag("sanitizer reports:\n", @SAN_REPORTS);
		$? = 1 if !$?;
	}
}

# _run({timeout, stdin, env}, COMMAND...): run COMMAND (60 s at most by
# default) in its own process group; returns its standard output, dies
# with its output when it fails or overruns.
sub _run {
	my ($opt, @cmd) = @_;
	my ($status, $out, $err, $killed) = _spawn($opt, @cmd);
	die $killed . $err if $killed;
	die sprintf("failed (exit %d): %s\n%s%s", $status >> 8, "@cmd",
		$out, $err) if $status;
	return $out;
}

# _spawn({timeout, stdin, env}, COMMAND...): run COMMAND (60 s at most by
# default) in its own process group, with the text stdin as its standard
# input and env added to its environment; returns its wait status ($?),
# its standard output, its standard error, and '' or, when it overran
# and was killed (TERM, then KILL half a second later), a line saying
# so.  Dies only when it cannot fork.
sub _spawn {
	my ($opt, @cmd) = @_;
	my $timeout = $opt->{timeout} // 60;
	my $out = tempfile();
	my $err = tempfile();
	my $in = tempfile();
	print $in $opt->{stdin} // '';
	seek $in, 0, 0;

	my $pid = fork // die "fork: $!\n";
	if ($pid == 0) {
		setpgrp(0, 0);
		open STDIN, '<&', $in;
		open STDOUT, '>&', $out;
		open STDERR, '>&', $err;
		@ENV{ keys %{ $opt->{env} // {} } } = values %{ $opt->{env} // {} };
		exec { $cmd[0] } @cmd or print STDERR "cannot run $cmd[0]: $!\n";
		_exit(127);
	}
	my $deadline = time + $timeout;
	my $killed = '';
	while (waitpid($pid, WNOHANG) == 0) {
		if (time > $deadline) {
			kill 'TERM', -$pid;
			select undef, undef, undef, 0.5;
			kill 'KILL', -$pid;
			waitpid($pid, 0);
			$killed = "timed out after ${timeout}s: @cmd\n";
			last;
		}
		select undef, undef, undef, 0.05;
	}
	my $status = $?;
	my $errtext = _rewind($err);
	_sanitizer_check("standard error of @cmd", $errtext);
	return ($status, _rewind($out), $errtext, $killed);
}

sub _rewind {
	my ($fh) = @_;
	seek $fh, 0, 0;
	local $/;
	return scalar(<$fh>) // '';
}

sub _slurp {
	my ($file) = @_;
	open my $fh, '<', $file or die "read $file: $!\n";
	local $/;
	return scalar <$fh>;
}

# _free_ports(N): N distinct TCP ports on 127.0.0.1 that are free now.
sub _free_ports {
	my ($n) = @_;
	my @sockets = map {
		IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
			Proto => 'tcp', Listen => 1) or die "no free port: $!\n"
	} 1 .. $n;
	return map { $_->sockport } @sockets;
}

# _give_to_web_user(FILE): under root, the web server (www-data) must own
# its secret files, which it refuses when others may read them.
sub _give_to_web_user {
	my ($file) = @_;
	return if $> != 0;
	my ($uid, $gid) = (getpwnam 'www-data')[2, 3];
	defined $uid or die "no user www-data\n";
	chown $uid, $gid, $file or die "chown $file: $!\n";
}

1;
