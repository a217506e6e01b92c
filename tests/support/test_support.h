// The helpers both tiers share (tests/unit and tests/e2e): temporary directories, the synthetic
// MNIST-format data set, config files, configs, plans and training on the CPU, JSON and text.
// Running processes is process.h's, which only the end-to-end tier may include.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <torch/types.h>

#include "config/config.h"
#include "data/dataset.h"
#include "plan/plan.h"
#include "results/results.h"
#include "train/trainer.h"

namespace actbench_test {

// The CPU, where every test trains.
inline const torch::Device kCpu(torch::kCPU);

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
std::vector<uint8_t> synthetic_images(uint32_t seed, const std::vector<uint8_t>& labels,
                                      bool train);

// Writes the four IDX files of a synthetic MNIST-format data set into `dir` (which must exist).
void write_synthetic_mnist(const fs::path& dir, uint32_t seed);

// Bump when the synthetic data set's content changes (the generator above, the sizes): it names the
// cached copy, so a stale cache is never used.
constexpr const char* kSyntheticVersion = "v1";

// The synthetic data set (seed 1), made once and shared: cached by content under
// ACTBENCH_TEST_CACHE (the build tree's test-cache/, named by kSyntheticVersion and the seed),
// written into a temporary directory there and renamed into place, so test processes racing to make
// it never see a partial one. A cached copy whose label files or sizes are wrong is replaced.
// Without a usable cache directory: written once per process into a TempDir.
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

// The loaded data set of `config` (on the CPU), loaded once per process and shared: the tests only
// read it.
const actbench::Dataset& cpu_dataset(const actbench::DataConfig& config);

// Trains `config`'s first activation on its data set (cpu_dataset) on the CPU with its threads.
actbench::RunResult train_cpu(const actbench::Config& config,
                              const actbench::RunCallbacks& callbacks = {});

// The plan of the defaults, then `yaml` as a config file (none when empty), then `overrides`.
actbench::Plan plan_of(const std::vector<std::string>& overrides, const std::string& yaml = "");

// A YAML config of nine lines whose aliases would expand to 10^9 values (the bounds tests).
std::string yaml_alias_bomb();

// The environment of a run written by the tests themselves: cpu, 1 thread, now, the command
// `actbench run configs/quick.yaml`.
actbench::RunEnvironment run_environment();

// Each planned run's results entry for `runs` (in plan order; run_environment()).
std::vector<nlohmann::json> run_entries(const actbench::Plan& plan,
                                        const std::vector<actbench::RunResult>& runs);

// Runs `fn`, expecting an actbench::InputError; returns its message. Records a test failure
// (and returns "") when nothing is thrown or anything else is (a c10::Error, say).
std::string input_error_message(const std::function<void()>& fn);

// `j` without the keys that differ between two computations of the same numbers -- those that
// measure time (seconds, train_seconds, test_seconds, total_seconds, seconds_per_epoch,
// started_at, finished_at, forward/backward/optimizer_seconds, phase_seconds), the provenance
// (host, command, ...), the run store's path and a file's checksum (of all of these) -- and
// without `extra` keys, at every depth.
nlohmann::json without_keys(nlohmann::json j, const std::vector<std::string>& extra = {});

// Lines of `text` (without the newlines).
// Every file under `dir` with its content ("" for folders): to check that a command changed
// nothing there.
std::map<std::string, std::string> tree_listing(const fs::path& dir);

std::vector<std::string> lines_of(const std::string& text);

}  // namespace actbench_test
