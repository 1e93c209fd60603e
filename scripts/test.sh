#!/bin/sh
# The test suite, for `make test` once the build is done: the unit-test
# programs tests/unit/test-* and the end-to-end tests tests/e2e/*.t, in a
# single prove run whose summary ends the output and sets the exit status.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
set --
for t in tests/unit/test-*; do
	# The built programs only, not their sources.
	if [ -f "$t" ] && [ -x "$t" ]; then
		set -- "$@" "$t"
	fi
done
exec prove -v "$@" tests/e2e/*.t
