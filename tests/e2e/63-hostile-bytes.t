# Hostile bytes: SQL metacharacters, NUL, invalid UTF-8 and CR/LF in
# every field the service reads (JSON and form bodies, the Bearer header,
# cookies, User-Agent, X-Forwarded-For, Origin, the query), Content-Lengths
# that lie, duplicate cookie names and a thousand cookies.  Every answer
# is a proper HTTP status, never a 5xx; no header is injected into an
# answer; nothing is written but the audit rows of failed sign-ins; and
# what the program stores or logs of such bytes is escaped.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use JSON::PP;
use Test::More;
use HostileTest;

my $h = HostileTest->start(throttle_user_max => 1000, throttle_ip_max => 100000);
my $env = $h->env;
my $at = $h->login->{access_token};
my $rt = $h->login->{refresh_token};

my %BYTES = (
	'SQL quote'        => q{x' OR '1'='1' --},
	'SQL statement'    => q{'; DROP TABLE users; --},
	'SQL backslash'    => q{\\'; SELECT pg_sleep(5); --},
	'NUL'              => "a\0b",
	'invalid UTF-8'    => "a\xff\xfeb",
	'overlong NUL'     => "a\xc0\x80b",
	'a UTF-16 surrogate' => "a\xed\xa0\x80b",
	'CR/LF'            => "a\r\nSet-Cookie: injected=1\r\nb",
	'bare CR'          => "a\rb",
	'escaped CR/LF'    => 'a%0d%0aSet-Cookie:%20injected=1',
	'%00'              => 'a%00b',
);
my $ok_status = qr/\A(?:200|204|303|400|401|403|404|405|413|415|429|431)\z/;

# answer(NAME, STATUS, ANSWER, [EXPECTED]): a proper status (EXPECTED if
# given) and no injected header.
sub answer {
	my ($name, $status, $answer, $expected) = @_;
	if (defined $expected) {
		like($status, $expected, "$name: $status");
	} else {
		like($status, $ok_status, "$name: a proper status ($status)");
	}
	my ($head) = split /\r\n\r\n/, $answer // '', 2;
	unlike($head // '', qr/^Set-Cookie: injected|^injected/mi, "$name: no header injected");
}

sub jstr { return JSON::PP->new->ascii->allow_nonref->encode($_[0]) }

# A raw JSON body with the bytes as they are (JSON-escaped when ESC).
sub jbody {
	my ($fields, $esc) = @_;
	return '{' . join(',', map {
		my $v = $fields->{$_};
		qq("$_":) . ($esc ? jstr($v) : qq("$v"))
	} sort keys %$fields) . '}';
}

my ($form_csrf, $csrf_cookie);
{
	my $res = $env->http(GET => '/auth/login', { headers => { accept => 'text/html' } });
	$form_csrf = JwtAuthTest->hidden($res->{content}, 'csrf');
	my %jar;
	JwtAuthTest->cookie_jar(\%jar, $res);
	$csrf_cookie = "jwtauth_csrf=$jar{jwtauth_csrf}";
}
my $origin = 'http://127.0.0.1:' . $env->port;

subtest 'hostile bytes in the bodies' => sub {
	for my $what (sort keys %BYTES) {
		my $b = $BYTES{$what};
		for my $esc (0, 1) {
			my $how = $esc ? 'JSON-escaped' : 'raw';
			for my $r (['/auth/login', { username => $b, password => 'x' }],
			    ['/auth/login', { username => $HostileTest::USER, password => $b }],
			    ['/auth/refresh', { refresh_token => $b }],
			    ['/auth/logout', { scope => $b }],
			    ['/auth/password', { current_password => $b, new_password => $b }]) {
				my ($path, $f) = @$r;
				my @which = grep { $f->{$_} eq $b } sort keys %$f;
				answer("$what ($how) in @which of POST $path",
					$h->request(POST => $path,
					"Content-Type: application/json\r\n", jbody($f, $esc)),
					$path eq '/auth/login' && $esc && $what =~ /^SQL|escaped|%00/
					    ? qr/\A401\z/ : qr/\A(?:400|401|204)\z/);
			}
		}
		(my $enc = $b) =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge;
		for my $field ('username', 'password', 'next') {
			my %f = (username => $HostileTest::USER, password => 'wrong', next => '/',
				csrf => $form_csrf, $field => '');
			my $body = join '&', map { "$_=" . ($_ eq $field ? $enc : $f{$_}) } sort keys %f;
			answer("$what in the form's $field",
				$h->request(POST => '/auth/login',
				"Content-Type: application/x-www-form-urlencoded\r\n"
				. "Origin: $origin\r\nCookie: $csrf_cookie\r\nAccept: text/html\r\n", $body));
		}
		answer("$what in ?next", $h->request(GET => "/auth/login?next=/$enc", ''), qr/\A200\z/);
		answer("$what in ?next of GET /auth/refresh",
			$h->request(GET => "/auth/refresh?next=/$enc", "Cookie: jwtauth_rt=$rt$enc\r\n"),
			qr/\A303\z/);
	}
};

subtest 'hostile bytes in the headers' => sub {
	for my $what (sort keys %BYTES) {
		my $b = $BYTES{$what};
		for my $hd ("Authorization: Bearer $b", "Authorization: Bearer $at$b",
		    "Authorization: $b", "Cookie: jwtauth_at=$b", "Cookie: jwtauth_at=$at$b",
		    "Cookie: $b=$at", "User-Agent: $b", "X-Forwarded-For: $b",
		    "Origin: $b", "Referer: $b", "Accept: $b", "Content-Type: $b") {
			(my $name = $hd) =~ s/:.*//s;
			$name .= $hd =~ /\Q$at\E/ ? ' after a valid token' : '';
			for my $path ('/auth/me', '/app/index.html') {
				my ($status, $answer) = $h->request(GET => $path, "$hd\r\n");
				# A valid token followed by junk must not pass.
				my $expect = $name =~ /Authorization|jwtauth_at/ ? qr/\A(?:400|401)\z/
				    : qr/\A(?:400|401|403)\z/;
				answer("$what in $name at $path", $status, $answer, $expect);
			}
		}
	}
};

subtest 'Content-Lengths that lie' => sub {
	my $body = qq({"refresh_token":"$rt"});
	my $head = "POST /auth/refresh HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
		. "Content-Type: application/json\r\n";
	$h->mark;
	my ($status) = $h->raw($head . 'Content-Length: ' . (length($body) + 100)
		. "\r\n\r\n$body", 1);
	# mod_fcgid reads the body before the program runs and answers 500
	# when the client ends it early (no one is left to read the answer).
	like($status, qr/\A(?:400|408|500)\z/, "a Content-Length longer than the body (then EOF): $status");
	like($h->log_since, qr/mod_fcgid: can't get data from http client/,
		'the 500 is mod_fcgid\'s, which never started the program') if $status == 500;
	($status) = $h->raw($head . "Content-Length: 10\r\n\r\n$body");
	is($status, 400, 'a Content-Length shorter than the body: 400 (truncated JSON)');
	for my $cl ('-1', 'abc', '1e3', '0x10', ' 10', '+10', '99999999999999999999',
	    '18446744073709551617') {
		($status) = $h->raw($head . "Content-Length: $cl\r\n\r\n$body", 1);
		like($status, qr/\A(?:400|413)\z/, "Content-Length '$cl': $status");
	}
	($status) = $h->raw($head . "Content-Length: 10\r\nContent-Length: " . length($body)
		. "\r\n\r\n$body", 1);
	is($status, 400, 'two different Content-Lengths: 400');
	($status) = $h->raw($head . "Content-Length: 0\r\n\r\n$body");
	is($status, 400, 'Content-Length 0 with a body: 400 (no refresh token sent)');
	($status) = $h->raw($head . "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
		. sprintf("%x\r\n%s\r\n0\r\n\r\n", length '{"x"', '{"x"'), 1);
	like($status, qr/\A(?:400|411)\z/, "Content-Length with chunked encoding: $status");
	($status) = $h->raw("POST /auth/refresh HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
		. "Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n$body", 1);
	is($status, 413, 'a 100 MB Content-Length: 413 before reading');
};

subtest 'duplicate cookie names' => sub {
	my ($status) = $h->request(GET => '/auth/me', "Cookie: jwtauth_at=junk; jwtauth_at=$at\r\n");
	is($status, 401, 'a junk access cookie before the valid one: 401 (the first one counts)');
	($status) = $h->request(GET => '/app/index.html', "Cookie: jwtauth_at=junk; jwtauth_at=$at\r\n");
	is($status, 401, 'the same at the authorizer: 401');
	($status) = $h->request(GET => '/auth/me', "Cookie: jwtauth_at=junk\r\nCookie: jwtauth_at=$at\r\n");
	is($status, 401, 'two Cookie headers, junk first: 401');
	($status) = $h->request(GET => '/auth/me', "Cookie: jwtauth_at=$at; jwtauth_at=junk\r\n");
	is($status, 200, 'the valid access cookie first: 200 (RFC 6265bis §5.7.3: the longest path comes first)');
	my ($s2, $answer) = $h->request(GET => '/auth/refresh?next=/app/',
		"Cookie: jwtauth_rt=" . ('A' x 43) . "; jwtauth_rt=$rt\r\n");
	is($s2, 303, 'a junk refresh cookie before the valid one: 303');
	like($answer, qr{^Location: [^\r]*/auth/login\?next=}mi, 'to the login form; the valid one is not used');
};

subtest 'a thousand cookies' => sub {
	my $many = join '; ', map { "c$_=$_" } 1 .. 1000;
	my ($status) = $h->request(GET => '/auth/me', "Cookie: $many\r\n");
	like($status, qr/\A(?:400|401|431)\z/, "a thousand cookies and no access cookie: $status");
	my $short = join '; ', ('a=b') x 1000;
	($status) = $h->request(GET => '/auth/me', "Cookie: $short; jwtauth_at=junk\r\n");
	is($status, 401, 'a thousand cookies then a junk access cookie: 401');
	($status) = $h->request(GET => '/auth/me', "Cookie: " . join('; ', ('jwtauth_at=x') x 500) . "\r\n");
	is($status, 401, 'five hundred access cookies: 401');
	($status) = $h->request(GET => '/app/index.html', "Cookie: $short; jwtauth_at=junk\r\n");
	is($status, 401, 'a thousand cookies at the authorizer: 401');
	($status) = $h->request(GET => '/auth/me', join('', map { "Cookie: c$_=$_\r\n" } 1 .. 1000));
	like($status, qr/\A(?:400|431)\z/, "a thousand Cookie headers: $status (the web server's field limit)");
	($status) = $h->request(GET => '/auth/me', "Cookie: " . (';' x 7000) . "\r\n");
	is($status, 401, 'a Cookie header of 7000 semicolons: 401');
};

$h->done;

# What the program stores of hostile bytes is escaped: a sign-in with a
# hostile User-Agent and X-Forwarded-For (not trusted) stores them as
# printable text.
subtest 'stored client data is escaped' => sub {
	my ($status) = $h->request(POST => '/auth/login',
		"Content-Type: application/json\r\nUser-Agent: \xff\xfe'; DROP TABLE x; --\\\r\n"
		. "X-Forwarded-For: 1.2.3.4, \xff\r\n",
		JSON::PP->new->encode({ username => $HostileTest::USER, password => $HostileTest::PASSWORD }));
	is($status, 200, 'a sign-in with a hostile User-Agent works');
	my $ua = $env->psql('select user_agent from sessions order by created_at desc limit 1');
	like($ua, qr/\A[\x20-\x7e]*\z/, 'the stored User-Agent is printable');
	like($ua, qr/\\xff\\xfe'; DROP TABLE x; --\\x5c/, 'and escaped, byte for byte');
	my $ip = $env->psql('select ip from sessions order by created_at desc limit 1');
	is($ip, '127.0.0.1', 'the stored address is the peer, not the untrusted header');
};

done_testing;
