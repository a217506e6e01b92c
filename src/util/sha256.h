// SHA-256 digests (OpenSSL's libcrypto): what identifies a data file or a config in a result's
// provenance, independent of its name or modification time.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace actbench {

// The SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

// The SHA-256 of the file at `path`, read in 1 MiB chunks (a data set is never held in memory
// whole). Throws InputError ("PATH: cannot be read (why)") when it cannot be opened or read,
// a directory included.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace actbench
