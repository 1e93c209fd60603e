#!/bin/sh
# A simulated shared host on loopback, for tests/e2e/49-suexec-host.t and
# for trying docs/shared-hosting.md, the shared-hosting guide, by hand.  Run as
# root.
#   suexec-host.sh setup DIR          make the host (idempotent; see below)
#   suexec-host.sh start DIR [OPT...] (re)start its Apache; OPT is any of
#        no-suexec  scripts run as www-data (a host without suexec)
#        no-fcgid   mod_fcgid not loaded (plain CGI only)
#        no-headers mod_headers not loaded
#   suexec-host.sh stop DIR           stop its Apache
#   suexec-host.sh teardown DIR       stop everything, remove the account,
#                                     restore the suexec config, remove DIR
#
# The host: a Unix account (SUEXEC_USER, default jwtsite) with
# /home/ACCOUNT/public_html; a private Apache 2.4 (own config in
# DIR/apache.conf, own port, started by root so that it drops to
# www-data, the only caller Debian's suexec accepts) whose DocumentRoot is
# that public_html, with SuexecUserGroup ACCOUNT, AllowOverride AuthConfig
# FileInfo Indexes Options=ExecCGI, mod_fcgid at its defaults and .ht*
# denied; a PostgreSQL 15 cluster (scripts/pg.sh, DIR/pg) where role
# "panel" (the control panel) owns database ACCOUNT_auth and made a schema
# in it for role ACCOUNT_auth, which logs in with a password.  What the
# account needs to know is in DIR/host.env (shell syntax, root only):
# SITE_URL, SITE_USER, SITE_HOME, DB_HOST, DB_PORT, DB_NAME, DB_USER,
# DB_PASSWORD.
#
# System state changed (teardown undoes it): the account and its home
# (made with the comment "jwtauth suexec-host.sh test account"; an
# account of that name without it is neither used nor removed);
# /etc/apache2/suexec/www-data, which Debian's apache2-suexec-custom reads
# for its document root and userdir suffix, set to /home and public_html
# (the original is kept as www-data.jwtauth-orig and put back).  suexec
# logs to /var/log/apache2/suexec.log, which is left as it is.
set -eu
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
account=${SUEXEC_USER:-jwtsite}
home=/home/$account
suexec_conf=/etc/apache2/suexec/www-data
modules=/usr/lib/apache2/modules

# The comment of the account this script makes: teardown removes no other.
marker='jwtauth suexec-host.sh test account'

# ours: true when the account exists and was made by this script.
ours() {
	[ "$(getent passwd "$account" | cut -d: -f5)" = "$marker" ]
}

usage() {
	echo "usage: ${0##*/} setup|stop|teardown DIR | start DIR" \
		"[no-suexec] [no-fcgid] [no-headers]" >&2
	exit 2
}

# setup_suexec: point suexec at /home and public_html, keeping the
# original file once.
setup_suexec() {
	[ -x /usr/lib/apache2/suexec-custom ] ||
		die "no suexec-custom: run scripts/deps.sh test"
	if [ ! -f "$suexec_conf.jwtauth-orig" ]; then
		cp -p "$suexec_conf" "$suexec_conf.jwtauth-orig"
	fi
	printf '%s\n' /home public_html \
		'# Written by jwtauth scripts/suexec-host.sh; the original is' \
		"# $suexec_conf.jwtauth-orig (suexec-host.sh teardown puts it back)." \
		>"$suexec_conf"
}

# setup_account: the Unix account, its home reachable by the web server
# (0711, as shared hosts do) and its web space.
setup_account() {
	if ! getent passwd "$account" >/dev/null; then
		useradd --create-home --home-dir "$home" --shell /bin/sh \
			--user-group --comment "$marker" "$account"
	fi
	ours || die "account $account exists and is not this script's;" \
		"set SUEXEC_USER to another name"
	chmod 0711 "$home"
	mkdir -p "$home/public_html"
	chown "$account:" "$home/public_html"
	chmod 0755 "$home/public_html"
}

