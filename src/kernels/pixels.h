// Pixels as model inputs, by hand: scaling bytes through a 256-entry table (the tensor operations'
// roundings) and compressing rows of bytes to their nonzeros, for the data stage
// (data/dataset.h, data/batches.h, data/sparse_rows.h).
#pragma once

#include <cstdint>

namespace actbench::kernels {

// out[r][c] = pixels[idx[r]][c] / 255, then (v - mean) / std when `normalize`; the same roundings
// as the tensor operations to(float).div_(255).sub_(mean).div_(std).
void gather_scale_u8(const uint8_t* pixels, int64_t row_len, const int64_t* idx, int64_t rows,
                     bool normalize, float mean, float std, float* out);

// table[b] = the model input of pixel byte b: b / 255, then (v - mean) / std when `normalize`; the
// roundings of gather_scale_u8.
void scale_table_u8(bool normalize, float mean, float std, float table[256]);

// The number of the n bytes whose table value is not zero.
int64_t count_nonzero_u8(const uint8_t* bytes, int64_t n, const float table[256]);

// Row-wise compression of byte rows [rows, cols] (cols <= 65536) through `table`: row r's nonzero
// inputs at offsets[r] - first .. offsets[r + 1] - first of idx/code, as column numbers and the
// bytes themselves (the input is table[code]). Writes offsets[0 .. rows) and nothing in idx/code
// past the nonzeros, whose number it returns (count_nonzero_u8's): parts of one array's rows can
// be compressed side by side, each `first` entries on (offsets[rows] is the next part's, or
// first + the count for the last).
int64_t compress_rows_u8(const uint8_t* bytes, int64_t rows, int64_t cols, const float table[256],
                         int64_t first, int64_t* offsets, uint16_t* idx, uint8_t* code);

}  // namespace actbench::kernels
