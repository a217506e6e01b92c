// Reductions in LibTorch's own order of operations, for the fused engine's bias gradients
// (train/direct_ops.h): the same floats as the LibTorch operation, without its dispatch.
#pragma once

#include <cstdint>

namespace actbench::kernels {

// out[c] = sum over r of x[r * cols + c], the rows of a row-major [rows, cols] matrix summed as
// LibTorch 1.13's CPU sum over dim 0 sums them with 8-float vectors (at::native cascade_sum):
// a column in a block of 32 (4 vectors; where cols < 8, of 4 columns) is one cascade over its rows;
// any other column is four cascades over the rows r = k mod 4 (k = 0..3), the rows left over
// added to the first, then the other three added. A cascade: partial sums of 16 rows (2^p rows,
// p = max(4, ceil(log2 n) / 4)) carried up through 4 levels, each starting from 0. False, and
// nothing written, for a single column (LibTorch reduces that as a whole-tensor sum).
bool column_sums_torch_order(const float* x, int64_t rows, int64_t cols, float* out);

}  // namespace actbench::kernels
