// The evaluation's sparse first layer (train/sparse_eval.h): OpenBLAS's order of operations as
// the code reads it, the kernel against that order, and the rule that the sparse product is used
// only where it gave the dense product's bits, so that evaluate()'s numbers never change.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <torch/torch.h>

#include "activations/registry.h"
#include "data/dataset.h"
#include "data/sparse_rows.h"
#include "kernels/blas_order.h"
#include "kernels/cpu_kernels.h"
#include "model/mlp.h"
#include "train/sparse_eval.h"
#include "train/trainer.h"

namespace {

using actbench::kernels::BlasOrder;

bool has_avx512() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  return __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}

// The documented order, element by element with std::fma: what the kernel must give bit for bit.
torch::Tensor reference(const torch::Tensor& x, const torch::Tensor& w_t, const torch::Tensor& bias,
                        const BlasOrder& order) {
  const int64_t rows = x.size(0), n = w_t.size(1), groups = (n + 7) / 8;
  torch::Tensor out = torch::empty({rows, n});
  auto X = x.accessor<float, 2>();
  auto W = w_t.accessor<float, 2>();
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < n; ++j) {
      const bool split = order.split[size_t(r * groups + j / 8)] != 0;
      float o = bias[j].item<float>();
      int64_t start = 0;
      for (const int64_t end : order.block_end) {
        const int64_t unrolled = (end - start) - (end - start) % 8;
        float a = 0.0f, b = 0.0f;
        for (int64_t c = start; c < end; ++c) {
          if (X[r][c] == 0.0f) continue;
          const int64_t p = c - start;
          if (split && p < unrolled && p % 2 == 1) {
            b = std::fma(X[r][c], W[c][j], b);
          } else {
            a = std::fma(X[r][c], W[c][j], a);
          }
        }
        o = o + (b + a);
        start = end;
      }
      out[r][j] = o;
    }
  }
  return out;
}

// Byte rows (~70% zeros) and their sparse rows.
actbench::Split byte_split(int64_t rows, int64_t cols, uint64_t seed) {
  torch::manual_seed(seed);
  actbench::Split split;
  split.pixels = torch::randint(0, 256, {rows, cols}, torch::kByte);
  split.pixels.masked_fill_(torch::rand({rows, cols}).lt(0.7), 0);
  split.pixels[1].zero_();
  split.labels = torch::randint(3, {rows}, torch::kLong);
  split.sparse_cache = std::make_shared<actbench::SparseRowsCache>();
  return split;
}

TEST(SparseEval, OpenblasOrderIsTheHaswellKernels) {
  const BlasOrder order = actbench::openblas_haswell_order(1000, 128, 784);
  EXPECT_EQ(order.block_end, (std::vector<int64_t>{320, 552, 784}));
  ASSERT_EQ(order.split.size(), 1000u * 16);
  const auto groups_of = [&](const BlasOrder& o, int64_t row, int64_t groups) {
    std::vector<int64_t> on;
    for (int64_t g = 0; g < groups; ++g) {
      if (o.split[size_t(row * groups + g)] != 0) on.push_back(g);
    }
    return on;
  };
  // Tiles of 12 rows: the first 6 split the first 8 columns and the 8 that end the stagger.
  for (const int64_t row : {0, 5, 12, 989}) {
    EXPECT_EQ(groups_of(order, row, 16), (std::vector<int64_t>{0, 15})) << row;
  }
  for (const int64_t row : {6, 11, 995}) EXPECT_TRUE(groups_of(order, row, 16).empty()) << row;
  // 1000 = 83 x 12 + 4: the last 4 rows are a tile of 4, every group split.
  EXPECT_EQ(groups_of(order, 996, 16).size(), 16u);
  EXPECT_EQ(groups_of(order, 999, 16).size(), 16u);
  // Other inner lengths: one block below 2Q, a remainder halved and rounded up to 8.
  EXPECT_EQ(actbench::openblas_haswell_order(1, 8, 200).block_end, (std::vector<int64_t>{200}));
  EXPECT_EQ(actbench::openblas_haswell_order(1, 8, 600).block_end,
            (std::vector<int64_t>{304, 600}));
  EXPECT_EQ(actbench::openblas_haswell_order(1, 8, 1000).block_end,
            (std::vector<int64_t>{320, 640, 824, 1000}));
  // Width 20: the stagger ends on the left at columns 8-15; 7 rows are a tile of 4 (its whole
  // groups split) and 3 rows without a split.
  const BlasOrder narrow = actbench::openblas_haswell_order(7, 20, 50);
  EXPECT_EQ(groups_of(narrow, 0, 3), (std::vector<int64_t>{0, 1}));
  EXPECT_TRUE(groups_of(narrow, 4, 3).empty());
  // Width 40: the stagger ends on the right, at columns 32-39.
  const BlasOrder wide = actbench::openblas_haswell_order(12, 40, 50);
  EXPECT_EQ(groups_of(wide, 0, 5), (std::vector<int64_t>{0}));
  EXPECT_EQ(groups_of(wide, 6, 5), (std::vector<int64_t>{4}));
}

