package SmtpSink;

# A local SMTP sink for the mail tests: Debian's python3-aiosmtpd (its
# Mailbox handler, a maildir) on a free port of 127.0.0.1, and the
# msmtp command line that delivers to it (mail_command).  Used by
# tests/e2e/85-reset-smtp.t and 76-accounts-browser.t.
#
#   my $sink = SmtpSink->start("$dir/maildir");
#   mail_command => $sink->msmtp('auth@example.com'),
#   my $seen = $sink->seen;  ...  my @new = $sink->arrived($seen, 1);
#   # each: {file, to, subject, link, text}

use strict;
use warnings;
use IO::Socket::INET;
use POSIX qw(_exit);
use Time::HiRes qw(sleep);

my $MSMTP = '/usr/bin/msmtp';
my $PY = '/usr/bin/python3';

# start(BOX): the sink, listening, delivering to the maildir BOX; dies
# when msmtp or aiosmtpd is missing or it does not listen.  It stops
# when the object goes.
sub start {
	my ($class, $box) = @_;
	-x $MSMTP or die "msmtp is not installed (scripts/deps.sh test)\n";
	system($PY, '-c', 'import aiosmtpd') == 0
	    or die "python3-aiosmtpd is not installed (scripts/deps.sh test)\n";
	my $probe = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
		LocalPort => 0, Listen => 1) or die "probe: $!\n";
	my $port = $probe->sockport;
	close $probe;
	my $pid = fork // die "fork: $!\n";
	if ($pid == 0) {
		open STDOUT, '>', '/dev/null';
		{ exec { $PY } $PY, '-m', 'aiosmtpd', '-n', '-l',
		    "127.0.0.1:$port", '-c', 'aiosmtpd.handlers.Mailbox', $box; }
		_exit(127);
	}
	my $self = bless { box => $box, port => $port, pid => $pid }, $class;
	for (1 .. 100) {
		return $self if IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port");
		sleep 0.1;
	}
	die "the SMTP sink does not listen on port $port\n";
}

sub port { $_[0]{port} }

# msmtp(FROM): the mail_command that delivers to this sink.
sub msmtp {
	my ($self, $from) = @_;
	return "$MSMTP --host=127.0.0.1 --port=$self->{port} --auth=off "
	    . "--tls=off --from=$from -t";
}

# The messages the sink has: {file, to, subject, link, text} for each.
# The Mailbox handler names its files <seconds>.M<microseconds>P<pid>...
# without padding, so a name does not sort in the order of arrival: a
# message is new when its name was not there before (seen()).
sub box {
	my ($self) = @_;
	my @m;
	for my $f (glob "$self->{box}/new/*") {
		open my $fh, '<', $f or next;
		local $/;
		my $text = <$fh>;
		my ($to) = $text =~ /^To: (.*?)\r?$/m;
		my ($subject) = $text =~ /^Subject: (.*?)\r?$/m;
		my ($link) = $text =~ m{^(https?://\S+?)\r?$}m;
		push @m, { file => $f, to => $to, subject => $subject,
			link => $link, text => $text };
	}
	return @m;
}

# The names of the messages the sink has now.
sub seen { return { map { $_->{file} => 1 } $_[0]->box } }

# The messages that were not in SEEN, waiting up to SECS (10) for WANT of
# them (the mail is sent once the answer is out).
sub arrived {
	my ($self, $seen, $want, $secs) = @_;
	my @new;
	for (1 .. ($secs // 10) * 10) {
		@new = grep { !$seen->{$_->{file}} } $self->box;
		return @new if @new >= $want;
		sleep 0.1;
	}
	return @new;
}

sub DESTROY {
	my ($self) = @_;
	local $?;
	if ($self->{pid}) {
		kill 'TERM', $self->{pid};
		waitpid $self->{pid}, 0;
		$self->{pid} = 0;
	}
}

1;
