#!/bin/sh
# The web server in front of jwtauth.fcgi, for development and tests.
#   server.sh start VARDIR PORT   start it in the background, wait until ready
#   server.sh run VARDIR PORT     run it in the foreground until Ctrl-C
#   server.sh stop VARDIR [PORT]
# The program reads VARDIR/jwtauth.conf.  The server's config is written to
# VARDIR/apache.conf; its pid, logs and sockets go to VARDIR/apache/.
# Environment: SERVER (apache, the default; lighttpd not yet),
# JWTAUTH_FCGI (default: cgi-bin/jwtauth.fcgi here), JWTAUTH_DOCROOT
# (default: VARDIR/www).
set -eu
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	echo "usage: ${0##*/} start|run VARDIR PORT | stop VARDIR" >&2
	exit 2
}

# running: true when the pid file names a live Apache.
running() {
	[ -f "$rundir/apache2.pid" ] || return 1
	pid=$(cat "$rundir/apache2.pid")
	alive "$pid" && [ "$(cat "/proc/$pid/comm")" = apache2 ]
}

# alive PID: true while PID runs (a zombie awaiting its reaper does not).
alive() {
	[ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat")" != Z ]
}

# stop_pid PID: ask Apache to stop; kill it if it has not gone in 10 s.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || return 0
	n=0
	while alive "$1" && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if alive "$1"; then
		echo "server.sh: Apache $1 did not stop in 10 s; killing it" >&2
		kill -KILL "$1" 2>/dev/null || true
	fi
}

# configure: check the inputs and write $conf from the template.
configure() {
	fcgi=${JWTAUTH_FCGI:-$root/cgi-bin/jwtauth.fcgi}
	docroot=${JWTAUTH_DOCROOT:-$var/www}
	[ -x "$fcgi" ] || die "no program at $fcgi: run make"
	[ -f "$var/jwtauth.conf" ] || die "no config at $var/jwtauth.conf"
	[ -d "$docroot" ] || die "no site at $docroot"
	for p in "$fcgi" "$var/jwtauth.conf" "$docroot" "$rundir"; do
		check_path "path" "$p"
		check_reach "$(web_user)" "$p"
	done
	# Apache is not running: what it left behind is stale.
	rm -rf "$rundir/fcgid" "$rundir/apache2.pid" "$rundir"/cgid.sock.*
	mkdir -p "$rundir/fcgid"
	chmod 0755 "$rundir"
	chown "$(web_user):$(web_group)" "$rundir/fcgid"
	chmod 0700 "$rundir/fcgid"
	sed -e "s|@PORT@|$port|g" -e "s|@RUNDIR@|$rundir|g" \
		-e "s|@DOCROOT@|$docroot|g" -e "s|@FCGI@|$fcgi|g" \
		-e "s|@CONF@|$var/jwtauth.conf|g" -e "s|@USER@|$(web_user)|g" \
		-e "s|@GROUP@|$(web_group)|g" "$root/apache/dev.conf.in" \
		>"$conf"
	port_free "$port" || die "port $port on 127.0.0.1 is in use"
}

# wait_ready PID: wait up to 10 s for PID to answer HTTP on the port;
# if it does not, stop it and exit with the end of the error log.
wait_ready() {
	n=0
	while [ $n -lt 100 ] && alive "$1"; do
		if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
			return 0
		fi
		sleep 0.1
		n=$((n + 1))
	done
	stop_pid "$1"
	tail -n 20 "$rundir/error.log" >&2 || true
	die "Apache did not answer on 127.0.0.1:$port; error log above," \
		"in $rundir/error.log"
}

case "$# ${1-}" in
'3 start' | '3 run' | '2 stop' | '3 stop') ;;
*) usage ;;
esac
case ${SERVER:-apache} in
apache) ;;
lighttpd) die "SERVER=lighttpd is not supported yet; use SERVER=apache" ;;
*) die "unknown SERVER=$SERVER; use apache" ;;
esac
[ -d "$2" ] || die "no directory $2"
var=$(cd "$2" && pwd)
port=${3-}
rundir=$var/apache
conf=$var/apache.conf
case $1:$port in
stop:*) ;;
*:'' | *:*[!0-9]*) die "bad port: $port" ;;
esac

case $1 in
start)
	if running; then
		grep -qx "Listen 127.0.0.1:$port" "$conf" ||
			die "Apache already runs from $var on another port; stop it"
		echo "server.sh: Apache already running (pid $pid)"
		exit 0
	fi
	configure
	apache2 -f "$conf" -k start
	# -k start may return before the daemon writes its pid file.
	n=0
	until running || [ $n -ge 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	running || die "Apache did not start; see $rundir/error.log"
	wait_ready "$pid"
	;;
run)
	running && die "Apache already running (pid $pid): stop it first"
	configure
	stopping=
	trap 'stopping=1' INT TERM
	apache2 -f "$conf" -DFOREGROUND &
	pid=$!
	wait_ready "$pid"
	echo "server.sh: Apache on http://127.0.0.1:$port/ (Ctrl-C stops it)"
	# A trapped signal ends the wait early.
	while [ -z "$stopping" ] && alive "$pid"; do
		wait "$pid" || true
	done
	stop_pid "$pid"
	wait "$pid" 2>/dev/null || true
	;;
stop)
	if running; then
		stop_pid "$pid"
	fi
	;;
esac
