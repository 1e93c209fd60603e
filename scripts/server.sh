#!/bin/sh
# The web server in front of jwtauth.fcgi, for development and tests.
#   server.sh start VARDIR PORT   start it in the background, wait until ready
#   server.sh run VARDIR PORT     run it in the foreground until Ctrl-C
#   server.sh stop VARDIR [PORT]  stop the server (either kind) run from VARDIR
# The program reads VARDIR/jwtauth.conf.  The server's config is written to
# VARDIR/SERVER.conf; its pid, logs and sockets go to VARDIR/SERVER/.
# lighttpd's error.log has its own messages; the program's standard error
# goes to lighttpd/stderr.log.  nginx and Caddy start no FastCGI program:
# this script starts jwtauth.fcgi -s (SERVER/daemon.log) and fcgiwrap for
# the demo's CGI script, as the web server's user, before the server, and
# stops them after it.
# Environment: SERVER (apache, the default, lighttpd, nginx or caddy),
# JWTAUTH_FCGI (default: cgi-bin/jwtauth.fcgi here), JWTAUTH_DOCROOT
# (default: VARDIR/www), JWTAUTH_TEMPLATE (default: SERVER/dev.conf.in,
# e.g. apache/htaccess-test.conf.in), JWTAUTH_MODULE (@MODULE@ in the
# template, default: cgi-bin/mod_jwtauth.so here), JWTAUTH_MODULE_PRELOAD
# (libraries preloaded into an Apache whose config loads mod_jwtauth: the
# sanitizers' runtime for the ASan+UBSan build of the module).
set -eu
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	echo "usage: ${0##*/} start|run VARDIR PORT | stop VARDIR" >&2
	exit 2
}

# use SERVER: point name, rundir, conf, pidfile and comm at that server.
use() {
	server=$1
	case $1 in
	apache)
		name=Apache rundir=$var/apache conf=$var/apache.conf
		pidfile=$rundir/apache2.pid comm=apache2 ;;
	lighttpd)
		name=lighttpd rundir=$var/lighttpd conf=$var/lighttpd.conf
		pidfile=$rundir/lighttpd.pid comm=lighttpd ;;
	nginx)
		name=nginx rundir=$var/nginx conf=$var/nginx.conf
		pidfile=$rundir/nginx.pid comm=nginx ;;
	caddy)
		name=Caddy rundir=$var/caddy conf=$var/caddy.conf
		pidfile=$rundir/caddy.pid comm=caddy ;;
	esac
}

# running: true when the pid file names a live server of the kind in use.
running() {
	[ -f "$pidfile" ] || return 1
	pid=$(cat "$pidfile")
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	alive "$pid" && [ "$(cat "/proc/$pid/comm")" = "$comm" ]
}

# alive PID: true while PID runs (a zombie awaiting its reaper does not).
alive() {
	[ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat")" != Z ]
}

# stop_pid PID: ask the server to stop; kill it if it has not gone in 10 s.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || return 0
	n=0
	while alive "$1" && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if alive "$1"; then
		echo "server.sh: $name $1 did not stop in 10 s; killing it" >&2
		kill -KILL "$1" 2>/dev/null || true
	fi
}

# children PID: the pids of PID's FastCGI processes (lighttpd starts them
# itself, at start-up, and keeps them).
children() {
	ps -o pid= -o args= --ppid "$1" 2>/dev/null |
		awk -v fcgi="$fcgi_bin" '$2 == fcgi { print $1 }' || true
}

# stop_server PID: stop_pid, then for lighttpd its FastCGI processes,
# which it stops itself unless it had to be killed.
stop_server() {
	kids=
	if [ "$server" = lighttpd ]; then
		fcgi_bin=$(sed -n 's/^[[:space:]]*"bin-path" => "\([^ "]*\).*/\1/p' \
			"$conf" 2>/dev/null | head -n 1)
		kids=$(children "$1")
	fi
	stop_pid "$1"
	case $server in nginx | caddy) backends_stop ;; esac
	left=
	for k in $kids; do
		if alive "$k"; then
			kill -TERM "$k" 2>/dev/null || true
			left="$left $k"
		fi
	done
	[ -n "$left" ] || return 0
	sleep 1
	for k in $left; do
		if alive "$k"; then
			kill -KILL "$k" 2>/dev/null || true
		fi
	done
}

# as_web_user CMD...: exec CMD as the web server's user (root switches
# to it; anyone else is it already), in a session of its own so that
# its whole process group can be stopped.
as_web_user() {
	if [ "$(id -u)" -eq 0 ]; then
		exec setsid setpriv --reuid="$(web_user)" --regid="$(web_group)" \
			--init-groups "$@"
	fi
	exec setsid "$@"
}

