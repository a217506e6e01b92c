#include "kernels/cpu_kernels.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "kernels/byte_values.h"
#include "kernels/clones.h"

namespace actbench::kernels {

ACTBENCH_CLONES
void compress_rows(const float* x, int64_t rows, int64_t cols, int64_t* offsets, int32_t* idx,
                   float* val) {
  int64_t n = 0;
  for (int64_t r = 0; r < rows; ++r) {
    offsets[r] = n;
    const float* row = x + r * cols;
    for (int64_t c = 0; c < cols; ++c) {  // branch-free: write always, advance on nonzero
      idx[n] = int32_t(c);
      val[n] = row[c];
      n += row[c] != 0.0f;
    }
  }
  offsets[rows] = n;
}

namespace {

// Sixteen floats: the compiler keeps a block of them in registers and maps each operation onto
// the vector width of the code it compiles (one AVX-512 register, two AVX ones, four SSE halves).
// Elementwise IEEE operations, so every width rounds alike.
typedef float Vec16 __attribute__((vector_size(64), aligned(4)));
constexpr int64_t kLanes = 16;

__attribute__((always_inline)) inline Vec16 load16(const float* p) {
  return *reinterpret_cast<const Vec16*>(p);
}
__attribute__((always_inline)) inline void store16(float* p, Vec16 v) {
  *reinterpret_cast<Vec16*>(p) = v;
}

inline const void* address(const float* vals, int64_t k) {
  return vals + k;
}
inline const void* address(const ByteValues& vals, int64_t k) {
  return vals.code + k;
}

// f(idx, vals) with the batch's column numbers and inputs in its form (float pointers, or uint16
// column numbers and ByteValues): one instantiation of the loop per form. Not for the cloned
// kernels: a lambda is compiled for the baseline instruction set, whatever its caller's.
template <typename F>
__attribute__((always_inline)) inline void with_form(const SparseBatch& x, F&& f) {
  if (x.code != nullptr) {
    f(x.idx16, ByteValues{x.code, x.table});
  } else {
    f(x.idx, x.val);
  }
}

// A bucket entry: the row number in the low byte, the pixel byte in the high one.
inline uint16_t bucket_entry(int64_t row, uint8_t byte) {
  return uint16_t(uint16_t(row) | uint16_t(byte) << 8);
}

// A forward that also sorts its byte-form batch by column for the weight gradient (see
// sparse_linear_forward): row `row`'s nonzeros go into their columns' buckets as they are read.
struct BucketFill {
  int32_t* count;
  uint16_t* entry;  // bucket_entry's
  int64_t capacity;
  int64_t row;
};

// acc = 0 + sum over k of vals[k] * rows(k)[j .. j + V * kLanes), rows(k) = base + offs[k] *
// stride.
// With `Ahead`, the rows a few nonzeros on are fetched early (the forward's weight rows come from
// L2 or L3: the optimizer's pass over the first layer's state evicts them). With `Fill`, each
// nonzero also goes into its column's bucket (integer work and stores, which overlap the
// floating-point work instead of costing a pass of their own).
template <int64_t V, bool Ahead, bool Fill, typename Offs, typename Vals>
__attribute__((always_inline)) inline void accumulate(Vec16 (&acc)[V], const float* base,
                                                      int64_t stride, const Offs& offs,
                                                      const Vals& vals, int64_t count, int64_t j,
                                                      const BucketFill* fill) {
  constexpr int64_t kAhead = 6;
  for (auto& a : acc) a = Vec16{};
  // Locals: the entries' stores may alias `fill`'s fields, which would be read again each time.
  int32_t* const bucket_count = Fill ? fill->count : nullptr;
  uint16_t* const entry = Fill ? fill->entry : nullptr;
  const int64_t capacity = Fill ? fill->capacity : 0;
  const int64_t row = Fill ? fill->row : 0;
  for (int64_t k = 0; k < count; ++k) {
    const float v = vals[k];  // scalar * vector: one broadcast
    const float* w = base + int64_t(offs[k]) * stride + j;
    if (Ahead && k + kAhead < count) {
      const float* next = base + int64_t(offs[k + kAhead]) * stride + j;
      for (int64_t u = 0; u < V; ++u) __builtin_prefetch(next + u * kLanes);
    }
    if constexpr (Fill) {
      // One store an entry: the buckets are scattered over ~100 KB, and each store misses L1.
      const int64_t c = offs[k];
      entry[c * capacity + bucket_count[c]++] = bucket_entry(row, vals.code[k]);
    }
    for (int64_t u = 0; u < V; ++u) acc[u] = acc[u] + v * load16(w + u * kLanes);
  }
}

// out[j .. n) = 0 + sum over k of vals[k] * rows(k)[j .. n) (+ add[j .. n) when given): blocks of
// V vectors in registers, what is left in blocks of V / 2, ..., 1 vectors, then the last columns
// element by element. Every element sees the same operations in the same order whatever its block.
// `fill` (byte form only, n >= kLanes): the first block also fills the buckets.
template <int64_t V, bool Ahead, typename Offs, typename Vals>
__attribute__((always_inline)) inline void products_row(float* out, const float* base,
                                                        int64_t stride, const Offs& offs,
                                                        const Vals& vals, int64_t count, int64_t n,
                                                        const float* add, int64_t j = 0,
                                                        const BucketFill* fill = nullptr) {
  for (; j + V * kLanes <= n; j += V * kLanes) {
    Vec16 acc[V];
    if constexpr (std::is_same_v<Vals, ByteValues>) {
      if (fill != nullptr) {
        accumulate<V, Ahead, true>(acc, base, stride, offs, vals, count, j, fill);
        fill = nullptr;
      } else {
        accumulate<V, Ahead, false>(acc, base, stride, offs, vals, count, j, fill);
      }
    } else {
      accumulate<V, Ahead, false>(acc, base, stride, offs, vals, count, j, fill);
    }
    for (int64_t u = 0; u < V; ++u) {
      const int64_t at = j + u * kLanes;
      store16(out + at, add != nullptr ? acc[u] + load16(add + at) : acc[u]);
    }
  }
  if constexpr (V > 1) {
    products_row<V / 2, Ahead>(out, base, stride, offs, vals, count, n, add, j, fill);
  } else if (j < n) {  // fewer than kLanes columns left: one pass over the nonzeros
    const int64_t left = n - j;
    float acc[kLanes] = {};
    for (int64_t k = 0; k < count; ++k) {
      const float v = vals[k];
      const float* w = base + int64_t(offs[k]) * stride + j;
      for (int64_t t = 0; t < left; ++t) acc[t] += v * w[t];
    }
    for (int64_t t = 0; t < left; ++t) out[j + t] = add != nullptr ? acc[t] + add[j + t] : acc[t];
  }
}

template <int64_t V, typename Index, typename Vals>
__attribute__((always_inline)) inline void forward_rows_of(const SparseBatch& x, const Index* idx,
                                                           const Vals& vals, const float* w_t,
                                                           const float* bias, int64_t n, float* out,
                                                           BucketFill* fill) {
  for (int64_t r = 0; r < x.rows; ++r) {
    // The rows may be anywhere in memory (a split's sparse rows): fetch the next one's early.
    if (r + 1 < x.rows) {
      for (int64_t k = x.begin[r + 1]; k < x.end[r + 1]; k += 16) {
        __builtin_prefetch(idx + k);
        __builtin_prefetch(address(vals, k));
      }
    }
    const int64_t b = x.begin[r];
    if (fill != nullptr) fill->row = r;
    products_row<V, true>(out + r * n, w_t, n, idx + b, vals + b, x.end[r] - b, n, bias, 0, fill);
  }
}

// Both forms, without a lambda: a lambda would not inherit the caller's target instruction set.
template <int64_t V>
__attribute__((always_inline)) inline void forward_rows(const SparseBatch& x, const float* w_t,
                                                        const float* bias, int64_t n, float* out,
                                                        BucketFill* fill) {
  if (x.code != nullptr) {
    forward_rows_of<V>(x, x.idx16, ByteValues{x.code, x.table}, w_t, bias, n, out, fill);
  } else {
    forward_rows_of<V>(x, x.idx, x.val, w_t, bias, n, out, nullptr);
  }
}

// squares[k] += x[i]^2 for the n (a multiple of 16) elements of x, i % 16 = k: sum_squares' lanes.
__attribute__((always_inline)) inline void add_squares(const float* x, int64_t n, float* squares) {
  Vec16 lanes = load16(squares);
  for (int64_t i = 0; i < n; i += kLanes) {
    const Vec16 v = load16(x + i);
    lanes = lanes + v * v;
  }
  store16(squares, lanes);
}

// Column c of the batch is rows/vals[start[c - 1] .. start[c]) (from 0 for c = 0).
template <int64_t V>
__attribute__((always_inline)) inline void gradient_rows(const int64_t* start, const int32_t* rows,
                                                         const float* vals, int64_t cols,
                                                         const float* dz, int64_t n,
                                                         float* grad_w_t, float* squares) {
  for (int64_t c = 0; c < cols; ++c) {
    const int64_t b = c == 0 ? 0 : start[c - 1];
    products_row<V, false>(grad_w_t + c * n, dz, n, rows + b, vals + b, start[c] - b, n,
                           static_cast<const float*>(nullptr));
    if (squares != nullptr) add_squares(grad_w_t + c * n, n, squares);
  }
}

// The byte form's batch by columns, in buckets: column c's entries (rows ascending) at
// c * capacity + [0, count[c]), each the row number in its low byte and the pixel byte in its high
// one (the input is table[byte]).
struct ByteBuckets {
  const int32_t* count;
  const uint16_t* entry;
  const float* table;
  int64_t capacity;
};
struct EntryRows {
  const uint16_t* entry;
  int64_t operator[](int64_t k) const { return entry[k] & 0xFF; }
};
struct EntryValues {
  const uint16_t* entry;
  const float* table;
  float operator[](int64_t k) const { return table[entry[k] >> 8]; }
};

template <int64_t V>
__attribute__((always_inline)) inline void gradient_rows(const ByteBuckets& b, int64_t cols,
                                                         const float* dz, int64_t n,
                                                         float* grad_w_t, float* squares) {
  for (int64_t c = 0; c < cols; ++c) {
    const uint16_t* at = b.entry + c * b.capacity;
    products_row<V, false>(grad_w_t + c * n, dz, n, EntryRows{at}, EntryValues{at, b.table},
                           b.count[c], n, static_cast<const float*>(nullptr));
    if (squares != nullptr) add_squares(grad_w_t + c * n, n, squares);
  }
}

// The block of output columns kept in registers, per instruction set (picked at load time by
// GCC's function multiversioning): 8 vectors of 16 (128 columns) with AVX-512's 32 registers,
// 4 (64 columns) with AVX2's 16. The numbers do not depend on it.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target("avx512f"))) void forward_isa(const SparseBatch& x, const float* w_t,
                                                    const float* bias, int64_t n, float* out,
                                                    BucketFill* fill) {
  forward_rows<8>(x, w_t, bias, n, out, fill);
}
__attribute__((target("avx2"))) void forward_isa(const SparseBatch& x, const float* w_t,
                                                 const float* bias, int64_t n, float* out,
                                                 BucketFill* fill) {
  forward_rows<4>(x, w_t, bias, n, out, fill);
}
__attribute__((target("default"))) void forward_isa(const SparseBatch& x, const float* w_t,
                                                    const float* bias, int64_t n, float* out,
                                                    BucketFill* fill) {
  forward_rows<4>(x, w_t, bias, n, out, fill);
}
__attribute__((target("avx512f"))) void gradient_isa(const int64_t* start, const int32_t* rows,
                                                     const float* vals, int64_t cols,
                                                     const float* dz, int64_t n, float* g,
                                                     float* squares) {
  gradient_rows<8>(start, rows, vals, cols, dz, n, g, squares);
}
__attribute__((target("avx2"))) void gradient_isa(const int64_t* start, const int32_t* rows,
                                                  const float* vals, int64_t cols, const float* dz,
                                                  int64_t n, float* g, float* squares) {
  gradient_rows<4>(start, rows, vals, cols, dz, n, g, squares);
}
__attribute__((target("default"))) void gradient_isa(const int64_t* start, const int32_t* rows,
                                                     const float* vals, int64_t cols,
                                                     const float* dz, int64_t n, float* g,
                                                     float* squares) {
  gradient_rows<4>(start, rows, vals, cols, dz, n, g, squares);
}
__attribute__((target("avx512f"))) void gradient_isa(const ByteBuckets& b, int64_t cols,
                                                     const float* dz, int64_t n, float* g,
                                                     float* squares) {
  gradient_rows<8>(b, cols, dz, n, g, squares);
}
__attribute__((target("avx2"))) void gradient_isa(const ByteBuckets& b, int64_t cols,
                                                  const float* dz, int64_t n, float* g,
                                                  float* squares) {
  gradient_rows<4>(b, cols, dz, n, g, squares);
}
__attribute__((target("default"))) void gradient_isa(const ByteBuckets& b, int64_t cols,
                                                     const float* dz, int64_t n, float* g,
                                                     float* squares) {
  gradient_rows<4>(b, cols, dz, n, g, squares);
}
#else
void gradient_isa(const ByteBuckets& b, int64_t cols, const float* dz, int64_t n, float* g,
                  float* squares) {
  gradient_rows<4>(b, cols, dz, n, g, squares);
}
void forward_isa(const SparseBatch& x, const float* w_t, const float* bias, int64_t n, float* out,
                 BucketFill* fill) {
  forward_rows<4>(x, w_t, bias, n, out, fill);
}
void gradient_isa(const int64_t* start, const int32_t* rows, const float* vals, int64_t cols,
                  const float* dz, int64_t n, float* g, float* squares) {
  gradient_rows<4>(start, rows, vals, cols, dz, n, g, squares);
}
#endif

// Whether the weight gradient takes `x` by column buckets (the byte form, at most 256 rows: a row
// number fits a byte; rows of at least two vectors, below which sorting costs more than it saves).
bool uses_buckets(const SparseBatch& x, int64_t n) {
  return x.code != nullptr && x.rows <= 256 && n >= 2 * kLanes;
}

// Empty buckets for x's columns: column c's at c * x.rows + [0, count[c]).
BucketFill empty_buckets(const SparseBatch& x, int64_t cols, ColumnScratch& scratch) {
  const int64_t capacity = x.rows;
  scratch.count.assign(size_t(cols), 0);
  if (scratch.bucket.size() < size_t(cols * capacity)) {  // grown, never shrunk
    scratch.bucket.resize(size_t(cols * capacity));
  }
  return {scratch.count.data(), scratch.bucket.data(), capacity, 0};
}

}  // namespace

