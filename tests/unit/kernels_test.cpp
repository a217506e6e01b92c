// The CPU kernels (kernels/cpu_kernels.h, pixels.h, diagnostics.h) against the tensor operations
// they replace: the sparse first layer's products and the fused softmax cross-entropy.
#include <gtest/gtest.h>

#include <limits>
#include <numeric>

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "kernels/cpu_kernels.h"
#include "kernels/diagnostics.h"
#include "kernels/pixels.h"
#include "train/direct_ops.h"

namespace {

// The products in the order the kernels document, one rounding per operation: what every block
// width and every CPU must give bit for bit.
void reference_products(const torch::Tensor& x, const torch::Tensor& w_t, const torch::Tensor& bias,
                        const torch::Tensor& dz, torch::Tensor& out, torch::Tensor& grad) {
  const int64_t rows = x.size(0), cols = x.size(1), n = w_t.size(1);
  auto X = x.accessor<float, 2>(), W = w_t.accessor<float, 2>(), D = dz.accessor<float, 2>();
  auto O = out.accessor<float, 2>(), G = grad.accessor<float, 2>();
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < n; ++j) {
      float acc = 0.0f;
      for (int64_t c = 0; c < cols; ++c) {
        if (X[r][c] != 0.0f) acc = acc + X[r][c] * W[c][j];
      }
      O[r][j] = acc + bias[j].item<float>();
    }
  }
  for (int64_t c = 0; c < cols; ++c) {
    for (int64_t j = 0; j < n; ++j) {
      float acc = 0.0f;
      for (int64_t r = 0; r < rows; ++r) {
        if (X[r][c] != 0.0f) acc = acc + X[r][c] * D[r][j];
      }
      G[c][j] = acc;
    }
  }
}