TEST(SparseEval, KernelFollowsItsDocumentedOrderBitForBit) {
  for (const int64_t n : {7, 77, 136}) {
    SCOPED_TRACE("width " + std::to_string(n));
    actbench::Split split = byte_split(13, 45, 5);
    const actbench::SparseRows* rows = split.sparse_rows();
    ASSERT_NE(rows, nullptr);
    std::vector<int64_t> numbers(13), begin, end;
    for (int64_t r = 0; r < 13; ++r) numbers[size_t(r)] = r;
    const actbench::kernels::SparseBatch batch = rows->batch(numbers.data(), 13, begin, end);
    torch::manual_seed(6);
    const torch::Tensor w_t = torch::randn({45, n}), bias = torch::randn({n});
    BlasOrder order;
    order.block_end = {17, 26, 45};  // 17 and 9 long: a part run 8 at a time, and a remainder
    order.split.resize(size_t(13 * ((n + 7) / 8)));
    for (size_t i = 0; i < order.split.size(); ++i) order.split[i] = (i * 7 + 3) % 3 == 0;
    torch::Tensor out = torch::full({13, n}, 99.0);
    const bool done = actbench::kernels::sparse_linear_forward_blas_order(
        batch, w_t.data_ptr<float>(), bias.data_ptr<float>(), n, out.data_ptr<float>(), order);
    if (!has_avx512()) {
      EXPECT_FALSE(done);
      EXPECT_TRUE(torch::equal(out, torch::full({13, n}, 99.0)));
      continue;
    }
    ASSERT_TRUE(done);
    const torch::Tensor x = split.images();
    EXPECT_TRUE(torch::equal(out, reference(x, w_t, bias, order)));
    EXPECT_TRUE(torch::allclose(out, torch::addmm(bias, x, w_t), 1e-5, 1e-5));
    // A split map that does not fit the batch: refused.
    order.split.pop_back();
    EXPECT_FALSE(actbench::kernels::sparse_linear_forward_blas_order(
        batch, w_t.data_ptr<float>(), bias.data_ptr<float>(), n, out.data_ptr<float>(), order));
  }
}

