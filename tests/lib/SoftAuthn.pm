package SoftAuthn;

# The software authenticator of the passkey tests (tests/lib/softauthn.py)
# called from Perl: one request in, one answer out.
#
#   my $key = SoftAuthn::soft(op => 'new', kind => 'es256');

use strict;
use warnings;
use Cwd ();
use File::Basename ();
use IPC::Open2 ();
use JSON::PP ();

my $SOFT = Cwd::abs_path(File::Basename::dirname(__FILE__)) . '/softauthn.py';

# soft(REQUEST...): softauthn.py's answer to REQUEST (a hash, encoded as
# JSON); dies when it fails.
sub soft {
	my (%req) = @_;
	my $pid = IPC::Open2::open2(my $out, my $in, 'python3', $SOFT);
	print $in JSON::PP->new->canonical->encode(\%req);
	close $in;
	my $text = do { local $/; <$out> };
	waitpid $pid, 0;
	die "softauthn.py failed\n" if $? || !$text;
	return JSON::PP->new->decode($text);
}

1;
