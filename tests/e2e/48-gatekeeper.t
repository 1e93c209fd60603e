# Gatekeeper mode on a host without FastCGI: Apache as a shared host
# runs it (apache/htaccess-test.conf.in) but with mod_fcgid not loaded;
# /auth/ is the plain CGI of cgi.htaccess, and the protected /gated/
# holds only apache/shared-hosting/gate.htaccess, which rewrites every
# request to that CGI.  The program checks the session as the
# authorizer does and serves the file itself: types, validators and
# 304, ranges, HEAD, directory index, and nothing outside the directory.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Copy qw(copy);
use File::Path qw(make_path);
use POSIX qw(strftime);
use Test::More;
use JwtAuthTest;

my $repo = "$FindBin::Bin/../..";

# The shared host's config without mod_fcgid: only CGI runs programs.
open my $tin, '<', "$repo/apache/htaccess-test.conf.in" or die $!;
my $conf = join '', grep { !/fcgid/i } <$tin>;
close $tin;
my $env = JwtAuthTest->start(server => 'apache',
	template => JwtAuthTest->temp_template($conf),
	gate_path => '/gated', gate_root => '@DIR@/www/gated');
my $dir = $env->dir;
my $www = "$dir/www";

sub write_file {
	my ($file, $text) = @_;
	open my $fh, '>', $file or die "$file: $!";
	print $fh $text;
	close $fh or die "$file: $!";
}

sub slurp {
	my ($file) = @_;
	open my $fh, '<', $file or die "$file: $!";
	local $/;
	return scalar <$fh>;
}

# /auth/: the plain CGI (as 34-plain-cgi-apache.t sets it up).
mkdir "$www/auth" or die $!;
copy("$dir/jwtauth.fcgi", "$www/auth/jwtauth.cgi") or die $!;
chmod 0755, "$www/auth/jwtauth.cgi";
write_file("$www/auth/.htaccess", slurp("$repo/apache/shared-hosting/cgi.htaccess")
	. "SetEnv JWTAUTH_CONFIG $dir/jwtauth.conf\n");

# /gated/: the files, a secret outside and the ways out of it.
my $g = "$www/gated";
make_path("$g/sub", "$g/empty", "$dir/outside");
my $text = join '', map { sprintf "line %02d of the protected text\n", $_ } 1 .. 20;
write_file("$g/doc.txt", $text);
write_file("$g/index.html", "<p>gated index</p>\n");
write_file("$g/sub/index.html", "<p>sub index</p>\n");
write_file("$g/data.blob", "\x00\x01binary");
# Larger than the program's 64 KiB read chunk, no two chunks alike.
my $big = join '', map { sprintf "%07d\n", $_ } 0 .. 40000;
write_file("$g/big.txt", $big);
write_file("$g/.secret", "DOTFILE-SECRET\n");
write_file("$g/x.php", "<?php echo 'PHP-SOURCE'; ?>\n");
write_file("$dir/outside/secret.txt", "OUTSIDE-SECRET\n");
symlink("$dir/outside/secret.txt", "$g/link.txt") or die $!;
symlink("$dir/outside", "$g/linkdir") or die $!;
write_file("$g/.htaccess", slurp("$repo/apache/shared-hosting/gate.htaccess"));
# An hour old: a strong ETag (a file changed within the second gets a
# weak one).
my $mtime = time - 3600;
utime $mtime, $mtime, "$g/doc.txt" or die $!;
my $lastmod = strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime $mtime);

# --check names the directory, and fails for one that is not there.
my ($rc, $out) = $env->run_cmd({}, "$dir/jwtauth.fcgi", '--check', '-c', $env->config_file);
like($out, qr{^ok: gate_root \Q$g\E: a directory, served as /gated/$}m,
	'gate: --check finds gate_root');
(my $badconf = slurp($env->config_file)) =~ s{^gate_root = .*$}{gate_root = $dir/nowhere}m;
write_file("$dir/bad.conf", $badconf);
($rc, $out) = $env->run_cmd({}, "$dir/jwtauth.fcgi", '--check', '-c', "$dir/bad.conf");
ok($rc != 0 && $out =~ m{^FAIL: gate_root \Q$dir\E/nowhere: No such file or directory}m,
	'gate: --check fails for a missing gate_root');

