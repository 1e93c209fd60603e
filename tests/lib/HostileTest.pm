package HostileTest;

# The hostile end-to-end tests (tests/e2e/6N-hostile-*.t): a running
# service with one user signed in, forged tokens, raw HTTP requests, and
# the checks every hostile request must pass: the right status, nothing
# written to the database, no crash or sanitizer report in the error log,
# a one-line escaped reason for each refused token, and no token in the
# log.
#
#   my $h = HostileTest->start(%config);      # JwtAuthTest->start options
#   my $tok = $h->forge_raw($header_json, $payload_json);   # HS256, our key
#   $h->refused_token($tok, 'alg none');      # Bearer, cookie, authorizer
#   my $status = $h->raw("GET /auth/me HTTP/1.1\r\n...");
#   $h->done;                                  # counts, crashes, log checks

use strict;
use warnings;

use Digest::SHA ();
use IO::Socket::INET;
use JSON::PP;
use MIME::Base64 ();
use Test::More;
use JwtAuthTest;

our $USER = 'victim';
our $PASSWORD = 'victim password 1';

# start(CONFIG...): starts the service (JwtAuthTest->start), adds $USER
# and signs in; the counts of the database's rows and the length of the
# error log are taken after that, as the baseline.
sub start {
	my ($class, %config) = @_;
	my $env = JwtAuthTest->start(%config);
	$env->add_user($USER, $PASSWORD);
	my $self = bless { env => $env, secrets => [] }, $class;
	$self->{login} = $env->must_login($USER, $PASSWORD);
	$self->secret($self->{login}{access_token}, $self->{login}{refresh_token});
	(undef, $self->{claims}) = JwtAuthTest->jwt_decode($self->{login}{access_token});
	$self->{counts} = $self->counts;
	$self->mark;
	return $self;
}

sub env    { $_[0]{env} }
sub login  { $_[0]{login} }
# claims: a copy of the claims of the signed-in user's access token.
sub claims { return { %{ $_[0]{claims} } } }

# secret(TOKEN...): tokens that must never appear in the error log (done
# checks; each signature and payload segment of 16 bytes or more too).
sub secret {
	my ($self, @tokens) = @_;
	push @{ $self->{secrets} }, grep { defined && length >= 16 } @tokens;
}

# counts: the rows of every table that a refused request must not touch;
# the audit rows of failed sign-ins (which the throttle also counts) are
# expected and left out, as is the throttle table.
sub counts {
	my ($self) = @_;
	return $self->{env}->psql('select ' . join ' || \'/\' || ', map { "(select count(*) from $_)" }
		'users', 'sessions', 'refresh_tokens', 'revoked_tokens',
		"audit where event not in ('login_failed', 'login_throttled')",
		'refresh_tokens where used_at is not null',
		'sessions where revoked_at is not null');
}

# mark: remembers the end of the error log; log_since returns what came
# after it.
sub mark { $_[0]{mark} = length $_[0]{env}->error_log }
sub log_since {
	my ($self) = @_;
	return substr($self->{env}->error_log, $self->{mark});
}

sub b64url {
	my ($bytes) = @_;
	(my $s = MIME::Base64::encode_base64($bytes, '')) =~ tr{+/}{-_};
	$s =~ s/=+\z//;
	return $s;
}

# key: the service's HMAC key, read from its key file.
sub key {
	my ($self) = @_;
	open my $fh, '<', $self->{env}->dir . '/jwt.key' or die "jwt.key: $!";
	chomp(my $text = <$fh>);
	close $fh;
	(my $std = $text) =~ tr{-_}{+/};
	$std .= '=' x ((4 - length($std) % 4) % 4);
	return MIME::Base64::decode_base64($std);
}

# header: the header the service issues, as a hash.
sub header { return { alg => 'HS256', typ => 'JWT', kid => 'k1' } }

# forge_raw(HEADER_TEXT, PAYLOAD_TEXT, [KEY, [DIGEST]]): a JWS of the two
# JSON texts taken as they are (duplicate keys stay), HMAC-signed with KEY
# (default: the service's own) and DIGEST (default: hmac_sha256).
sub forge_raw {
	my ($self, $h, $p, $key, $digest) = @_;
	$key //= $self->key;
	$digest //= \&Digest::SHA::hmac_sha256;
	my $input = b64url($h) . '.' . b64url($p);
	my $t = "$input." . b64url($digest->($input, $key));
	$self->secret($t);
	return $t;
}

# forge(HEADER, CLAIMS, [KEY, [DIGEST]]): forge_raw of two hashes.
sub forge {
	my ($self, $h, $c, @rest) = @_;
	my $json = JSON::PP->new->canonical->allow_nonref;
	return $self->forge_raw($json->encode($h), $json->encode($c), @rest);
}

