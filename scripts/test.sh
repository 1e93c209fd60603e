#!/bin/sh
# The test suite, for `make test` once the build is done (make all units
# san):
#  1. one prove run over the unit-test programs tests/unit/test-* and
#     their ASan+UBSan builds tests/out/asan/unit/test-* (but
#     test-libjwt), the check of the Markdown files' relative links
#     (tests/unit/links.t), the replay of the fuzz seeds, the unit tests under valgrind
#     (tests/unit/valgrind.t), a short libFuzzer run of every harness
#     (tests/unit/fuzz-short.t: FUZZ_SECONDS each, default 15, the token
#     harness FUZZ_SECONDS_token, default 60), and the
#     end-to-end tests tests/e2e/*.t (real PostgreSQL, Apache, lighttpd
#     and chromium);
#  2. the end-to-end tests again, against the ASan+UBSan build in
#     tests/out/asan/ (JWTAUTH_FCGI, JWTAUTH_AUTHCTL); a sanitizer report
#     in an error log or a command's output fails the test it came from.
#     SAN_E2E=0 skips this pass.
# The exit status is that of the two together.
#
#   scripts/test.sh valgrind   only the unit tests under valgrind
#   scripts/test.sh san [T...] only the end-to-end tests T (default: all)
#                              against the sanitizer build
set -eu
cd "$(dirname "$0")/.."

# san T...: the end-to-end tests T against the sanitizer build.
san() {
	[ -x tests/out/asan/jwtauth.fcgi ] && [ -x tests/out/asan/authctl ] || {
		echo "test.sh: no sanitizer build: run make san" >&2
		return 1
	}
	[ $# -gt 0 ] || set -- tests/e2e/*.t
	JWTAUTH_FCGI=$PWD/tests/out/asan/jwtauth.fcgi \
	JWTAUTH_AUTHCTL=$PWD/tests/out/asan/authctl prove "$@"
}

case ${1:-} in
valgrind)
	exec prove -v tests/unit/valgrind.t
	;;
san)
	shift
	san "$@"
	exit
	;;
esac
scripts/deps.sh browser test deb nginx caddy
# playwright-core drives Debian's chromium; it downloads no browser.
# jose checks our tokens against the JWK Set alone.
if [ ! -d tests/browser/node_modules/playwright-core ] ||
    [ ! -d tests/browser/node_modules/jose ]; then
	(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
set --
for t in tests/unit/test-* tests/out/asan/unit/test-*; do
	# The built programs only, not their sources.  test-libjwt is not
	# run under ASan: it sets off libjwt's own bugs on purpose.
	case $t in tests/out/asan/unit/test-libjwt) continue ;; esac
	if [ -f "$t" ] && [ -x "$t" ]; then
		set -- "$@" "$t"
	fi
done
status=0
prove -v "$@" tests/unit/links.t tests/unit/fuzz-replay.t tests/unit/valgrind.t \
    tests/unit/fuzz-short.t tests/e2e/*.t || status=1
if [ "${SAN_E2E:-1}" != 0 ]; then
	echo "# The end-to-end tests against the ASan+UBSan build"
	san || status=1
fi
exit $status
