package MailDir;

# The mail written to mail_dir (jwtauth.conf(5)) in the mail tests: the
# config that makes the test's DIR/mail, writable by the web server's
# user, and the reading of what has been written since (84, 87, 88, 90,
# 77).
#
#   my $env = JwtAuthTest->start(MailDir::options(), site_url => ...);
#   my $mail = MailDir->new($env);
#   my @m = $mail->new_mails(1);   # {file, to, subject, text, link}
#   my $token = MailDir::token_of($m[0]{link});

use strict;
use warnings;
use Time::HiRes qw(sleep);

# options(): mail_dir and the before_server that makes it, for start().
sub options {
	return (mail_dir => '@DIR@/mail', before_server => sub {
		my $dir = "$_[0]{dir}/mail";
		mkdir $dir or die "mkdir $dir: $!\n";
		chmod 0777, $dir or die "chmod $dir: $!\n";
	});
}

sub new {
	my ($class, $env) = @_;
	return bless { dir => $env->dir . '/mail', seen => {} }, $class;
}

sub dir { $_[0]{dir} }

# all(): every mail written so far, oldest first (the files are named
# <seconds>.<nanoseconds>-<random>.eml: sorted, in the order written).
sub all {
	my ($self) = @_;
	my @m;
	for my $f (sort glob "$self->{dir}/*.eml") {
		open my $fh, '<', $f or die "$f: $!\n";
		local $/;
		my $text = <$fh>;
		my ($to) = $text =~ /^To: (.*)$/m;
		my ($subject) = $text =~ /^Subject: (.*)$/m;
		my ($link) = $text =~ m{^(https?://\S+)$}m;
		push @m, { file => $f, to => $to, subject => $subject,
			text => $text, link => $link };
	}
	return @m;
}

# new_mails(WANT): the mails written since the last call, waiting up to
# 5 s for WANT of them (a mail is sent once the answer is out); with
# WANT 0, whatever came within 0.3 s.
sub new_mails {
	my ($self, $want) = @_;
	my @new;
	for (1 .. 50) {
		@new = grep { !$self->{seen}{$_->{file}} } $self->all;
		last if @new >= $want;
		sleep 0.1;
	}
	if ($want == 0) {
		sleep 0.3;
		@new = grep { !$self->{seen}{$_->{file}} } $self->all;
	}
	$self->{seen}{$_->{file}} = 1 for @new;
	return @new;
}

# token_of(LINK): the token of a mailed link, or undef.
sub token_of { ($_[0] // '') =~ /[?&]token=([A-Za-z0-9_-]+)/ ? $1 : undef }

1;
