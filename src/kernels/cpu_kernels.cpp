#include "kernels/cpu_kernels.h"

#include <algorithm>
#include <cmath>

// Function multiversioning: the loader picks the widest clone the CPU supports (GCC on x86-64).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ACTBENCH_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define ACTBENCH_CLONES
#endif

namespace actbench::kernels {

void gather_scale_u8(const uint8_t* pixels, int64_t row_len, const int64_t* idx, int64_t rows,
                     bool normalize, float mean, float std, float* out) {
  // A byte has 256 values: scale each once (with exactly the operations the tensor path uses),
  // then every pixel is a table lookup.
  float table[256];
  for (int b = 0; b < 256; ++b) {
    const float v = float(b) / 255.0f;
    table[b] = normalize ? (v - mean) / std : v;
  }
  constexpr int64_t kAhead = 4;  // rows are random: fetch a few ahead of use
  for (int64_t r = 0; r < std::min(rows, kAhead); ++r) {
    for (int64_t c = 0; c < row_len; c += 64) __builtin_prefetch(pixels + idx[r] * row_len + c);
  }
  for (int64_t r = 0; r < rows; ++r) {
    if (r + kAhead < rows) {
      const uint8_t* next = pixels + idx[r + kAhead] * row_len;
      for (int64_t c = 0; c < row_len; c += 64) __builtin_prefetch(next + c);
    }
    const uint8_t* src = pixels + idx[r] * row_len;
    float* dst = out + r * row_len;
    for (int64_t c = 0; c < row_len; ++c) dst[c] = table[src[c]];
  }
}

ACTBENCH_CLONES
void compress_rows(const float* x, int64_t rows, int64_t cols, int32_t* offsets, int32_t* idx,
                   float* val) {
  int32_t n = 0;
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

ACTBENCH_CLONES
void sparse_linear_forward(const int32_t* offsets, const int32_t* idx, const float* val,
                           int64_t rows, const float* w_t, const float* bias, int64_t n,
                           float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    float* __restrict o = out + r * n;
    for (int64_t j = 0; j < n; ++j) o[j] = 0.0f;
    for (int32_t k = offsets[r]; k < offsets[r + 1]; ++k) {
      const float v = val[k];
      const float* __restrict w = w_t + int64_t(idx[k]) * n;
      for (int64_t j = 0; j < n; ++j) o[j] += v * w[j];
    }
    for (int64_t j = 0; j < n; ++j) o[j] += bias[j];
  }
}

ACTBENCH_CLONES
void sparse_linear_weight_grad(const int32_t* offsets, const int32_t* idx, const float* val,
                               int64_t rows, int64_t cols, const float* dz, int64_t n,
                               float* grad_w_t) {
  for (int64_t i = 0; i < cols * n; ++i) grad_w_t[i] = 0.0f;
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict d = dz + r * n;
    for (int32_t k = offsets[r]; k < offsets[r + 1]; ++k) {
      const float v = val[k];
      float* __restrict g = grad_w_t + int64_t(idx[k]) * n;
      for (int64_t j = 0; j < n; ++j) g[j] += v * d[j];
    }
  }
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

ACTBENCH_CLONES
double sum_squares(const float* __restrict x, int64_t n) {
  constexpr int64_t kLanes = 16;
  float acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int64_t k = 0; k < kLanes; ++k) acc[k] += x[i + k] * x[i + k];
  }
  double total = 0;
  for (; i < n; ++i) total += double(x[i]) * double(x[i]);
  for (int64_t k = 0; k < kLanes; ++k) total += double(acc[k]);
  return total;
}

}  // namespace actbench::kernels
