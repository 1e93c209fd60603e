#!/bin/sh
# Throughput and latency of jwtauth against two baselines, for `make bench`
# (after the build).  Installs wrk when it is missing, then runs
# scripts/bench.pl, which starts a private PostgreSQL and Apache on free
# loopback ports, measures, prints a table and writes it to
# var/bench/latest.txt.  bench.pl stops the servers it started on every
# exit, Ctrl-C included.  Nothing fails on timing: the bench only reports.
# Environment: BENCH_DURATION (seconds per endpoint, default 10),
# BENCH_WARMUP (2), BENCH_THREADS (2), BENCH_CONNECTIONS (4): see bench.pl.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/deps.sh" bench

# exec: a Ctrl-C reaches bench.pl directly, which then stops the servers.
exec perl "$root/scripts/bench.pl"
