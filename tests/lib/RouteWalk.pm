# RouteWalk: every route of the service, read from the one route table
# (src/route.c), asked once through a deployment layout, so that a layout
# that forwards only some routes to the program (an .htaccess rewrite
# with a list of its own, say) fails.  The answer must be the program's:
# it sends X-Content-Type-Options: nosniff on every answer, a web
# server's own 404 page does not.
package RouteWalk;
use strict;
use warnings;
use FindBin;
use Test::More;
use Exporter 'import';
our @EXPORT_OK = qw(routes walk_routes);

# routes(): [PATH, METHOD] for every entry of the table in src/route.c;
# GET where the route reads, POST where it only takes posts.  A route
# ending in "/" takes a path below it: "/sessions/" becomes
# "/sessions/ID/end" with an ID of no session.
sub routes {
	my $file = "$FindBin::Bin/../../src/route.c";
	open my $fh, '<', $file or die "$file: $!\n";
	my @routes;
	while (<$fh>) {
		next unless /^\s*\{\s*"(\/[^"]*)"\s*,\s*\w+\s*,\s*([^}]*)\}/;
		my ($path, $flags) = ($1, $2);
		$path .= '00000000-0000-4000-8000-000000000000/end' if $path =~ m{/$};
		push @routes, [$path, $flags =~ /ROUTE_(READ|GET)/ ? 'GET' : 'POST'];
	}
	die "no routes found in $file\n" if @routes < 10;
	return @routes;
}

# walk_routes(ENV, BASE, LAYOUT): asks each route under BASE (e.g.
# "/auth") once, without credentials, and checks the program answered.
sub walk_routes {
	my ($env, $base, $layout) = @_;
	for my $r (routes()) {
		my ($path, $method) = @$r;
		my $res = $env->http($method => "$base$path", { headers => {
			accept => 'application/json',
			($method eq 'POST' ? ('content-type' => 'application/json') : ()) },
			($method eq 'POST' ? (content => '{}') : ()) });
		is($res->{headers}{'x-content-type-options'} // '', 'nosniff',
			"$layout: $method $base$path reaches the program"
			. " (status $res->{status})");
	}
}

1;