# apache_env CMD...: CMD, with JWTAUTH_MODULE_PRELOAD preloaded when the
# config loads mod_jwtauth (the ASan+UBSan module needs the sanitizers'
# runtime first in the process; Apache is not built with it).  The
# options are those of tests/san/options.c, which a module cannot set.
apache_env() {
	if [ -n "${JWTAUTH_MODULE_PRELOAD:-}" ] &&
	    grep -q '^LoadModule jwtauth_module' "$conf"; then
		env LD_PRELOAD="$JWTAUTH_MODULE_PRELOAD" \
		    ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1 \
		    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$@"
	else
		"$@"
	fi
}

# backends_start: for nginx and Caddy, jwtauth.fcgi -s on
# $rundir/jwtauth.sock and
# fcgiwrap on $rundir/cgi.sock, their pids in $rundir/*.pid; waits up to
# 10 s for both sockets.
backends_start() {
	(as_web_user "$fcgi" -c "$var/jwtauth.conf" -s "$rundir/jwtauth.sock" \
		-n "${JWTAUTH_WORKERS:-4}") </dev/null >>"$rundir/daemon.log" 2>&1 &
	echo $! >"$rundir/daemon.pid"
	(as_web_user fcgiwrap -c 2 -s "unix:$rundir/cgi.sock") \
		</dev/null >>"$rundir/fcgiwrap.log" 2>&1 &
	echo $! >"$rundir/fcgiwrap.pid"
	n=0
	while [ $n -lt 100 ]; do
		[ -S "$rundir/jwtauth.sock" ] && [ -S "$rundir/cgi.sock" ] &&
			return 0
		sleep 0.1
		n=$((n + 1))
	done
	tail -n 10 "$rundir/daemon.log" "$rundir/fcgiwrap.log" >&2 || true
	backends_stop
	die "jwtauth.fcgi -s or fcgiwrap did not listen in $rundir"
}