void sparse_linear_forward(const SparseBatch& x, const float* w_t, const float* bias, int64_t n,
                           float* out, int64_t cols, ColumnScratch* by_column) {
  if (by_column != nullptr && uses_buckets(x, n)) {
    BucketFill fill = empty_buckets(x, cols, *by_column);
    forward_isa(x, w_t, bias, n, out, &fill);
    by_column->buckets_filled = true;
    return;
  }
  if (by_column != nullptr) by_column->buckets_filled = false;
  forward_isa(x, w_t, bias, n, out, nullptr);
}

bool sparse_linear_weight_grad(const SparseBatch& x, int64_t cols, const float* dz, int64_t n,
                               float* grad_w_t, ColumnScratch& scratch, float* squares) {
  if (n % kLanes != 0) squares = nullptr;  // the lanes would not line up: the caller sums them
  if (uses_buckets(x, n)) {
    if (!scratch.buckets_filled) {
      // Each nonzero straight into its column's bucket (rows ascending).
      const BucketFill b = empty_buckets(x, cols, scratch);
      int32_t* const count = b.count;
      uint16_t* const entry = b.entry;
      const int64_t capacity = b.capacity;
      const uint16_t* const idx = x.idx16;
      const uint8_t* const code = x.code;
      for (int64_t r = 0; r < x.rows; ++r) {
        const int64_t end = x.end[r];
        for (int64_t k = x.begin[r]; k < end; ++k) {
          const int64_t c = idx[k];
          entry[c * capacity + count[c]++] = bucket_entry(r, code[k]);
        }
      }
    }
    scratch.buckets_filled = false;  // one gradient per fill
    gradient_isa(ByteBuckets{scratch.count.data(), scratch.bucket.data(), x.table, x.rows}, cols,
                 dz, n, grad_w_t, squares);
    return squares != nullptr;
  }
  with_form(x, [&](const auto* idx, const auto& val) {
    if (n < 2 * kLanes) {
      // Narrow rows: sorting the batch by column costs more than it saves. Row by row, each
      // gradient row sees the same additions in the same order (rows ascending).
      std::fill_n(grad_w_t, cols * n, 0.0f);
      for (int64_t r = 0; r < x.rows; ++r) {
        const float* d = dz + r * n;
        for (int64_t k = x.begin[r]; k < x.end[r]; ++k) {
          const float v = val[k];
          float* g = grad_w_t + int64_t(idx[k]) * n;
          for (int64_t t = 0; t < n; ++t) g[t] += v * d[t];
        }
      }
      if (squares != nullptr) {
        for (int64_t c = 0; c < cols; ++c) add_squares(grad_w_t + c * n, n, squares);
      }
      return;
    }
    // The batch by columns (a counting sort; rows stay ascending within a column).
    std::vector<int64_t>& start = scratch.start;
    start.assign(size_t(cols + 1), 0);
    int64_t nonzeros = 0;
    for (int64_t r = 0; r < x.rows; ++r) {
      for (int64_t k = x.begin[r]; k < x.end[r]; ++k) ++start[size_t(idx[k]) + 1];
      nonzeros += x.end[r] - x.begin[r];
    }
    for (int64_t c = 0; c < cols; ++c) start[size_t(c + 1)] += start[size_t(c)];
    if (scratch.row.size() < size_t(nonzeros)) {  // grown, never shrunk: no refill per step
      scratch.row.resize(size_t(nonzeros));
      scratch.val.resize(size_t(nonzeros));
    }
    int32_t* rows = scratch.row.data();
    float* vals = scratch.val.data();
    for (int64_t r = 0; r < x.rows; ++r) {
      for (int64_t k = x.begin[r]; k < x.end[r]; ++k) {
        const int64_t at = start[size_t(idx[k])]++;
        rows[at] = int32_t(r);
        vals[at] = val[k];
      }
    }
    // start[c] is now where column c + 1 begins.
    gradient_isa(start.data(), rows, vals, cols, dz, n, grad_w_t, squares);
  });
  return squares != nullptr;
}

