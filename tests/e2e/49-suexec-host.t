# The shared-hosting guide (docs/shared-hosting.md), followed as written
# on a simulated shared host (scripts/suexec-host.sh: Apache with suexec, the account
# jwtsite, AllowOverride AuthConfig FileInfo Indexes Options=ExecCGI,
# mod_fcgid at its defaults, a database owned by the panel's role).  The
# command blocks are taken from docs/shared-hosting.md (those after a
# "<!-- suexec-host: NAME -->" line) and run as the account, with only the
# values a user fills in replaced.  Then the site is used as a visitor
# would, and the same site is tried without mod_headers, without suexec
# and without mod_fcgid (plain CGI).  Needs root: it adds an account and
# changes /etc/apache2/suexec/www-data, both undone at the end.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Cwd qw(abs_path);
use File::Copy qw(copy);
use File::Temp qw(tempdir);
use JSON::PP;
use Test::More;
use JwtAuthTest;
use RouteWalk qw(walk_routes);

my $repo = abs_path("$FindBin::Bin/../..");
if ($> != 0) {
	# make test runs as root in CI: there it must not be skipped.
	plan skip_all => 'needs root (an account, suexec)' if !$ENV{CI};
	fail('run as root: CI must not skip the suexec host');
	done_testing;
	exit;
}
my $fcgi = $ENV{JWTAUTH_FCGI} // "$repo/cgi-bin/jwtauth.fcgi";
my $authctl = $ENV{JWTAUTH_AUTHCTL} // "$repo/authctl";
-x $fcgi && -x $authctl or BAIL_OUT("no programs: run make");

my $script = "$repo/scripts/suexec-host.sh";
my $dir = tempdir('jwtauth-suexec-XXXXXX', DIR => '/tmp');
my $web;

# host(ARGS...): scripts/suexec-host.sh ARGS for this test's host.
sub host {
	my ($cmd, @opt) = @_;
	my ($rc, $out, $err) = JwtAuthTest->run_cmd({ timeout => 120 },
		$script, $cmd, $dir, @opt);
	die "suexec-host.sh $cmd @opt failed ($rc): $out$err" if $rc;
}

sub teardown {
	return if !$dir;
	$web->stop if $web;
	return if $ENV{JWTAUTH_KEEP} && !$_[0];
	JwtAuthTest->run_cmd({ timeout => 60 }, $script, 'teardown', $dir);
}
END { teardown() }

# A previous run that was killed may have left the account behind.
teardown(1);
host('setup');
host('start');
my %host = do {
	open my $fh, '<', "$dir/host.env" or die "host.env: $!";
	map { /^(\w+)=(.*)$/ ? ($1, $2) : () } <$fh>;
};
my $home = $host{SITE_HOME};
my $user = $host{SITE_USER};
$web = JwtAuthTest->attach(port => $host{SITE_PORT},
	error_log => "$dir/apache/error.log");

# The guide's blocks, the values a user fills in replaced.
my $guide = do { local (@ARGV, $/) = "$repo/docs/shared-hosting.md"; <> };
$guide =~ /\A# Shared hosting, step by step/
	or die 'docs/shared-hosting.md is not the shared-hosting guide';
