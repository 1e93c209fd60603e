#!/bin/sh
# A short libFuzzer run of every fuzz harness (tests/fuzz/fuzz-*.c), with
# ASan and UBSan, FUZZ_SECONDS (default 60) each: one TAP test per
# harness.  60 s is several times what the token harness took to find
# its old abort (a username over username_max), see README.md.  See
# scripts/fuzz.sh.
exec sh "$(dirname "$0")/../../scripts/fuzz.sh" tap "${FUZZ_SECONDS:-60}"
