// SHA-256 digests (OpenSSL's libcrypto): what identifies a data file or a config in a result's
// provenance, independent of its name or modification time.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace actbench {

// The SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

// The SHA-256 of bytes given in pieces (e.g. while they are streamed to a file).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t size);
  std::string hex();  // 64 lowercase hex digits; call once, last

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The SHA-256 of the file at `path`, read in 1 MiB chunks (a data set is never held in memory
// whole). Throws InputError ("PATH: cannot be read (why)") when it cannot be opened or read,
// a directory included.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace actbench
