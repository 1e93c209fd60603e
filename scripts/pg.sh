#!/bin/sh
# A private PostgreSQL 15 cluster in one directory, for development and tests.
#   pg.sh init DIR PORT   create it (a no-op when DIR holds one already)
#   pg.sh start|stop|restart|status DIR
#   pg.sh crash DIR        stop it as a crash would (pg_ctl -m immediate)
# DIR holds data/ (the cluster), the unix socket, log, and for clients:
# pgpass (libpq passfile of role jwtauth) and conninfo (a libpq conninfo
# string for database jwtauth on 127.0.0.1).  Under root the server runs as
# the postgres user, and pgpass belongs to www-data, the web server's user.
set -eu
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

bin=/usr/lib/postgresql/15/bin

usage() {
	echo "usage: ${0##*/} init DIR PORT | start|stop|crash|restart|status DIR" >&2
	exit 2
}

# as_owner CMD...: run CMD as the cluster's owner.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# pg_init PORT: create the cluster, role jwtauth and database jwtauth.
pg_init() {
	if [ -f "$dir/conninfo" ]; then
		return 0
	fi
	[ ! -e "$data" ] ||
		die "$dir holds a half-made cluster (no conninfo); remove $dir"
	# The socket's path must fit in sun_path (108 bytes).
	[ ${#dir} -le 90 ] || die "path too long for a unix socket: $dir"
	[ -x "$bin/initdb" ] || die "$bin/initdb missing: run scripts/deps.sh"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir"
		check_reach postgres "$dir"
	fi
	chmod 0755 "$dir"
	super=$(as_owner id -un)

	as_owner "$bin/initdb" -D "$data" -U "$super" -E UTF8 --no-locale \
		--auth-local=peer --auth-host=scram-sha-256 >"$dir/initdb.log" ||
		die "initdb failed; see $dir/initdb.log"
	# Root may write the owner's files directly; they keep their owner.
	cat >"$data/pg_hba.conf" <<-HBA
		# Written by scripts/pg.sh: only the superuser may use the
		# socket without a password.
		local all $super peer
		local all all scram-sha-256
		host all all 127.0.0.1/32 scram-sha-256
	HBA
	cat >>"$data/postgresql.conf" <<-CONF
		# Added by scripts/pg.sh.
		listen_addresses = '127.0.0.1'
		port = $1
		unix_socket_directories = '$dir'
		password_encryption = 'scram-sha-256'
	CONF

	# Hex is safe inside SQL quotes and in a passfile.
	password=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
	# Single-user mode: no server, no port, before the first start.
	printf '%s\n' \
		"CREATE ROLE jwtauth LOGIN PASSWORD '$password';" \
		"CREATE DATABASE jwtauth OWNER jwtauth;" |
		as_owner "$bin/postgres" --single -D "$data" postgres \
		>"$dir/single.log" 2>&1 ||
		die "creating role and database failed; see $dir/single.log"
	if grep -q ERROR "$dir/single.log"; then
		die "creating role and database failed; see $dir/single.log"
	fi

	rm -f "$dir/initdb.log" "$dir/single.log"
	umask 077
	printf '127.0.0.1:%s:jwtauth:jwtauth:%s\n' "$1" "$password" \
		>"$dir/pgpass"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$(web_user):$(web_group)" "$dir/pgpass"
	fi
	umask 022
	printf 'host=127.0.0.1 port=%s dbname=jwtauth user=jwtauth passfile=%s\n' \
		"$1" "$dir/pgpass" >"$dir/conninfo.new"
	mv "$dir/conninfo.new" "$dir/conninfo"
	echo "pg.sh: created cluster in $dir (port $1)"
}

pg_running() {
	as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

pg_start() {
	if pg_running; then
		return 0
	fi
	as_owner "$bin/pg_ctl" -D "$data" -l "$dir/log" -w -t 30 start \
		>/dev/null || {
		tail -n 20 "$dir/log" >&2
		die "PostgreSQL in $dir did not start; log above, in $dir/log"
	}
}

pg_stop() {
	if ! pg_running; then
		return 0
	fi
	as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null ||
		die "PostgreSQL in $dir did not stop; see $dir/log"
}

case "$# ${1-}" in
'3 init' | '2 start' | '2 stop' | '2 crash' | '2 restart' | '2 status') cmd=$1 ;;
*) usage ;;
esac
if [ "$cmd" = init ]; then
	case $3 in
	'' | *[!0-9]*) die "bad port: $3" ;;
	esac
fi
case $2 in
/*) dir=$2 ;;
*) dir=$PWD/$2 ;;
esac
check_path "cluster directory" "$dir"
if [ "$cmd" = init ]; then
	mkdir -p "$dir"
elif [ ! -f "$dir/conninfo" ]; then
	die "no cluster in $dir: run ${0##*/} init $2 PORT first"
fi
dir=$(cd "$dir" && pwd)
data=$dir/data

case $cmd in
init) pg_init "$3" ;;
start) pg_start ;;
stop) pg_stop ;;
crash)
	# An immediate shutdown: no checkpoint, every backend killed, as in
	# a crash; the next start recovers from the WAL (for tests).
	pg_running || exit 0
	as_owner "$bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop \
	    >/dev/null || die "PostgreSQL in $dir did not stop" ;;
restart)
	pg_stop
	pg_start ;;
status) as_owner "$bin/pg_ctl" -D "$data" status ;;
esac
