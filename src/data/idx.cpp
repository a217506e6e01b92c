#include "data/idx.h"

#include <cstdint>
#include <fstream>

#include "util/error.h"
#include "util/fs.h"

namespace actbench {
namespace fs = std::filesystem;

namespace {

uint32_t read_be32(const unsigned char* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

void put_be32(std::string& out, uint32_t v) {
  out.push_back(char((v >> 24) & 0xff));
  out.push_back(char((v >> 16) & 0xff));
  out.push_back(char((v >> 8) & 0xff));
  out.push_back(char(v & 0xff));
}

}  // namespace

IdxInfo check_idx_file(const fs::path& path, int rank, const std::string& fetch_hint) {
  check_path(path, PathKind::kFile, "data file",
             "data file " + path.string() + " not found" +
                 (fetch_hint.empty() ? "" : "; fetch it with: " + fetch_hint),
             fetch_hint.empty() ? "" : "re-fetch it with: " + fetch_hint);
  std::error_code ec;
  const auto size = static_cast<int64_t>(fs::file_size(path, ec));
  if (ec) throw InputError("cannot read data file " + path.string() + ": " + ec.message());
  const std::string corrupt = "corrupt IDX file " + path.string() + ": ";
  const std::string refetch = fetch_hint.empty() ? "" : "; re-fetch it with: " + fetch_hint;
  const int64_t header = 4 + 4 * int64_t(rank);
  if (size < header) {
    throw InputError(corrupt + "only " + std::to_string(size) + " bytes, shorter than its header" +
                     refetch);
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> head(static_cast<size_t>(header));
  if (!in.read(reinterpret_cast<char*>(head.data()), header)) {
    throw InputError("cannot read data file " + path.string());
  }
  IdxInfo info;
  info.header_bytes = header;
  info.type_code = head[2];
  if (head[0] != 0 || head[1] != 0 || head[2] != 0x08 || head[3] != rank) {
    char expected[16];
    std::snprintf(expected, sizeof expected, "0x000008%02x", rank);
    char got[16];
    std::snprintf(got, sizeof got, "0x%08x", read_be32(head.data()));
    throw InputError(corrupt + "bad magic number " + got + " (expected " + expected +
                     ": unsigned bytes, " + std::to_string(rank) + " dimensions)" + refetch);
  }
  // Dimensions of up to 2^32 - 1 each: their product can pass 64 bits (a corrupt header).
  int64_t payload = 1;
  bool overflow = false;
  for (int i = 0; i < rank; ++i) {
    int64_t d = read_be32(&head[4 + 4 * size_t(i)]);
    if (d <= 0) throw InputError(corrupt + "dimension " + std::to_string(i) + " is 0" + refetch);
    info.dims.push_back(d);
    overflow = overflow || __builtin_mul_overflow(payload, d, &payload);
  }
  overflow = overflow || payload > INT64_MAX - header;
  if (overflow || size != header + payload) {
    const std::string promised =
        overflow ? "more than " + std::to_string(INT64_MAX) : std::to_string(header + payload);
    throw InputError(
        corrupt + "header promises " + promised + " bytes, file has " + std::to_string(size) +
        (overflow || size < header + payload ? " (truncated)" : " (trailing data)") + refetch);
  }
  return info;
}

void check_idx_labels(const fs::path& path, const IdxInfo& info, int num_classes) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(info.header_bytes);
  std::vector<unsigned char> labels(static_cast<size_t>(info.dims.at(0)));
  if (!in.read(reinterpret_cast<char*>(labels.data()), std::streamsize(labels.size()))) {
    throw InputError("cannot read data file " + path.string());
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= num_classes) {
      throw InputError("corrupt IDX label file " + path.string() + ": label " +
                       std::to_string(labels[i]) + " at index " + std::to_string(i) +
                       " is not a class 0.." + std::to_string(num_classes - 1));
    }
  }
}

void write_idx_file(const fs::path& path, const std::vector<int64_t>& dims,
                    const std::vector<uint8_t>& data) {
  std::string out;
  out.reserve(4 + 4 * dims.size() + data.size());
  out.push_back(0);
  out.push_back(0);
  out.push_back(0x08);
  out.push_back(static_cast<char>(dims.size()));
  for (int64_t d : dims) put_be32(out, static_cast<uint32_t>(d));
  out.append(reinterpret_cast<const char*>(data.data()), data.size());
  write_file_atomic(path, out);
}

}  // namespace actbench
