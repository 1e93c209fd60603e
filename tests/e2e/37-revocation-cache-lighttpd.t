# The revocation cache behind lighttpd in authorizer mode: see
# tests/lib/RevocationTests.pm.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use RevocationTests;

RevocationTests::run('lighttpd');
done_testing;
