# Several web servers, one database: Apache (server A) and lighttpd
# (server B), each with its own FastCGI processes, directory, port and
# config file, as if on two hosts, share one PostgreSQL.  A logout, an
# administrator's revocation of the session (authctl revoke), a password
# change and a user lock (authctl user lock) made through one server are
# enforced by the other, in both revocation_check modes, in both
# directions: in strict mode from its next request on; in cached mode
# from the arrival of PostgreSQL's notification, which may come a little
# after the committing request's answer (the host's revocation count of
# src/revcache.c does not cross hosts), and from then on always.  How
# many requests passed in that window is counted.  Each server runs one
# authorizer and one responder process (RevocationTests'
# one-process templates), and the token has been checked, and so cached
# in cached mode, by both of the other server's processes first: what
# must refuse it is a process that had let it through.
#
# The revocation delay across servers is measured: from the moment the
# committing request's answer (or authctl's exit) is in hand to the
# arrival of the other server's first refusal; with the time of the
# passing check just before as the baseline.  It is shown with diag.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time);
use JwtAuthTest;
use RevocationTests;

my $PAGE = '/app/index.html';

my $A = JwtAuthTest->start(server => 'apache',
	template => RevocationTests::one_process_template('apache'));
my $B = $A->peer(server => 'lighttpd',
	template => RevocationTests::one_process_template('lighttpd'));
isnt($A->port, $B->port, 'the two servers listen on ports of their own');
isnt($A->config_file, $B->config_file, 'and read config files of their own');

my %password;    # user => the password now
for my $user (qw(lou rex pat lok)) {
	$password{$user} = "$user password 0";
	$A->add_user($user, $password{$user});
}

# app(ENV, TOKEN): the status of a protected page on ENV (its authorizer
# process); me(ENV, TOKEN): that of /auth/me (its responder process).
sub app { $_[0]->http(GET => $PAGE, { headers => $_[0]->bearer($_[1]) })->{status} }
sub me  { $_[0]->me($_[1])->{status} }

# The actions, made through server X on the session of access token T
# of USER; each returns a short description of what went wrong, or ''.
my %action = (
	logout => sub {
		my ($X, $user, $t) = @_;
		my $st = $X->logout($t)->{status};
		return $st == 204 ? '' : "logout answered $st";
	},
	'authctl revoke --session' => sub {
		my ($X, $user, $t) = @_;
		my ($rc, undef, $err) = $X->authctl({}, 'revoke', '--session',
			JwtAuthTest->sid_of($t));
		return $rc == 0 ? '' : "authctl revoke: $rc $err";
	},
	'password change' => sub {
		my ($X, $user, $t) = @_;
		(my $new = $password{$user}) =~ s/(\d+)$/$1 + 1/e;
		my $res = $X->json(POST => '/auth/password', {
			headers => $X->bearer($t),
			content => { current_password => $password{$user},
				new_password => $new },
		});
		return "password change answered $res->{status}"
			if $res->{status} != 204;
		$password{$user} = $new;
		return '';
	},
	'authctl user lock' => sub {
		my ($X, $user, $t) = @_;
		my ($rc, undef, $err) = $X->authctl({}, 'user', 'lock', $user);
		return $rc == 0 ? '' : "authctl user lock: $rc $err";
	},
);
my @cases = (['logout', 'lou'], ['authctl revoke --session', 'rex'],
	['password change', 'pat'], ['authctl user lock', 'lok']);

my %delay;       # mode => [seconds, ...]
my %window;      # mode => [requests passed before the refusal, ...]
my %baseline;    # mode => [seconds, ...]
for my $mode (qw(cached strict)) {
	$_->reconfigure(revocation_check => $mode) for $A, $B;
	for my $dir ([$A, $B, 'A', 'B'], [$B, $A, 'B', 'A']) {
		my ($X, $Y, $x, $y) = @$dir;
		for my $case (@cases) {
			my ($what, $user) = @$case;
			my $name = "$mode: $what through $x";
			my $t = $X->must_login($user, $password{$user})->{access_token};
			is(app($X, $t) . ' ' . app($Y, $t) . ' ' . me($Y, $t),
				'200 200 200',
				"$name: the token passes on $x and on both processes of $y first");
			if ($mode eq 'cached' && $what eq 'logout') {
				# The control: Y answers from memory (with the
				# tables locked a query would wait 5 s: 503).
				my $h = RevocationTests::hold($X, 'BEGIN; LOCK TABLE '
					. 'sessions, users, revoked_tokens IN ACCESS '
					. 'EXCLUSIVE MODE; SELECT 1;');
				ok(RevocationTests::wait_for($X, "SELECT count(*) > 0 "
					. "FROM pg_locks WHERE mode = 'AccessExclusiveLock' "
					. "AND granted AND relation = 'sessions'::regclass"),
					"$name: (control) the tables are locked");
				is(app($Y, $t), 200,
					"$name: (control) $y checks the token from its cache, with no query");
				RevocationTests::release($h);
			}
			my $t0 = time;
			my $pass = app($Y, $t);
			push @{ $baseline{$mode} }, time - $t0;
			is($pass, 200, "$name: and once more on $y (the baseline)");

			my $err = $action{$what}->($X, $user, $t);
			my $done = time;
			is($err, '', "$name: done");
			# Poll until the first refusal (5 s at most).
			my ($first, $passed, $seen) = (undef, 0, 0);
			while (time - $done < 5) {
				my $st = app($Y, $t);
				$first //= $st;
				if ($st != 200) {
					$seen = time;
					last;
				}
				$passed++;
			}
			if ($mode eq 'strict') {
				is($first, 401, "$name: $y refuses the token at its next request");
				is($passed, 0, "$name: no request on $y passed after the commit");
			} else {
				ok($seen, "$name: $y refuses the token once the notification has arrived");
				push @{ $window{$mode} }, $passed;
			}
			is(join(' ', map { app($Y, $t) } 1 .. 5), '401 401 401 401 401',
				"$name: and from then on always");
			push @{ $delay{$mode} }, $seen - $done if $seen;
			is(me($Y, $t), 401, "$name: ${y}'s login service refuses it too");
			is(app($X, $t), 401, "$name: and so does $x");
			if ($what eq 'authctl user lock') {
				my ($rc) = $X->authctl({}, 'user', 'unlock', $user);
				is($rc, 0, "$name: authctl user unlock (for the next case)");
			}
		}
	}
}

# ms(LIST): "min / median / max ms" of a list of seconds.
sub ms {
	my @s = sort { $a <=> $b } @_;
	return 'none' if !@s;
	return sprintf '%.1f / %.1f / %.1f ms (%d)', 1000 * $s[0],
		1000 * $s[$#s / 2], 1000 * $s[-1], scalar @s;
}
for my $mode (qw(cached strict)) {
	diag("multi-server revocation delay, $mode: from the committing answer "
		. 'to the first refusal on the other server, min / median / max: '
		. ms(@{ $delay{$mode} // [] }) . '; one passing check there '
		. '(baseline): ' . ms(@{ $baseline{$mode} // [] }));
}
my @w = @{ $window{cached} // [] };
diag('cached mode: requests the other server passed between the commit and '
	. 'the notification: ' . join(' ', @w) . ' (' . scalar(grep { $_ } @w)
	. ' of ' . scalar(@w) . ' cases had any)');
done_testing;