# Refused without a session, as the authorizer refuses.
my $res = $env->json(GET => '/gated/doc.txt');
is($res->{status}, 401, 'gate: no session, an API client gets 401');
is($res->{json}{error}, 'invalid_request', 'gate: ... with the OAuth error');
like($res->{headers}{'www-authenticate'} // '', qr/^Bearer realm="jwtauth"/,
	'gate: ... and a Bearer challenge');
unlike($res->{content}, qr/protected text/, 'gate: ... and not the file');
my %jar;
$res = $env->http(GET => '/gated/doc.txt?x=1', { headers => { accept => 'text/html' } });
is($res->{status}, 401, 'gate: no session, a browser gets 401');
like($res->{content}, qr{<form method="post" action="/auth/login">},
	'gate: ... with the login form');
is(JwtAuthTest->hidden($res->{content}, 'next'), '/gated/doc.txt?x=1',
	'gate: ... which leads back to the file');

# Sign in through the form; the cookie opens the gate.
JwtAuthTest->cookie_jar(\%jar, $res);
$env->add_user('gina', 'gina password 1');
$res = $env->form('/auth/login', \%jar, { username => 'gina', password => 'gina password 1',
	next => '/gated/doc.txt', csrf => JwtAuthTest->hidden($res->{content}, 'csrf') });
is($res->{status}, 303, 'gate: the login form answers 303');
is($res->{headers}{location}, '/gated/doc.txt', 'gate: ... back to the file');
my $cookie = { cookie => JwtAuthTest->cookie_header(\%jar) };
$res = $env->http(GET => '/gated/doc.txt', { headers => $cookie });
is($res->{status}, 200, 'gate: with the session cookie the file is 200');
is($res->{content}, $text, 'gate: ... with its bytes');
is($res->{headers}{'content-type'}, 'text/plain; charset=utf-8', 'gate: ... typed text/plain, utf-8');
# Apache passes the program's Content-Length on, or sends the body
# chunked when it reached Apache in pieces.
my $cl = $res->{headers}{'content-length'};
ok(!defined $cl || $cl == length $text, 'gate: ... and its length, when Apache sends one');
like($res->{headers}{'cache-control'} // '', qr/no-store/, 'gate: ... no-store');
is($res->{headers}{'x-content-type-options'}, 'nosniff', 'gate: ... nosniff');
is($res->{headers}{'last-modified'}, $lastmod, 'gate: ... Last-Modified is the file\'s time');
my $etag = $res->{headers}{etag} // '';
like($etag, qr/^"[^"]+"$/, 'gate: ... a strong ETag for a file an hour old');
is($res->{headers}{'accept-ranges'}, 'bytes', 'gate: ... Accept-Ranges: bytes');

my $t = $env->must_login('gina', 'gina password 1');
my $bearer = $env->bearer($t->{access_token});
$res = $env->http(GET => '/gated/doc.txt', { headers => $bearer });
is($res->{status}, 200, 'gate: a Bearer token opens it too');

# Conditional requests (RFC 9110 §13).
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie, 'if-none-match' => $etag } });
is($res->{status}, 304, 'gate: If-None-Match with the ETag is 304');
is($res->{content} // '', '', 'gate: ... without a body');
is($res->{headers}{etag}, $etag, 'gate: ... naming the ETag');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie, 'if-none-match' => "W/$etag" } });
is($res->{status}, 304, 'gate: If-None-Match compares weakly (W/ matches)');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie, 'if-none-match' => '"other"' } });
is($res->{status}, 200, 'gate: If-None-Match with another tag is 200');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie, 'if-modified-since' => $lastmod } });
is($res->{status}, 304, 'gate: If-Modified-Since at Last-Modified is 304');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie,
	'if-modified-since' => strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime($mtime - 60)) } });
is($res->{status}, 200, 'gate: If-Modified-Since before it is 200');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie,
	'if-none-match' => '"other"', 'if-modified-since' => $lastmod } });
