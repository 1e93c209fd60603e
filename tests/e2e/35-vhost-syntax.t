# apache/jwtauth-vhost.conf, the example for a server you administer, and
# apache/jwtauth-module.conf, the same with mod_jwtauth, are valid Apache
# syntax with Debian's modules (apache2 -t), with their paths pointed at
# files that exist here.  They are not started: they need TLS
# certificates and port 443.
use strict;
use warnings;
use FindBin;
use File::Temp qw(tempdir);
use Test::More;

my $repo = "$FindBin::Bin/../..";
my $dir = tempdir('jwtauth-vhost-XXXXXX', DIR => '/tmp', CLEANUP => 1);
mkdir "$dir/$_" for qw(www www/members lib);
system('cp', "$repo/cgi-bin/jwtauth.fcgi", "$dir/lib/jwtauth.fcgi") == 0
	or die 'no cgi-bin/jwtauth.fcgi: run make';
system('cp', "$repo/cgi-bin/mod_jwtauth.so", "$dir/lib/mod_jwtauth.so") == 0
	or die 'no cgi-bin/mod_jwtauth.so: run make apache-module';
system('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj',
	'/CN=example.org', '-days', '1', '-keyout', "$dir/key.pem", '-out',
	"$dir/cert.pem") == 0 or die 'openssl failed';

for my $example ('jwtauth-vhost.conf', 'jwtauth-module.conf') {
	open my $in, '<', "$repo/apache/$example" or die $!;
	my $vhost = do { local $/; <$in> };
	$vhost =~ s{/srv/www}{$dir/www}g;
	$vhost =~ s{/usr/local/lib/jwtauth}{$dir/lib}g;
	$vhost =~ s{/etc/ssl/certs/example\.org\.pem}{$dir/cert.pem}g;
	$vhost =~ s{/etc/ssl/private/example\.org\.key}{$dir/key.pem}g;
	open my $out, '>', "$dir/httpd.conf" or die $!;
	my $m = '/usr/lib/apache2/modules';
	print {$out} <<"CONF";
ServerRoot "$dir"
PidFile "$dir/pid"
ErrorLog "$dir/error.log"
Listen 127.0.0.1:1
LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule alias_module $m/mod_alias.so
LoadModule headers_module $m/mod_headers.so
LoadModule rewrite_module $m/mod_rewrite.so
LoadModule ssl_module $m/mod_ssl.so
LoadModule fcgid_module $m/mod_fcgid.so
FcgidIPCDir "$dir"
$vhost
CONF
	close $out;
	my $msg = `apache2 -t -f $dir/httpd.conf 2>&1`;
	is($? >> 8, 0, "apache/$example passes apache2 -t") or diag $msg;
}
done_testing;
