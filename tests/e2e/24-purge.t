# Purge: rows that can no longer let anything through go, by `authctl
# purge` (until nothing is left) or by the service itself between
# requests (one batch at most every purge_interval seconds per process).
# Rows are made old with the database's clock, never by waiting.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JwtAuthTest;

# add_session(ENV, USER, LABEL, COLUMNS): inserts a session of USER with
# the given column values (SQL expressions) and one refresh token that
# has not expired; returns nothing.  LABEL goes into user_agent, to find
# the row again.
sub add_session {
	my ($env, $user, $label, %col) = @_;
	my $revoked = $col{revoked_at} // 'NULL';
	my $expires = $col{expires_at} // "now() + interval '1 day'";
	$env->psql(<<"SQL");
WITH s AS (INSERT INTO sessions (id, user_id, seed, created_at, last_used_at,
	expires_at, revoked_at, revoke_reason, user_agent, ip)
	SELECT gen_random_uuid(), id, decode(repeat('00', 32), 'hex'),
	now() - interval '2 days', now() - interval '1 day', $expires,
	$revoked, CASE WHEN $revoked IS NULL THEN NULL ELSE 'admin' END,
	'$label', '127.0.0.1' FROM users WHERE username = '$user'
	RETURNING id)
INSERT INTO refresh_tokens (token_hash, session_id, generation, expires_at)
	SELECT sha256(convert_to(id::text, 'UTF8')), id, 0,
	now() + interval '1 day' FROM s
SQL
}

# The number of sessions whose user_agent is LABEL.
sub sessions_labelled {
	my ($env, $label) = @_;
	return $env->psql("SELECT count(*) FROM sessions WHERE user_agent = '$label'");
}

# The first environment never purges by itself (purge_interval 0), so
# what authctl purge reports is exactly what it deleted.
my $env = JwtAuthTest->start(purge_interval => 0);
$env->add_user('lee', 'correct horse battery');

subtest 'authctl purge deletes what has expired and keeps the rest' => sub {
	$env->psql(<<'SQL');
INSERT INTO revoked_tokens (jti, expires_at)
	SELECT 'x' || g, now() - interval '1 day'
	FROM generate_series(1, 100000) g;
INSERT INTO revoked_tokens (jti, expires_at)
	SELECT 'y' || g, now() + interval '1 hour' FROM generate_series(1, 10) g
SQL
	add_session($env, 'lee', 'revoked', revoked_at => "now() - interval '1 day'");
	add_session($env, 'lee', 'expired', expires_at => "now() - interval '1 day'");
	add_session($env, 'lee', 'live');
	# An expired refresh token of the live session (an old generation).
	$env->psql(<<'SQL');
INSERT INTO refresh_tokens (token_hash, session_id, generation, expires_at,
	used_at)
	SELECT decode(repeat('11', 32), 'hex'), id, 1, now() - interval '1 day',
	now() - interval '1 day' FROM sessions WHERE user_agent = 'live'
SQL
	is($env->psql('SELECT count(*) FROM revoked_tokens'), '100010',
		'100 010 revoked tokens before the purge');

	my ($rc, $out, $err) = $env->authctl({}, 'purge');
	is($rc, 0, 'authctl purge exits 0') or diag $err;
	# 100 000 revoked tokens, 2 sessions and 1 refresh token; the refresh
	# tokens of the two sessions go by ON DELETE CASCADE, not counted.
	is($out, "100003 row(s) deleted\n", 'it prints how many rows it deleted');

	is($env->psql('SELECT count(*) FROM revoked_tokens WHERE expires_at < now()'),
		'0', 'no expired revoked token remains');
	is($env->psql("SELECT count(*) FROM revoked_tokens WHERE jti LIKE 'y%' "
		. "AND expires_at > now()"), '10', 'the 10 unexpired revoked tokens remain');
	is(sessions_labelled($env, 'revoked'), '0', 'the revoked session is gone');
	is(sessions_labelled($env, 'expired'), '0', 'the expired session is gone');
	is(sessions_labelled($env, 'live'), '1', 'the live session stays');
	is($env->psql('SELECT count(*) FROM refresh_tokens r JOIN sessions s '
		. "ON s.id = r.session_id WHERE s.user_agent = 'live'"), '1',
		'the live session keeps its live refresh token only');
	is($env->psql('SELECT count(*) FROM refresh_tokens'), '1',
		'the refresh tokens of the dead sessions are gone');

	($rc, $out, $err) = $env->authctl({}, 'purge');
	is_deeply([ $rc, $out ], [ 0, "0 row(s) deleted\n" ],
		'a second purge finds nothing to delete');
};

subtest 'with purge_interval 0 the service does not purge' => sub {
	$env->psql("INSERT INTO revoked_tokens (jti, expires_at) SELECT 'z' || g, "
		. "now() - interval '1 day' FROM generate_series(1, 50) g");
	# Were purging on, the first request of the (fresh) process would
	# purge; a process serves its next request only after that.
	for (1 .. 5) {
		is($env->http(GET => '/auth/health')->{status}, 200, "health request $_ is 200");
	}
	is($env->psql("SELECT count(*) FROM revoked_tokens WHERE jti LIKE 'z%'"), '50',
		'the 50 expired rows are still there');
};
$env->stop;

subtest 'the service purges by itself while serving' => sub {
	my $env2 = JwtAuthTest->start(purge_interval => 1);
	$env2->psql(<<'SQL');
INSERT INTO revoked_tokens (jti, expires_at)
	SELECT 'x' || g, now() - interval '1 day' FROM generate_series(1, 50) g;
INSERT INTO revoked_tokens (jti, expires_at) VALUES ('keep', now() + interval '1 hour')
SQL
	is($env2->psql('SELECT count(*) FROM revoked_tokens'), '51',
		'51 revoked tokens before any request');

	# The first request a FastCGI process serves is always followed by a
	# purge batch (its last purge time starts at 0), and 50 rows fit in
	# one batch (purge_batch 1000).  That batch runs after the answer has
	# gone out, so the rows may still be there when the first answer
	# arrives; but a process takes its next request only once its purge
	# is done, and a new process purges after its own first request.
	# So keep asking, a bounded number of times, until the rows are gone:
	# no waiting on the clock, and no assumption about how long it takes.
	my ($left, $requests) = ('51', 0);
	while ($requests < 50) {
		$requests++;
		my $status = $env2->http(GET => '/auth/health')->{status};
		$status == 200 or diag "health request $requests: $status";
		$left = $env2->psql("SELECT count(*) FROM revoked_tokens "
			. "WHERE expires_at < now()");
		last if $left eq '0';
	}
	is($left, '0', 'the 50 expired rows are purged while serving')
		or diag "still $left rows after $requests requests";
	is($env2->psql("SELECT count(*) FROM revoked_tokens WHERE jti = 'keep'"), '1',
		'the unexpired row stays');
	$env2->stop;
};

done_testing;
