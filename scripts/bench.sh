#!/bin/sh
# make bench (after the build): what jwtauth costs beside its baselines,
# on Apache and on lighttpd, in Apache as mod_jwtauth (beside
# mod_auth_openidc) and behind nginx, in one run and one table.  Installs
# wrk, valgrind, mod_auth_openidc and nginx when they are missing
# (scripts/deps.sh bench), then runs scripts/bench.pl, which
# starts a private PostgreSQL and each web server on free loopback ports,
# measures, prints the table and writes it to var/bench/latest.txt.
# bench.pl stops the servers it started on every exit, Ctrl-C included.
# Nothing fails on timing: the bench only reports.
# Environment: BENCH_SECONDS (seconds per wrk run, default 5),
# BENCH_WARMUP (1), BENCH_SERVERS ("apache lighttpd apache-module
# nginx"), BENCH_REVOKE
# (1000), BENCH_RSS_REQUESTS (100000): see bench.pl.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/deps.sh" bench

# exec: a Ctrl-C reaches bench.pl directly, which then stops the servers.
exec perl "$root/scripts/bench.pl"
