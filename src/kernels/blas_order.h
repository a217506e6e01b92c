// The sparse first layer's product in a BLAS's own order of operations, for the test pass
// (train/sparse_eval.h): unlike the loops of kernels/cpu_kernels.h, which never fuse a multiply
// and an add, this one uses explicit fused multiply-adds, because the BLAS it reproduces does.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/cpu_kernels.h"

namespace actbench::kernels {

// x w_t + bias (as sparse_linear_forward) in a BLAS's order of operations (OpenBLAS's Haswell
// sgemm, train/sparse_eval.h describes it), reading only the nonzeros. Per element: out = bias; per
// K block (the columns of x up to block_end[0], then to block_end[1], ...; the last end is x's row
// length) two accumulators start at 0, each nonzero in column order adds fma(input, w, .) to the
// first, except that in an element whose row and 8-column group `split` marks ([rows, ceil(n / 8)],
// 1 = split) the nonzeros at odd positions within the block's first multiple of 8 columns go to the
// second; then out = out + (second + first). A zero input adds an exact zero to a sum, so skipping
// it changes nothing while the weights are finite. False, and nothing written, on a CPU without
// AVX-512 or when `order` does not fit the batch.
struct BlasOrder {
  std::vector<int64_t> block_end;
  std::vector<uint8_t> split;
};
bool sparse_linear_forward_blas_order(const SparseBatch& x, const float* w_t, const float* bias,
                                      int64_t n, float* out, const BlasOrder& order);

}  // namespace actbench::kernels
