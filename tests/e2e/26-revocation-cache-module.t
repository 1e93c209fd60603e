# The revocation cache of mod_jwtauth (see tests/lib/RevocationTests.pm):
# the suite of 36 and 37 with the check inside Apache, one child of
# apache/module-test.conf.in, whose lock makes it one checker: a
# revocation made on this host (logout, authctl, a password change, a
# lock) is refused at the child's next check even when its notification
# is late, one typed as SQL once the notification arrives, and the
# listener killed, PostgreSQL restarted or gone, as for the FastCGI
# authorizer.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use RevocationTests;

my $repo = "$FindBin::Bin/../..";
-f "$repo/cgi-bin/mod_jwtauth.so"
	or die "no cgi-bin/mod_jwtauth.so: run make apache-module\n";

RevocationTests::run('module');
done_testing;
