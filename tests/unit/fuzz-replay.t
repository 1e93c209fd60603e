#!/bin/sh
# Replays the seed corpus of every fuzz harness (tests/fuzz/fuzz-*.c),
# built with cc and tests/fuzz/replay.c under ASan and UBSan: one TAP
# test per harness.  See scripts/fuzz.sh.
exec sh "$(dirname "$0")/../../scripts/fuzz.sh" replay
