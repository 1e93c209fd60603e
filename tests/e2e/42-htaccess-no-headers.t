# A shared host without mod_headers: app.htaccess cannot strip the
# checker's Variable-* headers, so it must fail closed: the checker does
# not run and every request below the protected directory is refused.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Copy qw(copy);
use File::Temp qw(tempfile);
use Test::More;
use JwtAuthTest;

my $repo = "$FindBin::Bin/../..";
# apache/htaccess-test.conf.in without its LoadModule of mod_headers.
my ($tfh, $template) = tempfile('htaccess-noheaders-XXXXXX', DIR => '/tmp',
	SUFFIX => '.conf.in', UNLINK => 1);
open my $in, '<', "$repo/apache/htaccess-test.conf.in" or die $!;
print $tfh grep { !/^LoadModule headers_module/ } <$in>;
close $tfh or die $!;
chmod 0644, $template;

my $env = JwtAuthTest->start(server => 'apache', template => $template);
my $dir = $env->dir;
my $www = "$dir/www";
for (['auth.htaccess', "$www/auth/.htaccess"], ['app.htaccess', "$www/app/.htaccess"]) {
	my ($name, $target) = @$_;
	mkdir "$www/auth";
	open my $src, '<', "$repo/apache/shared-hosting/$name" or die $!;
	local $/;
	(my $text = <$src>) =~ s{/home/USER/public_html}{$www}g;
	$text =~ s{/home/USER/jwtauth/jwtauth\.conf}{$dir/jwtauth.conf}g;
	open my $out, '>', $target or die $!;
	print $out $text;
	close $out or die $!;
}
copy("$dir/jwtauth.fcgi", "$www/auth/jwtauth.fcgi") or die $!;
chmod 0755, "$www/auth/jwtauth.fcgi";

$env->add_user('kim', 'kim password 1');
my $t = $env->must_login('kim', 'kim password 1');
ok($t->{access_token}, 'no mod_headers: the service itself still works');
for my $page ('/app/index.html', '/app/whoami.cgi') {
	my $res = $env->http(GET => $page, { headers => $env->bearer($t->{access_token}) });
	is($res->{status}, 403, "no mod_headers: $page is refused even with a valid token");
	ok(!grep(/^variable-/i, keys %{ $res->{headers} }),
		"no mod_headers: no Variable-* header on $page");
	unlike($res->{content} // '', qr/kim/, "no mod_headers: $page names nobody");
}
done_testing;
