#include "train/sparse_eval.h"

#include <numeric>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "data/dataset.h"
#include "data/sparse_rows.h"
#include "train/direct_ops.h"

namespace actbench {

namespace {

// The largest share of nonzero inputs for which the sparse product is used.
constexpr double kMaxDensity = 0.5;

// kernel/x86_64/sgemm_kernel_8x4_haswell_2.c on a panel of `width` (its m): a tile of 12 rows (its
// n) runs the width in 16-column blocks staggered by 8 between its first 6 rows (left) and its last
// 6 (right); the left side's first 8 columns and the 8 that end the stagger are summed even and
// odd apart (and a tile of 4 rows sums every whole group of 8 columns apart).
struct PanelSplit {
  std::vector<uint8_t> left, right;  // per group of 8 columns
};

PanelSplit haswell_panel_split(int64_t width) {
  PanelSplit out;
  out.left.assign(static_cast<size_t>((width + 7) / 8), 0);
  out.right = out.left;
  if (width < 16) return out;
  out.left[0] = 1;
  int64_t todo = width, at_left = 8, at_right = 0;
  while (true) {
    at_right += 16;
    todo -= 8;
    if (todo < 16) {
      out.left[static_cast<size_t>(at_left / 8)] = 1;
      return out;
    }
    at_left += 16;
    todo -= 8;
    if (todo < 16) {
      out.right[static_cast<size_t>(at_right / 8)] = 1;
      return out;
    }
  }
}

// driver/level3/level3.c's next block of a dimension with `left` to go, for a block size of
// `size` (GEMM_Q for k, GEMM_P for m; both 320 for Haswell's sgemm): whole blocks while at least
// two are left, then the rest halved and rounded up to GEMM_UNROLL_M = 8 if more than one is.
int64_t openblas_block(int64_t left, int64_t size) {
  constexpr int64_t kUnrollM = 8;
  if (left >= 2 * size) return size;
  return left > size ? (left / 2 + kUnrollM - 1) / kUnrollM * kUnrollM : left;
}

}  // namespace

kernels::BlasOrder openblas_haswell_order(int64_t rows, int64_t width, int64_t k) {
  constexpr int64_t kQ = 320, kP = 320;
  kernels::BlasOrder order;
  for (int64_t done = 0; done < k;) {
    done += openblas_block(k - done, kQ);
    order.block_end.push_back(done);
  }
  const int64_t groups = (width + 7) / 8;
  order.split.assign(static_cast<size_t>(rows * groups), 0);
  // The width (the BLAS's m) in panels of GEMM_P; the first panel takes the rows (the BLAS's n)
  // 12 at a time, then 4 at a time, then the rest; the others all of them at once, which the
  // kernel takes 12, 8, 4, 2 and 1 at a time.
  for (int64_t m0 = 0, panel = 0; m0 < width; ++panel) {
    const int64_t len = openblas_block(width - m0, kP);
    const PanelSplit split = haswell_panel_split(len);
    for (int64_t r0 = 0; r0 < rows;) {
      const int64_t left_rows = rows - r0;
      int64_t tile;
      if (panel == 0) {
        tile = left_rows >= 12 ? 12 : left_rows > 4 ? 4 : left_rows;
      } else {
        tile = left_rows >= 12  ? 12
               : left_rows >= 8 ? 8
               : left_rows >= 4 ? 4
               : left_rows >= 2 ? 2
                                : 1;
      }
      for (int64_t r = r0; r < r0 + tile; ++r) {
        uint8_t* row = order.split.data() + r * groups + m0 / 8;
        for (int64_t g = 0; g < (len + 7) / 8; ++g) {
          if (tile == 12) {
            row[g] = (r - r0 < 6 ? split.left : split.right)[static_cast<size_t>(g)];
          } else if (tile == 4) {
            row[g] = (g + 1) * 8 <= len;
          }
        }
      }
      r0 += tile;
    }
    m0 += len;
  }
  return order;
}

SparseEvalLayer::SparseEvalLayer(Dense dense) : dense_(std::move(dense)) {
  if (!dense_) {
    dense_ = [](const torch::nn::Linear& layer, const torch::Tensor& x) {
      torch::nn::Linear holder = layer;  // a shared module: forward is not const
      return holder->forward(x);
    };
  }
}

SparseEvalLayer& SparseEvalLayer::shared() {
  static SparseEvalLayer layer;
  return layer;
}

bool SparseEvalLayer::weights_finite(const torch::nn::Linear& layer) {
  return torch::isfinite(layer->weight).all().item<bool>() &&
         (!layer->bias.defined() || torch::isfinite(layer->bias).all().item<bool>());
}

int64_t SparseEvalLayer::sparse_batches() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sparse_batches_;
}