# is_refusal(RES, NAME, [STATUS]): RES is STATUS (default 401) and not a
# crash.
sub is_refusal {
	my ($self, $res, $name, $status) = @_;
	$status //= 401;
	is($res->{status}, $status, "$name: $status")
		or diag(substr($res->{content} // '', 0, 300));
}

# refused_token(TOKEN, NAME): TOKEN is refused as an access token in the
# three places one is read: the Bearer header of /auth/me, the access
# cookie of /auth/me, and the Bearer header at the authorizer (/app/).
# Each refusal left a one-line reason in the log.
sub refused_token {
	my ($self, $token, $name) = @_;
	my $env = $self->{env};
	$self->secret($token);
	my @ways = (
		[ 'Bearer at /auth/me', GET => '/auth/me',
		  { authorization => "Bearer $token" } ],
		[ 'cookie at /auth/me', GET => '/auth/me',
		  { cookie => "jwtauth_at=$token" } ],
		[ 'Bearer at the authorizer', GET => '/app/index.html',
		  { authorization => "Bearer $token" } ],
	);
	for my $w (@ways) {
		my ($how, $method, $path, $headers) = @$w;
		$self->mark;
		my $res = $env->json($method => $path, { headers => $headers });
		$self->is_refusal($res, "$name ($how)");
		$self->logged_refusal("$name ($how)");
	}
}

# logged_refusal(NAME): the log since the mark holds a "token refused"
# line with a fixed reason (the mark may lag, so the line is waited for
# up to a second).
sub logged_refusal {
	my ($self, $name) = @_;
	my $re = qr/jwtauth: (?:access|refresh) (?:token|cookie) refused from [^\s\\]+: [A-Za-z ,]+$/m;
	for (1 .. 20) {
		return pass("$name: the refusal is logged") if $self->log_since =~ $re;
		select undef, undef, undef, 0.05;
	}
	fail("$name: the refusal is logged");
	diag($self->log_since);
}

# raw(BYTES, [SHUTDOWN]): sends BYTES to the web server as they are
# (CR/LF, NUL, lying lengths...), half-closes the connection when
# SHUTDOWN, and returns the status of the answer, 0 when none came in
# 10 s (the server closed without answering), and the whole answer.
sub raw {
	my ($self, $bytes, $shutdown) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
		PeerPort => $self->{env}->port, Proto => 'tcp', Timeout => 5)
		or die "connect: $!\n";
	binmode $s;
	local $SIG{PIPE} = 'IGNORE';
	print $s $bytes;
	shutdown($s, 1) if $shutdown;
	my $answer = '';
	my $deadline = time + 10;
	my $rin = '';
	vec($rin, fileno($s), 1) = 1;
	while (time < $deadline) {
		my $rout = $rin;
		my $n = select($rout, undef, undef, 0.5);
		next if !$n;
		my $got = sysread($s, my $buf, 65536);
		last if !$got;
		$answer .= $buf;
		last if $answer =~ /\r\n\r\n/ && !$shutdown
			&& _complete($answer);
	}
	close $s;
	my ($status) = $answer =~ m{\AHTTP/1\.[01] (\d{3})};
	return ($status // 0, $answer);
}

# _complete(ANSWER): the answer has its whole body (Content-Length).
sub _complete {
	my ($a) = @_;
	my ($head, $body) = split /\r\n\r\n/, $a, 2;
	my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
	return defined $len ? length($body) >= $len : 0;
}

# request(METHOD, PATH, HEADERS_TEXT, BODY): raw() of one HTTP/1.1
# request with Connection: close; HEADERS_TEXT is lines ending in CRLF.
sub request {
	my ($self, $method, $path, $headers, $body) = @_;
	$body //= '';
	return $self->raw("$method $path HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		. "Connection: close\r\n$headers"
		. (length $body ? 'Content-Length: ' . length($body) . "\r\n" : '')
		. "\r\n$body");
}

# done: the checks that close every hostile test: the rows are as they
# were, no process crashed, no sanitizer reported, every line the program
# logged is one line of printable ASCII, and no token is in the log; the
# signed-in user's session still works.
sub done {
	my ($self) = @_;
	my $env = $self->{env};
	is($env->me($self->{login}{access_token})->{status}, 200,
		'the signed-in session still works after the attacks');
	is($self->counts, $self->{counts},
		'nothing was written: users, sessions, refresh tokens, revocations and audit rows as before');
	my $log = $env->error_log;
	unlike($log, qr/exit signal|Segmentation|segfault|core dumped|child pid \d+ exit/i,
		'no process of the web server or the program crashed');
	unlike($log, qr/ERROR: AddressSanitizer|runtime error:|LeakSanitizer/,
		'no sanitizer report');
	my @bad = grep { !/\A[\x20-\x7e]*\z/ } ($log =~ /jwtauth: ([^\n]*)/g);
	is(scalar @bad, 0, 'every line the program logged is escaped printable text')
		or diag(join "\n", map { JSON::PP->new->ascii->allow_nonref->encode($_) } @bad[0 .. 4]);
	my @leaked;
	for my $t (@{ $self->{secrets} }) {
		my @parts = grep { length >= 16 } ($t, split /\./, $t);
		push @leaked, $t if grep { index($log, $_) >= 0 } @parts;
	}
	is(scalar @leaked, 0, 'no token or token segment is in the log')
		or diag('leaked: ' . substr($leaked[0], 0, 80));
}

1;
