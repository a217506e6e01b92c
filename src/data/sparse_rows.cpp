#include "data/sparse_rows.h"

#include <algorithm>
#include <system_error>
#include <thread>
#include <vector>

#include "data/dataset.h"
#include "kernels/pixels.h"
#include "util/huge_pages.h"

namespace actbench {

kernels::SparseBatch SparseRows::batch(const int64_t* rows, int64_t count,
                                       std::vector<int64_t>& begin,
                                       std::vector<int64_t>& end) const {
  begin.resize(size_t(count));
  end.resize(size_t(count));
  const int64_t* at = offsets.data_ptr<int64_t>();
  for (int64_t r = 0; r < count; ++r) {
    begin[size_t(r)] = at[rows[r]];
    end[size_t(r)] = at[rows[r] + 1];
  }
  kernels::SparseBatch out{begin.data(), end.data(), nullptr, nullptr, count};
  out.idx16 = reinterpret_cast<const uint16_t*>(idx.data_ptr<int16_t>());
  out.code = code.data_ptr<uint8_t>();
  out.table = table.data();
  return out;
}

namespace {

// fn(0 .. parts), part 0 on this thread and the rest on threads of their own (inline where no
// thread can be had).
template <typename F>
void for_each_part(int64_t parts, const F& fn) {
  std::vector<std::thread> threads;
  for (int64_t p = 1; p < parts; ++p) {
    try {
      threads.emplace_back(fn, p);
    } catch (const std::system_error&) {
      fn(p);
    }
  }
  fn(0);
  for (auto& t : threads) t.join();
}

}  // namespace

SparseRows extract_sparse_rows(const torch::Tensor& pixels, const PixelScale& scale) {
  TORCH_CHECK(pixels.is_cpu() && pixels.scalar_type() == torch::kByte && pixels.dim() == 2,
              "sparse rows need uint8 pixels [N, D] on the CPU");
  const torch::Tensor p = pixels.contiguous();
  const int64_t n = p.size(0), d = p.size(1);
  TORCH_CHECK(d <= 65536, "sparse rows keep column numbers in 16 bits");
  SparseRows out;
  kernels::scale_table_u8(scale.normalize, scale.mean, scale.std, out.table.data());
  // In parts of rows side by side, one a core (up to 4, and at least 4 MB each): the first touches
  // of the fresh memory the rows go into are most of the time (MNIST: ~0.14 s on one core of the
  // 2-core VM, while the runs that need them wait).
  const int64_t cores = std::max<int64_t>(1, std::thread::hardware_concurrency());
  const int64_t parts = std::clamp<int64_t>(std::min(cores, n * d / (int64_t(4) << 20)), 1, 4);
  std::vector<int64_t> row(size_t(parts) + 1), first(size_t(parts) + 1, 0);
  for (int64_t k = 0; k <= parts; ++k) row[size_t(k)] = n * k / parts;
  const uint8_t* bytes = p.data_ptr<uint8_t>();
  for_each_part(parts, [&](int64_t k) {
    const int64_t r = row[size_t(k)];
    first[size_t(k) + 1] =
        kernels::count_nonzero_u8(bytes + r * d, (row[size_t(k) + 1] - r) * d, out.table.data());
  });
  for (int64_t k = 0; k < parts; ++k) first[size_t(k) + 1] += first[size_t(k)];
  const int64_t nonzeros = first.back();
  out.offsets = torch::empty({n + 1}, torch::kLong);
  out.idx = empty_huge({nonzeros}, torch::kShort);
  out.code = empty_huge({nonzeros}, torch::kByte);
  int64_t* offsets = out.offsets.data_ptr<int64_t>();
  auto* idx = reinterpret_cast<uint16_t*>(out.idx.data_ptr<int16_t>());
  uint8_t* code = out.code.data_ptr<uint8_t>();
  for_each_part(parts, [&](int64_t k) {
    const int64_t r = row[size_t(k)], at = first[size_t(k)];
    kernels::compress_rows_u8(bytes + r * d, row[size_t(k) + 1] - r, d, out.table.data(), at,
                              offsets + r, idx + at, code + at);
  });
  offsets[n] = nonzeros;
  return out;
}

const SparseRows& SparseRowsCache::get(const torch::Tensor& pixels, const PixelScale& scale) {
  std::call_once(once_, [&] { rows_ = extract_sparse_rows(pixels, scale); });
  return rows_;
}

}  // namespace actbench
