// The machine's float32 matrix-multiply rate: the peak the benchmark compares training against.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace actbench {

using Json = nlohmann::json;

struct PeakOptions {
  int64_t threads = 0;   // 0: one per core
  int64_t size = 1024;   // n of the n x n x n product
  double seconds = 2.0;  // how long to measure (at least 3 products)
};

struct PeakResult {
  double gflops = 0;
  int64_t threads = 0;  // used
  int64_t reps = 0;
  double seconds = 0;
};

// InputError for a size outside [16, 16384] or seconds outside (0, 600].
PeakResult measure_matmul_peak(const PeakOptions& options);

}  // namespace actbench
