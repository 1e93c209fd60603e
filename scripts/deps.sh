#!/bin/sh
# Install the Debian packages that jwtauth needs to build, run and test.
# Usage: scripts/deps.sh [browser] [test] [bench] [deb] [nginx] [caddy]
# Fast and quiet when everything is there; apt-get runs only when not.
set -eu

pkgs="build-essential pkg-config libfcgi-dev libjwt-dev libjansson-dev
	libpq-dev libsodium-dev libssl-dev liboath-dev libqrencode-dev
	libfido2-dev libcbor-dev
	postgresql-15 postgresql-client-15 pgbouncer
	apache2 libapache2-mod-fcgid apache2-dev lighttpd curl perl"

# PACKAGE:COMMAND when the command is enough: NodeSource's nodejs, for
# one, bundles npm and conflicts with Debian's package of it.
for group in "$@"; do
	case $group in
	browser) pkgs="$pkgs chromium:chromium nodejs:node npm:npm" ;;
	# make test: valgrind for the unit tests, clang's libFuzzer; PyJWT
	# for the Python example of checking tokens in docs/multi-server.md (59-jwks-python);
	# oathtool: TOTP codes computed apart from our own (7[123]-totp-*.t);
	# suexec for the simulated shared host (scripts/suexec-host.sh);
	# msmtp as mail_command and an aiosmtpd SMTP sink (85-reset-smtp);
	# wrk for the keep-alive load on three servers (78-pool-three-servers).
	test) pkgs="$pkgs valgrind clang libclang-rt-14-dev python3-jwt
		python3-cryptography oathtool apache2-suexec-custom
		msmtp python3-aiosmtpd wrk" ;;
	# make bench: the load, callgrind, the peer of mod_jwtauth
	# (mod_auth_openidc) and the nginx rows.
	bench) pkgs="$pkgs wrk valgrind libapache2-mod-auth-openidc
		nginx-light fcgiwrap" ;;
	# make deb: the Debian package and its lint.
	deb) pkgs="$pkgs debhelper dpkg-dev fakeroot lintian" ;;
	# SERVER=nginx, SERVER=caddy and their tests: the server (on a
	# machine with systemd its package also starts the system's own on
	# port 80) and fcgiwrap for the demo's CGI script.
	nginx) pkgs="$pkgs nginx-light fcgiwrap" ;;
	caddy) pkgs="$pkgs caddy fcgiwrap" ;;
	*)
		echo "usage: ${0##*/} [browser] [test] [bench] [deb] [nginx] [caddy]" >&2
		exit 2 ;;
	esac
done

# JSON::PP ships with perl; libjson-pp-perl only matters on an older perl.
if ! perl -MJSON::PP -e 1 2>/dev/null; then
	pkgs="$pkgs libjson-pp-perl"
fi

missing=
for p in $pkgs; do
	case $p in
	*:*)
		if command -v "${p#*:}" >/dev/null; then
			continue
		fi
		p=${p%%:*} ;;
	esac
	if ! dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null |
	    grep -qx installed; then
		missing="$missing $p"
	fi
done
[ -n "$missing" ] || exit 0

echo "deps.sh: installing$missing"
if [ "$(id -u)" -eq 0 ]; then
	set -- env DEBIAN_FRONTEND=noninteractive
elif command -v sudo >/dev/null; then
	set -- sudo env DEBIAN_FRONTEND=noninteractive
else
	echo "deps.sh: missing packages:$missing; install them as root" >&2
	exit 1
fi
"$@" apt-get update -q
# shellcheck disable=SC2086 # one word per package
"$@" apt-get install -y -q --no-install-recommends $missing
