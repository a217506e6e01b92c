#include "util/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "util/error.h"

namespace actbench {
namespace fs = std::filesystem;

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

void write_all(int fd, const char* p, size_t left, const fs::path& tmp) {
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot write " + tmp.string() + ": " + errno_text());
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

void write_file_atomic(const fs::path& path, const std::string& content) {
  write_file_atomic_stream(
      path, [&](const ChunkWriter& write) { write(content.data(), content.size()); });
}

void write_file_atomic_stream(const fs::path& path,
                              const std::function<void(const ChunkWriter&)>& produce) {
  fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    throw InputError("cannot write " + path.string() + ": " + errno_text() +
                     " (check that the output directory exists and is writable)");
  }
  fs::path tmp(tmpl);
  try {
    produce([&](const void* data, size_t size) {
      write_all(fd, static_cast<const char*>(data), size, tmp);
    });
    if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) {
      throw std::runtime_error("cannot flush " + tmp.string() + ": " + errno_text());
    }
    if (::close(fd) != 0) {
      fd = -1;
      throw std::runtime_error("cannot close " + tmp.string() + ": " + errno_text());
    }
    fd = -1;
    fs::rename(tmp, path);
    // Make the rename itself durable: without this a crash can lose the new directory entry.
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dir_fd >= 0) {
      ::fsync(dir_fd);
      ::close(dir_fd);
    }
  } catch (...) {
    if (fd >= 0) ::close(fd);
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

std::string kind_of(const fs::file_status& st) {
  switch (st.type()) {
    case fs::file_type::regular:
      return "a file";
    case fs::file_type::directory:
      return "a directory";
    case fs::file_type::fifo:
      return "a pipe";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::block:
    case fs::file_type::character:
      return "a device";
    default:
      return "not a file or directory";
  }
}

void check_file_slot(const fs::path& path, const std::string& role) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);  // follows links
  if (st.type() != fs::file_type::not_found && st.type() != fs::file_type::regular) {
    throw InputError(path.string() + " is " + kind_of(st) + " where " + role +
                     "; remove it and rerun");
  }
}

void check_path(const fs::path& path, PathKind kind, const std::string& what,
                const std::string& not_found, const std::string& hint) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  const std::string tail = hint.empty() ? "" : "; " + hint;
  if (ec && st.type() != fs::file_type::not_found) {
    throw InputError(what + " " + path.string() + " cannot be accessed (" + ec.message() + ")" +
                     tail);
  }
  if (st.type() == fs::file_type::not_found) {
    std::error_code lec;
    if (fs::is_symlink(fs::symlink_status(path, lec))) {
      throw InputError(what + " " + path.string() + " is a broken symbolic link (to " +
                       fs::read_symlink(path, lec).string() + ")" + tail);
    }
    throw InputError(not_found);
  }
  const bool ok = kind == PathKind::kFile ? st.type() == fs::file_type::regular
                                          : st.type() == fs::file_type::directory;
  if (!ok) {
    throw InputError(what + " " + path.string() + " is " + kind_of(st) + ", not " +
                     (kind == PathKind::kFile ? "a file" : "a directory") + tail);
  }
}

void check_own_file(const fs::path& path, const std::string& schema_prefix,
                    const std::string& hint) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  if (st.type() == fs::file_type::not_found) return;
  const std::string refuse = path.string() + " is not actbench's: ";
  const std::string tail =
      "; actbench never overwrites another tool's file: move it away or " + hint;
  if (st.type() != fs::file_type::regular) throw InputError(refuse + "it is " + kind_of(st) + tail);
  // actbench's own files are far smaller; a larger one is not read.
  constexpr uintmax_t kMaxBytes = uintmax_t(1) << 30;
  if (fs::file_size(path, ec) > kMaxBytes)
    throw InputError(refuse + "it is larger than 1 GiB" + tail);
  std::string why;
  const std::optional<nlohmann::json> j = read_json_file(path, why);
  if (!j) throw InputError(refuse + why + tail);
  const nlohmann::json* schema =
      j->is_object() && j->contains("schema") ? &j->at("schema") : nullptr;
  if (schema == nullptr || !schema->is_string() ||
      schema->get<std::string>().rfind(schema_prefix, 0) != 0) {
    throw InputError(refuse + "it holds no '" + schema_prefix + "...' schema" + tail);
  }
}

