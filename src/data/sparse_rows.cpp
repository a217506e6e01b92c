#include "data/sparse_rows.h"

#include "data/dataset.h"
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

SparseRows extract_sparse_rows(const torch::Tensor& pixels, const PixelScale& scale) {
  TORCH_CHECK(pixels.is_cpu() && pixels.scalar_type() == torch::kByte && pixels.dim() == 2,
              "sparse rows need uint8 pixels [N, D] on the CPU");
  const torch::Tensor p = pixels.contiguous();
  const int64_t n = p.size(0), d = p.size(1);
  TORCH_CHECK(d <= 65536, "sparse rows keep column numbers in 16 bits");
  SparseRows out;
  kernels::scale_table_u8(scale.normalize, scale.mean, scale.std, out.table.data());
  const int64_t nonzeros =
      kernels::count_nonzero_u8(p.data_ptr<uint8_t>(), n * d, out.table.data());
  out.offsets = torch::empty({n + 1}, torch::kLong);
  out.idx = empty_huge({nonzeros + 1}, torch::kShort);  // + 1: compress_rows_u8's scratch entry
  out.code = empty_huge({nonzeros + 1}, torch::kByte);
  kernels::compress_rows_u8(
      p.data_ptr<uint8_t>(), n, d, out.table.data(), out.offsets.data_ptr<int64_t>(),
      reinterpret_cast<uint16_t*>(out.idx.data_ptr<int16_t>()), out.code.data_ptr<uint8_t>());
  return out;
}

const SparseRows& SparseRowsCache::get(const torch::Tensor& pixels, const PixelScale& scale) {
  std::call_once(once_, [&] { rows_ = extract_sparse_rows(pixels, scale); });
  return rows_;
}

}  // namespace actbench