# setup_db: the cluster, the panel's role and database, the account's
# role with a password and a schema of its own.
setup_db() {
	if [ ! -f "$dir/pg/conninfo" ]; then
		"$root/scripts/pg.sh" init "$dir/pg" "$(free_port)" >/dev/null
	fi
	"$root/scripts/pg.sh" start "$dir/pg"
	pg_port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' "$dir/pg/conninfo")
	if [ ! -f "$dir/db_password" ]; then
		(umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' \
			>"$dir/db_password")
	fi
	db_password=$(cat "$dir/db_password")
	db=${account}_auth
	su_psql postgres <<-SQL
		SELECT 'CREATE ROLE panel NOLOGIN'
		    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'panel')\gexec
		SELECT 'CREATE ROLE "$db" LOGIN'
		    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$db')\gexec
		ALTER ROLE "$db" LOGIN PASSWORD '$db_password';
		SELECT 'CREATE DATABASE "$db" OWNER panel'
		    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')\gexec
		REVOKE ALL ON DATABASE "$db" FROM PUBLIC;
		GRANT CONNECT, TEMPORARY ON DATABASE "$db" TO "$db";
	SQL
	# PostgreSQL 15: public is the panel's; the account gets a schema of
	# its own, first on its default search_path ("\$user").
	su_psql "$db" <<-SQL
		CREATE SCHEMA IF NOT EXISTS "$db" AUTHORIZATION "$db";
	SQL
}

# su_psql DB: the SQL on standard input as the cluster's superuser.
su_psql() {
	runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$dir/pg" \
		-p "$pg_port" -d "$1" >/dev/null
}

# write_env: what the account's owner is told by the host.
write_env() {
	port=$(cat "$dir/port" 2>/dev/null || true)
	if [ -z "$port" ]; then
		port=$(free_port)
		echo "$port" >"$dir/port"
	fi
	(umask 077; cat >"$dir/host.env" <<-ENV
		SITE_URL=http://127.0.0.1:$port
		SITE_PORT=$port
		SITE_USER=$account
		SITE_HOME=$home
		DB_HOST=127.0.0.1
		DB_PORT=$pg_port
		DB_NAME=$db
		DB_USER=$db
		DB_PASSWORD=$db_password
	ENV
	)
}

# write_conf OPT...: DIR/apache.conf for the options of start.
write_conf() {
	suexec=1 fcgid=1 headers=1
	for opt in "$@"; do
		case $opt in
		no-suexec) suexec=0 ;;
		no-fcgid) fcgid=0 ;;
		no-headers) headers=0 ;;
		*) usage ;;
		esac
	done
	port=$(cat "$dir/port")
	run=$dir/apache
	mkdir -p "$run/fcgid"
	chown www-data: "$run/fcgid"
	{
		cat <<-CONF
		# Written by scripts/suexec-host.sh start $*: a shared host.
		ServerRoot "$run"
		DefaultRuntimeDir "$run"
		PidFile "$run/apache2.pid"
		Mutex file:$run default
		ErrorLog "$run/error.log"
		LogLevel warn
		ServerName 127.0.0.1
		Listen 127.0.0.1:$port

		LoadModule mpm_event_module $modules/mod_mpm_event.so
		LoadModule authz_core_module $modules/mod_authz_core.so
		LoadModule mime_module $modules/mod_mime.so
		LoadModule dir_module $modules/mod_dir.so
		LoadModule autoindex_module $modules/mod_autoindex.so
		LoadModule env_module $modules/mod_env.so
		LoadModule rewrite_module $modules/mod_rewrite.so
		LoadModule cgid_module $modules/mod_cgid.so
		CONF
		[ $headers = 0 ] ||
			echo "LoadModule headers_module $modules/mod_headers.so"
		[ $fcgid = 0 ] ||
			echo "LoadModule fcgid_module $modules/mod_fcgid.so"
		[ $suexec = 0 ] ||
			echo "LoadModule suexec_module $modules/mod_suexec.so"
		cat <<-CONF

		User www-data
		Group www-data
		StartServers 1
		ServerLimit 2
		ThreadsPerChild 16
		MaxRequestWorkers 32
		Timeout 30
		TypesConfig /etc/mime.types
		ScriptSock "$run/cgid.sock"
		LogFormat "%h %t \"%r\" %>s %b" common
		CustomLog "$run/access.log" common
		CONF
		# mod_fcgid at its defaults but for where its sockets go.
		[ $fcgid = 0 ] || cat <<-CONF
		FcgidIPCDir "$run/fcgid"
		FcgidProcessTableFile "$run/fcgid/shm"
		CONF
		cat <<-CONF

		<Directory />
		    Options None
		    AllowOverride None
		    Require all denied
		</Directory>
		<FilesMatch "^\.ht">
		    Require all denied
		</FilesMatch>

		DocumentRoot "$home/public_html"
		DirectoryIndex index.html
		CONF
		[ $suexec = 0 ] ||
			echo "SuexecUserGroup $account $account"
		cat <<-CONF
		<Directory "$home/public_html">
		    Options Indexes SymLinksIfOwnerMatch
		    AllowOverride AuthConfig FileInfo Indexes Options=ExecCGI
		    Require all granted
		</Directory>
		CONF
	} >"$dir/apache.conf.new"
	mv "$dir/apache.conf.new" "$dir/apache.conf"
}

