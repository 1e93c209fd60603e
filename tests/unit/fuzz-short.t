#!/bin/sh
# A short libFuzzer run of every fuzz harness (tests/fuzz/fuzz-*.c), with
# ASan and UBSan: FUZZ_SECONDS (default 15) each, the token harness
# FUZZ_SECONDS_token (default 60).  One TAP test per harness.  The token
# harness's old abort (a username over username_max accepted) took 5 to
# 32 s to find in six trials at about 30000 runs/s; 60 s is twice
# the slowest.  See scripts/fuzz.sh.
FUZZ_SECONDS_token=${FUZZ_SECONDS_token:-60}
export FUZZ_SECONDS_token
exec sh "$(dirname "$0")/../../scripts/fuzz.sh" tap "${FUZZ_SECONDS:-15}"
