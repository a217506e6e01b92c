// The byte form of a sparse batch's inputs (kernels/cpu_kernels.h's SparseBatch), as the kernels
// read it: input k is table[code[k]]. Shared by the kernels' own files only.
#pragma once

#include <cstdint>

namespace actbench::kernels {

struct ByteValues {
  const uint8_t* code;
  const float* table;
  float operator[](int64_t k) const { return table[code[k]]; }
  ByteValues operator+(int64_t k) const { return {code + k, table}; }
};

}  // namespace actbench::kernels
