#!/bin/sh
# The test suite, for `make test` once the build is done: the unit-test
# programs tests/unit/test-*, the replay of the fuzz seeds, and the
# end-to-end tests tests/e2e/*.t (real PostgreSQL, Apache, lighttpd and
# chromium), in one prove run whose summary ends the output and sets the
# exit status.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh browser
# playwright-core drives Debian's chromium; it downloads no browser.
# jose checks our tokens against the JWK Set alone.
if [ ! -d tests/browser/node_modules/playwright-core ] ||
    [ ! -d tests/browser/node_modules/jose ]; then
	(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
set --
for t in tests/unit/test-*; do
	# The built programs only, not their sources.
	if [ -f "$t" ] && [ -x "$t" ]; then
		set -- "$@" "$t"
	fi
done
exec prove -v "$@" tests/unit/fuzz-replay.t tests/e2e/*.t
