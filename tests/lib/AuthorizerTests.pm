package AuthorizerTests;

# The FastCGI authorizer, end to end against one real web server (Apache
# with mod_fcgid's FcgidAccessChecker, or lighttpd's mod_fastcgi in
# authorizer mode): a protected static file and a protected CGI script
# that prints its AUTH_* environment.  Used by tests/e2e/27-*.t (the
# Apache module) and 28-*.t to 31-*.t.

use strict;
use warnings;
use Test::More;
use JwtAuthTest;

my %PAGES = (
	'/app/index.html'  => qr/id="secret"/,
	'/app/whoami.cgi'  => qr/<h1>Who am I<\/h1>/,
);

# identity_kept_in(ENV, NAME, HEADERS): with HEADERS authenticating the
# request, the answers the web server makes itself in the protected area
# (the 301 that adds a slash to /app, a 404) carry no Variable-* header.
# Under Apache, mod_fcgid leaves the authorizer's headers in the error
# table, which Apache swaps in for its own error answers, out of
# mod_headers' reach: the authorizer sends none for these (authz.c).
sub identity_kept_in {
	my ($env, $name, $headers) = @_;
	for my $case (['/app', 301], ['/app/missing.html', 404]) {
		my ($path, $status) = @$case;
		my $res = $env->http(GET => $path, { headers => $headers });
		is($res->{status}, $status, "$name: $path with a valid token is $status");
		my @leak = grep /^variable-/i, keys %{ $res->{headers} };
		ok(!@leak, "$name: the $status for $path carries no Variable-* header")
			or diag("leaked: @leak");
	}
}

# run(SERVER, [template => T, name => N]): the suite against SERVER
# started from its dev.conf.in, or from the template T (the module of
# tests/e2e/27: apache/module-test.conf.in), the tests named after N
# (default SERVER).  Returns the environment, still running.
sub run {
	my ($srv, %opt) = @_;
	my $env = JwtAuthTest->start(server => $srv,
		($opt{template} ? (template => $opt{template}) : ()));
	my $server = $opt{name} // $srv;
	$env->add_user('frank', 'frank password 1');
	my $t = $env->login('frank', 'frank password 1');
	my (undef, $c) = JwtAuthTest->jwt_decode($t->{access_token});
	my $html = { accept => 'text/html,application/xhtml+xml' };

	for my $page (sort keys %PAGES) {
		my $res = $env->json(GET => $page);
		is($res->{status}, 401, "$server: $page without a token is 401");
		is(ref $res->{json} && $res->{json}{error}, 'invalid_request',
			"$server: $page without a token answers API clients in JSON");

		$res = $env->http(GET => $page, { headers => $html });
		is($res->{status}, 401, "$server: $page without a session is 401 for a browser");
		like($res->{content}, qr{(?:action="/auth/login"|url=/auth/login\?next=\Q$page\E")},
			"$server: a browser is shown the way to the login form");
		like($res->{content}, qr{(?:name="next" value="\Q$page\E"|next=\Q$page\E)},
			"$server: which leads back to $page");

		$res = $env->http(GET => $page, { headers => $env->bearer($t->{access_token}) });
		is($res->{status}, 200, "$server: $page with a Bearer token is 200");
		like($res->{content}, $PAGES{$page}, "$server: $page is served");
		like($res->{headers}{'cache-control'} // '', qr/no-store/,
			"$server: $page is sent with Cache-Control: no-store");
		ok(!grep(/^variable-/i, keys %{ $res->{headers} }),
			"$server: no Variable-* header reaches the client");

		$res = $env->http(GET => $page, { headers => { %$html,
			cookie => "jwtauth_at=$t->{access_token}" } });
		is($res->{status}, 200, "$server: $page with the access cookie is 200");
	}

	# The web server's own answers in the protected area, after the
	# authorizer said yes (GitHub issue 7, section 1.4).
	identity_kept_in(
		$env, $server, $env->bearer($t->{access_token}));

	my $res = $env->http(GET => '/app/whoami.cgi', { headers => $env->bearer($t->{access_token}) });
	like($res->{content}, qr{<dd id="auth-user">frank</dd>}, "$server: the CGI gets AUTH_USER");
	like($res->{content}, qr{<dd id="auth-sub">\Q$c->{sub}\E</dd>}, "$server: the CGI gets AUTH_SUB");
	like($res->{content}, qr{<dd id="auth-sid">\Q$c->{sid}\E</dd>}, "$server: the CGI gets AUTH_SID");

	# Tampered tokens: another signature, a changed claim, alg none.
	my ($h, $p, $s) = split /\./, $t->{access_token};
	my $forged = $env->sign_jwt({ alg => 'HS256', typ => 'JWT', kid => 'k1' },
		{ %$c, username => 'root' });
	my ($fh, $fp) = split /\./, $forged;
	my %bad = (
		'a flipped signature'        => "$h.$p." . (substr($s, 0, 1) eq 'A' ? 'B' : 'A') . substr($s, 1),
		'a payload swapped in'       => "$h.$fp.$s",
		'alg none'                   => "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.$p.",
		'an expired token'           => $env->sign_jwt({ alg => 'HS256', typ => 'JWT', kid => 'k1' },
			{ %$c, iat => time - 3600, exp => time - 3000 }),
	);
	for my $name (sort keys %bad) {
		$res = $env->http(GET => '/app/index.html', { headers => $env->bearer($bad{$name}) });
		is($res->{status}, 401, "$server: $name is refused");
	}

	# A browser whose access cookie expired is sent through the refresh.
	$res = $env->http(GET => '/app/index.html', { headers => { %$html,
		cookie => "jwtauth_at=$bad{'an expired token'}" } });
	is($res->{status}, 401, "$server: an expired access cookie is 401");
	like($res->{content}, qr{url=/auth/refresh\?next=/app/index\.html"},
		"$server: and the browser moves on to /auth/refresh, back to the page");

	$res = $env->json(POST => '/auth/logout', { headers => $env->bearer($t->{access_token}) });
	is($res->{status}, 204, "$server: logout");
	for my $page (sort keys %PAGES) {
		$res = $env->http(GET => $page, { headers => $env->bearer($t->{access_token}) });
		is($res->{status}, 401, "$server: $page is refused after logout");
	}

	# Fail closed: without the database no protected page is served.
	$t = $env->login('frank', 'frank password 1');
	$env->pg_stop;
	for my $page (sort keys %PAGES) {
		$res = $env->http(GET => $page, { headers => $env->bearer($t->{access_token}) });
		isnt($res->{status}, 200, "$server: $page is not served while the database is down");
		unlike($res->{content}, $PAGES{$page}, "$server: and nothing of it leaks");
	}
	$env->pg_start;
	$res = $env->http(GET => '/app/index.html', { headers => $env->bearer($t->{access_token}) });
	is($res->{status}, 200, "$server: served again once the database is back");
	return $env;
}

1;