namespace {

// "12 bytes", "3.5 MiB".
std::string size_text(uintmax_t bytes) {
  if (bytes < (uintmax_t(1) << 20)) return std::to_string(bytes) + " bytes";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", double(bytes) / double(uintmax_t(1) << 20));
  return text;
}

struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

}  // namespace

std::string read_file(const fs::path& path, const ReadLimit& limit) {
  // O_NONBLOCK: opening a pipe must not wait for a writer (it is refused just below).
  const auto refuse_kind = [&](mode_t mode) {
    if (S_ISREG(mode)) return;
    std::error_code ec;  // named as check_path names it (a directory, a pipe, a device, ...)
    throw InputError(path.string() + ": is " + kind_of(fs::status(path, ec)) + ", not a file");
  };
  struct stat st {};
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const std::string reason = errno_text();
    if (errno == ENOENT) throw InputError(path.string() + ": no such file");
    if (::stat(path.c_str(), &st) == 0) refuse_kind(st.st_mode);  // a socket cannot be opened
    throw InputError(path.string() + ": cannot open for reading (" + reason + ")");
  }
  const FdCloser closer{fd};
  if (::fstat(fd, &st) != 0) {
    throw InputError(path.string() + ": cannot open for reading (" + errno_text() + ")");
  }
  refuse_kind(st.st_mode);
  const auto too_large = [&](uintmax_t size) {
    return InputError(path.string() + ": " + size_text(size) + ", more than " + limit.what +
                      " of actbench's ever is (at most " + size_text(limit.max_bytes) +
                      "); it is not read");
  };
  if (uintmax_t(st.st_size) > limit.max_bytes) throw too_large(uintmax_t(st.st_size));
  std::string content;
  content.reserve(size_t(st.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError(path.string() + ": cannot be read (" + errno_text() + ")");
    }
    content.append(buffer, size_t(n));
    if (content.size() > limit.max_bytes) throw too_large(content.size());
  }
  return content;
}

std::optional<nlohmann::json> read_json_file(const fs::path& path, std::string& why,
                                             const ReadLimit& limit) {
  why.clear();
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  try {
    return nlohmann::json::parse(read_file(path, limit));
  } catch (const nlohmann::json::exception& e) {
    why = "not valid JSON (" + std::string(e.what()) + ")";
  } catch (const InputError& e) {
    // read_file names the path; `why` does not.
    why = e.what();
    const std::string prefix = path.string() + ": ";
    if (why.rfind(prefix, 0) == 0) why.erase(0, prefix.size());
  }
  return std::nullopt;
}

void remove_stale_temp_files_in(const fs::path& dir) {
  const auto cutoff = fs::file_time_type::clock::now() - std::chrono::minutes(1);
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() < 2 || name[0] != '.' || name.find(".tmp.") == std::string::npos) continue;
    std::error_code e2;
    if (it->last_write_time(e2) < cutoff && !e2) fs::remove(it->path(), e2);
  }
}

fs::path prepare_output_dir(const fs::path& dir, const std::string& result_file,
                            const std::string& hint) {
  std::error_code ec;
  fs::path created;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      throw InputError("output directory " + dir.string() + " exists and is not a directory; " +
                       hint);
    }
  } else {
    // The outermost missing ancestor is what a failed run must remove again.
    for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) created = p;
    fs::create_directories(dir, ec);
    if (ec) {
      throw InputError("cannot create output directory " + dir.string() + ": " + ec.message() +
                       "; " + hint);
    }
  }
  // Probe writability with a real file: access(2) is wrong for root and for read-only mounts.
  std::string probe = (dir / ".actbench-write-test.XXXXXX").string();
  int fd = ::mkstemp(probe.data());
  if (fd < 0) {
    std::string why = errno_text();
    remove_created_dirs(dir, created);
    throw InputError("output directory " + dir.string() + " is not writable (" + why + "); " +
                     hint);
  }
  ::close(fd);
  fs::remove(probe, ec);
  if (!result_file.empty() && fs::is_directory(dir / result_file, ec)) {
    throw InputError((dir / result_file).string() +
                     " is a directory, so results cannot be written there; remove it or choose "
                     "another --out DIR");
  }
  return created;
}

void remove_created_dirs(const fs::path& dir, const fs::path& top) noexcept {
  if (top.empty()) return;
  std::error_code ec;
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    if (!fs::is_directory(p, ec) || !fs::is_empty(p, ec) || !fs::remove(p, ec)) return;
    if (p == top) return;
  }
}

}  // namespace actbench