double softmax_xent(const float* logits, const int64_t* labels, int64_t rows, int64_t classes,
                    float* grad, int64_t* correct) {
  double loss = 0.0;
  int64_t right = 0;
  const float inv_rows = 1.0f / float(rows);
  for (int64_t r = 0; r < rows; ++r) {
    const float* z = logits + r * classes;
    float* g = grad + r * classes;
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c) {
      if (z[c] > z[best]) best = c;
    }
    const float top = z[best];
    double sum = 0.0;
    for (int64_t c = 0; c < classes; ++c) sum += std::exp(double(z[c] - top));
    const double log_sum = std::log(sum);
    const int64_t y = labels[r];
    loss += log_sum - double(z[y] - top);
    for (int64_t c = 0; c < classes; ++c) {
      const float p = float(std::exp(double(z[c] - top) - log_sum));
      g[c] = (c == y ? p - 1.0f : p) * inv_rows;
    }
    right += best == y;
  }
  *correct = right;
  return loss / double(rows);
}

ACTBENCH_CLONES
void relu_forward(const float* __restrict z, int64_t n, float* __restrict h) {
  for (int64_t i = 0; i < n; ++i) h[i] = z[i] < 0.0f ? 0.0f : z[i];
}

ACTBENCH_CLONES
void relu_backward(const float* __restrict dh, const float* __restrict h, int64_t n,
                   float* __restrict dz) {
  for (int64_t i = 0; i < n; ++i) dz[i] = h[i] <= 0.0f ? 0.0f : dh[i];
}

