# The self-check (jwtauth.fcgi --check, authctl check): one line per
# check, "ok: ..." or "FAIL: ... — what to do", exit 0 only when all
# pass.  Run against the real database, good and broken.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

my $env = JwtAuthTest->start;
my $dir = $env->dir;
my $fcgi = "$dir/jwtauth.fcgi";

# check(CONFIG, [PROGRAM]): runs the check; returns exit status and output.
sub check {
	my ($conf, $prog) = @_;
	my @cmd = ($prog // 'fcgi') eq 'fcgi' ? ($fcgi, '--check', '-c', $conf)
	    : ($env->{authctl}, '-c', $conf, 'check');
	my $out = qx{@cmd 2>&1};
	return ($? >> 8, $out);
}

# variant(NAME, EDIT): a copy of the config with EDIT applied to its text.
sub variant {
	my ($name, $edit) = @_;
	my $text = do { local (@ARGV, $/) = $env->config_file; <> };
	$text = $edit->($text);
	open my $fh, '>', "$dir/$name" or die $!;
	print $fh $text;
	close $fh or die $!;
	return "$dir/$name";
}

my ($rc, $out) = check($env->config_file);
is($rc, 0, 'check: a good deployment exits 0') or diag $out;
unlike($out, qr/^FAIL/m, 'check: no FAIL line');
like($out, qr/^ok: database: connected/m, 'check: the database answers');
like($out, qr/^ok: schema: all \d+ migrations applied$/m, 'check: the schema is migrated');
like($out, qr/^ok: writable: every table$/m, 'check: the tables are writable');
like($out, qr/^ok: clock: /m, 'check: the clock is sane');
ok(!grep(!/^(ok|FAIL): /, split /\n/, $out), 'check: every line is ok: or FAIL:');
($rc, $out) = check($env->config_file, 'authctl');
is($rc, 0, 'authctl check: the same checks, exit 0') or diag $out;

my $bad = variant('unknown.conf', sub { "colour = blue\n$_[0]" });
($rc, $out) = check($bad);
is($rc, 1, 'check: an unknown key exits 1');
like($out, qr/^FAIL: config: \Q$bad\E:1: colour: unknown key — fix it/m,
	'check: the config error names file:line and key, and what to do');

chmod 0644, "$dir/jwt.key" or die $!;
($rc, $out) = check($env->config_file);
chmod 0600, "$dir/jwt.key" or die $!;
is($rc, 1, 'check: a key file readable by others exits 1');
like($out, qr/^FAIL: key_file: .*readable by group or others.* — make one with/m,
	'check: it says which key file and what to do');

$bad = variant('nodb.conf', sub { $_[0] =~ s/port=\d+/port=1/r });
($rc, $out) = check($bad);
is($rc, 1, 'check: an unreachable database exits 1');
like($out, qr/^FAIL: database: .* — check "database" in /m, 'check: says so');

$env->psql('DELETE FROM schema_migrations WHERE version = 3');
($rc, $out) = check($env->config_file);
$env->psql(q{INSERT INTO schema_migrations (version, name) VALUES (3, '003_notify.sql')});
is($rc, 1, 'check: a migration missing exits 1');
like($out, qr/^FAIL: schema: not applied: 003\S* — run "authctl migrate"$/m,
	'check: names the migration and the command');
# An ES256 signing key: loaded as the service loads it (a private PEM
# key, refused when others may read it).
$env->keygen('es.key', 'ES256');
my $es = variant('es.conf', sub { $_[0] =~ s{^key_file = .*$}{key_file = $dir/es.key\nkey_alg = ES256}mr });
($rc, $out) = check($es);
is($rc, 0, 'check: an ES256 key_file passes') or diag $out;
like($out, qr/^ok: key_file \S+es\.key: ES256 private key/m, 'check: says it is an ES256 private key');
chmod 0644, "$dir/es.key" or die $!;
($rc, $out) = check($es);
is($rc, 1, 'check: an ES256 key readable by others exits 1');
like($out, qr/^FAIL: key_file: .*readable by group or others.* — make one with "authctl keygen --alg ES256/m,
	'check: says what to do');
done_testing;
