#include "kernels/torch_order.h"

#include <algorithm>

namespace actbench::kernels {
namespace {

constexpr int64_t kLevels = 4;
constexpr int64_t kWidth = 32;  // columns summed side by side (the compiler vectorises them)

int64_t ceil_log2(int64_t n) {
  int64_t bits = 0;
  while ((int64_t(1) << bits) < n) ++bits;
  return bits;
}

// sum[c] for c < width (<= kWidth): the cascade over the n values x[i * stride + c]. `Width`:
// the width known when compiling (kWidth: the columns of a block; 0: any, given in `width`).
template <int64_t Width>
void cascade_of(const float* x, int64_t stride, int64_t n, int64_t width, float* sum) {
  const int64_t w = Width > 0 ? Width : width;
  const int64_t power = std::max<int64_t>(4, ceil_log2(n) / kLevels);
  const int64_t step = int64_t(1) << power, mask = step - 1;
  float acc[kLevels][kWidth] = {};
  int64_t i = 0;
  while (i + step <= n) {
    for (int64_t j = 0; j < step; ++j, ++i) {
      for (int64_t c = 0; c < w; ++c) acc[0][c] += x[i * stride + c];
    }
    for (int64_t level = 1; level < kLevels; ++level) {
      for (int64_t c = 0; c < w; ++c) {
        acc[level][c] += acc[level - 1][c];
        acc[level - 1][c] = 0.0f;
      }
      if ((i & (mask << (level * power))) != 0) break;
    }
  }
  for (; i < n; ++i) {
    for (int64_t c = 0; c < w; ++c) acc[0][c] += x[i * stride + c];
  }
  for (int64_t level = 1; level < kLevels; ++level) {
    for (int64_t c = 0; c < w; ++c) acc[0][c] += acc[level][c];
  }
  std::copy(acc[0], acc[0] + w, sum);
}

void cascade(const float* x, int64_t stride, int64_t n, int64_t width, float* sum) {
  if (width == kWidth) {
    cascade_of<kWidth>(x, stride, n, width, sum);
  } else {
    cascade_of<0>(x, stride, n, width, sum);
  }
}

// The columns outside the cascade's blocks: four interleaved cascades each.
void interleaved(const float* x, int64_t rows, int64_t cols, int64_t width, float* out) {
  constexpr int64_t kStreams = 4;
  const int64_t n = rows / kStreams;
  float part[kStreams][kWidth];
  for (int64_t k = 0; k < kStreams; ++k) cascade(x + k * cols, kStreams * cols, n, width, part[k]);
  for (int64_t r = n * kStreams; r < rows; ++r) {
    for (int64_t c = 0; c < width; ++c) part[0][c] += x[r * cols + c];
  }
  for (int64_t k = 1; k < kStreams; ++k) {
    for (int64_t c = 0; c < width; ++c) part[0][c] += part[k][c];
  }
  std::copy(part[0], part[0] + width, out);
}

}  // namespace

bool column_sums_torch_order(const float* x, int64_t rows, int64_t cols, float* out) {
  if (cols < 2 || rows < 0) return false;
  constexpr int64_t kVector = 8;
  const int64_t block = cols >= kVector ? 4 * kVector : 4;
  const int64_t blocked = cols - cols % block;
  for (int64_t c = 0; c < cols; c += kWidth) {
    const int64_t end = std::min(cols, c + kWidth);
    const int64_t cascaded = std::clamp<int64_t>(blocked - c, 0, end - c);
    if (cascaded > 0) cascade(x + c, cols, rows, cascaded, out + c);
    if (c + cascaded < end) {
      interleaved(x + c + cascaded, rows, cols, end - c - cascaded, out + c + cascaded);
    }
  }
  return true;
}

}  // namespace actbench::kernels