is($res->{status}, 200, 'gate: If-None-Match takes precedence over If-Modified-Since');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie, 'if-match' => '"other"' } });
is($res->{status}, 412, 'gate: If-Match with another tag is 412');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie, 'if-match' => $etag } });
is($res->{status}, 200, 'gate: If-Match with the ETag is 200');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie,
	'if-unmodified-since' => strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime($mtime - 60)) } });
is($res->{status}, 412, 'gate: If-Unmodified-Since before Last-Modified is 412');

# A file changed within the current second (here: dated in the future)
# may still change without its time changing: a weak ETag, which no
# If-Range can match.
write_file("$g/fresh.txt", $text);
utime time + 60, time + 60, "$g/fresh.txt" or die $!;
$res = $env->http(GET => '/gated/fresh.txt', { headers => $cookie });
my $weak = $res->{headers}{etag} // '';
like($weak, qr{^W/"}, 'gate: a file changed this second gets a weak ETag');
$res = $env->http(GET => '/gated/fresh.txt', { headers => { %$cookie, range => 'bytes=0-4', 'if-range' => $weak } });
is($res->{status}, 200, 'gate: If-Range with a weak ETag sends the whole file');

# Ranges (RFC 9110 §14).
my $size = length $text;
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie, range => 'bytes=10-39' } });
is($res->{status}, 206, 'gate: Range is 206');
is($res->{content}, substr($text, 10, 30), 'gate: ... with those bytes');
is($res->{headers}{'content-range'}, "bytes 10-39/$size", 'gate: ... and Content-Range');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie, range => 'bytes=-7' } });
is($res->{content}, substr($text, -7), 'gate: a suffix range gives the last bytes');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie, range => "bytes=$size-" } });
is($res->{status}, 416, 'gate: a range past the end is 416');
is($res->{headers}{'content-range'}, "bytes */$size", 'gate: ... with the size');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie, range => 'bytes=0-4', 'if-range' => $etag } });
is($res->{status}, 206, 'gate: If-Range with the ETag keeps the range');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie, range => 'bytes=0-4', 'if-range' => '"old"' } });
is($res->{status}, 200, 'gate: If-Range with another tag sends the whole file');
is($res->{content}, $text, 'gate: ... all of it');

$res = $env->http(GET => '/gated/big.txt', { headers => $cookie });
ok($res->{content} eq $big, 'gate: a file of several read chunks arrives whole');
$res = $env->http(GET => '/gated/big.txt', { headers => { %$cookie, range => 'bytes=65530-131080' } });
ok($res->{status} == 206 && $res->{content} eq substr($big, 65530, 65551),
	'gate: a range across read chunks has the right bytes');

