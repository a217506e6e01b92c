#include "test_support.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "data/dataset.h"
#include "data/idx.h"
#include "util/error.h"

namespace actbench_test {

TempDir::TempDir() {
  std::string tmpl = "/tmp/actbench-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

namespace {

// nftw callbacks. Directories first get their owner's rights back (a test may have made one
// read-only; pre-order, so parents before children), then everything is removed children first.
int make_writable(const char* path, const struct stat* st, int type, struct FTW*) {
  if (type == FTW_D || type == FTW_DNR) ::chmod(path, st->st_mode | S_IRWXU);
  return 0;
}

int remove_entry(const char* path, const struct stat*, int, struct FTW*) {
  ::remove(path);
  return 0;
}

}  // namespace

TempDir::~TempDir() {
  // POSIX nftw rather than std::filesystem::remove_all: PyTorch's pip wheels export their own
  // std::filesystem::remove_all from libtorch.so, and this binary crashed calling it.
  ::nftw(path_.c_str(), make_writable, 64, FTW_PHYS);
  ::nftw(path_.c_str(), remove_entry, 64, FTW_DEPTH | FTW_PHYS);
}

namespace {

// SplitMix64: a cheap, well-mixed hash of (seed, index).
uint64_t mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t stream_key(uint32_t seed, bool train) { return (uint64_t(seed) << 1) | (train ? 1 : 0); }

}  // namespace

uint8_t synthetic_label(uint32_t seed, int64_t index, bool train) {
  return static_cast<uint8_t>(mix(stream_key(seed, train) * 0x100000001ull + uint64_t(index)) % 10);
}

std::vector<uint8_t> synthetic_labels(uint32_t seed, int64_t count, bool train) {
  std::vector<uint8_t> labels(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) labels[size_t(i)] = synthetic_label(seed, i, train);
  return labels;
}

std::vector<uint8_t> synthetic_images(uint32_t seed, const std::vector<uint8_t>& labels,
                                      bool train) {
  std::vector<uint8_t> images(labels.size() * kPixels);
  // xorshift64 noise: one state for the whole split, 8 pixels per draw.
  uint64_t state = mix(stream_key(seed, train) ^ 0xA5A5A5A5ull) | 1;
  for (size_t i = 0; i < labels.size(); ++i) {
    uint8_t* img = images.data() + i * kPixels;
    for (int64_t p = 0; p < kPixels; p += 8) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      uint64_t bits = state;
      for (int b = 0; b < 8; ++b, bits >>= 8) img[p + b] = uint8_t((bits & 0xff) % 61);
    }
    const int64_t first_row = 2 * int64_t(labels[i]) + 4;
    for (int64_t row = first_row; row <= first_row + 2; ++row) {
      std::fill(img + row * kSide, img + (row + 1) * kSide, uint8_t(255));
    }
  }
  return images;
}

void write_synthetic_mnist(const fs::path& dir, uint32_t seed) {
  for (bool train : {true, false}) {
    const int64_t n = train ? kTrainCount : kTestCount;
    std::vector<uint8_t> labels = synthetic_labels(seed, n, train);
    std::vector<uint8_t> images = synthetic_images(seed, labels, train);
    const int base = train ? 0 : 2;
    actbench::write_idx_file(dir / actbench::kIdxFileNames[base], {n, kSide, kSide}, images);
    actbench::write_idx_file(dir / actbench::kIdxFileNames[base + 1], {n}, labels);
  }
}

const fs::path& synthetic_mnist_dir() {
  static TempDir dir;  // removed when the process exits
  static const bool written = (write_synthetic_mnist(dir.path(), 1), true);
  (void)written;
  return dir.path();
}

void link_synthetic_mnist(const fs::path& dir) {
  for (const char* name : actbench::kIdxFileNames) {
    fs::create_symlink(synthetic_mnist_dir() / name, dir / name);
  }
}

void write_text(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path write_tiny_config(const fs::path& path, const fs::path& data_dir,
                           const std::string& extra) {
  // JSON string syntax is valid YAML and quotes any path safely.
  const std::string dir = nlohmann::json(data_dir.string()).dump();
  write_text(path,
             "# written by the actbench tests\n"
             "name: tiny\n"
             "data:\n"
             "  dir: " + dir + "\n"
             "  train_limit: 2000\n"
             "  test_limit: 500\n"
             "model:\n"
             "  hidden: [32]\n"
             "train:\n"
             "  epochs: 1\n"
             "  batch_size: 64\n"
             "threads: 1\n"
             "activations: [relu, tanh]\n" +
                 extra);
  return path;
}

actbench::Config synthetic_config(const std::vector<std::string>& overrides) {
  std::vector<std::string> all{
      "data.dir=" + nlohmann::json(synthetic_mnist_dir().string()).dump(),
      "data.train_limit=3000",
      "data.test_limit=1000",
      "model.hidden=[64]",
      "train.epochs=2",
      "threads=1",
      "device=cpu",
      "activations=relu"};
  all.insert(all.end(), overrides.begin(), overrides.end());
  return actbench::load_config(std::nullopt, all);
}

std::string input_error_message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const actbench::InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected actbench::InputError, got another exception: " << e.what();
    return "";
  } catch (...) {
    ADD_FAILURE() << "expected actbench::InputError, got a non-std exception";
    return "";
  }
  ADD_FAILURE() << "expected actbench::InputError, nothing was thrown";
  return "";
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

CommandResult run_actbench(const std::vector<std::string>& args, const fs::path& cwd) {
  return run_captured("cd " + shell_quote(cwd.string()) + " && " + shell_quote(ACTBENCH_BINARY),
                      args);
}

CommandResult run_captured(const std::string& command, const std::vector<std::string>& args) {
  TempDir capture;
  std::string cmd = command;
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote((capture / "stdout").string()) + " 2>" +
         shell_quote((capture / "stderr").string()) + " </dev/null";
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  r.out = read_text(capture / "stdout");
  r.err = read_text(capture / "stderr");
  return r;
}

int spawn_actbench(const std::vector<std::string>& args, const fs::path& cwd,
                   const fs::path& stdout_file, const fs::path& stderr_file) {
  std::vector<std::string> argv_s{ACTBENCH_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    int out = ::open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || in < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return int(pid);
}

int wait_exit(int pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

nlohmann::json without_keys(nlohmann::json j, const std::vector<std::string>& extra) {
  static const std::vector<std::string> kTimings{"seconds",      "train_seconds", "test_seconds",
                                                 "total_seconds", "seconds_per_epoch",
                                                 "started_at",    "finished_at",
                                                 "forward_seconds", "backward_seconds",
                                                 "optimizer_seconds", "phase_seconds"};
  if (j.is_object()) {
    for (const auto* keys : {&kTimings, &extra}) {
      for (const auto& k : *keys) j.erase(k);
    }
    for (auto& [k, v] : j.items()) v = without_keys(v, extra);
  } else if (j.is_array()) {
    for (auto& v : j) v = without_keys(v, extra);
  }
  return j;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace actbench_test
