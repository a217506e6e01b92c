// The fused engine's direct products and bias sums (train/direct_ops.h): LibTorch's bits, always
// (the direct path only where its first call gave them), the direct path actually taken for the
// engine's shapes where the BLAS is OpenBLAS, and the bias sums' order (kernels/torch_order.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "kernels/torch_order.h"
#include "train/direct_ops.h"
#include "util/blas_kernel.h"

namespace {

using actbench::DirectOps;
using actbench::same_bits;

// Values of many magnitudes and both signs, so that any change of summation order shows.
torch::Tensor spread(int64_t rows, int64_t cols) {
  return torch::randn({rows, cols}) * torch::exp(torch::randn({rows, cols}) * 3);
}

bool openblas() {
  const std::string in_use = actbench::blas_kernel().in_use;
  return in_use != "mkl" && in_use != "unknown";
}

TEST(DirectOps, SameBitsTellsSignedZerosAndNaNsApart) {
  const torch::Tensor zero = torch::zeros({3});
  EXPECT_TRUE(same_bits(zero, torch::zeros({3})));
  EXPECT_FALSE(same_bits(zero, -torch::zeros({3})));  // torch::equal: equal
  EXPECT_FALSE(same_bits(zero, torch::zeros({4})));
  EXPECT_FALSE(same_bits(zero, torch::zeros({3}, torch::kDouble)));
  const torch::Tensor nan = torch::full({2}, std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(same_bits(nan, nan.clone()));  // torch::equal: not equal
  EXPECT_FALSE(same_bits(nan, zero.narrow(0, 0, 2)));
  EXPECT_TRUE(same_bits(torch::arange(6.0).view({2, 3}).t(), torch::arange(6.0).view({2, 3}).t()));
}

// LibTorch's sum over dim 0, bit for bit: every width whose blocks the order depends on (under
// 8 columns, a multiple of 32, the columns between, one past), batches of 1 to 1000 rows.
TEST(DirectOps, BiasSumsAreLibTorchsOrder) {
  // ATen's avx2 code (the reference policy, util/blas_kernel.h) sums in 8-float vectors; another
  // vector width keeps the blocks of 64 columns and those under 8 the same.
  const bool avx2 = actbench::blas_kernel().aten == "avx2";
  torch::manual_seed(21);
  for (const int64_t rows : {1, 2, 3, 4, 5, 15, 16, 17, 63, 64, 65, 255, 256, 257, 1000}) {
    for (const int64_t cols : {2, 3, 4, 5, 7, 8, 10, 17, 31, 32, 33, 40, 64, 100, 128, 129}) {
      if (!avx2 && cols >= 8 && cols % 64 != 0) continue;
      SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols));
      const torch::Tensor x = spread(rows, cols);
      torch::Tensor mine = torch::empty({cols});
      ASSERT_TRUE(actbench::kernels::column_sums_torch_order(x.data_ptr<float>(), rows, cols,
                                                             mine.data_ptr<float>()));
      EXPECT_TRUE(same_bits(mine, x.sum(0)));
    }
  }
  float out = 0;
  const float one[3] = {1, 2, 3};
  EXPECT_FALSE(actbench::kernels::column_sums_torch_order(one, 3, 1, &out));  // a whole-tensor sum
}

// Each operation gives the LibTorch operation's bits, call after call, at every shape; on
// OpenBLAS the engine's shapes go direct.
TEST(DirectOps, EveryOperationGivesLibTorchsBits) {
  torch::manual_seed(22);
  for (const int64_t rows : {64, 32, 1}) {
    DirectOps ops;
    for (const auto& [in, out] : std::vector<std::pair<int64_t, int64_t>>{{128, 128}, {128, 10}}) {
      SCOPED_TRACE(std::to_string(rows) + " rows, " + std::to_string(in) + " -> " +
                   std::to_string(out));
      // A Linear weight as the engine keeps it: stored transposed, w = w_t.t().
      const torch::Tensor w_t = spread(in, out), bias = spread(1, out).view({out});
      const torch::Tensor w = w_t.t();
      for (int call = 0; call < DirectOps::kChecks + 2; ++call) {
        const torch::Tensor a = spread(rows, in), dz = spread(rows, out);
        torch::Tensor z = torch::empty({rows, out}), grad_t = torch::empty({in, out});
        torch::Tensor dh = torch::empty({rows, in}), bias_grad = torch::empty({out});
        ops.linear(z, bias, a, w_t);
        ops.weight_grad(grad_t, a, dz);
        ops.input_grad(dh, dz, w);
        ops.bias_grad(bias_grad, dz);
        EXPECT_TRUE(same_bits(z, torch::addmm(bias, a, w_t)));
        EXPECT_TRUE(same_bits(grad_t, torch::mm(a.t(), dz)));
        EXPECT_TRUE(same_bits(dh, torch::mm(dz, w)));
        EXPECT_TRUE(same_bits(bias_grad, dz.sum(0)));
      }
    }
    EXPECT_EQ(ops.direct_shapes() + ops.torch_shapes(), 2 * 4);
    // Batches of 64 and 32 rows on OpenBLAS: every operation direct (one row: not asserted;
    // LibTorch builds may treat a single row as a vector).
    if (openblas() && rows > 1) {
      EXPECT_EQ(ops.torch_shapes(), 0) << rows << " rows";
    }
  }
}

// Tensors not laid out as the engine lays them out stay with LibTorch, with its numbers.
TEST(DirectOps, OtherLayoutsStayWithLibTorch) {
  torch::manual_seed(23);
  DirectOps ops;
  const torch::Tensor a = spread(20, 16).t();  // [16, 20], not contiguous
  const torch::Tensor w_t = spread(20, 6), bias = spread(1, 6).view({6});
  torch::Tensor z = torch::empty({16, 6});
  ops.linear(z, bias, a, w_t);
  EXPECT_TRUE(same_bits(z, torch::addmm(bias, a, w_t)));
  const torch::Tensor dz = spread(16, 1);
  torch::Tensor bias_grad = torch::empty({1});
  ops.bias_grad(bias_grad, dz);  // one column: LibTorch's whole-tensor sum
  EXPECT_TRUE(same_bits(bias_grad, dz.sum(0)));
  EXPECT_EQ(ops.direct_shapes(), 0);
  EXPECT_EQ(ops.torch_shapes(), 1);  // the non-contiguous product is never tried
}

}  // namespace
