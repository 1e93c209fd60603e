#!/bin/sh
# Build the Debian packages of jwtauth (jwtauth, libapache2-mod-jwtauth)
# from debian/ into DIR (default
# dist/), in a copy of the tree's files (tracked and new, not ignored),
# so that the build's "make clean" leaves this tree's programs alone; then
# run lintian on it.  Usage: scripts/deb.sh [DIR]
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-dist}
case $out in /*) ;; *) out=$root/$out ;; esac
mkdir -p "$out"
version=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
tmp=$(mktemp -d /tmp/jwtauth-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/jwtauth-$version
mkdir "$src"
# Only the files git knows of (or would add): no build products.  From
# a tree without git (a tarball), all of it but the state and the output;
# the build's own "make clean" removes any programs in it.
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$root" && git ls-files -z -co --exclude-standard |
	    xargs -0 cp --parents -t "$src")
else
	(cd "$root" && tar -cf - --exclude=./.git --exclude=./var \
	    --exclude=./dist --exclude=./tests/out .) | (cd "$src" && tar -xf -)
fi
(cd "$src" && DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS-}" \
    dpkg-buildpackage -b -us -uc >"$tmp/build.log" 2>&1) || {
	tail -40 "$tmp/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed" >&2
	exit 1
}
# Two packages: jwtauth, and libapache2-mod-jwtauth (mod_jwtauth.so).
cp "$tmp"/jwtauth_"$version"_*.deb \
    "$tmp"/libapache2-mod-jwtauth_"$version"_*.deb "$out/"
deb=$(ls "$out"/jwtauth_"$version"_*.deb)
mod=$(ls "$out"/libapache2-mod-jwtauth_"$version"_*.deb)
echo "deb.sh: $deb"
echo "deb.sh: $mod"
# lintian's verdict, after the overrides in debian/ (each explained
# there); any other warning or error fails the build.
lintian --fail-on error,warning "$deb" "$mod"