# HEAD, and no other method.
$res = $env->http(HEAD => '/gated/doc.txt', { headers => $cookie });
is($res->{status}, 200, 'gate: HEAD is 200');
# Apache drops a CGI's Content-Length on HEAD (RFC 9110 §9.3.2 lets it).
is($res->{headers}{etag}, $etag, 'gate: ... with the ETag');
is($res->{content} // '', '', 'gate: ... and no body');
$res = $env->http(POST => '/gated/doc.txt', { headers => { %$cookie,
	'content-type' => 'application/x-www-form-urlencoded' }, content => 'a=b' });
is($res->{status}, 405, 'gate: POST is 405');
is($res->{headers}{allow}, 'GET, HEAD', 'gate: ... Allow: GET, HEAD');

# Types, directories.
$res = $env->http(GET => '/gated/data.blob', { headers => $cookie });
is($res->{headers}{'content-type'}, 'application/octet-stream', 'gate: an unknown type is application/octet-stream');
$res = $env->http(GET => '/gated/sub/', { headers => $cookie });
is($res->{status}, 200, 'gate: a directory with its slash is 200');
is($res->{content}, "<p>sub index</p>\n", 'gate: ... its index.html');
is($res->{headers}{'content-type'}, 'text/html; charset=utf-8', 'gate: ... as HTML');
$res = $env->http(GET => '/gated/sub?q=1', { headers => $cookie });
is($res->{status}, 301, 'gate: a directory without the slash is 301');
# Apache makes a CGI's local Location absolute.
like($res->{headers}{location} // '', qr{^(?:http://127\.0\.0\.1:\d+)?/gated/sub/\?q=1\z},
	'gate: ... to the slash form, query kept');
# Apache's mod_dir answers /gated/sub itself (mod_rewrite leaves a
# directory without its slash alone); under /gated/deep it reaches the
# gate (RewriteOptions AllowNoSlash), as every such request does under
# lighttpd.  A query too long for the Location header is dropped there.
make_path("$g/deep/inner");
write_file("$g/deep/inner/index.html", "<p>inner</p>\n");
write_file("$g/deep/.htaccess", "DirectorySlash Off\nRewriteEngine On\n"
	. "RewriteOptions AllowNoSlash\nRewriteRule ^ /auth/jwtauth.cgi [L]\n");
$res = $env->http(GET => '/gated/deep/inner?q=1', { headers => $cookie });
is($res->{status}, 301, 'gate: the gate\'s own 301 for a directory without the slash');
like($res->{headers}{location} // '', qr{^(?:http://127\.0\.0\.1:\d+)?/gated/deep/inner/\?q=1\z},
	'gate: ... keeps a short query');
$res = $env->http(GET => '/gated/deep/inner?q=' . ('x' x 7800), { headers => $cookie });
is($res->{status}, 301, 'gate: a query too long for Location is no 500: still 301');
like($res->{headers}{location} // '', qr{^(?:http://127\.0\.0\.1:\d+)?/gated/deep/inner/\z},
	'gate: ... to the slash form, the query dropped');
$res = $env->http(GET => '/gated', { headers => $cookie });
like($res->{headers}{location} // '', qr{^(?:http://127\.0\.0\.1:\d+)?/gated/\z},
	'gate: the protected directory itself gets its slash');
$res = $env->http(GET => '/gated/', { headers => $cookie });
is($res->{content}, "<p>gated index</p>\n", 'gate: ... and its index');
$res = $env->http(GET => '/gated/empty/', { headers => $cookie });
is($res->{status}, 404, 'gate: a directory without index.html is 404, no listing');

# Nothing outside the directory, nothing that is not content.
for my $case (['/gated/link.txt', 'a symlink to a file outside'],
	['/gated/linkdir/secret.txt', 'a path through a symlinked directory'],
	['/gated/../outside/secret.txt', 'a .. segment'],
	['/gated/%2e%2e/%2e%2e/outside/secret.txt', 'an encoded .. segment'],
	['/gated/..%2f..%2foutside%2fsecret.txt', 'encoded slashes'],
	['/gated/.secret', 'a dot file'],
	['/gated/%2esecret', 'an encoded dot file'],
	['/gated/.htaccess', 'the .htaccess'],
	['/gated/x.php', 'a PHP script']) {
	my ($path, $what) = @$case;
	$res = $env->http(GET => $path, { headers => $cookie });
	# 400: Apache's own refusal of a path above its root.
	ok($res->{status} =~ /^40[034]\z/, "gate: $what is refused ($path: $res->{status})");
	unlike($res->{content}, qr/SECRET|RewriteRule|PHP-SOURCE/, "gate: ... and shows nothing of it");
}

# Logout ends it: the same token and cookie are refused again.
$res = $env->json(POST => '/auth/logout', { headers => $bearer });
is($res->{status}, 204, 'gate: logout');
$res = $env->http(GET => '/gated/doc.txt', { headers => $bearer });
is($res->{status}, 401, 'gate: the revoked token is refused');
$res = $env->form('/auth/logout', \%jar, {});
$res = $env->form('/auth/logout', \%jar, { csrf => JwtAuthTest->hidden($res->{content}, 'csrf') });
is($res->{status}, 303, 'gate: the logout form ends the browser\'s session');
$res = $env->http(GET => '/gated/doc.txt', { headers => { %$cookie, accept => 'text/html' } });
is($res->{status}, 401, 'gate: the signed-out cookie is refused');
unlike($res->{content}, qr/protected text/, 'gate: ... without the file');

done_testing;
