// The CPU kernels (kernels/cpu_kernels.h) against the tensor operations they replace: the sparse
// first layer's products and the fused softmax cross-entropy.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "kernels/cpu_kernels.h"

namespace {

TEST(Kernels, SparseLinearMatchesDenseProducts) {
  torch::manual_seed(6);
  torch::Tensor x = torch::relu(torch::randn({9, 31}));  // ~half zeros
  x[4].zero_();                                          // and an all-zero row
  torch::Tensor w_t = torch::randn({31, 7}), bias = torch::randn({7}), dz = torch::randn({9, 7});
  std::vector<int32_t> offsets(10), idx(9 * 31);
  std::vector<float> val(9 * 31);
  actbench::kernels::compress_rows(x.data_ptr<float>(), 9, 31, offsets.data(), idx.data(),
                                   val.data());
  EXPECT_EQ(offsets[9], x.ne(0).sum().item<int64_t>());
  EXPECT_EQ(offsets[4], offsets[5]);
  torch::Tensor out = torch::empty({9, 7}), grad = torch::full({31, 7}, 99.0);
  actbench::kernels::sparse_linear_forward(offsets.data(), idx.data(), val.data(), 9,
                                           w_t.data_ptr<float>(), bias.data_ptr<float>(), 7,
                                           out.data_ptr<float>());
  actbench::kernels::sparse_linear_weight_grad(offsets.data(), idx.data(), val.data(), 9, 31,
                                               dz.data_ptr<float>(), 7, grad.data_ptr<float>());
  EXPECT_TRUE(torch::allclose(out, torch::addmm(bias, x, w_t), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(grad, torch::mm(x.t(), dz), 1e-5, 1e-5));
}

TEST(Kernels, SoftmaxCrossEntropyMatchesAutograd) {
  torch::manual_seed(5);
  torch::Tensor logits = (torch::randn({13, 10}) * 3).requires_grad_(true);
  torch::Tensor y = torch::randint(10, {13}, torch::kLong);
  logits.data()[2][7] = 50.0;  // a confident row
  y[2] = 7;
  torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
  loss.backward();
  torch::Tensor grad = torch::empty({13, 10});
  int64_t correct = -1;
  const torch::Tensor z = logits.detach().contiguous();
  const double mine = actbench::kernels::softmax_xent(z.data_ptr<float>(), y.data_ptr<int64_t>(),
                                                      13, 10, grad.data_ptr<float>(), &correct);
  EXPECT_NEAR(mine, loss.item<double>(), 1e-6);
  EXPECT_TRUE(torch::allclose(grad, logits.grad(), 1e-5, 1e-7));
  EXPECT_EQ(correct, z.argmax(1).eq(y).sum().item<int64_t>());
  EXPECT_GE(correct, 1);
}

}  // namespace
