#include "kernels/blas_order.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "kernels/byte_values.h"

namespace actbench::kernels {

namespace {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ACTBENCH_AVX512 __attribute__((target("avx512f"), always_inline)) inline

// Columns [j, j + V * 16) of row r (lanes of the last vector where `tail` says): out = bias; per
// K block, A = B = 0; each nonzero at position p of the block (in column order) adds
// fma(input, w, .) to A, or to B in the lanes of `split` when p is odd and within the block's
// first multiple of 8; then out = out + (A + B). B stays +0 where nothing splits, and A + 0 = A
// (A is never -0: it starts at +0 and a sum that cancels is +0).
template <int V, typename Index, typename Vals>
ACTBENCH_AVX512 void blas_order_chunk(float* out, const float* w_t, int64_t n, const float* bias,
                                      const Index* idx, const Vals& vals, int64_t begin,
                                      int64_t end, const BlasOrder& order, const uint8_t* split,
                                      int64_t j, __mmask16 tail) {
  __mmask16 lanes[V];
  bool any = false;
  for (int u = 0; u < V; ++u) {
    const int64_t g = (j + 16 * u) / 8, groups = (n + 7) / 8;
    lanes[u] = __mmask16((split[g] ? 0x00FF : 0) | (g + 1 < groups && split[g + 1] ? 0xFF00 : 0));
    any = any || lanes[u] != 0;
  }
  __m512 o[V];
  for (int u = 0; u < V; ++u) o[u] = _mm512_maskz_loadu_ps(tail, bias + j + 16 * u);
  int64_t k = begin, block_start = 0;
  for (const int64_t block_end : order.block_end) {
    const int64_t len = block_end - block_start, unrolled = len - len % 8;
    __m512 a[V], b[V];
    for (int u = 0; u < V; ++u) a[u] = b[u] = _mm512_setzero_ps();
    for (; k < end && int64_t(idx[k]) < block_end; ++k) {
      const __m512 v = _mm512_set1_ps(vals[k]);
      const float* w = w_t + int64_t(idx[k]) * n + j;
      const int64_t p = int64_t(idx[k]) - block_start;
      const bool odd = any && p < unrolled && (p & 1) != 0;
      for (int u = 0; u < V; ++u) {
        const __m512 wu = _mm512_maskz_loadu_ps(tail, w + 16 * u);
        if (odd && lanes[u] != 0) {
          a[u] = _mm512_mask3_fmadd_ps(v, wu, a[u], __mmask16(~lanes[u]));
          b[u] = _mm512_mask3_fmadd_ps(v, wu, b[u], lanes[u]);
        } else {
          a[u] = _mm512_fmadd_ps(v, wu, a[u]);
        }
      }
    }
    for (int u = 0; u < V; ++u) o[u] = _mm512_add_ps(o[u], _mm512_add_ps(b[u], a[u]));
    block_start = block_end;
  }
  for (int u = 0; u < V; ++u) _mm512_mask_storeu_ps(out + j + 16 * u, tail, o[u]);
}

template <typename Index, typename Vals>
__attribute__((target("avx512f"))) void blas_order_rows(const SparseBatch& x, const Index* idx,
                                                        const Vals& vals, const float* w_t,
                                                        const float* bias, int64_t n, float* out,
                                                        const BlasOrder& order) {
  const int64_t groups = (n + 7) / 8;
  for (int64_t r = 0; r < x.rows; ++r) {
    const int64_t begin = x.begin[r], end = x.end[r];
    const uint8_t* split = order.split.data() + r * groups;
    float* o = out + r * n;
    int64_t j = 0;
    for (; j + 128 <= n; j += 128) {
      blas_order_chunk<8>(o, w_t, n, bias, idx, vals, begin, end, order, split, j, 0xFFFF);
    }
    for (; j + 16 <= n; j += 16) {
      blas_order_chunk<1>(o, w_t, n, bias, idx, vals, begin, end, order, split, j, 0xFFFF);
    }
    if (j < n) {
      const auto tail = __mmask16((1u << (n - j)) - 1);
      blas_order_chunk<1>(o, w_t, n, bias, idx, vals, begin, end, order, split, j, tail);
    }
  }
}
#endif

}  // namespace

bool sparse_linear_forward_blas_order(const SparseBatch& x, const float* w_t, const float* bias,
                                      int64_t n, float* out, const BlasOrder& order) {
  if (order.block_end.empty() || int64_t(order.split.size()) != x.rows * ((n + 7) / 8)) {
    return false;
  }
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  if (__builtin_cpu_supports("avx512f")) {
    if (x.code != nullptr) {
      blas_order_rows(x, x.idx16, ByteValues{x.code, x.table}, w_t, bias, n, out, order);
    } else {
      blas_order_rows(x, x.idx, x.val, w_t, bias, n, out, order);
    }
    return true;
  }
#endif
  (void)w_t, (void)bias, (void)out;
  return false;
}

}  // namespace actbench::kernels
