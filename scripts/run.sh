#!/bin/sh
# The development servers, for `make run`, `make start` and `make stop`.
#   run.sh run     start PostgreSQL and the web server, wait for Ctrl-C,
#                  stop both
#   run.sh start   start them in the background
#   run.sh stop    stop them (whichever web server runs)
# State is kept in var/ between runs: the cluster (var/pg), the keys,
# var/jwtauth.conf (written once: edit it freely) and the demo user's
# password (var/demo-password).  Environment: SERVER (apache, the default,
# lighttpd, nginx or caddy: `make run SERVER=nginx`; apache-module: Apache
# with mod_jwtauth checking /app/ in its own process,
# apache/module-test.conf.in), HTTP_PORT (default 8080),
# JWTAUTH_FCGI, JWTAUTH_AUTHCTL (default: the programs built here), MAKE,
# DB_POOL (pgbouncer: a private PgBouncer in transaction pooling mode in
# front of the cluster, var/pool, scripts/pool.sh; the config's database
# then names it and listen_database the cluster, for the revocation
# listener; without DB_POOL a config written so goes back to direct).
# The revocation listener (jwtauth.fcgi -l) is started by the first
# FastCGI process that needs it.
set -eu
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
var=$root/var
http_port=${HTTP_PORT:-8080}
authctl=${JWTAUTH_AUTHCTL:-$root/authctl}
JWTAUTH_FCGI=${JWTAUTH_FCGI:-$root/cgi-bin/jwtauth.fcgi}
export JWTAUTH_FCGI
# scripts/server.sh reads SERVER too.
SERVER=${SERVER:-apache}
export SERVER
case $SERVER in
apache | lighttpd | nginx | caddy) module= ;;
apache-module)
	# Apache, the check made by mod_jwtauth (scripts/server.sh reads
	# JWTAUTH_TEMPLATE): built by make apache-module in setup.
	module=1 SERVER=apache
	JWTAUTH_TEMPLATE=${JWTAUTH_TEMPLATE:-$root/apache/module-test.conf.in}
	export JWTAUTH_TEMPLATE ;;
*) die "unknown SERVER=$SERVER; use apache, apache-module, lighttpd, nginx or caddy" ;;
esac
DB_POOL=${DB_POOL:-}
case $DB_POOL in
'' | pgbouncer) ;;
*) die "unknown DB_POOL=$DB_POOL; use pgbouncer or nothing" ;;
esac
umask 022

# keys: make the token key and the server secret once.
keys() {
	for k in jwt secret; do
		[ -f "$var/$k.key" ] || "$authctl" keygen "$var/$k.key"
		if [ "$(id -u)" -eq 0 ]; then
			chown "$(web_user):$(web_group)" "$var/$k.key"
		fi
	done
	# The program's own log (log_file's default, beside the config):
	# the web server's user must be able to append to it.
	if [ ! -f "$var/jwtauth.log" ]; then
		(umask 077 && : >"$var/jwtauth.log")
	fi
	if [ "$(id -u)" -eq 0 ]; then
		chown "$(web_user):$(web_group)" "$var/jwtauth.log"
	fi
}

# config: write var/jwtauth.conf once; later runs keep the user's edits.
config() {
	[ ! -f "$var/jwtauth.conf" ] || return 0
	cat >"$var/jwtauth.conf" <<-CONF
		# jwtauth development config, written once by scripts/run.sh:
		# edit it freely.  The keys are in jwtauth.conf(5): man/jwtauth.conf.5.
		database = $(cat "$var/pg/conninfo")
		key_file = $var/jwt.key
		secret_file = $var/secret.key
		issuer = jwtauth-dev
		base_path = /auth
		# Mail (password reset, notices) is written to files, not sent.
		site_url = http://127.0.0.1:$http_port
		mail_dir = $var/mail
	CONF
}

# maildir: the directory mail_dir names, writable by the web server.
maildir() {
	mkdir -p "$var/mail"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$(web_user):$(web_group)" "$var/mail"
	fi
}

# follow_conninfo OLD: after pg.sh repoint moved the cluster (another
# checkout's took its port), the config's database line follows when it
# is still the one written here; an edited one is the user's to change.
follow_conninfo() {
	new=$(cat "$var/pg/conninfo")
	[ "$1" != "$new" ] || return 0
	conf=$var/jwtauth.conf
	if grep -qxF "database = $1" "$conf"; then
		awk -v old="database = $1" -v new="database = $new" \
			'$0 == old { print new; next } { print }' "$conf" \
			>"$conf.new"
		cat "$conf.new" >"$conf"
		rm -f "$conf.new"
		echo "run.sh: $conf: database follows the cluster's new port"
	else
		die "the cluster moved to a new port; in $conf set:" \
			"database = $new"
	fi
}

# set_database DATABASE [LISTEN]: the config's database (and
# listen_database) lines, when they are still the ones written here.
set_database() {
	conf=$var/jwtauth.conf
	direct=$(cat "$var/pg/conninfo")
	pool=$(cat "$var/pool/conninfo" 2>/dev/null || echo none)
	cur=$(sed -n 's/^database = //p' "$conf")
	[ "$cur" = "$direct" ] || [ "$cur" = "$pool" ] || {
		echo "run.sh: $conf: database edited by hand; left as it is"
		return 0
	}
	awk -v db="$1" -v l="${2-}" '
		/^listen_database = / { next }
		/^database = / { print "database = " db
			if (l != "") print "listen_database = " l; next }
		{ print }' "$conf" >"$conf.new"
	cat "$conf.new" >"$conf"
	rm -f "$conf.new"
}

