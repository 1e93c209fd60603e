# The FastCGI authorizer behind lighttpd's mod_fastcgi in authorizer mode:
# see tests/lib/AuthorizerTests.pm.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use AuthorizerTests;

AuthorizerTests::run('lighttpd');
done_testing;
