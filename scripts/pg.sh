#!/bin/sh
# A private PostgreSQL 15 cluster in one directory, for development and tests.
#   pg.sh init DIR PORT   create it (a no-op when DIR holds one already)
#   pg.sh start|stop|restart|status DIR
#   pg.sh crash DIR        stop it as a crash would (pg_ctl -m immediate)
#   pg.sh standby PRIMARY DIR PORT [sync]
#                          make a streaming-replication standby of the
#                          running cluster in PRIMARY (pg_basebackup -R),
#                          in DIR on PORT, and start it; its
#                          application_name is "standby_PORT".  With
#                          sync, the primary's synchronous_standby_names
#                          becomes that name, and the command waits until
#                          the standby is synchronous: a COMMIT on the
#                          primary returns once the standby has its WAL.
#                          DIR/conninfo-failover is a multi-host conninfo
#                          naming both (primary first; target_session_attrs
#                          = read-write), DIR/pgpass their passwords.
#   pg.sh promote DIR      make the standby in DIR a primary (pg_ctl promote)
#   pg.sh repoint DIR      when the cluster in DIR is stopped and another
#                          program took its port since (another checkout's
#                          cluster, say), move it to a free port: its
#                          postgresql.conf, pgpass and conninfo follow.
#                          Prints "pg.sh: moved ... from port A to B" then.
# DIR holds data/ (the cluster), the unix socket, log, and for clients:
# pgpass (libpq passfile of role jwtauth) and conninfo (a libpq conninfo
# string for database jwtauth on 127.0.0.1).  Under root the server runs as
# the postgres user, and pgpass belongs to www-data, the web server's user.
set -eu
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

bin=/usr/lib/postgresql/15/bin

