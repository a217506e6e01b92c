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
  return {begin.data(), end.data(), idx.data_ptr<int32_t>(), val.data_ptr<float>(), count};
}

SparseRows extract_sparse_rows(const torch::Tensor& pixels, const PixelScale& scale) {
  TORCH_CHECK(pixels.is_cpu() && pixels.scalar_type() == torch::kByte && pixels.dim() == 2,
              "sparse rows need uint8 pixels [N, D] on the CPU");
  const torch::Tensor p = pixels.contiguous();
  const int64_t n = p.size(0), d = p.size(1);
  float table[256];
  kernels::scale_table_u8(scale.normalize, scale.mean, scale.std, table);
  const int64_t nonzeros = kernels::count_nonzero_u8(p.data_ptr<uint8_t>(), n * d, table);
  SparseRows out;
  out.offsets = torch::empty({n + 1}, torch::kLong);
  out.idx = empty_huge({nonzeros}, torch::kInt);
  out.val = empty_huge({nonzeros}, torch::kFloat);
  kernels::compress_rows_u8(p.data_ptr<uint8_t>(), n, d, table, out.offsets.data_ptr<int64_t>(),
                            out.idx.data_ptr<int32_t>(), out.val.data_ptr<float>());
  return out;
}

const SparseRows& SparseRowsCache::get(const torch::Tensor& pixels, const PixelScale& scale) {
  std::call_once(once_, [&] { rows_ = extract_sparse_rows(pixels, scale); });
  return rows_;
}

}  // namespace actbench
