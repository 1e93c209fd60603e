# The operator's kit as installed: make install into a DESTDIR (PREFIX
# honoured), the installed programs run (authctl --help, jwtauth.fcgi
# --check against this test's database), make uninstall removes it all;
# make deb builds the Debian package, lintian-clean, with the Debian
# library packages as Depends.  The package is not installed system-wide
# here (that would touch the machine under every other test);
# docs/install.md says how, and it was done by hand once (see the commit).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Find;
use File::Temp qw(tempdir);
use Test::More;
use JwtAuthTest;

my $REPO = "$FindBin::Bin/../..";
my $env = JwtAuthTest->start;
my $dest = tempdir('jwtauth-install-XXXXXX', DIR => '/tmp', CLEANUP => 1);
my $prefix = '/opt/jwtauth';

my ($rc, $out, $err) = $env->run_cmd({ timeout => 300 }, 'make', '-s', '-C', $REPO,
	'install', "PREFIX=$prefix", "DESTDIR=$dest");
is($rc, 0, 'make install PREFIX DESTDIR succeeds') or diag $err;
my $root = "$dest$prefix";
my %mode = (
	'sbin/authctl' => 0755,
	'lib/jwtauth/jwtauth.fcgi' => 0755,
	'lib/jwtauth/mod_jwtauth.so' => 0644,
	'share/doc/jwtauth/examples/apache/jwtauth-module.conf' => 0644,
	'share/man/man5/jwtauth.conf.5' => 0644,
	'share/man/man8/authctl.8' => 0644,
	'share/man/man8/jwtauth.fcgi.8' => 0644,
	'share/doc/jwtauth/examples/apache/jwtauth-vhost.conf' => 0644,
	'share/doc/jwtauth/examples/apache/shared-hosting/app.htaccess' => 0644,
	'share/doc/jwtauth/examples/lighttpd/jwtauth.conf' => 0644,
	'share/doc/jwtauth/examples/jwtauth.conf.example' => 0644,
	'share/doc/jwtauth/examples/apache/shared-hosting/gate.htaccess' => 0644,
	'share/doc/jwtauth/README.md' => 0644,
	'share/doc/jwtauth/docs/install.md' => 0644,
	'share/doc/jwtauth/docs/shared-hosting.md' => 0644,
);
for my $f (sort keys %mode) {
	ok(-f "$root/$f", "install: $f") and
		is((stat "$root/$f")[2] & 07777, $mode{$f}, sprintf("install: $f mode %04o", $mode{$f}));
}
my $vhost = do { local (@ARGV, $/) = "$root/share/doc/jwtauth/examples/apache/jwtauth-vhost.conf"; <> };
like($vhost, qr{\Q$prefix\E/lib/jwtauth/jwtauth\.fcgi}, 'install: the examples name the installed program');
unlike($vhost, qr{/usr/local/lib/jwtauth}, 'install: and not the default path');

($rc, $out) = $env->run_cmd({}, "$root/sbin/authctl", '--help');
is($rc, 0, 'installed authctl --help exits 0');
like($out, qr/^usage: authctl/, 'installed authctl --help prints the usage');
($rc, $out, $err) = $env->run_cmd({}, "$root/lib/jwtauth/jwtauth.fcgi", '--check',
	'-c', $env->config_file);
is($rc, 0, 'installed jwtauth.fcgi --check passes against the test database')
	or diag "$out$err";
($rc, $out, $err) = $env->run_cmd({}, "$root/sbin/authctl", '-c', $env->config_file, 'status');
is($rc, 0, 'installed authctl status reads the test database') or diag $err;
SKIP: {
	skip 'no man(1)', 1 unless -x '/usr/bin/man';
	($rc, $out) = $env->run_cmd({ env => { MANWIDTH => 80 } }, 'man', '-l',
		"$root/share/man/man8/authctl.8");
	like($out, qr/live sessions/, 'installed authctl(8) renders and documents status');
}

# The installed lighttpd example parses (lighttpd -t), included from a
# minimal server config.
SKIP: {
	skip 'no lighttpd', 1 unless -x '/usr/sbin/lighttpd';
	my $lt = "$dest/lighttpd-test.conf";
	open my $fh, '>', $lt or die $!;
	print $fh qq{server.document-root = "$dest"\nserver.port = 8\n}
		. qq{include "$root/share/doc/jwtauth/examples/lighttpd/jwtauth.conf"\n};
	close $fh or die $!;
	($rc, $out, $err) = $env->run_cmd({}, '/usr/sbin/lighttpd', '-t', '-f', $lt);
	is($rc, 0, 'install: the lighttpd example is valid lighttpd syntax') or diag "$out$err";
	unlink $lt;
}

