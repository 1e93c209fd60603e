# The table of refusal spellings in jwtauth.fcgi(8) (REFUSALS), row by
# row, for each kind of client: one spelling per refusal and client kind,
# the same on every route (src/answer.c, src/outcome.c).  The program is
# run as the web servers run it (plain CGI with their meta-variables, as
# in 33-plain-cgi.t), so that each front sees our own answer: a
# responder's browser and API client, the gatekeeper's, Apache's
# authorizer (mod_fcgid's access checker, and mod_authnz_fcgi) and
# lighttpd's.  Then the same rows through the real Apache and lighttpd.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Path qw(make_path);
use IPC::Open2;
use JSON::PP;
use Test::More;
use JwtAuthTest;
use RevocationTests;

my $env = JwtAuthTest->start(throttle_user_max => 3, throttle_ip_max => 1000,
	throttle_max_delay => 5, pwhash_concurrency => 1, max_body => 4096,
	gate_path => '/gated', gate_root => '@DIR@/gated',
	otp_paths => '/app/otp,/gated/otp',
	site_url => 'https://example.org', mail_dir => '@DIR@', signup => 'invite');
make_path($env->dir . '/gated/otp');
for my $user (qw(tess bo cy di)) {
	$env->add_user($user, "$user password 1");
}

# cgi(METHOD, PATH_INFO, BODY, %VARS): the program as plain CGI; returns
# {status, headers (lower-case name => [values]), body, json}.
sub cgi {
	my ($method, $path, $body, %vars) = @_;
	$body //= '';
	local %ENV = (PATH => '/usr/bin:/bin', REQUEST_METHOD => $method,
		SCRIPT_NAME => '/auth', PATH_INFO => $path,
		REQUEST_URI => "/auth$path", SERVER_PROTOCOL => 'HTTP/1.1',
		HTTP_HOST => 'example.org', REMOTE_ADDR => '192.0.2.1',
		CONTENT_LENGTH => length $body,
		JWTAUTH_CONFIG => $env->config_file, %vars);
	delete @ENV{ grep { !defined $ENV{$_} } keys %ENV };
	open my $olderr, '>&', \*STDERR or die $!;
	open STDERR, '>', '/dev/null' or die $!;
	my $pid = open2(my $out, my $in, $env->dir . '/jwtauth.fcgi');
	open STDERR, '>&', $olderr or die $!;
	print $in $body;
	close $in;
	local $/;
	my $raw = <$out> // '';
	waitpid $pid, 0;
	my ($head, $content) = split /\r\n\r\n/, $raw, 2;
	my %h;
	for (split /\r\n/, $head // '') {
		my ($n, $v) = split /: /, $_, 2;
		push @{ $h{lc $n} }, $v;
	}
	my ($status) = ($h{status}[0] // '') =~ /^(\d+)/;
	my $json = eval { decode_json($content // '') };
	return { status => $status, headers => \%h, body => $content // '',
		json => $json };
}

sub header { my ($r, $n) = @_; return join ',', @{ $r->{headers}{$n} // [] } }

# The kinds of client, as the meta-variables of their front say.
my $page = { HTTP_ACCEPT => 'text/html' };
my %front = (
	responder => {},
	gatekeeper => { SCRIPT_NAME => '/auth/jwtauth.fcgi', PATH_INFO => '' },
	'Apache access checker' => { FCGI_ROLE => 'AUTHORIZER',
		FCGI_APACHE_ROLE => 'ACCESS_CHECKER' },
	'mod_authnz_fcgi' => { FCGI_ROLE => 'AUTHORIZER',
		FCGI_APACHE_ROLE => 'AUTHORIZER' },
	'lighttpd authorizer' => { FCGI_ROLE => 'AUTHORIZER' },
);
# The page each front asks about, and where the way back leads.
my %target = (responder => '/auth/me', gatekeeper => '/gated/doc.txt',
	'Apache access checker' => '/app/index.html',
	'mod_authnz_fcgi' => '/app/index.html',
	'lighttpd authorizer' => '/app/index.html');

# ask(FRONT, BROWSER, CREDENTIAL, [URI]): GET of the front's page with
# CREDENTIAL (['bearer', T], ['cookie', T] or undef).
sub ask {
	my ($front, $browser, $cred, $uri) = @_;
	$uri //= $target{$front};
	my %v = (%{ $front{$front} }, REQUEST_URI => $uri,
		$browser ? %$page : ());
	$v{PATH_INFO} //= '/me';
	$v{HTTP_AUTHORIZATION} = "Bearer $cred->[1]" if $cred && $cred->[0] eq 'bearer';
	$v{HTTP_COOKIE} = "jwtauth_at=$cred->[1]" if $cred && $cred->[0] eq 'cookie';
	return cgi(GET => $v{PATH_INFO}, undef, %v);
}

# The cells of the token rows.
sub is_bare {
	my ($r, $status, $what) = @_;
	is($r->{status}, $status, "$what: bare $status");
	is($r->{body}, '', "$what: without a body");
	is(header($r, 'cache-control') . header($r, 'content-type') .
		header($r, 'www-authenticate'), '', "$what: and without our headers");
}

sub is_json_refusal {
	my ($r, $status, $error, $challenge, $what) = @_;
	is($r->{status}, $status, "$what: $status");
	is($r->{json}{error}, $error, "$what: error $error");
	is(header($r, 'www-authenticate'), $challenge,
		"$what: WWW-Authenticate " . ($challenge eq '' ? 'none' : $challenge));
	is(header($r, 'cache-control'), 'no-store', "$what: no-store");
}

sub is_way_back {
	my ($r, $front, $next, $route, $what) = @_;
	is($r->{status}, 401, "$what: 401");
	like(header($r, 'content-type'), qr{^text/html}, "$what: a page");
	is(header($r, 'www-authenticate'), '', "$what: no Bearer challenge to a browser");
	if ($route eq '/login' && $front ne 'lighttpd authorizer') {
		like($r->{body}, qr{<form method="post" action="/auth/login">},
			"$what: the login form");
		is(JwtAuthTest->hidden($r->{body}, 'next'), $next, "$what: which leads back to $next");
	} else {
		like($r->{body}, qr{<meta http-equiv="refresh" content="0;url=/auth\Q$route\E\?next=\Q$next\E">},
			"$what: a page moving on to /auth$route?next=$next");
	}
}

my $t = $env->must_login('tess', 'tess password 1');
my $expired = $env->expired_access_token('tess', 'tess password 1');
my $revoked = $env->must_login('tess', 'tess password 1')->{access_token};
is($env->logout($revoked)->{status}, 204, 'a token is revoked by its logout');
my $bearer_challenge = 'Bearer realm="jwtauth", error="invalid_token"';
my %row = (
	'no token' => [ undef, 'invalid_request', 'Bearer realm="jwtauth"', '/login' ],
	# An access cookie that does not verify may be an expired one: worth
	# a refresh, which fails for it without harm.
	'a malformed token' => [ 'not.a-token', 'invalid_token', $bearer_challenge, '/refresh' ],
	'an expired token' => [ $expired, 'invalid_token', $bearer_challenge, '/refresh' ],
	'a revoked token' => [ $revoked, 'invalid_token', $bearer_challenge, '/login' ],
);
for my $front (sort keys %front) {
	for my $row (sort keys %row) {
		my ($tok, $error, $challenge, $route) = @{ $row{$row} };
		my $api = ask($front, 0, $tok ? [ 'bearer', $tok ] : undef);
		my $browser = ask($front, 1, $tok ? [ 'cookie', $tok ] : undef);
		if ($front =~ /Apache|authnz/) {
			is_bare($api, 401, "$front, $row, API client");
			is_bare($browser, 401, "$front, $row, browser");
			next;
		}
		is_json_refusal($api, 401, $error, $challenge, "$front, $row, API client");
		# A revoked token in a cookie is not worth a refresh; one that
		# does not verify (expired) is.
		is_way_back($browser, $front, $target{$front}, $route, "$front, $row, browser");
	}
}

# No second factor, where a path needs one (otp_paths).
for my $front (grep { $_ ne 'responder' } sort keys %front) {
	my $uri = $front eq 'gatekeeper' ? '/gated/otp/x' : '/app/otp/x';
	my $api = ask($front, 0, [ 'bearer', $t->{access_token} ], $uri);
	my $browser = ask($front, 1, [ 'cookie', $t->{access_token} ], $uri);
	my $what = "$front, no second factor";
	if ($front =~ /Apache|authnz/) {
		is_bare($api, 401, "$what, API client");
		is_bare($browser, 401, "$what, browser");
		next;
	}
	is_json_refusal($api, 401, 'insufficient_user_authentication',
		'Bearer realm="jwtauth", error="insufficient_user_authentication"', "$what, API client");
	is($browser->{status}, 401, "$what, browser: 401");
	like(header($browser, 'content-type'), qr{^text/html}, "$what, browser: a page");
	is(header($browser, 'www-authenticate'),
		'Bearer realm="jwtauth", error="insufficient_user_authentication"',
		"$what, browser: with the challenge");
}

# The rows of the forms: the responder's browser and API client.
my $origin = 'http://example.org';
# form_ctx(): the CSRF nonce cookie and form token of a fresh login page.
sub form_ctx {
	my $r = cgi(GET => '/login', undef, %$page);
	my ($nonce) = map { /^(jwtauth_csrf=[^;]*)/ ? $1 : () } @{ $r->{headers}{'set-cookie'} // [] };
	return ($nonce, JwtAuthTest->hidden($r->{body}, 'csrf'));
}
my ($nonce, $csrf) = form_ctx();
ok(defined $nonce && defined $csrf, 'a login page gives a form token');
my $ua = HTTP::Tiny->new;
# form_token(COOKIE): the form token a page shows a browser with the nonce
# cookie and COOKIE (may be undef): bound to the session of its access
# cookie, if it has one, as every form of a signed-in browser is.
sub form_token {
	my ($cookie) = @_;
	return $csrf if !defined $cookie || $cookie !~ /jwtauth_at=/;
	my $r = cgi(GET => '/login', undef, %$page, HTTP_COOKIE => "$nonce; $cookie");
	return JwtAuthTest->hidden($r->{body}, 'csrf');
}
sub post_form {
	my ($path, $fields, %v) = @_;
	my $token = form_token($v{cookie});
	my $cookie = join '; ', grep { defined } $nonce, delete $v{cookie};
	return cgi(POST => $path, $ua->www_form_urlencode({ csrf => $token, %$fields }),
		CONTENT_TYPE => 'application/x-www-form-urlencoded', %$page,
		HTTP_ORIGIN => $origin, HTTP_COOKIE => $cookie, %v);
}
sub post_json {
	my ($path, $fields, %v) = @_;
	return cgi(POST => $path, encode_json($fields),
		CONTENT_TYPE => 'application/json', %v);
}
sub is_form_again {
	my ($r, $status, $action, $what) = @_;
	is($r->{status}, $status, "$what: $status");
	like($r->{body}, qr{<form method="post" action="/auth\Q$action\E">}, "$what: the form again");
}
sub is_page {
	my ($r, $status, $what) = @_;
	is($r->{status}, $status, "$what: $status");
	like(header($r, 'content-type'), qr{^text/html}, "$what: a page");
}

# A field missing or out of bounds.
is_form_again(post_form('/login', { username => '', password => 'x', next => '/app/' }),
	400, '/login', 'a missing field, browser');
is_json_refusal(post_json('/login', { username => '', password => 'x' }), 400,
	'invalid_request', '', 'a missing field, API client');

# Wrong user name or password: the form keeps the user name and next.
my $r = post_form('/login', { username => 'bo', password => 'wrong', next => '/app/' });
is_form_again($r, 401, '/login', 'a wrong password, browser');
like($r->{body}, qr/value="bo"/, 'a wrong password, browser: the user name kept');
is(JwtAuthTest->hidden($r->{body}, 'next'), '/app/', 'a wrong password, browser: next kept');
$r = post_json('/login', { username => 'bo', password => 'wrong' });
is($r->{status}, 401, 'a wrong password, API client: 401');
is($r->{body}, '{"error":"invalid_credentials"}', 'a wrong password, API client: invalid_credentials alone');

# Throttled: the fourth try of an account (throttle_user_max 3).
post_json('/login', { username => 'bo', password => 'wrong' }) for 1 .. 2;
$r = post_form('/login', { username => 'bo', password => 'bo password 1', next => '/app/' });
is_form_again($r, 429, '/login', 'throttled, browser');
like(header($r, 'retry-after'), qr/^[1-5]$/, 'throttled, browser: Retry-After');
$r = post_json('/login', { username => 'bo', password => 'bo password 1' });
is_json_refusal($r, 429, 'too_many_attempts', '', 'throttled, API client');
like(header($r, 'retry-after'), qr/^[1-5]$/, 'throttled, API client: Retry-After');

# Busy: the only hashing slot (src/pwslot.c: a lock on the shared memory
# of the programs this test runs as plain CGI, as its own user) is
# someone else's.
my $cy = $env->must_login('cy', 'cy password 1');
my $hold = RevocationTests::hold_slot($env, 0, $<);
ok($hold, 'the only hashing slot is taken');
$r = post_form('/login', { username => 'cy', password => 'cy password 1', next => '/app/' });
is_form_again($r, 503, '/login', 'busy, browser');
is(header($r, 'retry-after'), '1', 'busy, browser: Retry-After: 1');
is(JwtAuthTest->hidden($r->{body}, 'next'), '/app/', 'busy, browser: next kept');
$r = post_json('/login', { username => 'cy', password => 'cy password 1' });
is_json_refusal($r, 503, 'temporarily_unavailable', '', 'busy, API client');
is(header($r, 'retry-after'), '1', 'busy, API client: Retry-After: 1');
# The same refusal at a password change: that form again, not the login form.
$r = post_form('/password', { current_password => 'cy password 1', new_password => 'n' x 12 },
	cookie => "jwtauth_at=$cy->{access_token}");
is_form_again($r, 503, '/password', 'busy at a password change, browser');
is(header($r, 'retry-after'), '1', 'busy at a password change, browser: Retry-After: 1');
RevocationTests::release_slot($hold);

# CSRF refused.
is_page(post_form('/login', { username => 'cy', password => 'x', csrf => 'wrong' }),
	403, 'a wrong form token, browser');
is_json_refusal(post_json('/password', { current_password => 'x', new_password => 'y' x 12 },
	HTTP_COOKIE => "jwtauth_at=$t->{access_token}"), 403, 'invalid_request', '',
	'a cookie without the form token, API client');

# Wrong current password: the password form again.
is_form_again(post_form('/password', { current_password => 'wrong', new_password => 'n' x 12 },
	cookie => "jwtauth_at=$cy->{access_token}"), 401, '/password',
	'a wrong current password, browser');
$r = post_json('/password', { current_password => 'wrong', new_password => 'n' x 12 },
	HTTP_AUTHORIZATION => "Bearer $cy->{access_token}");
is($r->{body}, '{"error":"invalid_credentials"}', 'a wrong current password, API client: invalid_credentials');
is($r->{status}, 401, 'a wrong current password, API client: 401');

# The same refusal has the same spelling on every route: a wrong current
# password at the second factor's routes is the password change's.
my $di = $env->must_login('di', 'di password 1');
$r = post_json('/2fa/setup', { password => 'wrong' }, HTTP_AUTHORIZATION => "Bearer $di->{access_token}");
is($r->{status}, 401, 'a wrong current password at 2fa/setup, API client: 401');
is($r->{body}, '{"error":"invalid_credentials"}',
	'a wrong current password at 2fa/setup, API client: invalid_credentials alone, as at a password change');
# Throttled at an account page form: the 429 and its wait, on a page of
# its own (the account page's forms are not the login form).
post_json('/password', { current_password => 'wrong', new_password => 'n' x 12 },
	HTTP_AUTHORIZATION => "Bearer $di->{access_token}") for 1 .. 2;
$r = post_form('/2fa/setup', { password => 'di password 1' }, cookie => "jwtauth_at=$di->{access_token}");
is_page($r, 429, 'throttled at an account form, browser');
like(header($r, 'retry-after'), qr/^[1-5]$/, 'throttled at an account form, browser: Retry-After');
unlike($r->{body}, qr{action="/auth/login"}, 'throttled at an account form, browser: not the login form');

# An mfa_token unknown or used: the login form again.
is_form_again(post_form('/login', { mfa_token => 'x' x 43, code => '123456', next => '/app/' }),
	401, '/login', 'an unknown mfa_token, browser');
$r = post_json('/login', { mfa_token => 'x' x 43, code => '123456' });
is($r->{body}, '{"error":"invalid_mfa_token"}', 'an unknown mfa_token, API client: invalid_mfa_token');

# A refresh token refused.
is_page(post_form('/refresh', {}, cookie => 'jwtauth_rt=' . ('r' x 43)), 401,
	'a refused refresh token, browser');
is_json_refusal(post_json('/refresh', { refresh_token => 'r' x 43 }), 401, 'invalid_grant', '',
	'a refused refresh token, API client');

# The account not in the state asked: two-factor is not on.
$r = post_form('/2fa/disable', { password => 'cy password 1', code => '123456' },
	cookie => "jwtauth_at=$cy->{access_token}");
is($r->{status}, 303, 'two-factor not on, browser: 303');
is(header($r, 'location'), '/auth/account?m=state', 'two-factor not on, browser: to the account page, ?m=state');
is_json_refusal(post_json('/2fa/disable', { password => 'cy password 1', code => '123456' },
	HTTP_AUTHORIZATION => "Bearer $cy->{access_token}"), 409, 'not_enabled', '',
	'two-factor not on, API client');

# A mailed link unknown, used or expired.
my $dead = post_form('/reset/confirm', { token => 'A' x 43, password => 'a long new password' });
is_page($dead, 400, 'a dead reset link, browser');
like($dead->{body}, qr{href="/auth/reset"}, 'a dead reset link, browser: a way to ask for a new one');
is_json_refusal(post_json('/reset/confirm', { token => 'A' x 43, password => 'a long new password' }),
	400, 'invalid_link', '', 'a dead reset link, API client');

# The right password of an account whose address is not verified yet
# (signed up, the mailed link not used).
$env->add_user('ev', 'ev password 1');
$env->psql("update users set pending_since = now() where username = 'ev'");
is_form_again(post_form('/login', { username => 'ev', password => 'ev password 1', next => '/app/' }),
	403, '/login', 'address not verified, browser');
is_json_refusal(post_json('/login', { username => 'ev', password => 'ev password 1' }), 403,
	'email_not_verified', '', 'address not verified, API client');

# A sign-up by invitation without one.
is_page(post_form('/signup', { username => 'fay', password => 'fay password 1' }), 403,
	'no invitation, browser');
is_json_refusal(post_json('/signup', { username => 'fay', password => 'fay password 1' }), 403,
	'invitation_required', '', 'no invitation, API client');

# Nothing here.
my $none = '00000000-0000-4000-8000-000000000000';
is_page(post_form("/sessions/$none/end", {}, cookie => "jwtauth_at=$cy->{access_token}"),
	404, 'no such session, browser');
is_json_refusal(post_json("/sessions/$none/end", {}, HTTP_AUTHORIZATION => "Bearer $cy->{access_token}"),
	404, 'not_found', '', 'no such session, API client');

# The body: too large, of another type, malformed.
is_page(post_form('/login', { username => 'cy', password => 'p' x 5000 }), 413,
	'a body over max_body, browser');
is_json_refusal(post_json('/login', { username => 'cy', password => 'p' x 5000 }), 413,
	'invalid_request', '', 'a body over max_body, API client');
is_page(cgi(POST => '/login', 'x', CONTENT_TYPE => 'text/plain', %$page), 415,
	'a body of another type, browser');
is_json_refusal(cgi(POST => '/login', 'x', CONTENT_TYPE => 'text/plain'), 415,
	'invalid_request', '', 'a body of another type, API client');
is_page(cgi(POST => '/login', 'a=%zz', CONTENT_TYPE => 'application/x-www-form-urlencoded',
	%$page), 400, 'a malformed form, browser');
is_json_refusal(cgi(POST => '/login', '{"a":', CONTENT_TYPE => 'application/json'), 400,
	'invalid_request', '', 'malformed JSON, API client');

# Through the real web servers: Apache shows its ErrorDocument 401 (our
# login route, answering as the responder), lighttpd our answer as it is.
for my $server (qw(apache lighttpd)) {
	my $e = $server eq 'apache' ? $env : JwtAuthTest->start(server => 'lighttpd');
	$e->add_user('dee', 'dee password 1') if $server eq 'lighttpd';
	my $exp = $server eq 'apache' ? $expired : $e->expired_access_token('dee', 'dee password 1');
	my $res = $e->http(GET => '/app/index.html');
	is($res->{status}, 401, "$server: no token, API client: 401");
	is(decode_json($res->{content})->{error}, 'invalid_request', "$server: no token, API client: invalid_request");
	$res = $e->http(GET => '/app/index.html', { headers => { accept => 'text/html',
		cookie => "jwtauth_at=$exp" } });
	is($res->{status}, 401, "$server: an expired cookie, browser: 401");
	like($res->{content}, qr{url=/auth/refresh\?next=/app/index\.html"},
		"$server: an expired cookie, browser: on to the refresh");
	$e->stop if $server eq 'lighttpd';
}

# Database unavailable: every front fails closed.
$env->pg_stop;
for my $front (sort keys %front) {
	my $api = ask($front, 0, [ 'bearer', $t->{access_token} ]);
	my $browser = ask($front, 1, [ 'cookie', $t->{access_token} ]);
	if ($front =~ /Apache|authnz/) {
		is_bare($api, 503, "$front, database down, API client");
		is_bare($browser, 503, "$front, database down, browser");
		next;
	}
	is_json_refusal($api, 503, 'temporarily_unavailable', '', "$front, database down, API client");
	is_page($browser, 503, "$front, database down, browser");
}
$env->pg_start;
done_testing;