my %block;
while ($guide =~ /^([ \t]*)<!-- suexec-host: ([\w-]+(?: \d+)?) -->\n\1```sh\n(.*?)^\1```$/msg) {
	my ($indent, $name, $text) = ($1, $2, $3);
	$text =~ s/^\Q$indent\E//mg;
	$text =~ s{https://www\.example\.org}{$host{SITE_URL}}g;
	$text =~ s/db\.example\.net/$host{DB_HOST}/g;
	$text =~ s/\b5432\b/$host{DB_PORT}/g;
	$text =~ s/\bUSER_auth\b/$host{DB_NAME}/g;
	$text =~ s/\bPASSWORD\b/$host{DB_PASSWORD}/g;
	$block{$name} = $text;
}
my ($numbered) = $guide =~ /\A(.+?)(?=^## |\z)/ms;	# the numbered steps
my @steps = $numbered =~ /^(\d+)\. \*\*/mg;
ok(@steps && @steps <= 10 && $steps[-1] == @steps,
	'the guide has at most ten numbered steps (' . scalar(@steps) . ')');
ok($block{$_}, "guide: a command block for $_") for
	('step 1', 'build', map({ "step $_" } 3 .. 9), 'handler', 'plain-cgi',
	'plain-cgi-check', 'gatekeeper');
# The program must never lie in the web space without the .htaccess that
# makes it a handler: until then anyone could download it.
for my $name ('step 7', 'plain-cgi') {
	my $htaccess = index($block{$name} // '', '/public_html/auth/.htaccess');
	my $program = index($block{$name} // '', 'cgi-bin/jwtauth.fcgi ');
	ok($htaccess >= 0 && $program > $htaccess,
		"guide: $name puts the .htaccess in place before the program");
}

# as_user(NAME, [STDIN]): run the guide's block NAME as the account with sh -e
# from its home directory and a login-like environment; returns exit
# status and output (standard error after standard output).
sub as_user {
	my ($name, $stdin) = @_;
	my ($rc, $out, $err) = JwtAuthTest->run_cmd(
		{ stdin => $stdin // '', timeout => 60 },
		'runuser', '-u', $user, '--', 'env', '-i', "HOME=$home",
		"USER=$user", "LOGNAME=$user", 'PATH=/usr/local/bin:/usr/bin:/bin',
		'sh', '-e', '-c', "cd && $block{$name}");
	return ($rc, $out . $err);
}

# run_step(NAME, [STDIN]): as_user, as a test that it exits 0.
sub run_step {
	my ($name, $stdin) = @_;
	my ($rc, $out) = as_user($name, $stdin);
	is($rc, 0, "guide: $name runs as $user") or diag($out);
	return $out;
}

my $out = run_step('step 1');
like($out, qr/^scripts run as you/m, 'step 1: this host runs scripts as the account (suexec)');
# A mistyped port is a failed curl, not a host without suexec.
($block{'step 1, wrong port'} = $block{'step 1'}) =~
	s{\Q$host{SITE_URL}\E}{http://127.0.0.1:1}g;
my ($rc1, $out1) = as_user('step 1, wrong port');
is($rc1, 0, 'step 1 with a wrong port still runs to its end');
like($out1, qr/^could not ask the host: curl failed/m,
	'step 1 with a wrong port says that curl failed');
unlike($out1, qr/NOT run as you/, 'step 1 with a wrong port does not blame suexec');
ok(!-e "$home/public_html/hostcheck", 'step 1 with a wrong port removes its test script');

# Step 2: the source reaches the host as the archive the guide makes
# (here of the working tree's tracked files, as git archive would of a
# commit), and is built there as the account.  Against another build
# (JWTAUTH_FCGI, JWTAUTH_AUTHCTL: the sanitizer pass) those programs are
# then copied over the built ones, as from a build machine.
my ($arc, $aout, $aerr) = JwtAuthTest->run_cmd({ timeout => 60 }, 'sh', '-c',
	'cd "$1" && git ls-files -z | tar --null -T - -czf "$2"', 'sh', $repo,
	"$home/jwtauth.tar.gz");
is($arc, 0, 'the source archive for step 2') or diag("$aout$aerr");
system('chown', "$user:", "$home/jwtauth.tar.gz") == 0 or die 'chown';
my $t0 = time;
$out = run_step('build');
note('step 2 built the programs in ' . (time - $t0) . ' s');
ok(-x "$home/src/jwtauth/cgi-bin/jwtauth.fcgi" && -x "$home/src/jwtauth/authctl",
	'step 2: the programs are built in ~/src/jwtauth');
if ($ENV{JWTAUTH_FCGI} || $ENV{JWTAUTH_AUTHCTL}) {
	copy($fcgi, "$home/src/jwtauth/cgi-bin/jwtauth.fcgi") or die $!;
	copy($authctl, "$home/src/jwtauth/authctl") or die $!;
}

run_step("step $_") for 3 .. 5;
$out = run_step('step 6', "alice password 1\n");
like($out, qr/applied 001/, 'step 6: migrate applied the schema in the panel\'s database');
# Until step 7 the program is not in the web space: nobody can fetch it.
ok(!-e "$home/public_html/auth/jwtauth.fcgi",
	'steps 3 to 6 leave the program out of the web space');
run_step("step $_") for 7 .. 8;
ok(-x "$home/public_html/auth/jwtauth.fcgi" && -f "$home/public_html/auth/.htaccess",
	'step 7: the .htaccess and the program are in /auth');
$out = run_step('step 9');
unlike($out, qr/^FAIL/m, 'step 9: --check has no FAIL line');
like($out, qr/^ok: owner: runs as \Q$user\E/m, 'step 9: --check says who it runs as');
like($out, qr/^\{"status":"ok"[,}]/m, 'step 9: /auth/health answers ok');
like($out, qr/^ok: \/app\/ is protected \(401\)$/m, 'step 9: /app/ is protected (401)');
walk_routes($web, '/auth', 'suexec host');

# A visitor: refused, the login form, signed in through it.
my $page = '/app/index.html';
my $res = $web->json(GET => $page);
is($res->{status}, 401, 'without a session the page is refused (401)');
unlike($res->{content}, qr/Members only/, 'and not shown');
my %jar;
$res = $web->http(GET => $page, { headers => { accept => 'text/html' } });
like($res->{content}, qr{<form method="post" action="/auth/login">},
	'a browser gets the login form');
is(JwtAuthTest->hidden($res->{content}, 'next'), $page, 'which leads back to the page');
JwtAuthTest->cookie_jar(\%jar, $res);
$res = $web->form('/auth/login', \%jar, { username => 'alice',
	password => 'alice password 1', next => $page,
	csrf => JwtAuthTest->hidden($res->{content}, 'csrf') });
is($res->{status}, 303, 'signing in through the form answers 303');
is($res->{headers}{location}, $page, 'back to the page');
my $cookies = JwtAuthTest->cookie_header(\%jar);
$res = $web->http(GET => $page, { headers => { cookie => $cookies } });
is($res->{status}, 200, 'signed in, the protected file is served');
like($res->{content}, qr/Members only/, 'it is the page step 8 put there');
like($res->{headers}{'cache-control'} // '', qr/no-store/, 'not to be cached');
ok(!grep(/^variable-/i, keys %{ $res->{headers} }), 'no Variable-* header reaches the client');

# What a CGI handler gets under suexec, measured with a script of the
# test's own, then the guide's handler.
open my $fh, '>', "$home/public_html/app/env.cgi" or die $!;
print $fh "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nenv\n";
close $fh;
chmod 0755, "$home/public_html/app/env.cgi";
system('chown', "$user:", "$home/public_html/app/env.cgi") == 0 or die;
$res = $web->http(GET => '/app/env.cgi', { headers => { cookie => $cookies } });
my %cgienv = map { /^(\w+)=(.*)$/ ? ($1, $2) : () } split /\n/, $res->{content};
is($cgienv{REMOTE_USER}, 'alice', 'suexec: a CGI handler gets REMOTE_USER');
ok(!exists $cgienv{$_}, "suexec: a CGI handler does not get $_") for
	qw(AUTH_USER AUTH_SUB AUTH_SID);
ok(exists $cgienv{HTTP_COOKIE}, 'suexec: a CGI handler gets HTTP_COOKIE');
run_step('handler');
$res = $web->http(GET => '/app/whoami.cgi', { headers => { cookie => $cookies } });
is($res->{status}, 200, 'the guide\'s handler is served');
like($res->{content}, qr/^REMOTE_USER=alice$/m, 'the handler prints REMOTE_USER');
my ($me) = $res->{content} =~ /^(\{.*\})$/m;
$me = eval { decode_json($me // '') } // {};
is($me->{username}, 'alice', 'the handler gets the user from /auth/me with the cookie');
like($me->{sid} // '', qr/^[0-9a-f-]{36}$/, 'and the session id');
like($me->{sub} // '', qr/^[0-9a-f-]{36}$/, 'and the user id');

# Signing out, then the same cookies are refused.
$res = $web->http(GET => '/auth/me', { headers => { accept => 'text/html', cookie => $cookies } });
my $csrf = JwtAuthTest->hidden($res->{content}, 'csrf');
$res = $web->form('/auth/logout', \%jar, { csrf => $csrf });
is($res->{status}, 303, 'signing out through the form answers 303');
$res = $web->json(GET => $page, { headers => { cookie => JwtAuthTest->cookie_header(\%jar) } });
is($res->{status}, 401, 'after signing out the page is refused');
$res = $web->json(GET => $page, { headers => { cookie => $cookies } });
is($res->{status}, 401, 'the cookies of the ended session are refused too');

# Nothing secret over HTTP.
my %secret = map { $_ => do { local (@ARGV, $/) = "$home/jwtauth/$_"; <> } }
	qw(jwt.key secret.key pgpass jwtauth.conf);
for my $path ('/.htaccess', '/auth/.htaccess', '/app/.htaccess',
    '/auth/jwtauth.fcgi', '/jwtauth/jwtauth.conf', '/../jwtauth/jwt.key',
    '/%2e%2e/jwtauth/secret.key', '/auth/..%2f..%2fjwtauth/pgpass',
    '/~jwtsite/jwtauth/jwtauth.conf', '/.bashrc') {
	$res = $web->http(GET => $path);
	isnt($res->{status}, 200, "GET $path is not served ($res->{status})");
	my $body = $res->{content} // '';
	ok(!grep({ index($body, $_) >= 0 } values %secret)
	    && $body !~ /\Q$host{DB_PASSWORD}\E|FcgidWrapper/,
	    "GET $path shows no secret");
}
$res = $web->http(GET => '/auth/');
unlike($res->{content} // '', qr/jwtauth\.fcgi/, '/auth/ lists no file');

# --check on a broken config, as the account over SSH.
sub check_as_user {
	my ($conf) = @_;
	my ($rc, $o, $e) = JwtAuthTest->run_cmd({ timeout => 60 },
		'runuser', '-u', $user, '--', "$home/public_html/auth/jwtauth.fcgi",
		'--check', '-c', $conf);
	return ($rc, $o . $e);
}
my $broken = $secret{'jwtauth.conf'} . "colour = blue\n";
open $fh, '>', "$home/jwtauth/broken.conf" or die $!;
print $fh $broken;
close $fh;
system('chown', "$user:", "$home/jwtauth/broken.conf") == 0 or die;
chmod 0600, "$home/jwtauth/broken.conf";
my ($rc, $chk) = check_as_user("$home/jwtauth/broken.conf");
is($rc, 1, '--check: a broken config exits 1');
like($chk, qr/^FAIL: config: \S+broken\.conf:\d+: colour: unknown key — fix it/m,
	'--check: names the file, line and key');
(my $badpass = $secret{'jwtauth.conf'}) =~ s{passfile=\S+}{passfile=$home/jwtauth/nopass};
open $fh, '>', "$home/jwtauth/broken.conf" or die $!;
print $fh $badpass;
close $fh;
($rc, $chk) = check_as_user("$home/jwtauth/broken.conf");
is($rc, 1, '--check: a config whose database refuses exits 1');
like($chk, qr/^FAIL: database: .* — check "database" in /m,
	'--check: says the database refused and what to check');
like($chk, qr/^ok: key_file /m, '--check: the keys still pass');
unlink "$home/jwtauth/broken.conf";

# The same site without mod_headers: closed.
host('start', 'no-headers');
my $t = $web->must_login('alice', 'alice password 1');
$res = $web->http(GET => $page, { headers => $web->bearer($t->{access_token}) });
is($res->{status}, 403, 'without mod_headers a signed-in request gets 403 (fails closed)');
unlike($res->{content}, qr/Members only/, 'and the page is not shown');
ok(!grep(/^variable-/i, keys %{ $res->{headers} }), 'without mod_headers no Variable-* header leaks');
$res = $web->http(GET => $page);
is($res->{status}, 403, 'without mod_headers an anonymous request gets 403');

# Without suexec: step 1 says so, the program refuses to start.
host('start', 'no-suexec');
($rc, $out) = as_user('step 1');
like($out, qr/^scripts do NOT run as you/m, 'no suexec: step 1 tells');
$res = $web->http(GET => '/auth/health');
is($res->{status}, 500, 'no suexec: the service answers 500');
$res = $web->http(GET => $page, { headers => $web->bearer($t->{access_token}) });
isnt($res->{status}, 200, "no suexec: the page is not served ($res->{status})");
my $log = do { local (@ARGV, $/) = "$dir/apache/error.log"; <> };
like($log, qr/refusing to start: this program runs as www-data but \Q$home\E\/jwtauth belongs to \Q$user\E.*no suexec/,
	'no suexec: the program says why it refuses to start');
my ($crc, $cout, $cerr) = JwtAuthTest->run_cmd({ timeout => 60 },
	'runuser', '-u', 'www-data', '--', "$home/public_html/auth/jwtauth.fcgi",
	'--check', '-c', "$home/jwtauth/jwtauth.conf");
is($crc, 1, 'no suexec: --check as the web server\'s user exits 1');
like($cout, qr/^FAIL: owner: this program runs as www-data/m, 'no suexec: --check says FAIL: owner');

# Plain CGI, no mod_fcgid: the guide's variant.
host('start', 'no-fcgid');
run_step('plain-cgi');
ok(!-e "$home/public_html/auth/jwtauth.fcgi", 'plain CGI: the FastCGI program is gone');
# Step 9 for plain CGI: what the guide says it prints is what it prints.
$out = run_step('plain-cgi-check');
# (The block's last line, about /app/, is the next check's.)
unlike($out, qr/^FAIL: (?!\/app\/)/m, 'plain CGI: --check of jwtauth.cgi has no FAIL line');
like($out, qr/^ok: config \Q$home\E\/jwtauth\/jwtauth\.conf parses/m,
	'plain CGI: --check finds the config without -c');
my ($said) = $guide =~ /suexec-host: plain-cgi-check -->.*?`(\{"status":[^`]*\})`/s;
ok($said && $said =~ /"revocation_cache":"strict"/,
	'guide: plain CGI expects "revocation_cache":"strict"');
like($out, qr/^\Q${\($said \/\/ 'none')}\E$/m, 'plain CGI: /auth/health prints what the guide says');
like($out, qr/^FAIL: \/app\/ answers 500: .*no mod_fcgid.*gatekeeper/m,
	'plain CGI on a host without mod_fcgid: the check tells the bare 500 by its answer and names the gatekeeper');
$res = $web->json(GET => '/auth/health');
is($res->{status}, 200, 'plain CGI: /auth/health');
walk_routes($web, '/auth', 'suexec host, plain CGI');
$t = $web->login('alice', 'alice password 1');
ok($t && $t->{access_token}, 'plain CGI: JSON login');
$res = $web->me($t->{access_token});
is($res->{json}{username}, 'alice', 'plain CGI: /auth/me with the Bearer token');
$res = $web->http(GET => $page, { headers => $web->bearer($t->{access_token}) });
is($res->{status}, 500, 'plain CGI: app.htaccess without mod_fcgid is a 500 (closed)');
unlike($res->{content}, qr/Members only/, 'plain CGI: the page is not shown');
$res = $web->logout($t->{access_token});
is($res->{status}, 204, 'plain CGI: logout');
is($web->me($t->{access_token})->{status}, 401, 'plain CGI: refused after logout');

# Gatekeeper on the same host, mod_fcgid still not loaded: the guide's
# block after the plain CGI one.
$out = run_step('gatekeeper');
# An hour old, so that its ETag is a strong one.
my $mtime = time - 3600;
utime $mtime, $mtime, "$home/public_html/app/index.html" or die $!;
$res = $web->json(GET => $page);
is($res->{status}, 401, 'gatekeeper: without a session the page is refused');
unlike($res->{content}, qr/Members only/, 'gatekeeper: and not shown');
%jar = ();
$res = $web->http(GET => $page, { headers => { accept => 'text/html' } });
like($res->{content}, qr{<form method="post" action="/auth/login">},
	'gatekeeper: a browser gets the login form');
JwtAuthTest->cookie_jar(\%jar, $res);
$res = $web->form('/auth/login', \%jar, { username => 'alice',
	password => 'alice password 1', next => $page,
	csrf => JwtAuthTest->hidden($res->{content}, 'csrf') });
is($res->{status}, 303, 'gatekeeper: signing in through the form');
$cookies = JwtAuthTest->cookie_header(\%jar);
$res = $web->http(GET => $page, { headers => { cookie => $cookies } });
is($res->{status}, 200, 'gatekeeper: signed in, the page is served');
like($res->{content}, qr/Members only/, 'gatekeeper: it is the page');
my $etag = $res->{headers}{etag};
ok($etag && $res->{headers}{'last-modified'}, 'gatekeeper: with ETag and Last-Modified');
$res = $web->http(GET => $page, { headers => { cookie => $cookies,
	'if-none-match' => $etag // '' } });
is($res->{status}, 304, 'gatekeeper: a conditional GET is answered 304');
is($res->{content} // '', '', 'gatekeeper: without a body');
$res = $web->http(GET => $page, { headers => { cookie => $cookies,
	range => 'bytes=0-14' } });
is($res->{status}, 206, 'gatekeeper: a Range request gets 206');
is($res->{content}, '<!DOCTYPE html>', 'gatekeeper: with those bytes');
# Ways out of the directory, to the key files next door.
symlink("$home/jwtauth/jwt.key", "$home/public_html/app/key.txt") or die $!;
symlink("$home/jwtauth", "$home/public_html/app/conf") or die $!;
system('chown', '-h', "$user:", "$home/public_html/app/key.txt",
	"$home/public_html/app/conf") == 0 or die 'chown';
for my $path ('/app/key.txt', '/app/conf/jwtauth.conf', '/app/%2e%2e/%2e%2e/jwtauth/jwt.key',
    '/app/..%2f..%2fjwtauth%2fpgpass', '/app/.htaccess') {
	$res = $web->http(GET => $path, { headers => { cookie => $cookies } });
	isnt($res->{status}, 200, "gatekeeper: $path is refused ($res->{status})");
	my $body = $res->{content} // '';
	ok(!grep({ index($body, $_) >= 0 } values %secret),
	    "gatekeeper: $path shows no secret");
}

teardown();
done_testing;
