// libFuzzer entry for the store target (body in fuzz/targets.cpp); see scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>

#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  actbench_fuzz::fuzz_store(data, size);
  return 0;
}
