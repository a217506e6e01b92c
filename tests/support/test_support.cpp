#include "test_support.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "data/dataset.h"
#include "data/idx.h"
#include "device/device.h"
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

// Removes `dir` and everything in it. POSIX nftw rather than std::filesystem::remove_all: PyTorch's
// pip wheels export their own std::filesystem::remove_all from libtorch.so, and this binary
// crashed calling it.
void remove_tree(const fs::path& dir) {
  ::nftw(dir.c_str(), make_writable, 64, FTW_PHYS);
  ::nftw(dir.c_str(), remove_entry, 64, FTW_DEPTH | FTW_PHYS);
}

}  // namespace

TempDir::~TempDir() {
  remove_tree(path_);
}

namespace {

// No test reads or fills the user's run store (~/.local/share/actbench/store, the store of a
// command run outside a git checkout): every command this test process starts -- through a shell,
// Slurm or Python -- inherits an XDG_DATA_HOME of its own, removed at exit. Commands started by
// run_actbench get the directory they run in instead (process.cpp).
struct OwnDataHome {
  OwnDataHome() : dir(std::make_unique<TempDir>()) {
    ::setenv("XDG_DATA_HOME", dir->path().c_str(), 1);
  }
  std::unique_ptr<TempDir> dir;
};
const OwnDataHome own_data_home;

}  // namespace

