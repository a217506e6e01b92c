// The nonzero inputs of every row of a split, extracted once and shared by every run that trains
// on it. A sparse first layer (train.sparse_input) reads a batch's rows of them in place, so a
// training step neither gathers nor scales nor compresses its batch's pixels: for MNIST's
// unnormalised pixels (~19% nonzero) that was 14% of a step.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <torch/types.h>

#include "kernels/cpu_kernels.h"

namespace actbench {

struct PixelScale;

struct SparseRows {
  // Row i's nonzeros are idx/code[offsets[i] .. offsets[i + 1]), in column order: the column
  // (uint16) and the pixel byte, whose model input is table[byte], exactly as the batch path
  // scales it (data/batches.h). Three bytes a nonzero: first touches of memory are slow on some
  // machines (~4 ms per MB on the VM this was measured on), and the steps read less. CPU tensors
  // (int64 [N + 1]; int16 read as uint16, and uint8, [nonzeros + 1]), the large ones in huge
  // pages (util/huge_pages.h).
  torch::Tensor offsets, idx, code;
  std::array<float, 256> table{};

  // Rows `rows[0 .. count)` as a kernel batch; `begin`/`end` are filled (count entries each).
  kernels::SparseBatch batch(const int64_t* rows, int64_t count, std::vector<int64_t>& begin,
                             std::vector<int64_t>& end) const;
};

// uint8 pixels [N, D] (D <= 65536) on the CPU, scaled by `scale`: their nonzeros.
SparseRows extract_sparse_rows(const torch::Tensor& pixels, const PixelScale& scale);

// A split's sparse rows, extracted by the first caller, shared by the rest (thread-safe).
class SparseRowsCache {
 public:
  const SparseRows& get(const torch::Tensor& pixels, const PixelScale& scale);

 private:
  std::once_flag once_;
  SparseRows rows_;
};

}  // namespace actbench
