# Helpers shared by the scripts in this directory.  Source it, do not run it.
# shellcheck shell=sh

# die MESSAGE: print "script: MESSAGE" on standard error and exit 1.
die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

# web_user, web_group: who the web server runs as.  Apache and lighttpd
# drop to www-data when started by root; otherwise they stay the caller.
web_user() {
	if [ "$(id -u)" -eq 0 ]; then echo www-data; else id -un; fi
}
web_group() {
	if [ "$(id -u)" -eq 0 ]; then echo www-data; else id -gn; fi
}

# check_reach USER PATH: exit with a message naming the highest directory
# above PATH that USER cannot enter.  Only root can switch user, and only
# root needs to: otherwise USER is the caller, who made PATH.
check_reach() {
	[ "$(id -u)" -eq 0 ] || return 0
	# shellcheck disable=SC2016 # the inner script expands its own $1
	bad=$(runuser -u "$1" -- sh -c '
		p=$(dirname "$1") bad=
		while :; do
			[ -x "$p" ] || bad=$p
			[ "$p" = / ] && break
			p=$(dirname "$p")
		done
		printf %s "$bad"' sh "$2")
	[ -z "$bad" ] && return 0
	die "user $1 cannot reach $2: it cannot enter $bad" \
		"($(stat -c '%A %U' "$bad")); use a directory that others may enter" \
		"(e.g. under /srv or /tmp) or run: chmod o+x $bad"
}

# check_path NAME VALUE: refuse a path that a generated server config or
# mod_fcgid's space-separated FcgidWrapper command line cannot hold.
check_path() {
	case $2 in
	/*) ;;
	*) die "$1 must be an absolute path: $2" ;;
	esac
	case $2 in
	*[!A-Za-z0-9._/+,:=~-]*)
		die "$1 has a space or a special character that the server" \
			"config cannot hold: $2" ;;
	esac
}

# port_free PORT: true when nothing listens on 127.0.0.1:PORT.
port_free() {
	perl -MIO::Socket::INET -e 'exit !IO::Socket::INET->new(
		LocalAddr => "127.0.0.1", LocalPort => $ARGV[0],
		Proto => "tcp", ReuseAddr => 1)' "$1"
}

# free_port: print a TCP port on 127.0.0.1 that is free now.
free_port() {
	perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(
		LocalAddr => "127.0.0.1", LocalPort => 0,
		Proto => "tcp")->sockport, "\n"'
}

# as_postgres CMD...: run CMD as postgres when root (PostgreSQL and
# PgBouncer refuse to run as root), else as the caller.
as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}
