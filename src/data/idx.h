// IDX files (the MNIST format): header checks that turn a missing, truncated or corrupt file into
// one clear error before LibTorch's loader sees it (its own checks abort with a stack trace).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace actbench {

struct IdxInfo {
  uint8_t type_code = 0;      // 0x08: unsigned byte
  std::vector<int64_t> dims;  // e.g. {60000, 28, 28} for images, {60000} for labels
  int64_t header_bytes = 0;
};

// Reads and checks the header of an IDX file of unsigned bytes with `rank` dimensions, and that the
// file holds exactly the data the header promises. `fetch_hint` is appended to a "not found"
// error (the command that fetches the data). Throws InputError.
IdxInfo check_idx_file(const std::filesystem::path& path, int rank, const std::string& fetch_hint);

// Checks that every byte of a label file's payload is below `num_classes`.
void check_idx_labels(const std::filesystem::path& path, const IdxInfo& info, int num_classes);

// Writes an IDX file of unsigned bytes (used by tests and tools that make synthetic data).
void write_idx_file(const std::filesystem::path& path, const std::vector<int64_t>& dims,
                    const std::vector<uint8_t>& data);

}  // namespace actbench