// The sparse products of `batch` (the nonzeros of x [rows, cols]) against the dense ones and, bit
// for bit, against their documented order.
void expect_sparse_products(const actbench::kernels::SparseBatch& batch, const torch::Tensor& x,
                            int64_t n) {
  const int64_t rows = x.size(0), cols = x.size(1);
  torch::manual_seed(6);
  torch::Tensor w_t = torch::randn({cols, n}), bias = torch::randn({n});
  torch::Tensor dz = torch::randn({rows, n});
  torch::Tensor out = torch::empty({rows, n}), grad = torch::full({cols, n}, 99.0);
  actbench::kernels::ColumnScratch scratch;
  actbench::kernels::sparse_linear_forward(batch, w_t.data_ptr<float>(), bias.data_ptr<float>(), n,
                                           out.data_ptr<float>());
  actbench::kernels::sparse_linear_weight_grad(batch, cols, dz.data_ptr<float>(), n,
                                               grad.data_ptr<float>(), scratch);
  EXPECT_TRUE(torch::allclose(out, torch::addmm(bias, x, w_t), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(grad, torch::mm(x.t(), dz), 1e-5, 1e-5));
  torch::Tensor want_out = torch::empty_like(out), want_grad = torch::empty_like(grad);
  reference_products(x, w_t, bias, dz, want_out, want_grad);
  EXPECT_TRUE(torch::equal(out, want_out));
  EXPECT_TRUE(torch::equal(grad, want_grad));
  // The scratch is reused: a second call gives the same.
  actbench::kernels::sparse_linear_weight_grad(batch, cols, dz.data_ptr<float>(), n,
                                               grad.data_ptr<float>(), scratch);
  EXPECT_TRUE(torch::equal(grad, want_grad));
  // A forward that sorts the batch by column on its way (into a used scratch): the same products,
  // and the gradient from its sort the same; then the gradient sorts for itself again.
  out.fill_(99.0);
  grad.fill_(99.0);
  actbench::kernels::sparse_linear_forward(batch, w_t.data_ptr<float>(), bias.data_ptr<float>(), n,
                                           out.data_ptr<float>(), cols, &scratch);
  EXPECT_TRUE(torch::equal(out, want_out));
  actbench::kernels::sparse_linear_weight_grad(batch, cols, dz.data_ptr<float>(), n,
                                               grad.data_ptr<float>(), scratch);
  EXPECT_TRUE(torch::equal(grad, want_grad));
  EXPECT_FALSE(scratch.buckets_filled);
  grad.fill_(99.0);
  actbench::kernels::sparse_linear_weight_grad(batch, cols, dz.data_ptr<float>(), n,
                                               grad.data_ptr<float>(), scratch);
  EXPECT_TRUE(torch::equal(grad, want_grad));
}

// Byte rows [rows, cols] compressed as a split's sparse rows are (inputs x / 255), with their
// float inputs: batch() is the byte form of a batch of every row.
struct ByteRows {
  explicit ByteRows(const torch::Tensor& bytes)
      : rows(bytes.size(0)),
        cols(bytes.size(1)),
        inputs(torch::empty({rows, cols})),
        offsets(static_cast<size_t>(rows) + 1),
        idx(static_cast<size_t>(rows * cols)),
        code(idx.size()) {
    actbench::kernels::scale_table_u8(false, 0, 1, table);
    std::vector<int64_t> all(static_cast<size_t>(rows));
    std::iota(all.begin(), all.end(), int64_t(0));
    actbench::kernels::gather_scale_u8(bytes.data_ptr<uint8_t>(), cols, all.data(), rows, false, 0,
                                       1, inputs.data_ptr<float>());
    offsets[size_t(rows)] = actbench::kernels::compress_rows_u8(
        bytes.data_ptr<uint8_t>(), rows, cols, table, 0, offsets.data(), idx.data(), code.data());
  }
  ByteRows(const ByteRows&) = delete;  // batch() points into it
  ByteRows& operator=(const ByteRows&) = delete;

  actbench::kernels::SparseBatch batch() const {
    actbench::kernels::SparseBatch b{offsets.data(), offsets.data() + 1, nullptr, nullptr, rows};
    b.idx16 = idx.data();
    b.code = code.data();
    b.table = table;
    return b;
  }

  int64_t rows, cols;
  torch::Tensor inputs;
  std::vector<int64_t> offsets;
  std::vector<uint16_t> idx;
  std::vector<uint8_t> code;
  float table[256];
};

TEST(Kernels, SparseLinearMatchesDenseProductsBitForBitAtEveryWidth) {
  // 7: single columns only; 77: a register block, a vector and single columns; 136: two blocks
  // and a vector.
  for (const int64_t n : {7, 77, 136}) {
    SCOPED_TRACE("width " + std::to_string(n));
    // The float form, compressed on the spot.
    torch::manual_seed(6);
    torch::Tensor x = torch::relu(torch::randn({9, 31}));  // ~half zeros
    x[4].zero_();                                          // and an all-zero row
    std::vector<int64_t> offsets(10);
    std::vector<int32_t> idx(9 * 31);
    std::vector<float> val(9 * 31);
    actbench::kernels::compress_rows(x.data_ptr<float>(), 9, 31, offsets.data(), idx.data(),
                                     val.data());
    EXPECT_EQ(offsets[9], x.ne(0).sum().item<int64_t>());
    EXPECT_EQ(offsets[4], offsets[5]);
    expect_sparse_products({offsets.data(), offsets.data() + 1, idx.data(), val.data(), 9}, x, n);
    // The byte form (a split's sparse rows): bytes read through the scaling table.
    torch::Tensor bytes = torch::randint(0, 256, {9, 31}, torch::kByte);
    bytes.masked_fill_(torch::rand({9, 31}).lt(0.5), 0);
    bytes[4].zero_();
    const ByteRows byte_rows(bytes);
    expect_sparse_products(byte_rows.batch(), byte_rows.inputs, n);
  }
}

// The byte form's weight gradient takes buckets per column up to 256 rows, a counting sort
// beyond: both give the documented order.
TEST(Kernels, ByteFormGradientIsTheSameOrderAtAnyBatchSize) {
  for (const int64_t rows : {256, 300}) {
    SCOPED_TRACE(std::to_string(rows) + " rows");
    torch::manual_seed(9);
    torch::Tensor bytes = torch::randint(0, 256, {rows, 31}, torch::kByte);
    bytes.masked_fill_(torch::rand({rows, 31}).lt(0.7), 0);
    const ByteRows byte_rows(bytes);
    expect_sparse_products(byte_rows.batch(), byte_rows.inputs, 136);
  }
}

// The weight gradient's squares, summed as its rows are finished, are sum_squares' sum bit for
// bit: every form (floats; bytes by buckets, and by counting sort beyond 256 rows), every width
// that is a multiple of 16 (the narrow path at 16); other widths leave the squares alone.
TEST(Kernels, WeightGradientSquaresAreSumSquaresBitForBit) {
  for (const int64_t rows : {9, 300}) {
    for (const int64_t n : {16, 48, 128, 136}) {
      SCOPED_TRACE(std::to_string(rows) + " rows, width " + std::to_string(n));
      torch::manual_seed(11);
      torch::Tensor bytes = torch::randint(0, 256, {rows, 40}, torch::kByte);
      bytes.masked_fill_(torch::rand({rows, 40}).lt(0.6), 0);
      const ByteRows byte_rows(bytes);
      const actbench::kernels::SparseBatch batch = byte_rows.batch();
      const torch::Tensor dz = torch::randn({rows, n}) * 3;
      torch::Tensor grad = torch::empty({40, n});
      actbench::kernels::ColumnScratch scratch;
      float squares[16] = {};
      actbench::kernels::sparse_linear_weight_grad(batch, 40, dz.data_ptr<float>(), n,
                                                   grad.data_ptr<float>(), scratch, squares);
      if (n % 16 == 0) {
        EXPECT_EQ(actbench::kernels::sum_squares_total(squares),
                  actbench::kernels::sum_squares(grad.data_ptr<float>(), grad.numel()));
      } else {
        EXPECT_EQ(actbench::kernels::sum_squares_total(squares), 0.0);
      }
    }
  }
}

// A split's pixels compressed once through the scaling table give each row's nonzero inputs
// exactly as the batch path scales them.
TEST(Kernels, BytesCompressThroughTheScalingTable) {
  torch::manual_seed(3);
  torch::Tensor bytes = torch::randint(0, 256, {5, 40}, torch::kByte);
  bytes.masked_fill_(torch::rand({5, 40}).lt(0.6), 0);
  bytes[2].zero_();
  for (const bool normalize : {false, true}) {
    float table[256];
    actbench::kernels::scale_table_u8(normalize, 0.1307f, 0.3081f, table);
    const int64_t nonzeros =
        actbench::kernels::count_nonzero_u8(bytes.data_ptr<uint8_t>(), 200, table);
    std::vector<int64_t> offsets(6);
    std::vector<uint16_t> idx(static_cast<size_t>(nonzeros));
    std::vector<uint8_t> code(static_cast<size_t>(nonzeros));
    offsets[size_t(5)] = actbench::kernels::compress_rows_u8(
        bytes.data_ptr<uint8_t>(), 5, 40, table, 0, offsets.data(), idx.data(), code.data());
    torch::Tensor dense = torch::empty({5, 40});
    const std::vector<int64_t> rows{0, 1, 2, 3, 4};
    actbench::kernels::gather_scale_u8(bytes.data_ptr<uint8_t>(), 40, rows.data(), 5, normalize,
                                       0.1307f, 0.3081f, dense.data_ptr<float>());
    EXPECT_EQ(nonzeros, dense.ne(0).sum().item<int64_t>());
    EXPECT_EQ(offsets[5], nonzeros);
    torch::Tensor rebuilt = torch::zeros({5, 40});
    for (int64_t r = 0; r < 5; ++r) {
      for (int64_t k = offsets[size_t(r)]; k < offsets[size_t(r) + 1]; ++k) {
        if (k > offsets[size_t(r)]) {
          EXPECT_LT(idx[size_t(k) - 1], idx[size_t(k)]);
        }
        rebuilt[r][idx[size_t(k)]] = table[code[size_t(k)]];
      }
    }
    EXPECT_TRUE(torch::equal(rebuilt, dense)) << "normalize " << normalize;
  }
}

// Parts of one array's rows compressed side by side, each into its own range, give the whole's
// entries, and none writes past its own nonzeros: not when a part ends in rows of zeros, starts
// with them, or has no nonzero at all (guard entries around each range stay as they were).
TEST(Kernels, BytesCompressInPartsSideBySide) {
  torch::manual_seed(4);
  torch::Tensor bytes = torch::randint(1, 256, {12, 40}, torch::kByte);
  bytes.masked_fill_(torch::rand({12, 40}).lt(0.6), 0);
  bytes[3].zero_();                                   // part 0 (rows 0-3) ends in a row of zeros
  bytes[4].zero_();                                   // part 1 (rows 4-7) starts with one
  for (int64_t r = 8; r < 12; ++r) bytes[r].zero_();  // part 2: no nonzero
  bytes[7][39] = 0;
  float table[256];
  actbench::kernels::scale_table_u8(false, 0, 1, table);
  const int64_t total = actbench::kernels::count_nonzero_u8(bytes.data_ptr<uint8_t>(), 480, table);
  std::vector<int64_t> whole(13);
  std::vector<uint16_t> whole_idx(static_cast<size_t>(total));
  std::vector<uint8_t> whole_code(static_cast<size_t>(total));
  whole[12] =
      actbench::kernels::compress_rows_u8(bytes.data_ptr<uint8_t>(), 12, 40, table, 0, whole.data(),
                                          whole_idx.data(), whole_code.data());
  ASSERT_EQ(whole[12], total);
  // Parts of 4 rows; entry k of the whole at k + 1 + 2 * part (a guard entry before each range).
  constexpr uint16_t kGuard = 0xBEEF;
  std::vector<int64_t> parts(13);
  std::vector<uint16_t> idx(static_cast<size_t>(total) + 6, kGuard);
  std::vector<uint8_t> code(idx.size(), 0xAB);
  int64_t first = 0;
  for (int64_t part = 0; part < 3; ++part) {
    const uint8_t* rows = bytes.data_ptr<uint8_t>() + part * 4 * 40;
    const int64_t count = actbench::kernels::count_nonzero_u8(rows, 160, table);
    const size_t at = size_t(first + 1 + 2 * part);
    EXPECT_EQ(
        actbench::kernels::compress_rows_u8(rows, 4, 40, table, first, parts.data() + part * 4,
                                            idx.data() + at, code.data() + at),
        count);
    EXPECT_EQ(idx[at - 1], kGuard) << "part " << part;
    EXPECT_EQ(idx[at + size_t(count)], kGuard) << "part " << part;
    EXPECT_EQ(code[at + size_t(count)], 0xAB) << "part " << part;
    for (int64_t k = 0; k < count; ++k) {
      EXPECT_EQ(idx[at + size_t(k)], whole_idx[size_t(first + k)]);
      EXPECT_EQ(code[at + size_t(k)], whole_code[size_t(first + k)]);
    }
    first += count;
  }
  parts[12] = first;
  EXPECT_EQ(parts, whole);
}

// The saturated outputs counted in one pass are the ones the tensor operations find: one side
// or both, NaN bounds (no limit), values on the margin's edge.
TEST(Kernels, NearBoundsCountEqualsTheTensorExpression) {
  torch::manual_seed(10);
  torch::Tensor y = torch::rand({37, 19}) * 2 - 1;
  y[3].fill_(0.95f);  // exactly at tanh's band edge
  y[4].fill_(-0.95f);
  const torch::Tensor lower = torch::full({19}, -1.0f), upper = torch::full({19}, 1.0f);
  torch::Tensor margin = torch::full({19}, 0.05f);
  torch::Tensor nan_upper = upper.clone();
  nan_upper.narrow(0, 0, 7).fill_(std::numeric_limits<float>::quiet_NaN());
  const torch::Tensor shared = torch::full({19}, 1.0f), shared_margin = torch::full({19}, 0.3f);
  const auto near = [&](const torch::Tensor& l, const torch::Tensor& m) {
    return torch::sub(y, l).abs_().le(m);
  };
  const auto bound = [](const torch::Tensor& l, const torch::Tensor& m) {
    return actbench::kernels::Bound{l.data_ptr<float>(), m.data_ptr<float>()};
  };
  const auto count = [&](const actbench::kernels::Bound& lo, const actbench::kernels::Bound& hi) {
    return actbench::kernels::count_near_bounds(y.data_ptr<float>(), 37, 19, lo, hi);
  };
  const int64_t both = near(lower, margin).logical_or(near(upper, margin)).sum().item<int64_t>();
  EXPECT_GT(both, 0);
  EXPECT_EQ(count(bound(lower, margin), bound(upper, margin)), both);
  EXPECT_EQ(count(bound(lower, margin), {}), near(lower, margin).sum().item<int64_t>());
  EXPECT_EQ(count({}, bound(nan_upper, margin)), near(nan_upper, margin).sum().item<int64_t>());
  EXPECT_EQ(count({}, bound(shared, shared_margin)),
            near(shared, shared_margin).sum().item<int64_t>());
  EXPECT_EQ(count({}, {}), 0);
}

// Units marked active in one pass are the ones torch's ne(0).any(0) finds: a NaN is not zero, a
// column of zeros stays inactive, marks accumulate over calls.
TEST(Kernels, NonzeroColumnsAreMarkedAsTheTensorExpressionFindsThem) {
  torch::manual_seed(11);
  torch::Tensor d = torch::relu(torch::randn({23, 17}) - 1.5);  // mostly zeros
  d.select(1, 4).zero_();
  d.select(1, 5).zero_();
  d[7][5] = std::numeric_limits<float>::quiet_NaN();
  torch::Tensor active = torch::zeros({17}, torch::kBool);
  const bool all =
      actbench::kernels::mark_nonzero_columns(d.data_ptr<float>(), 23, 17, active.data_ptr<bool>());
  EXPECT_TRUE(torch::equal(active, d.ne(0).any(0)));
  EXPECT_FALSE(active[4].item<bool>());
  EXPECT_TRUE(active[5].item<bool>());
  EXPECT_FALSE(all);
  const torch::Tensor ones = torch::ones({2, 17});
  EXPECT_TRUE(actbench::kernels::mark_nonzero_columns(ones.data_ptr<float>(), 2, 17,
                                                      active.data_ptr<bool>()));
  EXPECT_TRUE(active.all().item<bool>());
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

// ReLU and LeakyReLU by hand are LibTorch's kernels bit for bit, forward and backward, special
// values included: NaN, -0 and +0, infinities, subnormals, at any length (vector tails too).
TEST(Kernels, ReluAndLeakyReluAreLibTorchsBitForBit) {
  torch::manual_seed(12);
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float tiny = std::numeric_limits<float>::denorm_min();
  for (const int64_t n : {1, 7, 16, 37, 8192}) {
    SCOPED_TRACE(std::to_string(n) + " elements");
    torch::Tensor z = torch::randn({n}) * 3, dh = torch::randn({n});
    const std::vector<float> special{nan, -0.0f, 0.0f, inf, -inf, tiny, -tiny, -1.5f};
    for (size_t k = 0; k < special.size() && int64_t(k) < n; ++k) {
      z[int64_t(k)] = special[k];
      dh[int64_t(special.size() - 1 - k) % n] = special[k];
    }
    torch::Tensor h = torch::empty({n}), dz = torch::empty({n});
    actbench::kernels::relu_forward(z.data_ptr<float>(), n, h.data_ptr<float>());
    EXPECT_TRUE(actbench::same_bits(h, torch::relu(z)));
    actbench::kernels::relu_backward(dh.data_ptr<float>(), h.data_ptr<float>(), n,
                                     dz.data_ptr<float>());
    EXPECT_TRUE(actbench::same_bits(dz, torch::threshold_backward(dh, torch::relu(z), 0)));
    for (const double slope : {0.01, 0.2, -0.5}) {
      SCOPED_TRACE("slope " + std::to_string(slope));
      actbench::kernels::leaky_relu_forward(z.data_ptr<float>(), n, float(slope),
                                            h.data_ptr<float>());
      EXPECT_TRUE(actbench::same_bits(h, torch::leaky_relu(z, slope)));
      actbench::kernels::leaky_relu_backward(dh.data_ptr<float>(), z.data_ptr<float>(), n,
                                             float(slope), dz.data_ptr<float>());
      EXPECT_TRUE(actbench::same_bits(dz, torch::leaky_relu_backward(dh, z, slope, false)));
    }
  }
}