// The layer asks the dense product on the first batch of each shape and keeps to it unless the
// sparse one gave the same bits.
TEST(SparseEval, SparseOnlyWhereTheDenseProductAgreed) {
  actbench::Split split = byte_split(30, 40, 7);
  torch::manual_seed(8);
  torch::nn::Linear layer(40, 24);
  const auto order_of = [](const torch::nn::Linear& l, const torch::Tensor& x) {
    return reference(x, l->weight.t().contiguous(), l->bias,
                     actbench::openblas_haswell_order(x.size(0), l->weight.size(0), x.size(1)));
  };
  // A "BLAS" summing in the reproduced order: after its first batch, the sparse product.
  actbench::SparseEvalLayer agrees(order_of);
  for (int64_t start = 0; start < 30; start += 12) {
    const int64_t len = std::min<int64_t>(12, 30 - start);
    const torch::Tensor z = agrees.forward(layer, split, start, len, true);
    EXPECT_TRUE(torch::equal(z, order_of(layer, split.images(start, len))));
  }
  if (has_avx512()) {
    EXPECT_EQ(agrees.dense_batches(), 2);  // one per shape: 12 rows, then 6
    EXPECT_EQ(agrees.sparse_batches(), 1);
  } else {
    EXPECT_EQ(agrees.sparse_batches(), 0);
  }
  // One whose last bit differs: dense throughout.
  actbench::SparseEvalLayer differs([&](const torch::nn::Linear& l, const torch::Tensor& x) {
    torch::Tensor z = order_of(l, x);
    z[0][0] = std::nextafter(z[0][0].item<float>(), 1e9f);
    return z;
  });
  for (int pass = 0; pass < 2; ++pass) {
    for (int64_t start = 0; start < 30; start += 12) {
      differs.forward(layer, split, start, std::min<int64_t>(12, 30 - start), true);
    }
  }
  EXPECT_EQ(differs.sparse_batches(), 0);
  EXPECT_EQ(differs.dense_batches(), 6);
  // Weights not all finite (a zero input times an infinite weight is NaN in the dense product):
  // dense, even where the order was accepted.
  actbench::SparseEvalLayer told(order_of);
  told.forward(layer, split, 0, 12, true);
  told.forward(layer, split, 0, 12, false);
  EXPECT_EQ(told.dense_batches(), 2);
  torch::NoGradGuard no_grad;
  layer->weight[0][0] = std::numeric_limits<float>::infinity();
  EXPECT_FALSE(actbench::SparseEvalLayer::weights_finite(layer));
  // Mostly nonzero inputs: the dense product, which is faster there.
  actbench::Split dense_inputs = byte_split(30, 40, 7);
  dense_inputs.pixels.clamp_min_(1);
  torch::nn::Linear finite_layer(40, 24);
  actbench::SparseEvalLayer busy(order_of);
  for (int pass = 0; pass < 2; ++pass) busy.forward(finite_layer, dense_inputs, 0, 12, true);
  EXPECT_EQ(busy.sparse_batches(), 0);
  EXPECT_EQ(busy.dense_batches(), 2);
}

// evaluate() with the sparse first layer gives what the dense product gives, bit for bit: loss,
// accuracy and every layer statistic (with this machine's BLAS, sparse wherever it agreed).
TEST(SparseEval, EvaluationIsTheDenseProductsBitForBit) {
  actbench::Split sparse = byte_split(50, 64, 9);
  actbench::Split dense = sparse;
  dense.sparse_cache = nullptr;  // no sparse rows: the dense product
  for (const char* act : {"relu", "tanh"}) {
    SCOPED_TRACE(act);
    torch::manual_seed(3);
    actbench::MLP model(
        actbench::MLPOptions(64, {24, 16}, 3, actbench::resolve_activation(act, "test")));
    std::vector<actbench::LayerStats> with_sparse, with_dense;
    actbench::SparseEvalLayer first, other;
    for (int pass = 0; pass < 2; ++pass) {
      const auto a = actbench::evaluate(model, sparse, 16, &with_sparse, &first);
      const auto b = actbench::evaluate(model, dense, 16, &with_dense, &other);
      EXPECT_EQ(a.loss, b.loss);
      EXPECT_EQ(a.accuracy, b.accuracy);
      ASSERT_EQ(with_sparse.size(), with_dense.size());
      for (size_t i = 0; i < with_sparse.size(); ++i) {
        EXPECT_EQ(with_sparse[i].dead, with_dense[i].dead);
        EXPECT_EQ(with_sparse[i].saturated, with_dense[i].saturated);
        EXPECT_EQ(with_sparse[i].mean, with_dense[i].mean);
        EXPECT_EQ(with_sparse[i].std, with_dense[i].std);
      }
    }
    EXPECT_EQ(other.sparse_batches(), 0);
  }
}

}  // namespace