usage() {
	echo "usage: ${0##*/} init DIR PORT | standby PRIMARY DIR PORT [sync] |" \
	    "start|stop|crash|restart|status|promote|repoint DIR" >&2
	exit 2
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
	super=$(as_postgres id -un)

	as_postgres "$bin/initdb" -D "$data" -U "$super" -E UTF8 --no-locale \
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
		as_postgres "$bin/postgres" --single -D "$data" postgres \
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

# pg_standby PRIMARY PORT [sync]: a copy of the running cluster in
# directory PRIMARY that follows it by streaming replication, in $dir on
# PORT; with sync, a synchronous one.
pg_standby() {
	[ -f "$1/conninfo" ] || die "no cluster in $1"
	primary=$(cd "$1" && pwd)
	pport=$(sed -n "s/^port = \([0-9]*\)$/\1/p" \
	    "$primary/data/postgresql.conf" | tail -n 1)
	[ -n "$pport" ] || die "no port in $primary/data/postgresql.conf"
	if [ ! -f "$dir/conninfo" ]; then
		pg_basebackup_to "$2"
	fi
	[ "${3-}" = sync ] || return 0
	# The primary's superuser over its socket: ALTER SYSTEM, then wait
	# until the standby is its synchronous one (30 s at most).
	psql_primary() {
		as_postgres psql -X -q -At -h "$primary" -p "$pport" -d postgres \
			-c "$1"
	}
	if ! psql_primary "ALTER SYSTEM SET synchronous_standby_names =
	    'standby_$2'" || ! psql_primary "SELECT pg_reload_conf()" >/dev/null
	then
		die "cannot set synchronous_standby_names in $primary"
	fi
	n=0
	until [ "$(psql_primary "SELECT sync_state FROM pg_stat_replication
	    WHERE application_name = 'standby_$2'")" = sync ]; do
		[ $n -lt 300 ] || die "standby in $dir not synchronous after 30 s"
		sleep 0.1
		n=$((n + 1))
	done
}

# pg_basebackup_to PORT: the copy of $primary (port $pport) in $dir.
pg_basebackup_to() {
	[ ! -e "$data" ] ||
		die "$dir holds a half-made cluster (no conninfo); remove $dir"
	[ ${#dir} -le 90 ] || die "path too long for a unix socket: $dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir"
		check_reach postgres "$dir"
	fi
	chmod 0755 "$dir"
	super=$(as_postgres id -un)
	# The superuser may stream over the socket, as it may connect.
	if ! grep -q '^local replication ' "$primary/data/pg_hba.conf"; then
		printf 'local replication %s peer\n' "$super" \
			>>"$primary/data/pg_hba.conf"
		as_postgres "$bin/pg_ctl" -D "$primary/data" reload >/dev/null
	fi
	# -R: standby.signal and primary_conninfo (over the socket).
	as_postgres "$bin/pg_basebackup" -h "$primary" -p "$pport" -U "$super" \
		-D "$data" -R -X stream -c fast >"$dir/basebackup.log" 2>&1 ||
		die "pg_basebackup failed; see $dir/basebackup.log"
	# What the copy says of port and socket is the primary's.  The
	# walreceiver's application_name is cluster_name.
	cat >>"$data/postgresql.conf" <<-CONF
		# Added by scripts/pg.sh standby.
		port = $1
		unix_socket_directories = '$dir'
		cluster_name = 'standby_$1'
	CONF
	# Its pgpass serves both: a multi-host conninfo has one passfile.
	umask 077
	{
		cat "$primary/pgpass"
		sed "s/^127\.0\.0\.1:$pport:/127.0.0.1:$1:/" "$primary/pgpass"
	} >"$dir/pgpass"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$(web_user):$(web_group)" "$dir/pgpass"
	fi
	umask 022
	rm -f "$dir/basebackup.log"
	pg_start
	printf 'host=127.0.0.1 port=%s dbname=jwtauth user=jwtauth passfile=%s\n' \
		"$1" "$dir/pgpass" >"$dir/conninfo.new"
	mv "$dir/conninfo.new" "$dir/conninfo"
	printf '%s port=%s,%s dbname=jwtauth user=jwtauth passfile=%s %s\n' \
		host=127.0.0.1,127.0.0.1 "$pport" "$1" "$dir/pgpass" \
		target_session_attrs=read-write >"$dir/conninfo-failover"
	echo "pg.sh: standby of $primary in $dir (port $1)"
}

pg_running() {
	as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

pg_start() {
	if pg_running; then
		return 0
	fi
	as_postgres "$bin/pg_ctl" -D "$data" -l "$dir/log" -w -t 30 start \
		>/dev/null || {
		tail -n 20 "$dir/log" >&2
		die "PostgreSQL in $dir did not start; log above, in $dir/log"
	}
}

# pg_port: the port the cluster in $dir listens on (the last port line).
pg_port() {
	sed -n "s/^port = \([0-9]*\)$/\1/p" "$data/postgresql.conf" | tail -n 1
}

# pg_repoint: see the usage above.  A standby is never moved: the
# multi-host conninfo of its pair names its port.
pg_repoint() {
	! pg_running || return 0
	old=$(pg_port)
	[ -n "$old" ] || die "no port in $data/postgresql.conf"
	! port_free "$old" || return 0
	[ ! -f "$data/standby.signal" ] ||
		die "port $old of the standby in $dir is taken; free it"
	new=$(free_port)
	# Root may write the owner's files directly; they keep their owner.
	printf '# Added by scripts/pg.sh repoint.\nport = %s\n' "$new" \
		>>"$data/postgresql.conf"
	sed -i "s/^127\.0\.0\.1:$old:/127.0.0.1:$new:/" "$dir/pgpass"
	sed "s/ port=$old / port=$new /" "$dir/conninfo" >"$dir/conninfo.new"
	mv "$dir/conninfo.new" "$dir/conninfo"
	echo "pg.sh: moved the cluster in $dir from port $old (taken) to $new"
}

pg_stop() {
	if ! pg_running; then
		return 0
	fi
	as_postgres "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null ||
		die "PostgreSQL in $dir did not stop; see $dir/log"
}

case "$# ${1-}" in
'3 init' | '2 start' | '2 stop' | '2 crash' | '2 restart' | '2 status' | \
'2 promote' | '2 repoint') cmd=$1 ;;
'4 standby' | '5 standby')
	# standby PRIMARY DIR PORT [sync]: the checks of init DIR PORT.
	cmd=standby primary_arg=$2 sync=${5-}
	shift
	case $sync in '' | sync) ;; *) usage ;; esac
	;;
*) usage ;;
esac
if [ "$cmd" = init ] || [ "$cmd" = standby ]; then
	case $3 in
	'' | *[!0-9]*) die "bad port: $3" ;;
	esac
fi
case $2 in
/*) dir=$2 ;;
*) dir=$PWD/$2 ;;
esac
check_path "cluster directory" "$dir"
if [ "$cmd" = init ] || [ "$cmd" = standby ]; then
	mkdir -p "$dir"
elif [ ! -f "$dir/conninfo" ]; then
	die "no cluster in $dir: run ${0##*/} init $2 PORT first"
fi
dir=$(cd "$dir" && pwd)
data=$dir/data

case $cmd in
init) pg_init "$3" ;;
standby) pg_standby "$primary_arg" "$3" "$sync" ;;
promote)
	# Waits until the server accepts writes (-w), 30 s at most.
	as_postgres "$bin/pg_ctl" -D "$data" -w -t 30 promote >/dev/null ||
		die "PostgreSQL in $dir was not promoted; see $dir/log" ;;
start) pg_start ;;
repoint) pg_repoint ;;
stop) pg_stop ;;
crash)
	# An immediate shutdown: no checkpoint, every backend killed, as in
	# a crash; the next start recovers from the WAL (for tests).
	pg_running || exit 0
	as_postgres "$bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop \
	    >/dev/null || die "PostgreSQL in $dir did not stop" ;;
restart)
	pg_stop
	pg_start ;;
status) as_postgres "$bin/pg_ctl" -D "$data" status ;;
esac
