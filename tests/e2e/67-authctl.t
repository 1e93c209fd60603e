# authctl for an operator: options before or after the command, help for
# all and for one command, the config search and what it says when it
# finds none, the same answer for an unknown user from every command
# that takes one, authctl status, and a user name a visitor typed
# listed escaped by authctl throttle.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Temp qw(tempdir);
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start(metrics_allow => '127.0.0.1');
my $authctl = $ENV{JWTAUTH_AUTHCTL} // "$FindBin::Bin/../../authctl";
my $conf = $env->config_file;
$env->add_user('nora', 'nora password 1');

# run(ARGS...): authctl ARGS exactly as given (no -c added).
sub run { return $env->run_cmd({ env => { JWTAUTH_CONFIG => '' } }, $authctl, @_) }

my ($rc, $out, $err) = run('user', 'list', '-c', $conf);
is($rc, 0, 'options: -c after the command works');
like($out, qr/^nora\t/m, 'options: and lists the users');
($rc, $out) = run('--config', $conf, 'user', 'list');
is($rc, 0, 'options: --config FILE before the command works');
($rc, $out) = run('user', 'list', "--config=$conf");
is($rc, 0, 'options: --config=FILE after the command works');
($rc, $out) = run("-c$conf", 'sessions', 'nora');
is($rc, 0, 'options: -cFILE works');
($rc, $out, $err) = $env->authctl({ stdin => "carol password 1\n" }, 'user', 'add', '-carol');
is($rc, 0, 'options: a user name starting with -c after the command is a name, not -cFILE');
($rc, $out) = run('user', 'list', '-c', $conf);
like($out, qr/^-carol\t/m, 'options: and user -carol is there');
($rc) = $env->authctl({}, 'user', 'del', '--', '-carol');
is($rc, 0, 'options: after --, -carol is a name too (deleted again)');

($rc, $out, $err) = run('--help');
is($rc, 0, 'help: --help exits 0');
like($out, qr/^usage: authctl .*\n(?:\s+authctl .*\n)+/, 'help: --help prints every synopsis');
like($out, qr/status/, 'help: status is in it');
($rc, $out) = run('-h');
is($rc, 0, 'help: -h exits 0');
for my $ask (['help', 'user'], ['user', '--help'], ['user', '-h']) {
	($rc, $out) = run(@$ask);
	is($rc, 0, "help: authctl @$ask exits 0");
	like($out, qr/^usage: authctl \[-c config\] user add\|passwd\|del\|lock\|unlock name\n.*lock refuses/s,
		"help: authctl @$ask explains user");
}
($rc, $out, $err) = run('help', 'nosuch');
is($rc, 2, 'help: of a command that does not exist is a usage error');
like($err, qr/nosuch: no such command/, 'help: and says so');
($rc, $out, $err) = run('frobnicate');
is($rc, 2, 'usage: an unknown command exits 2');
like($err, qr/^authctl: frobnicate: no such command\n/, 'usage: naming it');

# The config search: -c, $JWTAUTH_CONFIG, ~/jwtauth/jwtauth.conf,
# /etc/jwtauth/jwtauth.conf (HOME is not it: the user's home directory
# from the password database is, as for jwtauth.fcgi).
($rc, $out, $err) = $env->run_cmd({ env => { JWTAUTH_CONFIG => $conf } }, $authctl, 'user', 'list');
is($rc, 0, 'config: $JWTAUTH_CONFIG is read');
like($out, qr/^nora\t/m, 'config: the users of that config');
($rc, $out, $err) = run('-c', '/nonexistent/jwtauth.conf', 'status');
is($rc, 1, 'config: a -c FILE that does not exist fails');
like($err, qr{^authctl: /nonexistent/jwtauth\.conf: no such config file \(-c\)}, 'config: naming the file and -c');
SKIP: {
	my $home = (getpwuid $>)[7];
	skip 'a config file of this user or /etc/jwtauth exists', 3
		if -e "$home/jwtauth/jwtauth.conf" || -e '/etc/jwtauth/jwtauth.conf';
	($rc, $out, $err) = run('status');
	is($rc, 1, 'config: none found fails');
	like($err, qr{tried -c \(not given\), \$JWTAUTH_CONFIG \(not set\), \Q$home\E/jwtauth/jwtauth\.conf, /etc/jwtauth/jwtauth\.conf}, 'config: says which paths it tried');
	like($err, qr/-c FILE or JWTAUTH_CONFIG=FILE/, 'config: and how to name one');
}

# An unknown user: the same error and exit 1 from every command.
for my $cmd (['sessions', 'nobody'], ['revoke', '--user', 'nobody'],
    ['user', 'lock', 'nobody'], ['user', 'unlock', 'nobody'],
    ['user', 'del', 'nobody']) {
	($rc, $out, $err) = $env->authctl({}, @$cmd);
	is($rc, 1, "unknown user: authctl @$cmd exits 1");
	is($err, "authctl: nobody: no such user\n", "unknown user: authctl @$cmd names the user");
}
($rc, $out, $err) = $env->authctl({}, 'revoke', '--user', 'nora');
is($rc, 0, 'a known user with no session: revoke --user exits 0');

# status: users, live sessions, revoked tokens, blocked sign-ins, mode.
$env->add_user('olga', 'olga password 1');
my $t = $env->must_login('nora', 'nora password 1');
$env->must_login('olga', 'olga password 1');
$env->logout($env->must_login('olga', 'olga password 1')->{access_token}, {});
$env->authctl({}, 'user', 'lock', 'olga');
($rc, $out, $err) = $env->authctl({}, 'status');
is($rc, 0, 'status: exits 0');
my %st = $out =~ /^([^\t\n]+)\t([^\n]*)$/mg;
is($st{users}, 2, 'status: two users');
is($st{'locked users'}, 1, 'status: one locked');
is($st{'live sessions'}, 1, "status: one live session (olga's ended by the logout and the lock)");
is($st{'revoked tokens'}, 1, 'status: the logged-out access token is revoked');
is($st{'blocked user names'}, 0, 'status: no user name blocked');
is($st{'revocation check'}, 'cached', 'status: the cache mode');
like($st{'token cache'}, qr/^\d+ per process$/, 'status: the token cache size');
($rc, $out) = $env->authctl({}, 'status', 'extra');
is($rc, 2, 'status: takes no argument');

# What a visitor typed is printed escaped, as the audit trail stores it:
# a user name with a TAB (a forged column) and U+009B (bytes c2 9b, the
# C1 CSI: a terminal escape), counted by failed sign-ins.
$env->login_response("eve\tx\x{9b}y", 'wrong password') for 1 .. 2;
($rc, $out) = $env->authctl({}, 'throttle');
is($rc, 0, 'throttle: lists the counts');
like($out, qr/^user\teve\\x09x\\xc2\\x9by\t\d+\t/m,
	'throttle: a user name with a TAB and U+009B is listed escaped (\\x09, \\xc2\\x9b)');
unlike($out, qr/[\x00-\x08\x0b-\x1f\x7f-\xff]/,
	'throttle: no control byte and no byte outside ASCII reaches the terminal');
is(scalar(grep { (() = /\t/g) != 4 } split /\n/, $out), 0,
	'throttle: every line has its five columns, no more');

done_testing;
