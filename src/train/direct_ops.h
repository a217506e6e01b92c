// The fused engine's dense products and bias sums on the CPU without LibTorch's dispatch: the
// BLAS's sgemm called with the very arguments LibTorch 1.13 passes it (at::native::cpublas::gemm)
// and the bias gradient summed in LibTorch's order (kernels/torch_order.h). Nothing here is
// trusted on faith: each shape of each operation is computed both ways on its first call, and
// goes direct only if the two agree bit for bit; any other (and any tensor not laid out as the
// engine lays it out, any build without an sgemm_ to call) stays with the LibTorch operation.
// The dispatch saved is ~1 us an operation, ~9 operations a step (~4% of a 64-row MLP step).
#pragma once

#include <cstdint>
#include <map>
#include <tuple>

#include <torch/types.h>

namespace actbench {

// Whether two tensors hold the same bits (shapes, types and every byte: -0 is not 0, and a NaN
// equals the same NaN), where torch::equal compares values.
bool same_bits(const torch::Tensor& a, const torch::Tensor& b);

class DirectOps {
 public:
  // z = bias + a w_t: torch::addmm_out(z, bias, a, w_t). z [B, out], a [B, in], w_t [in, out].
  void linear(torch::Tensor& z, const torch::Tensor& bias, const torch::Tensor& a,
              const torch::Tensor& w_t);
  // grad_t = a^T dz: torch::mm_out(grad_t, a.t(), dz). grad_t [in, out], a [B, in], dz [B, out].
  void weight_grad(torch::Tensor& grad_t, const torch::Tensor& a, const torch::Tensor& dz);
  // dh = dz w: torch::mm_out(dh, dz, w), where w [out, in] is w_t [in, out] transposed (a Linear
  // weight the engine stores transposed).
  void input_grad(torch::Tensor& dh, const torch::Tensor& dz, const torch::Tensor& w);
  // bias_grad = dz summed over its rows: torch::sum_out(bias_grad, dz, {0}).
  void bias_grad(torch::Tensor& bias_grad, const torch::Tensor& dz);

  // How many (operation, shape) pairs went direct, and how many stay with LibTorch for good (for
  // tests; a shape still being checked is neither).
  int64_t direct_shapes() const;
  int64_t torch_shapes() const;

  // The calls of a shape checked against LibTorch before it goes direct: more than one, so that
  // one batch whose sums come out the same in any order (zeros, small integers) decides nothing.
  static constexpr int kChecks = 3;

 private:
  enum class Op { kLinear, kWeightGrad, kInputGrad, kBiasGrad };
  using Key = std::tuple<Op, int64_t, int64_t, int64_t>;
  // with_torch() writes `out`; direct(t) writes t (shaped as out) and returns false where it
  // cannot. Direct once the shape is trusted; else LibTorch, and while the shape is being checked
  // the direct result too, compared.
  template <typename Torch, typename Direct>
  void run(const Key& key, torch::Tensor& out, const Torch& with_torch, const Direct& direct);

  static constexpr int kRejected = -1, kTrusted = kChecks;
  std::map<Key, int> verdicts_;
};

}  // namespace actbench