int64_t SparseEvalLayer::dense_batches() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dense_batches_;
}

torch::Tensor SparseEvalLayer::dense(const torch::nn::Linear& layer, const Split& split,
                                     int64_t start, int64_t len) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++dense_batches_;
  }
  return dense_(layer, split.images(start, len));
}

torch::Tensor SparseEvalLayer::forward(const torch::nn::Linear& layer, const Split& split,
                                       int64_t start, int64_t len, bool finite) {
  const torch::Tensor& w = layer->weight;
  const torch::Tensor& b = layer->bias;
  const SparseRows* rows = finite ? split.sparse_rows() : nullptr;
  // Reading the nonzeros one weight row at a time beats the dense product only where most inputs
  // are zero (MNIST: 19% nonzero; Fashion-MNIST about half).
  const bool sparse_enough =
      rows != nullptr && double(rows->code.numel()) <= kMaxDensity * double(split.pixels.numel());
  if (!sparse_enough || !b.defined() || !w.is_cpu() || w.scalar_type() != torch::kFloat ||
      w.dim() != 2 || w.size(1) != split.pixels.size(1) || !b.is_cpu() ||
      b.scalar_type() != torch::kFloat || len <= 0) {
    return dense(layer, split, start, len);
  }
  const torch::Tensor w_t = w.t();
  const Shape shape{len, w.size(0), w.size(1), w_t.is_contiguous(), torch::get_num_threads()};
  std::shared_ptr<const kernels::BlasOrder> order;
  bool known = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = verdicts_.find(shape);
    if (it != verdicts_.end()) {
      known = true;
      order = it->second;
    }
  }
  if (known && !order) return dense(layer, split, start, len);

  const auto sparse = [&](const kernels::BlasOrder& o) {
    std::vector<int64_t> numbers(static_cast<size_t>(len)), begin, end;
    std::iota(numbers.begin(), numbers.end(), start);
    const kernels::SparseBatch batch = rows->batch(numbers.data(), len, begin, end);
    const torch::Tensor wc = w_t.contiguous(), bc = b.contiguous();
    torch::Tensor z = torch::empty({len, w.size(0)});
    const bool computed = kernels::sparse_linear_forward_blas_order(
        batch, wc.data_ptr<float>(), bc.data_ptr<float>(), w.size(0), z.data_ptr<float>(), o);
    return computed ? z : torch::Tensor();
  };
  if (known) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++sparse_batches_;
    }
    return sparse(*order);
  }
  // The first batch of this shape: the dense product decides.
  torch::Tensor want = dense(layer, split, start, len);
  auto candidate =
      std::make_shared<const kernels::BlasOrder>(openblas_haswell_order(len, w.size(0), w.size(1)));
  const torch::Tensor z = sparse(*candidate);
  const bool same = z.defined() && same_bits(z, want);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    verdicts_[shape] = same ? candidate : nullptr;
  }
  spdlog::debug("evaluation's first layer, batches of {} rows x {} -> {}: {}", len, w.size(1),
                w.size(0),
                same ? "from the sparse rows (the BLAS's order reproduced bit for bit)"
                     : "dense (the BLAS's order is not the one reproduced here)");
  return want;
}

}  // namespace actbench