($rc, $out, $err) = $env->run_cmd({}, 'make', '-s', '-C', $REPO, 'uninstall',
	"PREFIX=$prefix", "DESTDIR=$dest");
is($rc, 0, 'make uninstall succeeds') or diag $err;
my @left;
find(sub { push @left, $File::Find::name if -f $_ }, $dest);
is_deeply(\@left, [], 'make uninstall leaves no file behind');

# The Debian package.
SKIP: {
	skip 'no dpkg-buildpackage or lintian (scripts/deps.sh deb)', 14
		unless -x '/usr/bin/dpkg-buildpackage' && -x '/usr/bin/lintian';
	my $dist = tempdir('jwtauth-deb-XXXXXX', DIR => '/tmp', CLEANUP => 1);
	($rc, $out, $err) = $env->run_cmd({ timeout => 600 }, 'sh',
		"$REPO/scripts/deb.sh", $dist);
	is($rc, 0, 'make deb: built, and lintian finds no warning or error')
		or diag "$out$err";
	my ($deb) = glob "$dist/jwtauth_*.deb";
	ok(defined $deb && -f $deb, 'make deb: a .deb') or last;
	($rc, $out) = $env->run_cmd({}, 'dpkg-deb', '-f', $deb, 'Depends');
	for my $lib (qw(libfcgi0ldbl libjansson4 libjwt0 liboath0 libpq5
	    libqrencode4 libsodium23 libssl3 libfido2-1 libcbor0.8)) {
		like($out, qr/(?:^|, )\Q$lib\E[ ,(]/, "make deb: Depends on $lib");
	}
	($rc, $out) = $env->run_cmd({}, 'dpkg-deb', '-c', $deb);
	my @paths = map { (split ' ', $_)[5] } split /\n/, $out;
	my %has = map { $_ => 1 } @paths;
	for my $f (qw(./usr/sbin/authctl ./usr/lib/jwtauth/jwtauth.fcgi
	    ./usr/share/man/man8/authctl.8.gz ./usr/share/man/man5/jwtauth.conf.5.gz
	    ./usr/share/doc/jwtauth/examples/apache/jwtauth-vhost.conf
	    ./usr/share/doc/jwtauth/copyright
	    ./usr/share/doc/jwtauth/docs/install.md)) {
		ok($has{$f}, "make deb: holds $f");
	}
	ok(!$has{'./usr/lib/jwtauth/mod_jwtauth.so'},
		'make deb: the Apache module is not in jwtauth');
	# The module, its own package: a2enmod jwtauth loads it.
	my ($mod) = glob "$dist/libapache2-mod-jwtauth_*.deb";
	ok(defined $mod && -f $mod, 'make deb: a .deb of the Apache module')
		or last;
	($rc, $out) = $env->run_cmd({}, 'dpkg-deb', '-f', $mod, 'Depends');
	like($out, qr/(?:^|, )jwtauth \(= [^)]+\)/,
		'make deb: the module depends on jwtauth of its own version');
	($rc, $out) = $env->run_cmd({}, 'dpkg-deb', '-c', $mod);
	%has = map { (split ' ', $_)[5] => 1 } split /\n/, $out;
	for my $f (qw(./usr/lib/jwtauth/mod_jwtauth.so
	    ./etc/apache2/mods-available/jwtauth.load)) {
		ok($has{$f}, "make deb: the module's package holds $f");
	}
	my $mx = tempdir('jwtauth-mx-XXXXXX', DIR => '/tmp', CLEANUP => 1);
	$env->run_cmd({}, 'dpkg-deb', '-x', $mod, $mx);
	my $load = do { local (@ARGV, $/) = "$mx/etc/apache2/mods-available/jwtauth.load"; <> };
	like($load, qr{^LoadModule jwtauth_module /usr/lib/jwtauth/mod_jwtauth\.so$}m,
		'make deb: its load file names the installed module');
	# The package's programs run (unpacked, not installed).
	my $x = tempdir('jwtauth-x-XXXXXX', DIR => '/tmp', CLEANUP => 1);
	$env->run_cmd({}, 'dpkg-deb', '-x', $deb, $x);
	($rc, $out) = $env->run_cmd({}, "$x/usr/sbin/authctl", 'help', 'status');
	is($rc, 0, "make deb: the package's authctl runs");
	my $v = do { local (@ARGV, $/) = "$x/usr/share/doc/jwtauth/examples/apache/jwtauth-vhost.conf"; <> };
	like($v, qr{ /usr/lib/jwtauth/jwtauth\.fcgi}, "make deb: its examples name /usr/lib/jwtauth");
}

done_testing;
