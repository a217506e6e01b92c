// The diagnostics' per-step and per-test-pass loops, by hand: sums of squares (gradient norms),
// saturated outputs near an activation's bounds, units ever active (train/engine.h,
// train/trainer.h). Same results as the tensor expressions they replace, in one pass.
#pragma once

#include <cstdint>

namespace actbench::kernels {

// The sum of x[i]^2 over n floats: 16 float partial sums (one vector register), added in double.
double sum_squares(const float* x, int64_t n);
// The total of 16 such partial sums (n a multiple of 16), as sum_squares adds them.
double sum_squares_total(const float squares[16]);

// A saturation bound per column (activations/derivative.h's SaturationBands): limit[j] and
// margin[j] for column j; null: no bound on that side.
struct Bound {
  const float* limit = nullptr;
  const float* margin = nullptr;
};

// The number of elements of y [rows, width] within the margin of their column's lower or upper
// bound: |y - limit| <= margin, in float, as torch::sub(y, limit).abs_().le(margin) computes it
// (a NaN limit counts nothing). One pass instead of seven tensor operations.
int64_t count_near_bounds(const float* y, int64_t rows, int64_t width, const Bound& lower,
                          const Bound& upper);

// active[j] |= (some row r has d[r][j] != 0), as torch's d.ne(0).any(0) finds it (a NaN is not
// zero), for d [rows, width]; returns whether every active[j] is now true.
bool mark_nonzero_columns(const float* d, int64_t rows, int64_t width, bool* active);

}  // namespace actbench::kernels
