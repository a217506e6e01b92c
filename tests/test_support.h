// Shared helpers for the test suite: temporary directories, a synthetic MNIST-format data set,
// config files, and running the actbench binary.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "config/config.h"

namespace actbench_test {

namespace fs = std::filesystem;

// A fresh directory under /tmp (mkdtemp), removed with everything in it by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

// Sizes of the synthetic data set: exactly what torch::data::datasets::MNIST accepts.
constexpr int64_t kTrainCount = 60000;
constexpr int64_t kTestCount = 10000;
constexpr int64_t kSide = 28;
constexpr int64_t kPixels = kSide * kSide;

// The synthetic task: class k lights up rows 2k+4 .. 2k+6 (value 255); every other pixel is
// deterministic noise in 0..60. Labels are pseudo-random in 0..9. Learnable in one epoch.
uint8_t synthetic_label(uint32_t seed, int64_t index, bool train);
std::vector<uint8_t> synthetic_labels(uint32_t seed, int64_t count, bool train);
std::vector<uint8_t> synthetic_images(uint32_t seed, const std::vector<uint8_t>& labels, bool train);

// Writes the four IDX files of a synthetic MNIST-format data set into `dir` (which must exist).
void write_synthetic_mnist(const fs::path& dir, uint32_t seed);

// The synthetic data set for this process (seed 1), written on first use into a TempDir that
// lives until the process exits.
const fs::path& synthetic_mnist_dir();

// A directory whose four IDX files are symlinks to synthetic_mnist_dir()'s, so a test can
// replace one of them (remove the link, write a file) without copying 55 MB.
void link_synthetic_mnist(const fs::path& dir);

// Writes `content` to `path` (creating or truncating it).
void write_text(const fs::path& path, const std::string& content);
std::string read_text(const fs::path& path);

// A YAML config for a seconds-long CLI run on `data_dir`: 1 epoch, train_limit 2000, test_limit
// 500, hidden [32], threads 1, activations [relu, tanh]. `extra` is appended verbatim.
fs::path write_tiny_config(const fs::path& path, const fs::path& data_dir,
                           const std::string& extra = "");

// A validated Config for library-level training on the synthetic data: hidden [64], relu,
// 2 epochs, train_limit 3000, test_limit 1000, threads 1, device cpu; `overrides` (KEY=VALUE)
// are applied after these.
actbench::Config synthetic_config(const std::vector<std::string>& overrides = {});

// Runs `fn`, expecting an actbench::InputError; returns its message. Records a test failure
// (and returns "") when nothing is thrown or anything else is (a c10::Error, say).
std::string input_error_message(const std::function<void()>& fn);

// Single-quotes `s` for /bin/sh.
std::string shell_quote(const std::string& s);

// The outcome of running a command with stdout and stderr captured separately.
struct CommandResult {
  int exit_code = -1;  // -1 when the process did not exit normally
  std::string out;
  std::string err;
};

// Runs the actbench binary with `args` (each one shell-quoted) in `cwd`.
CommandResult run_actbench(const std::vector<std::string>& args, const fs::path& cwd);

// Runs the shell command `command` followed by `args` (each one shell-quoted), stdin from
// /dev/null, stdout and stderr captured.
CommandResult run_captured(const std::string& command, const std::vector<std::string>& args);

// Starts the actbench binary with `args` in `cwd` without waiting (stdout and stderr to the given
// files); returns its pid.
int spawn_actbench(const std::vector<std::string>& args, const fs::path& cwd,
                   const fs::path& stdout_file, const fs::path& stderr_file);

// Waits for `pid`; its exit code, or 128 + the signal that killed it.
int wait_exit(int pid);

// `j` without the keys that measure time (seconds, train_seconds, test_seconds, total_seconds,
// seconds_per_epoch, started_at, finished_at, forward/backward/optimizer_seconds, phase_seconds) and without
// `extra` keys, at every depth.
nlohmann::json without_keys(nlohmann::json j, const std::vector<std::string>& extra = {});

// Lines of `text` (without the newlines).
std::vector<std::string> lines_of(const std::string& text);

}  // namespace actbench_test
