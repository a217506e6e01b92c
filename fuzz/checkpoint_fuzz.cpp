// libFuzzer entry for the checkpoint target (body in fuzz/targets.cpp); see scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>

#include <spdlog/spdlog.h>

#include "fuzz/targets.h"

// Logs (a damaged run file's warning, ...) would only slow the fuzzer down.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  actbench_fuzz::fuzz_checkpoint(data, size);
  return 0;
}