# backends_stop: stop what backends_start started (each process group).
backends_stop() {
	for f in "$rundir/daemon.pid" "$rundir/fcgiwrap.pid"; do
		[ -f "$f" ] || continue
		p=$(cat "$f")
		case $p in '' | *[!0-9]*) rm -f "$f"; continue ;; esac
		# The group: fcgiwrap's preforked children outlive their
		# parent otherwise (procps kill: dash's cannot name a group).
		/bin/kill -s TERM -- "-$p" 2>/dev/null || true
		n=0
		while pgrep -g "$p" >/dev/null 2>&1 && [ $n -lt 50 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		/bin/kill -s KILL -- "-$p" 2>/dev/null || true
		rm -f "$f"
	done
	rm -f "$rundir/jwtauth.sock" "$rundir/cgi.sock"
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
	case $server in
	apache)
		# Apache is not running: what it left behind is stale.
		rm -rf "$rundir/fcgid" "$rundir/apache2.pid" "$rundir"/cgid.sock.*
		mkdir -p "$rundir/fcgid"
		chmod 0755 "$rundir"
		chown "$(web_user):$(web_group)" "$rundir/fcgid"
		chmod 0700 "$rundir/fcgid"
		;;
	lighttpd)
		# lighttpd opens its logs after dropping to the web user, and
		# that user removes the pid file: the directory is theirs.
		rm -rf "$rundir/sockets" "$rundir/lighttpd.pid"
		mkdir -p "$rundir/sockets"
		chown -R "$(web_user):$(web_group)" "$rundir"
		chmod 0755 "$rundir"
		chmod 0700 "$rundir/sockets"
		# A FastCGI socket path must fit in sun_path (108 bytes).
		[ ${#rundir} -le 80 ] ||
			die "path too long for a unix socket: $rundir/sockets/"
		;;
	nginx | caddy)
		# The daemon, as the web user, makes its socket here; the
		# workers (Caddy itself), as that user too, write their files.
		rm -rf "$rundir/tmp" "$rundir/data" "$pidfile" "$rundir"/*.sock
		mkdir -p "$rundir/tmp" "$rundir/data"
		[ "$server" = caddy ] ||
			cp "$root/nginx/jwtauth_params" "$rundir/jwtauth_params"
		chown -R "$(web_user):$(web_group)" "$rundir"
		chmod 0755 "$rundir"
		[ ${#rundir} -le 90 ] ||
			die "path too long for a unix socket: $rundir/"
		;;
	esac
	sed -e "s|@PORT@|$port|g" -e "s|@RUNDIR@|$rundir|g" \
		-e "s|@DOCROOT@|$docroot|g" -e "s|@FCGI@|$fcgi|g" \
		-e "s|@CONF@|$var/jwtauth.conf|g" -e "s|@USER@|$(web_user)|g" \
		-e "s|@GROUP@|$(web_group)|g" \
		-e "s|@MODULE@|${JWTAUTH_MODULE:-$root/cgi-bin/mod_jwtauth.so}|g" \
		"${JWTAUTH_TEMPLATE:-$root/$server/dev.conf.in}" \
		>"$conf"
	port_free "$port" || die "port $port on 127.0.0.1 is in use"
}

# logs: the end of the server's error log (and of the program's standard
# error, for lighttpd) on standard error.
logs() {
	tail -n 20 "$rundir/error.log" >&2 || true
	if [ "$server" = lighttpd ] && [ -s "$rundir/stderr.log" ]; then
		tail -n 10 "$rundir/stderr.log" >&2 || true
	fi
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
	stop_server "$1"
	logs
	die "$name did not answer on 127.0.0.1:$port; error log above," \
		"in $rundir/error.log"
}

# other_running: true when another kind of server runs from VARDIR.
other_running() {
	for s in apache lighttpd nginx caddy; do
		[ "$s" != "$1" ] || continue
		use "$s"
		if running; then
			other=$name
			use "$1"
			return 0
		fi
	done
	use "$1"
	return 1
}

case "$# ${1-}" in
'3 start' | '3 run' | '2 stop' | '3 stop') ;;
*) usage ;;
esac
case ${SERVER:-apache} in
apache | lighttpd | nginx | caddy) ;;
*) die "unknown SERVER=$SERVER; use apache, lighttpd, nginx or caddy" ;;
esac
[ -d "$2" ] || die "no directory $2"
var=$(cd "$2" && pwd)
port=${3-}
use "${SERVER:-apache}"
case $1:$port in
stop:*) ;;
*:'' | *:*[!0-9]*) die "bad port: $port" ;;
esac

case $1 in
start)
	if running; then
		case $server in
		apache) grep -qx "Listen 127.0.0.1:$port" "$conf" ;;
		lighttpd) grep -qx "server.port = $port" "$conf" ;;
		nginx) grep -q "listen 127.0.0.1:$port;" "$conf" ;;
		caddy) grep -q "^http://127.0.0.1:$port " "$conf" ;;
		esac || die "$name already runs from $var on another port; stop it"
		echo "server.sh: $name already running (pid $pid)"
		exit 0
	fi
	if other_running "$server"; then
		die "$other already runs from $var; stop it first"
	fi
	configure
	case $server in
	apache) apache_env apache2 -f "$conf" -k start ;;
	# lighttpd returns once its daemon is ready, or failed.
	lighttpd) lighttpd -f "$conf" || { logs; die "lighttpd did not start"; } ;;
	nginx)
		backends_start
		nginx -e "$rundir/error.log" -c "$conf" ||
			{ backends_stop; logs; die "nginx did not start"; } ;;
	caddy)
		backends_start
		(as_web_user env HOME="$rundir/data" XDG_CONFIG_HOME="$rundir/data" \
			XDG_DATA_HOME="$rundir/data" caddy run --config "$conf" \
			--adapter caddyfile --pidfile "$pidfile") \
			</dev/null >>"$rundir/caddy.log" 2>&1 & ;;
	esac
	# -k start may return before the daemon writes its pid file.
	n=0
	until running || [ $n -ge 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	running || die "$name did not start; see $rundir/error.log"
	wait_ready "$pid"
	;;
run)
	running && die "$name already running (pid $pid): stop it first"
	if other_running "$server"; then
		die "$other already runs from $var; stop it first"
	fi
	configure
	stopping=
	trap 'stopping=1' INT TERM
	case $server in
	apache) apache_env apache2 -f "$conf" -DFOREGROUND & ;;
	lighttpd) lighttpd -D -f "$conf" & ;;
	nginx)
		backends_start
		nginx -e "$rundir/error.log" -c "$conf" -g 'daemon off;' & ;;
	caddy)
		backends_start
		(as_web_user env HOME="$rundir/data" XDG_CONFIG_HOME="$rundir/data" \
			XDG_DATA_HOME="$rundir/data" caddy run --config "$conf" \
			--adapter caddyfile --pidfile "$pidfile") & ;;
	esac
	pid=$!
	wait_ready "$pid"
	echo "server.sh: $name on http://127.0.0.1:$port/ (Ctrl-C stops it)"
	# A trapped signal ends the wait early.
	while [ -z "$stopping" ] && alive "$pid"; do
		wait "$pid" || true
	done
	stop_server "$pid"
	wait "$pid" 2>/dev/null || true
	;;
stop)
	# Whichever kind runs from VARDIR: `make stop` needs no SERVER.
	for s in apache lighttpd nginx caddy; do
		use "$s"
		if running; then
			stop_server "$pid"
		elif [ "$s" = nginx ] || [ "$s" = caddy ]; then
			[ ! -d "$rundir" ] || backends_stop
		fi
	done
	;;
esac