# apache_running: true when the pid file names a live apache2.
apache_running() {
	pidfile=$dir/apache/apache2.pid
	[ -f "$pidfile" ] || return 1
	pid=$(cat "$pidfile")
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	[ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = apache2 ]
}

apache_stop() {
	apache_running || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	n=0
	while [ -e "/proc/$pid" ] && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ ! -e "/proc/$pid" ] || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$pidfile"
}

apache_start() {
	apache_stop
	write_conf "$@"
	/usr/sbin/apache2 -f "$dir/apache.conf" -k start ||
		die "Apache did not start; see $dir/apache/error.log"
	n=0
	until ! port_free "$port"; do
		[ $n -lt 100 ] || die "Apache is not listening on $port;" \
			"see $dir/apache/error.log"
		sleep 0.1
		n=$((n + 1))
	done
}

teardown() {
	if [ -f "$dir/apache.conf" ]; then
		apache_stop
	fi
	if [ -f "$dir/pg/conninfo" ]; then
		"$root/scripts/pg.sh" stop "$dir/pg" || true
	fi
	if ours; then
		# The account's FastCGI processes end with their Apache.
		n=0
		while [ -n "$(ps -o pid= -u "$account" 2>/dev/null)" ] &&
		    [ $n -lt 100 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		userdel --remove "$account" 2>/dev/null ||
			echo "${0##*/}: userdel $account failed" >&2
	fi
	if [ -f "$suexec_conf.jwtauth-orig" ]; then
		mv "$suexec_conf.jwtauth-orig" "$suexec_conf"
	fi
	rm -rf "$dir"
}

[ $# -ge 2 ] || usage
cmd=$1
case $cmd in
setup | stop | teardown) [ $# -eq 2 ] || usage ;;
start) ;;
*) usage ;;
esac
[ "$(id -u)" -eq 0 ] || die "run as root: it adds an account and runs suexec"
case $2 in
/*) dir=$2 ;;
*) dir=$PWD/$2 ;;
esac
check_path "host directory" "$dir"
shift 2

case $cmd in
setup)
	mkdir -p "$dir"
	chmod 0755 "$dir"
	check_reach www-data "$dir"
	setup_account
	setup_suexec
	setup_db
	write_env
	;;
start)
	[ -f "$dir/host.env" ] || die "no host in $dir: run ${0##*/} setup $dir"
	apache_start "$@"
	;;
stop) apache_stop ;;
teardown) teardown ;;
esac