ACTBENCH_CLONES
void leaky_relu_forward(const float* __restrict z, int64_t n, float slope, float* __restrict h) {
  for (int64_t i = 0; i < n; ++i) h[i] = z[i] > 0.0f ? z[i] : z[i] * slope;
}

ACTBENCH_CLONES
void leaky_relu_backward(const float* __restrict dh, const float* __restrict z, int64_t n,
                         float slope, float* __restrict dz) {
  for (int64_t i = 0; i < n; ++i) dz[i] = z[i] > 0.0f ? dh[i] : dh[i] * slope;
}

ACTBENCH_CLONES
void adam_step(float* __restrict p, const float* __restrict g, float* __restrict m,
               float* __restrict v, int64_t n, const AdamScalars& s) {
  const float b1 = s.beta1, b2 = s.beta2, c1 = s.one_minus_beta1, c2 = s.one_minus_beta2;
  const float wd = s.weight_decay, keep = s.decoupled_decay;
  // step * m / (sqrt(v) / sbc2 + eps) == (step * sbc2) * m / (sqrt(v) + eps * sbc2): one division
  // per element instead of two (square root and division dominate this loop's time).
  const float step = float(double(s.step_size) * double(s.sqrt_bias_correction2));
  const float eps = float(double(s.eps) * double(s.sqrt_bias_correction2));
  for (int64_t i = 0; i < n; ++i) {
    const float pi = p[i] * keep;
    const float gi = g[i] + wd * pi;
    const float mi = m[i] * b1 + c1 * gi;
    const float vi = v[i] * b2 + c2 * (gi * gi);
    m[i] = mi;
    v[i] = vi;
    p[i] = pi - step * mi / (std::sqrt(vi) + eps);
  }
}

}  // namespace actbench::kernels
