#!/bin/sh
# A short libFuzzer run of every fuzz harness (tests/fuzz/fuzz-*.c), with
# ASan and UBSan: FUZZ_SECONDS (default 30) each, the token harness
# FUZZ_SECONDS_token (default 120).  One TAP test per harness.  The token
# harness's old abort (a username over username_max accepted) took 5 to
# 32 s to find in six trials at about 30000 runs/s; 120 s is four times
# the slowest.  See scripts/fuzz.sh.
FUZZ_SECONDS_token=${FUZZ_SECONDS_token:-120}
export FUZZ_SECONDS_token
exec sh "$(dirname "$0")/../../scripts/fuzz.sh" tap "${FUZZ_SECONDS:-30}"
