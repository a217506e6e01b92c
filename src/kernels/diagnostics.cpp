#include "kernels/diagnostics.h"

#include <algorithm>
#include <cmath>

#include "kernels/clones.h"

namespace actbench::kernels {

ACTBENCH_CLONES
double sum_squares(const float* __restrict x, int64_t n) {
  constexpr int64_t kLanes = 16;
  float acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int64_t k = 0; k < kLanes; ++k) acc[k] += x[i + k] * x[i + k];
  }
  double total = 0;
  for (; i < n; ++i) total += double(x[i]) * double(x[i]);
  for (int64_t k = 0; k < kLanes; ++k) total += double(acc[k]);
  return total;
}

double sum_squares_total(const float squares[16]) {
  double total = 0;
  for (int64_t k = 0; k < 16; ++k) total += double(squares[k]);
  return total;
}

namespace {

// count_near_bounds with the sides fixed at compile time: a loop that vectorises.
template <bool Lower, bool Upper>
__attribute__((always_inline)) inline int64_t count_near(const float* __restrict y, int64_t rows,
                                                         int64_t width, const Bound& lower,
                                                         const Bound& upper) {
  int64_t count = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = y + r * width;
    int32_t in_row = 0;
    for (int64_t j = 0; j < width; ++j) {
      const bool low = Lower && std::fabs(row[j] - lower.limit[j]) <= lower.margin[j];
      const bool up = Upper && std::fabs(row[j] - upper.limit[j]) <= upper.margin[j];
      in_row += int32_t(low | up);
    }
    count += in_row;
  }
  return count;
}

}  // namespace

ACTBENCH_CLONES
int64_t count_near_bounds(const float* __restrict y, int64_t rows, int64_t width,
                          const Bound& lower, const Bound& upper) {
  const bool has_lower = lower.limit != nullptr, has_upper = upper.limit != nullptr;
  if (has_lower && has_upper) return count_near<true, true>(y, rows, width, lower, upper);
  if (has_lower) return count_near<true, false>(y, rows, width, lower, upper);
  if (has_upper) return count_near<false, true>(y, rows, width, lower, upper);
  return 0;
}

ACTBENCH_CLONES
bool mark_nonzero_columns(const float* __restrict d, int64_t rows, int64_t width,
                          bool* __restrict active) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = d + r * width;
    for (int64_t j = 0; j < width; ++j) active[j] = active[j] | (row[j] != 0.0f);
  }
  return std::all_of(active, active + width, [](bool a) { return a; });
}

}  // namespace actbench::kernels
