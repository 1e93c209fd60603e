/*
 * fuzz.h: the entry point every harness in tests/fuzz defines, as
 * libFuzzer calls it (and tests/fuzz/replay.c, for builds without
 * libFuzzer).  Declared here for -Wmissing-prototypes.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif /* FUZZ_H */
