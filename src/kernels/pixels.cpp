#include "kernels/pixels.h"

#include <algorithm>

namespace actbench::kernels {

void gather_scale_u8(const uint8_t* pixels, int64_t row_len, const int64_t* idx, int64_t rows,
                     bool normalize, float mean, float std, float* out) {
  // A byte has 256 values: scale each once (with exactly the operations the tensor path uses),
  // then every pixel is a table lookup.
  float table[256];
  scale_table_u8(normalize, mean, std, table);
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

void scale_table_u8(bool normalize, float mean, float std, float table[256]) {
  for (int b = 0; b < 256; ++b) {
    const float v = float(b) / 255.0f;
    table[b] = normalize ? (v - mean) / std : v;
  }
}

int64_t count_nonzero_u8(const uint8_t* bytes, int64_t n, const float table[256]) {
  bool nonzero[256];
  bool only_zero_byte = !(table[0] != 0.0f);  // x / 255: byte 0 is the only zero input
  for (int b = 0; b < 256; ++b) {
    nonzero[b] = table[b] != 0.0f;
    if (b > 0) only_zero_byte = only_zero_byte && nonzero[b];
  }
  int64_t count = 0;
  if (only_zero_byte) {  // vectorises
    for (int64_t i = 0; i < n; ++i) count += bytes[i] != 0;
  } else {
    for (int64_t i = 0; i < n; ++i) count += nonzero[bytes[i]];
  }
  return count;
}

int64_t compress_rows_u8(const uint8_t* bytes, int64_t rows, int64_t cols, const float table[256],
                         int64_t first, int64_t* offsets, uint16_t* idx, uint8_t* code) {
  bool nonzero[256];
  for (int b = 0; b < 256; ++b) nonzero[b] = table[b] != 0.0f;
  // Up to the last nonzero only: the loop below writes an entry for every input and keeps it when
  // it is nonzero, so it must not run past the last one (the entry after the last belongs to
  // whoever fills the array on from there).
  int64_t last = rows * cols;
  while (last > 0 && !nonzero[bytes[last - 1]]) --last;
  int64_t n = 0;
  for (int64_t r = 0; r < rows; ++r) {
    offsets[r] = first + n;
    const uint8_t* row = bytes + r * cols;
    const int64_t end = std::clamp<int64_t>(last - r * cols, 0, cols);
    for (int64_t c = 0; c < end; ++c) {  // branch-free: write always, advance on nonzero
      idx[n] = uint16_t(c);
      code[n] = row[c];
      n += nonzero[row[c]];
    }
  }
  return n;
}

}  // namespace actbench::kernels
