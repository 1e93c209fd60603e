#!/bin/sh
# A private PgBouncer in transaction pooling mode in front of a private
# PostgreSQL cluster of scripts/pg.sh, for development and tests.
#   pool.sh start CLUSTER DIR PORT [SIZE]
#                     write DIR/pgbouncer.ini (pool_mode = transaction,
#                     default_pool_size = SIZE, 10 by default) and start
#                     PgBouncer on 127.0.0.1:PORT in front of the cluster
#                     in CLUSTER (pg.sh init); a no-op when it runs.
#                     DIR/conninfo is the service's `database` through
#                     the pool, DIR/pgpass its passfile.  The listener
#                     (jwtauth.fcgi -l) keeps CLUSTER/conninfo: direct.
#   pool.sh stop DIR  stop it (SIGINT: at once, clients cut off)
#   pool.sh kill DIR  kill it as a crash would (SIGKILL; for tests)
# Under root PgBouncer runs as the postgres user (it refuses root).
set -eu
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

usage() {
	echo "usage: ${0##*/} start CLUSTER DIR PORT [SIZE] | stop|kill DIR" >&2
	exit 2
}

pool_pid() {
	[ -f "$dir/pid" ] || return 1
	pid=$(cat "$dir/pid")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# pool_start CLUSTER PORT SIZE
pool_start() {
	! pool_pid || return 0
	[ -f "$1/conninfo" ] || die "no cluster in $1 (pg.sh init)"
	command -v pgbouncer >/dev/null ||
		[ -x /usr/sbin/pgbouncer ] || die "pgbouncer missing: run scripts/deps.sh"
	pgport=$(sed -n 's/.* port=\([0-9]*\) .*/\1/p' "$1/conninfo")
	password=$(cut -d: -f5 "$1/pgpass" | head -n 1)
	if [ -z "$pgport" ] || [ -z "$password" ]; then
		die "cannot read $1/conninfo, pgpass"
	fi
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir"
	fi
	umask 077
	printf '"jwtauth" "%s"\n' "$password" >"$dir/userlist.txt"
	printf '127.0.0.1:%s:jwtauth:jwtauth:%s\n' "$2" "$password" \
		>"$dir/pgpass"
	umask 022
	cat >"$dir/pgbouncer.ini" <<-INI
		; Written by scripts/pool.sh: what jwtauth needs of a pool
		; (docs/multi-server.md).
		[databases]
		jwtauth = host=127.0.0.1 port=$pgport dbname=jwtauth
		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $2
		unix_socket_dir =
		auth_type = scram-sha-256
		auth_file = $dir/userlist.txt
		pool_mode = transaction
		default_pool_size = $3
		max_client_conn = 900
		server_reset_query =
		logfile = $dir/log
		pidfile = $dir/pid
	INI
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir/userlist.txt" "$dir/pgbouncer.ini"
		chown "$(web_user):$(web_group)" "$dir/pgpass"
	fi
	# shellcheck disable=SC2016 # $1 is the inner shell's
	as_postgres sh -c 'ulimit -n 4096 2>/dev/null || true; exec pgbouncer -d -q "$1"' \
		sh "$dir/pgbouncer.ini" || die "pgbouncer did not start; see $dir/log"
	n=0
	until pool_pid && ! port_free "$2"; do
		[ $n -lt 100 ] || die "pgbouncer not listening on $2; see $dir/log"
		sleep 0.1
		n=$((n + 1))
	done
	printf 'host=127.0.0.1 port=%s dbname=jwtauth user=jwtauth passfile=%s\n' \
		"$2" "$dir/pgpass" >"$dir/conninfo"
}

# pool_signal SIG: send SIG and wait until it is gone (10 s at most).
pool_signal() {
	pool_pid || return 0
	kill "-$1" "$pid"
	n=0
	while kill -0 "$pid" 2>/dev/null; do
		[ $n -lt 100 ] || die "pgbouncer $pid did not stop"
		sleep 0.1
		n=$((n + 1))
	done
	rm -f "$dir/pid"
}

case "$# ${1-}" in
'4 start' | '5 start') cmd=start ;;
'2 stop' | '2 kill') cmd=$1 ;;
*) usage ;;
esac
case $cmd in
start)
	case $4 in '' | *[!0-9]*) die "bad port: $4" ;; esac
	mkdir -p "$3"
	dir=$(cd "$3" && pwd)
	cluster=$(cd "$2" && pwd)
	pool_start "$cluster" "$4" "${5:-10}" ;;
stop)
	dir=$(cd "$2" && pwd)
	pool_signal INT ;;
kill)
	dir=$(cd "$2" && pwd)
	pool_signal KILL ;;
esac
