#!/bin/sh
# The test suite, once the build is done (make all units san):
#   scripts/test.sh            (make test) one prove run over the
#     unit-test programs tests/unit/test-* and their ASan+UBSan builds
#     tests/out/asan/unit/test-* (but test-libjwt), the check of the
#     Markdown files' relative links (tests/unit/links.t), the replay of
#     the fuzz seeds, the unit tests under valgrind
#     (tests/unit/valgrind.t), a short libFuzzer run of every harness
#     (tests/unit/fuzz-short.t: FUZZ_SECONDS each, default 15, the token
#     harness FUZZ_SECONDS_token, default 60), and the end-to-end tests
#     tests/e2e/*.t (real PostgreSQL, Apache, lighttpd, nginx, Caddy and
#     chromium);
#   scripts/test.sh san [T...] (make test-san) the end-to-end tests T
#     (default: all) again, against the ASan+UBSan build in tests/out/asan/
#     (JWTAUTH_FCGI, JWTAUTH_AUTHCTL, and mod_jwtauth.so with the
#     sanitizers' runtime preloaded into Apache: JWTAUTH_MODULE,
#     JWTAUTH_MODULE_PRELOAD); a sanitizer report in an error log
#     or a command's output fails the test it came from.  .ci/run runs
#     both.
#   scripts/test.sh valgrind   only the unit tests under valgrind
set -eu
cd "$(dirname "$0")/.."

# test_deps: what the tests need installed (Debian packages; npm's
# playwright-core, which drives Debian's chromium and downloads no
# browser, jose, which checks our tokens against the JWK Set alone, and
# lighthouse, which audits our pages in Debian's chromium).
test_deps() {
	scripts/deps.sh browser test deb nginx caddy
	if [ ! -d tests/browser/node_modules/playwright-core ] ||
	    [ ! -d tests/browser/node_modules/jose ] ||
	    [ ! -d tests/browser/node_modules/lighthouse ]; then
		(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
	fi
}

# san T...: the end-to-end tests T against the sanitizer build.
san() {
	[ -x tests/out/asan/jwtauth.fcgi ] && [ -x tests/out/asan/authctl ] &&
	    [ -f tests/out/asan/mod_jwtauth.so ] || {
		echo "test.sh: no sanitizer build: run make san" >&2
		return 1
	}
	[ $# -gt 0 ] || set -- tests/e2e/*.t
	JWTAUTH_FCGI=$PWD/tests/out/asan/jwtauth.fcgi \
	JWTAUTH_AUTHCTL=$PWD/tests/out/asan/authctl \
	JWTAUTH_MODULE=$PWD/tests/out/asan/mod_jwtauth.so \
	JWTAUTH_MODULE_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so) \
	    prove "$@"
}

case ${1:-} in
valgrind)
	exec prove -v tests/unit/valgrind.t
	;;
san)
	shift
	test_deps
	san "$@"
	exit
	;;
esac
test_deps
set --
for t in tests/unit/test-* tests/out/asan/unit/test-*; do
	# The built programs only, not their sources.  test-libjwt is not
	# run under ASan: it sets off libjwt's own bugs on purpose.
	case $t in tests/out/asan/unit/test-libjwt) continue ;; esac
	if [ -f "$t" ] && [ -x "$t" ]; then
		set -- "$@" "$t"
	fi
done
exec prove -v "$@" tests/unit/links.t tests/unit/fuzz-replay.t tests/unit/valgrind.t \
    tests/unit/fuzz-short.t tests/e2e/*.t
