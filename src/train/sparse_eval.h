// The evaluation's first layer from the split's sparse rows (data/sparse_rows.h), computed in the
// BLAS's own order of operations (kernels::sparse_linear_forward_blas_order with OpenBLAS's K
// blocks), so that it gives the dense product's numbers bit for bit while reading only the nonzero
// inputs: ~19% of MNIST's pixels, and the test pass's 784-wide product was most of its time.
//
// Nothing about the BLAS is taken on trust: a shape of batch and layer is computed sparse only
// after one batch of that shape gave the dense product's very bits in this process (another BLAS,
// kernel, version or thread count keeps the dense product), and never while a weight or bias is
// not finite (a zero input times an infinite weight is NaN in the dense product, skipped here).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include <torch/nn/modules/linear.h>

#include "kernels/blas_order.h"

namespace actbench {

struct Split;

// The order of operations of OpenBLAS 0.3.21's single-threaded sgemm with the reference kernel
// (util/blas_kernel.h: Haswell) for torch's linear on a batch of `rows` inputs of length k to
// `width` outputs: its blocks of k (GEMM_Q = 320) and the elements whose sums it splits into even
// and odd terms (kernels::BlasOrder).
kernels::BlasOrder openblas_haswell_order(int64_t rows, int64_t width, int64_t k);

class SparseEvalLayer {
 public:
  // The product this must equal: by default the layer's own forward on the dense inputs.
  using Dense = std::function<torch::Tensor(const torch::nn::Linear&, const torch::Tensor& x)>;
  explicit SparseEvalLayer(Dense dense = nullptr);

  // The one every evaluation uses (the verdicts are about the BLAS, the same for every run).
  static SparseEvalLayer& shared();

  // z = layer(inputs of rows [start, start + len) of split). `finite`: whether every weight and
  // bias of `layer` is finite (asked once per pass by the caller: see weights_finite).
  torch::Tensor forward(const torch::nn::Linear& layer, const Split& split, int64_t start,
                        int64_t len, bool finite);

  static bool weights_finite(const torch::nn::Linear& layer);

  // How many batches went each way (for the tests and the logs).
  int64_t sparse_batches() const;
  int64_t dense_batches() const;

 private:
  // Batch rows, layer width, inputs, weights stored transposed, intra-op threads.
  using Shape = std::tuple<int64_t, int64_t, int64_t, bool, int>;

  torch::Tensor dense(const torch::nn::Linear& layer, const Split& split, int64_t start,
                      int64_t len);

  Dense dense_;
  mutable std::mutex mutex_;
  // Per shape asked: the order that reproduced the BLAS, or null (dense).
  std::map<Shape, std::shared_ptr<const kernels::BlasOrder>> verdicts_;
  int64_t sparse_batches_ = 0, dense_batches_ = 0;
};

}  // namespace actbench
