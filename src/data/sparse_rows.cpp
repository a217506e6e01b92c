#include "data/sparse_rows.h"

#include "data/dataset.h"

namespace actbench {

kernels::SparseBatch SparseRows::batch(const int64_t* rows, int64_t count,
                                       std::vector<int64_t>& begin,
                                       std::vector<int64_t>& end) const {
  begin.resize(size_t(count));
  end.resize(size_t(count));
  for (int64_t r = 0; r < count; ++r) {
    begin[size_t(r)] = offsets[size_t(rows[r])];
    end[size_t(r)] = offsets[size_t(rows[r]) + 1];
  }
  return {begin.data(), end.data(), idx.data(), val.data(), count};
}

size_t SparseRows::bytes() const {
  return offsets.size() * sizeof(int64_t) + idx.size() * sizeof(int32_t) +
         val.size() * sizeof(float);
}

SparseRows extract_sparse_rows(const torch::Tensor& pixels, const PixelScale& scale) {
  TORCH_CHECK(pixels.is_cpu() && pixels.scalar_type() == torch::kByte && pixels.dim() == 2,
              "sparse rows need uint8 pixels [N, D] on the CPU");
  const torch::Tensor p = pixels.contiguous();
  const int64_t n = p.size(0), d = p.size(1);
  float table[256];
  kernels::scale_table_u8(scale.normalize, scale.mean, scale.std, table);
  SparseRows out;
  out.offsets.resize(size_t(n + 1));
  const int64_t nonzeros = kernels::count_nonzero_u8(p.data_ptr<uint8_t>(), n * d, table);
  out.idx.resize(size_t(nonzeros));
  out.val.resize(size_t(nonzeros));
  kernels::compress_rows_u8(p.data_ptr<uint8_t>(), n, d, table, out.offsets.data(), out.idx.data(),
                            out.val.data());
  return out;
}

const SparseRows& SparseRowsCache::get(const torch::Tensor& pixels, const PixelScale& scale) {
  std::call_once(once_, [&] { rows_ = extract_sparse_rows(pixels, scale); });
  return rows_;
}

}  // namespace actbench