namespace {

// SplitMix64: a cheap, well-mixed hash of (seed, index).
uint64_t mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t stream_key(uint32_t seed, bool train) {
  return (uint64_t(seed) << 1) | (train ? 1 : 0);
}

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

namespace {

// The IDX files' expected sizes: the header (4 bytes + 4 per dimension) and one byte per value.
uintmax_t idx_size(int64_t count, bool images) {
  return images ? 16 + uintmax_t(count * kPixels) : 8 + uintmax_t(count);
}

// Whether `dir` holds the synthetic data set of `seed`: all four files of the right sizes, and
// label files equal to the generator's (cheap to regenerate; the images follow from the labels and
// the seed, and are checked by size).
bool is_synthetic_mnist(const fs::path& dir, uint32_t seed) {
  std::error_code ec;
  for (bool train : {true, false}) {
    const int64_t n = train ? kTrainCount : kTestCount;
    const int base = train ? 0 : 2;
    const fs::path images = dir / actbench::kIdxFileNames[base];
    const fs::path labels = dir / actbench::kIdxFileNames[base + 1];
    if (fs::file_size(images, ec) != idx_size(n, true) || ec) return false;
    if (fs::file_size(labels, ec) != idx_size(n, false) || ec) return false;
    std::string text;
    try {
      text = read_text(labels);
    } catch (const std::exception&) {
      return false;
    }
    const std::vector<uint8_t> want = synthetic_labels(seed, n, train);
    if (text.size() != idx_size(n, false) ||
        text.compare(8, std::string::npos, reinterpret_cast<const char*>(want.data()),
                     want.size()) != 0) {
      return false;
    }
  }
  return true;
}

// The cached data set of `seed` under `cache`, made if missing or damaged; empty when the cache
// cannot be used (the caller then writes its own copy).
fs::path cached_synthetic_mnist(const fs::path& cache, uint32_t seed) {
  const fs::path final_dir = cache / ("synthetic-mnist-" + std::string(kSyntheticVersion) +
                                      "-seed" + std::to_string(seed));
  if (is_synthetic_mnist(final_dir, seed)) return final_dir;
  std::error_code ec;
  fs::create_directories(cache, ec);
  if (fs::exists(final_dir, ec)) {
    // Damaged, or written by another generator under the same name: moved aside in one rename (no
    // process ever sees it half removed), then removed. Losing that rename to another process
    // doing the same is fine.
    std::string stale = (cache / ".stale-XXXXXX").string();
    if (::mkdtemp(stale.data()) == nullptr) return {};
    ::rename(final_dir.c_str(), (fs::path(stale) / "old").c_str());
    remove_tree(stale);
  }
  // Left behind by a writer that was killed: removed once surely abandoned.
  const auto cutoff = fs::file_time_type::clock::now() - std::chrono::minutes(10);
  for (const auto& e : fs::directory_iterator(cache, ec)) {
    const std::string name = e.path().filename().string();
    if ((name.rfind(".writing-", 0) == 0 || name.rfind(".stale-", 0) == 0) &&
        e.last_write_time(ec) < cutoff) {
      remove_tree(e.path());
    }
  }
  std::string tmp = (cache / ".writing-XXXXXX").string();
  if (::mkdtemp(tmp.data()) == nullptr) return {};
  try {
    write_synthetic_mnist(tmp, seed);
  } catch (const std::exception&) {
    remove_tree(tmp);
    return {};
  }
  // rename(2) of a directory onto an existing non-empty one fails: another process won the race
  // and its copy (complete, since it was renamed whole) is used.
  const bool won = ::rename(tmp.c_str(), final_dir.c_str()) == 0;
  if (!won) remove_tree(tmp);
  return is_synthetic_mnist(final_dir, seed) ? final_dir : fs::path();
}

}  // namespace

const fs::path& synthetic_mnist_dir() {
  static const fs::path dir = [] {
#ifdef ACTBENCH_TEST_CACHE
    const fs::path cached = cached_synthetic_mnist(ACTBENCH_TEST_CACHE, 1);
    if (!cached.empty()) return cached;
#endif
    static TempDir own;  // removed when the process exits
    write_synthetic_mnist(own.path(), 1);
    return own.path();
  }();
  return dir;
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
             "  dir: " +
                 dir +
                 "\n"
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
  std::vector<std::string> all{"data.dir=" + nlohmann::json(synthetic_mnist_dir().string()).dump(),
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

const actbench::Dataset& cpu_dataset(const actbench::DataConfig& config) {
  static std::vector<std::pair<actbench::DataConfig, std::unique_ptr<const actbench::Dataset>>>
      loaded;
  for (const auto& [c, data] : loaded) {
    if (c == config) return *data;
  }
  loaded.emplace_back(config, std::make_unique<const actbench::Dataset>(
                                  actbench::load_dataset(config, torch::Device(torch::kCPU))));
  return *loaded.back().second;
}

actbench::RunResult train_cpu(const actbench::Config& config,
                              const actbench::RunCallbacks& callbacks) {
  actbench::configure_cpu_threads(config.threads);
  return actbench::train_run(config, config.activations.at(0), cpu_dataset(config.data),
                             torch::Device(torch::kCPU), callbacks);
}

actbench::Plan plan_of(const std::vector<std::string>& overrides, const std::string& yaml) {
  if (yaml.empty()) {
    return actbench::make_plan(actbench::read_config_source(std::nullopt, overrides));
  }
  TempDir dir;
  write_text(dir / "c.yaml", yaml);
  return actbench::make_plan(actbench::read_config_source(dir / "c.yaml", overrides));
}

actbench::RunEnvironment run_environment() {
  actbench::RunEnvironment env;
  env.device = "cpu";
  env.threads = 1;
  env.started_at = actbench::utc_timestamp();
  env.finished_at = actbench::utc_timestamp();
  env.command = {"actbench", "run", "configs/quick.yaml"};
  return env;
}

std::vector<nlohmann::json> run_entries(const actbench::Plan& plan,
                                        const std::vector<actbench::RunResult>& runs) {
  std::vector<nlohmann::json> out;
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& p = plan.runs[i];
    out.push_back(
        actbench::run_entry(p.id, p.name, p.point, p.identity, runs[i], run_environment()));
  }
  return out;
}

std::string yaml_alias_bomb() {
  std::string y = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    const std::string p = "*a" + std::to_string(i - 1);
    y += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) y += (k ? ", " : "") + p;
    y += "]\n";
  }
  return y;
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

nlohmann::json without_keys(nlohmann::json j, const std::vector<std::string>& extra) {
  static const std::vector<std::string> kTimings{
      "seconds", "train_seconds", "test_seconds", "total_seconds", "seconds_per_epoch",
      "started_at", "finished_at", "forward_seconds", "backward_seconds", "optimizer_seconds",
      "phase_seconds", "provenance", "store",
      // where the timings come from (this sweep, or the run store)
      "from_store", "timing", "timing_note",
      // a file's checksum covers its timings too
      "checksum"};
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

std::map<std::string, std::string> tree_listing(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    files[e.path().string()] = e.is_directory() ? "" : read_text(e.path());
  }
  return files;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace actbench_test
