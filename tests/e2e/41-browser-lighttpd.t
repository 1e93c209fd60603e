# The browser flow of 40-browser.t against lighttpd.
use strict;
use warnings;
use FindBin;
$ENV{JWTAUTH_BROWSER_SERVER} = 'lighttpd';
do "$FindBin::Bin/40-browser.t" or die $@ || $!;
