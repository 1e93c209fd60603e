# GuessBurst: guesses sent at once, and the most of them the login
# throttle may let through (src/throttle.c, jwtauth.conf(5)
# throttle_max_delay).  Every guess is counted before it is checked, so
# of N guesses of one account sent together at most throttle_user_max
# are checked before the first block; each block (1, 2, 4 ... seconds,
# at most throttle_max_delay) lets one more through as it ends, so the
# bound grows with the seconds the burst took, never with N.
package GuessBurst;
use strict;
use warnings;
use Exporter 'import';
use HTTP::Tiny;
use JSON::PP qw(encode_json);
use POSIX qw(_exit);
use Time::HiRes qw(time);
our @EXPORT_OK = qw(burst checked_bound);

# burst(URL, HEADERS, BODY...): POST each JSON BODY to URL with HEADERS
# (a hash ref), from as many processes, released together once all are
# ready.  Returns (seconds from the release to the last answer,
# statuses).
sub burst {
	my ($url, $headers, @bodies) = @_;
	my $n = @bodies;
	pipe(my $go_r, my $go_w) or die "pipe: $!\n";
	pipe(my $ready_r, my $ready_w) or die "pipe: $!\n";
	pipe(my $out_r, my $out_w) or die "pipe: $!\n";
	my @pids;
	for my $body (@bodies) {
		my $pid = fork // die "fork: $!\n";
		if ($pid == 0) {
			close $go_w; close $ready_r; close $out_r;
			my $ua = HTTP::Tiny->new(timeout => 60, agent => 'jwtauth-test');
			my $json = encode_json($body);
			syswrite $ready_w, 'r';
			sysread $go_r, my $buf, 1;	# EOF: go
			my $r = $ua->request(POST => $url, { content => $json,
				headers => { 'content-type' => 'application/json', %$headers } });
			syswrite $out_w, "$r->{status}\n";
			_exit(0);
		}
		push @pids, $pid;
	}
	close $ready_w; close $out_w; close $go_r;
	my $ready = 0;
	while ($ready < $n) {
		my $got = sysread $ready_r, my $buf, $n - $ready;
		last if !$got;
		$ready += $got;
	}
	my $t0 = time;
	close $go_w;
	my @st = map { chomp; $_ } <$out_r>;
	my $took = time - $t0;
	waitpid $_, 0 for @pids;
	return ($took, @st);
}

# checked_bound(MAX, SECONDS, MAX_DELAY): the most guesses of one
# account that may be checked in a burst of SECONDS: MAX, and one more
# for each block that can have ended within SECONDS.
sub checked_bound {
	my ($max, $seconds, $max_delay) = @_;
	my ($extra, $spent, $len) = (0, 0, 1);
	while ($spent + $len <= $seconds) {
		$spent += $len;
		$extra++;
		$len = $len * 2 > $max_delay ? $max_delay : $len * 2;
	}
	return $max + $extra;
}

1;