# pool: start the private PgBouncer (DB_POOL=pgbouncer) on the port it
# had, else 6433, else a free one; the config names it.
pool() {
	port=$(sed -n 's/.* port=\([0-9]*\) .*/\1/p' "$var/pool/conninfo" \
	    2>/dev/null || true)
	if [ -z "$port" ] || ! port_free "$port"; then
		port=6433
		port_free "$port" || port=$(free_port)
	fi
	"$root/scripts/pool.sh" start "$var/pg" "$var/pool" "$port"
	set_database "$(cat "$var/pool/conninfo")" "$(cat "$var/pg/conninfo")"
}

# demo_user: add user demo once, with a random password kept in var/.
demo_user() {
	[ ! -f "$var/demo-password" ] || return 0
	pw=$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')
	printf '%s\n' "$pw" | "$authctl" -c "$var/jwtauth.conf" user add demo ||
		die "cannot add user demo; if it exists, set a new password" \
			"with: ./authctl -c var/jwtauth.conf user passwd demo," \
			"and write it to var/demo-password"
	(umask 077 && printf '%s\n' "$pw" >"$var/demo-password")
	"$authctl" -c "$var/jwtauth.conf" user email demo demo@example.com \
	    >/dev/null || :
}

setup() {
	check_path "repository path" "$root"
	case $SERVER in
	nginx | caddy) "$root/scripts/deps.sh" "$SERVER" ;;
	*) "$root/scripts/deps.sh" ;;
	esac
	${MAKE:-make} --no-print-directory -C "$root" all \
	    ${module:+apache-module}
	[ -x "$authctl" ] || die "no $authctl: the build did not make it"
	check_reach "$(web_user)" "$JWTAUTH_FCGI"
	mkdir -p "$var"
	chmod 0755 "$var"
	if [ ! -f "$var/pg/conninfo" ]; then
		pg_port=5433
		port_free "$pg_port" || pg_port=$(free_port)
		"$root/scripts/pg.sh" init "$var/pg" "$pg_port"
	fi
	old_conninfo=$(cat "$var/pg/conninfo")
	"$root/scripts/pg.sh" repoint "$var/pg"
	"$root/scripts/pg.sh" start "$var/pg"
	keys
	config
	maildir
	follow_conninfo "$old_conninfo"
	if [ "$DB_POOL" = pgbouncer ]; then
		pool
	elif [ -f "$var/pool/conninfo" ]; then
		set_database "$(cat "$var/pg/conninfo")"
	fi
	"$authctl" -c "$var/jwtauth.conf" migrate
	demo_user
	rm -rf "$var/www"
	cp -R "$root/www" "$var/www"
}

# logs: where the web server's log and the program's go.
logs() {
	case $SERVER in
	apache) echo var/apache/error.log ;;
	lighttpd) echo var/lighttpd/error.log, var/lighttpd/stderr.log ;;
	nginx | caddy) echo "var/$SERVER/error.log, var/$SERVER/daemon.log" ;;
	esac
}

banner() {
	cat <<-EOF
		jwtauth: http://127.0.0.1:$http_port/$([ -z "$module" ] || echo " (/app/ checked by mod_jwtauth inside Apache)")
		  user demo, password $(cat "$var/demo-password") (in var/demo-password)
		  logs: $(logs), var/pg/log$([ ! -f "$var/pool/pid" ] || echo ", var/pool/log (PgBouncer)")
		  admin: $authctl -c $var/jwtauth.conf status   (or help)
	EOF
	if grep -q '^mail_dir = ' "$var/jwtauth.conf"; then
		echo "  mail: not sent, written to var/mail/ (mail_dir):" \
		    "demo's address is demo@example.com"
	fi
}

stop_all() {
	[ -d "$var" ] || return 0
	"$root/scripts/server.sh" stop "$var"
	if [ -f "$var/pool/pid" ]; then
		"$root/scripts/pool.sh" stop "$var/pool"
	fi
	if [ -f "$var/pg/conninfo" ]; then
		"$root/scripts/pg.sh" stop "$var/pg"
	fi
}

case "$# ${1-}" in
'1 run')
	trap stop_all EXIT
	trap 'exit 130' INT TERM
	setup
	banner
	# In the background, so that a signal to this script reaches it.
	"$root/scripts/server.sh" run "$var" "$http_port" &
	child=$!
	trap 'kill -TERM "$child" 2>/dev/null || true' INT TERM
	wait "$child" || true
	wait "$child" 2>/dev/null || true
	echo "jwtauth: stopping"
	;;
'1 start')
	setup
	"$root/scripts/server.sh" start "$var" "$http_port"
	banner
	echo "  stop with: make stop"
	;;
'1 stop') stop_all ;;
*)
	echo "usage: ${0##*/} run|start|stop" >&2
	exit 2 ;;
esac
