/* The libFuzzer target: every input goes through the harness's bounded path (harness.h).
 * Build with -Dfuzz=true (clang only); how to run it: docs/testing.md. */
#include "harness.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dsim_fuzz_one(data, size);
    return 0;
}
