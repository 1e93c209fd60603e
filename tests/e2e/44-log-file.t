# log_file: the program's log lines also go to a file of the user's own
# (on a shared host the web server's error log is the host's): a
# database outage behind Apache, and a refusal to start as plain CGI with
# the default file beside the config.  Never a token or a password.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Path qw(make_path);
use IPC::Open2;
use Test::More;
use JwtAuthTest;

# A placeholder the test replaces once the directory exists.
my $env = JwtAuthTest->start(log_file => 'none');
my $dir = $env->dir;

# The file named in the config, in a directory the web user may write.
make_path("$dir/logs");
if ($> == 0) {
	my ($uid, $gid) = (getpwnam 'www-data')[2, 3];
	chown $uid, $gid, "$dir/logs" or die $!;
}
my $log = "$dir/logs/jwtauth.log";
my $conf = do { local (@ARGV, $/) = $env->config_file; <> };
$conf =~ s{^log_file = .*$}{log_file = $log}m;
open my $fh, '>', $env->config_file or die $!;
print $fh $conf;
close $fh or die $!;

$env->add_user('lena', 'lena password 1');
my $t = $env->must_login('lena', 'lena password 1');
is($env->me($t->{access_token})->{status}, 200, 'log_file: the service works');
$env->pg_stop;
is($env->json(GET => '/auth/health')->{status}, 503, 'log_file: the database is down');
$env->pg_start;
my $text = -f $log ? do { local (@ARGV, $/) = $log; <> } : '';
like($text, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ jwtauth\[\d+\]: database: /m,
	'log_file: the outage is in the file, with time and pid');
unlike($text, qr/\Q$t->{access_token}\E|lena password/, 'log_file: no token, no password');
is((stat $log)[2] & 07777, 0600, 'log_file: created with mode 0600');

# Plain CGI, no log_file key: jwtauth.log beside the config gets the
# reason the program refused to start.
make_path("$dir/cgi");
$conf =~ s{^log_file = .*\n}{}m;
$conf =~ s{^key_file = .*$}{key_file = /nonexistent/jwt.key}m;
open $fh, '>', "$dir/cgi/jwtauth.conf" or die $!;
print $fh $conf;
close $fh or die $!;
{
	local %ENV = (PATH => '/usr/bin:/bin', REQUEST_METHOD => 'GET',
		SCRIPT_NAME => '/auth', PATH_INFO => '/health',
		SERVER_PROTOCOL => 'HTTP/1.1', JWTAUTH_CONFIG => "$dir/cgi/jwtauth.conf");
	open my $olderr, '>&', \*STDERR or die $!;
	open STDERR, '>', '/dev/null' or die $!;
	my $pid = open2(my $out, my $in, "$dir/jwtauth.fcgi");
	open STDERR, '>&', $olderr or die $!;
	close $in;
	local $/;
	<$out>;
	waitpid $pid, 0;
	$? = 0;	# the refusal is expected, not a failure of this test
}
$text = -f "$dir/cgi/jwtauth.log" ? do { local (@ARGV, $/) = "$dir/cgi/jwtauth.log"; <> } : '';
like($text, qr{jwtauth\[\d+\]: refusing to start: /nonexistent/jwt\.key: }m,
	'log_file: by default beside the config, with the reason for not starting');

# A directory the service may not write (/etc/jwtauth on a server of
# one's own): the default file is passed over without a word, a file
# named in the config is reported.
SKIP: {
	skip 'needs root to run the program as www-data', 3 unless $> == 0;
	my $cgi_stderr = sub {
		my ($conf_file) = @_;
		my $err = "$dir/stderr.txt";
		# The answer and the log lines, both, in one file.
		open my $olderr, '>&', \*STDERR or die $!;
		open my $oldout, '>&', \*STDOUT or die $!;
		open STDERR, '>', $err or die $!;
		open STDOUT, '>&', \*STDERR or die $!;
		system('runuser', '-u', 'www-data', '--', 'env', '-i',
			'PATH=/usr/bin:/bin', 'REQUEST_METHOD=GET',
			'SCRIPT_NAME=/auth', 'PATH_INFO=/health',
			'SERVER_PROTOCOL=HTTP/1.1', "JWTAUTH_CONFIG=$conf_file",
			"$dir/jwtauth.fcgi");
		open STDERR, '>&', $olderr or die $!;
		open STDOUT, '>&', $oldout or die $!;
		return do { local (@ARGV, $/) = $err; <> };
	};
	make_path("$dir/ro");
	chmod 0755, "$dir/ro";
	(my $ok = do { local (@ARGV, $/) = $env->config_file; <> })
		=~ s{^log_file = .*\n}{}m;
	open $fh, '>', "$dir/ro/jwtauth.conf" or die $!;
	print $fh $ok;
	close $fh or die $!;
	my $quiet = $cgi_stderr->("$dir/ro/jwtauth.conf");
	like($quiet, qr/^Status: 200/m, 'log_file: the program ran as www-data and answered');
	unlike($quiet, qr/log_file/,
		'log_file: unset, a default the service may not create is passed over quietly');
	open $fh, '>>', "$dir/ro/jwtauth.conf" or die $!;
	print $fh "log_file = $dir/ro/named.log\n";
	close $fh or die $!;
	my $named = $cgi_stderr->("$dir/ro/jwtauth.conf");
	like($named, qr{log_file \Q$dir\E/ro/named\.log: Permission denied},
		'log_file: a file named in the config that cannot be created is reported');
}
done_testing;
