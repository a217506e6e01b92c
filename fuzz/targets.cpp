#include "fuzz/targets.h"

#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <caffe2/serialize/in_memory_adapter.h>
#include <caffe2/serialize/inline_container.h>

#if defined(__SANITIZE_ADDRESS__)  // GCC
#define ACTBENCH_FUZZ_LSAN 1
#elif defined(__has_feature)  // clang
#if __has_feature(address_sanitizer)
#define ACTBENCH_FUZZ_LSAN 1
#endif
#endif
#if ACTBENCH_FUZZ_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#include "config/config.h"
#include "config/keys.h"
#include "data/dataset.h"
#include "data/idx.h"
#include "model/mlp.h"
#include "plan/plan.h"
#include "results/results.h"
#include "store/run_store.h"
#include "summary/summary.h"
#include "sweep/sweep_dir.h"
#include "train/checkpoint.h"
#include "train/engine.h"
#include "util/error.h"
#include "util/json_checksum.h"
#include "util/sha256.h"

namespace actbench_fuzz {
namespace fs = std::filesystem;
using actbench::Json;

namespace {

// A private directory for one target in this process, on tmpfs (/dev/shm) when there is one:
// every input is written to a file there once. Removed at exit (a crash leaves it behind:
// scripts/fuzz.sh removes it).
class Scratch {
 public:
  explicit Scratch(const std::string& target) {
    std::error_code ec;
    const fs::path shm = "/dev/shm";
    const fs::path base = fs::is_directory(shm, ec) && ::access(shm.c_str(), W_OK) == 0
                              ? shm
                              : fs::temp_directory_path();
    dir_ = base / ("actbench-fuzz-" + target + "-" + std::to_string(::getpid()));
    fs::remove_all(dir_, ec);
    fs::create_directories(dir_);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  const fs::path& dir() const { return dir_; }

  // Writes the input to `name` (truncating it).
  fs::path write(const std::string& name, const uint8_t* data, size_t size) const {
    const fs::path path = dir_ / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    out.close();
    if (!out) throw std::runtime_error("fuzz: cannot write " + path.string());
    return path;
  }

  // Makes `link` (relative to the directory) a symbolic link to `target` there.
  void link(const std::string& link, const std::string& target) const {
    const fs::path at = dir_ / link;
    fs::create_directories(at.parent_path());
    fs::create_symlink(dir_ / target, at);
  }

 private:
  fs::path dir_;
};

// Runs `body`; InputError is a refusal, anything else escapes.
template <typename Body>
Outcome guarded(Body&& body) {
  try {
    body();
    return Outcome::kAccepted;
  } catch (const actbench::InputError&) {
    return Outcome::kRefused;
  }
}

constexpr size_t kMaxOverrides = 8;
constexpr double kMaxFuzzPlanRuns = 256;  // larger grids are valid but slow to plan per input

}  // namespace

Outcome fuzz_config(const uint8_t* data, size_t size) {
  static const Scratch scratch("config");
  static const bool linked = (scratch.link("config.json", "config.yaml"), true);
  (void)linked;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  std::vector<std::string> overrides;
  for (size_t at = nul; at != std::string::npos && overrides.size() < kMaxOverrides;) {
    const size_t next = input.find('\0', at + 1);
    overrides.push_back(input.substr(at + 1, next == std::string::npos ? next : next - at - 1));
    at = next;
  }
  const size_t text_size = nul == std::string::npos ? size : nul;
  const fs::path yaml = scratch.write("config.yaml", data, text_size);
  const Outcome as_yaml = guarded([&] {
    const actbench::ConfigSource source = actbench::read_config_source(yaml, overrides);
    double runs = 1;
    for (const auto& axis : source.sweep) runs *= double(axis.values.size());
    const Json& activations = source.tree["activations"];
    if (activations.is_array()) runs *= double(activations.size());
    if (runs <= kMaxFuzzPlanRuns) {
      actbench::make_plan(source);
    } else {
      actbench::config_from_json(source.tree, source.sources);
    }
  });
  const Outcome as_json =
      guarded([&] { actbench::load_config(scratch.dir() / "config.json", overrides); });
  return as_yaml == Outcome::kAccepted || as_json == Outcome::kAccepted ? Outcome::kAccepted
                                                                        : Outcome::kRefused;
}

Outcome fuzz_idx(const uint8_t* data, size_t size) {
  static const Scratch scratch("idx");
  const fs::path path = scratch.write("data-idx-ubyte", data, size);
  const Outcome images = guarded([&] { actbench::check_idx_file(path, 3, "fetch it"); });
  const Outcome labels = guarded([&] {
    const actbench::IdxInfo info = actbench::check_idx_file(path, 1, "");
    actbench::check_idx_labels(path, info, 10);
  });
  return images == Outcome::kAccepted || labels == Outcome::kAccepted ? Outcome::kAccepted
                                                                      : Outcome::kRefused;
}

namespace {

// The sweep the run files are read against: the one the seed corpus's run files come from
// (fuzz/README.md: `actbench run` with these settings).
const actbench::Plan& runfile_plan() {
  static const actbench::Plan plan = actbench::make_plan(actbench::read_config_source(
      std::nullopt,
      {"activations=relu,tanh", "train.epochs=2", "train.seed=1,2", "data.dir=synth",
       "data.train_limit=200", "data.test_limit=100", "model.hidden=[8]", "train.batch_size=50"}));
  return plan;
}

actbench::StoreKey runfile_store_key() {
  const actbench::PlannedRun& run = runfile_plan().runs.front();
  actbench::StoreKey key;
  key.settings = actbench::store_settings(run.identity);
  key.actbench_version = "fuzz";
  key.libtorch_version = "fuzz";
  key.device_type = "cpu";
  return key;
}

}  // namespace

Outcome fuzz_runfile(const uint8_t* data, size_t size) {
  static const Scratch scratch("runfile");
  static const actbench::StoreKey key = runfile_store_key();
  static const actbench::RunStore store(scratch.dir() / "store");
  static const bool linked = [] {
    // Every run file and the store entry are one file, written once per input: the input with
    // its checksum stamped (util/json_checksum.h) when it is a JSON object, so that mutations
    // reach the readers behind the checksum; plan.json is stamped the same way.
    for (const auto& run : runfile_plan().runs) {
      scratch.link("sweep/runs/" + run.id + ".json", "sweep/stamped.json");
    }
    const fs::path entry = store.entry_path("relu", key).lexically_relative(scratch.dir());
    scratch.link(entry.string(), "sweep/stamped.json");
    return true;
  }();
  (void)linked;
  fs::create_directories(scratch.dir() / "sweep");
  const std::string stamped = [&] {
    const Json doc = Json::parse(data, data + size, nullptr, false);
    return doc.is_object() ? actbench::with_checksum(doc).dump()
                           : std::string(reinterpret_cast<const char*>(data), size);
  }();
  const auto* bytes = reinterpret_cast<const uint8_t*>(stamped.data());
  scratch.write("sweep/stamped.json", bytes, stamped.size());
  scratch.write("sweep/plan.json", bytes, stamped.size());
  const fs::path dir = scratch.dir() / "sweep";
  const Outcome plan = guarded([&] { actbench::read_plan_file(dir); });
  const Outcome runs = guarded([&] {
    const actbench::Plan& fixed = runfile_plan();
    actbench::SummaryOptions options;
    options.baseline = fixed.base.baseline;
    const actbench::SweepOutputs out =
        actbench::collect_outputs(dir, fixed, {}, actbench::RunEnvironment{}, options, false);
    if (out.missing.size() == fixed.runs.size()) throw actbench::InputError("no run accepted");
  });
  const Outcome stored = guarded([&] {
    std::string why;
    const bool found = store.find("relu", key, why).has_value();
    if (store.entries().empty() && !found) throw actbench::InputError(why);
  });
  return plan == Outcome::kAccepted || runs == Outcome::kAccepted || stored == Outcome::kAccepted
             ? Outcome::kAccepted
             : Outcome::kRefused;
}

Outcome fuzz_store(const uint8_t* data, size_t size) {
  static const Scratch scratch("store");
  const fs::path root = scratch.dir() / "store";
  std::error_code ec;
  fs::remove_all(root, ec);
  const Json doc = Json::parse(data, data + size, nullptr, false);
  const bool keyed = doc.is_object() && doc.contains("key") && doc.at("key").is_object();
  const std::string hash = keyed ? actbench::store_key_hash(doc.at("key")) : "0123456789abcdef";
  const std::string text = doc.is_object() ? actbench::with_checksum(doc).dump()
                                           : std::string(reinterpret_cast<const char*>(data), size);
  fs::create_directories(root / "runs" / hash.substr(0, 2));
  scratch.write("store/runs/" + hash.substr(0, 2) + "/relu-" + hash + ".json",
                reinterpret_cast<const uint8_t*>(text.data()), text.size());
  return guarded([&] {
    const actbench::RunStore store(root);
    const actbench::StoreCheck check = store.verify(false);
    if (check.entries != 1) throw std::runtime_error("fuzz: the entry was not found");
    if (!check.damaged.empty()) throw actbench::InputError(check.damaged.front().second);
    if (store.entries().size() != 1) throw std::runtime_error("fuzz: verify and entries disagree");
    (void)store.verify(true);  // nothing damaged: moves nothing
  });
}

namespace {

// The trailer a checkpoint ends with: its archive's SHA-256 (docs/file-formats.md, "Checkpoints").
constexpr std::string_view kCheckpointTrailer = "\nactbench-checkpoint-sha256:";
constexpr size_t kCheckpointTrailerSize = kCheckpointTrailer.size() + 64 + 1;  // hex digits, "\n"
// The tag the checkpoints are read with (in a sweep, the run's store key hash); the seed corpus
// was written with it (fuzz/README.md).
constexpr const char* kCheckpointTag = "f022c4ec4901a7e5";

// The runs a checkpoint is read against: the tutorial's MLP (784 -> two hidden layers -> 10,
// Adam) narrowed so that its checkpoints stay small (22 and 42 KB; the first layer's weights and
// their two Adam moments, LibTorch's archive and the generators' states are most of it): ReLU at
// widths [1, 2] with the fused engine (FlatAdam's state), RReLU at [1, 1] with the autograd engine
// (torch::optim's own state, the slope generators' states). Each one's checkpoint fits the other's
// first layer but not its second.
const std::vector<actbench::PlannedRun>& checkpoint_runs() {
  static const std::vector<actbench::PlannedRun> runs = [] {
    const char* const settings[][3] = {{"relu", "fused", "[1,2]"}, {"rrelu", "autograd", "[1,1]"}};
    std::vector<actbench::PlannedRun> out;
    for (const auto& [activation, engine, hidden] : settings) {
      const actbench::Plan plan = actbench::make_plan(actbench::read_config_source(
          std::nullopt,
          {std::string("activations=") + activation, std::string("train.engine=") + engine,
           std::string("model.hidden=") + hidden, "train.epochs=2", "train.seed=1"}));
      out.push_back(plan.runs.front());
    }
    return out;
  }();
  return runs;
}

// Resumes `run` from `file` as train_run does: into a model, step engine and shuffling generator
// built afresh (on the CPU, for MNIST's unnormalised bytes), then checks what load_checkpoint
// promises.
Outcome resume_from(const actbench::PlannedRun& run, const actbench::CheckpointFile& file) {
  const actbench::Config& config = run.config;
  // The model as initial_model builds it, for MNIST's shape (train/trainer.cpp, left out of the
  // fuzz build: it needs more of LibTorch's headers than it includes, which only the main build's
  // precompiled header provides).
  torch::manual_seed(uint64_t(config.train.seed));
  actbench::MLP model(actbench::MLPOptions(actbench::kMnistPixels, config.model.hidden,
                                           actbench::kMnistClasses, config.activations.front())
                          .init(config.model.init));
  const bool sparse = config.train.engine == actbench::Engine::kFused;  // unnormalised bytes
  const std::unique_ptr<actbench::StepEngine> engine =
      actbench::make_engine(config.train.engine, model, config.train, sparse);
  at::Generator shuffle = at::make_generator<at::CPUGeneratorImpl>(uint64_t(config.train.seed));
  actbench::RunResult result;
  std::string why;
  const std::optional<int64_t> epochs =
      actbench::load_checkpoint(file, model, *engine, shuffle, result, why);
  if (!epochs) {
    if (why.empty()) throw std::logic_error("fuzz: a checkpoint was refused without a reason");
    return Outcome::kRefused;
  }
  if (!why.empty() || *epochs < 1 || size_t(*epochs) != result.epochs.size()) {
    throw std::logic_error("fuzz: a checkpoint was resumed from, but not as promised");
  }
  return Outcome::kAccepted;
}

// `input`'s archive: its bytes before the trailer, when it ends with one.
std::string_view checkpoint_archive(std::string_view input) {
  if (input.size() >= kCheckpointTrailerSize &&
      input.substr(input.size() - kCheckpointTrailerSize, kCheckpointTrailer.size()) ==
          kCheckpointTrailer) {
    return input.substr(0, input.size() - kCheckpointTrailerSize);
  }
  return input;
}

// The little-endian number of `bytes` bytes at `at` in `zip` (0 past its end).
uint64_t zip_number(std::string_view zip, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) {
    v = (v << 8) | (at + size_t(i) < zip.size() ? uint8_t(zip[at + size_t(i)]) : 0u);
  }
  return v;
}

uint32_t zip_crc32(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (const char c : bytes) {
    crc ^= uint8_t(c);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// A tensor's bytes in LibTorch's archive: "<archive>/data/<n>".
bool is_tensor_record(std::string_view name) {
  const size_t slash = name.find('/');
  if (slash == std::string_view::npos || name.substr(slash, 6) != "/data/") return false;
  const std::string_view n = name.substr(slash + 6);
  return !n.empty() && n.find_first_not_of("0123456789") == std::string_view::npos;
}

// The number of records in the zip file `zip` and where its central directory starts, as miniz
// (LibTorch's zip reader) finds them: the last end-of-directory record, and the zip64 record
// before it when there is one (LibTorch writes both). Nullopt when the directory does not end
// right before them, as LibTorch writes it.
std::optional<std::pair<uint64_t, uint64_t>> zip_directory(std::string_view zip) {
  const size_t end = zip.rfind(std::string_view("PK\x05\x06", 4));
  if (end == std::string_view::npos || end + 22 > zip.size()) return std::nullopt;
  uint64_t count = zip_number(zip, end + 10, 2), at = zip_number(zip, end + 16, 4);
  uint64_t size = zip_number(zip, end + 12, 4), directory_end = end;
  if (end >= 20 + 56 && zip.substr(end - 20, 4) == std::string_view("PK\x06\x07", 4)) {
    const size_t record = end - 20 - 56;
    if (zip.substr(record, 4) != std::string_view("PK\x06\x06", 4) ||
        zip_number(zip, end - 20 + 8, 8) != record) {
      return std::nullopt;  // older miniz reads the record where the locator says, newer here
    }
    count = zip_number(zip, record + 32, 8);
    size = zip_number(zip, record + 40, 8);
    at = zip_number(zip, record + 48, 8);
    directory_end = record;
  }
  if (at > directory_end || directory_end - at != size) return std::nullopt;
  return std::pair{count, at};
}

// LibTorch's reader of the zip file `zip`; throws what it throws. LibTorch 1.13's does not
// release miniz's state when its constructor throws (a zip it opened but then refuses: no
// "version", a first record outside a folder): LeakSanitizer ignores what it allocates here.
std::unique_ptr<caffe2::serialize::PyTorchStreamReader> open_archive(std::string_view zip) {
#if ACTBENCH_FUZZ_LSAN
  const __lsan::ScopedDisabler libtorch_leaks;
#endif
  return std::make_unique<caffe2::serialize::PyTorchStreamReader>(
      std::make_shared<caffe2::serialize::MemoryReadAdapter>(zip.data(), off_t(zip.size())));
}

// Whether every record of the zip file `zip` (LibTorch's archive) but the tensors' bytes is as it
// was written: the CRC-32 its central directory gives holds for its content as LibTorch's reader
// reads it (LibTorch does not check). False when the directory cannot be walked or the reader
// refuses it, or when two records have one name (the reader finds names regardless of case).
// (The difference is compared with 0, not the two values with each other, so that libFuzzer
// cannot learn the CRC from the comparison and write it into the directory.)
bool records_intact(std::string_view zip) {
  const auto directory = zip_directory(zip);
  if (!directory) return false;
  std::vector<std::pair<std::string, uint64_t>> records;
  std::set<std::string> names;
  size_t at = size_t(directory->second);
  for (uint64_t i = 0; i < directory->first; ++i) {
    if (at + 46 > zip.size() || zip.substr(at, 4) != std::string_view("PK\x01\x02", 4)) {
      return false;
    }
    const uint64_t crc = zip_number(zip, at + 16, 4);
    const std::string name(zip.substr(at + 46, size_t(zip_number(zip, at + 28, 2))));
    at += 46 + name.size() + size_t(zip_number(zip, at + 30, 2) + zip_number(zip, at + 32, 2));
    std::string lower = name;
    for (char& c : lower) c = char(std::tolower(uint8_t(c)));
    if (!names.insert(lower).second) return false;
    if (!is_tensor_record(name)) records.emplace_back(name, crc);
  }
  try {
    const std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader = open_archive(zip);
    for (const auto& [name, crc] : records) {
      const size_t slash = name.find('/');
      if (slash == std::string::npos) return false;
      const auto [bytes, size] = reader->getRecord(name.substr(slash + 1));
      const std::string_view content(static_cast<const char*>(bytes.get()), size);
      if ((zip_crc32(content) ^ crc) != 0) return false;
    }
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

}  // namespace

Outcome fuzz_checkpoint(const uint8_t* data, size_t size) {
  static const Scratch scratch("checkpoint");
  static const bool linked = [] {
    // Each run's checkpoint is the one file the input is written to.
    for (const auto& run : checkpoint_runs()) {
      scratch.link(actbench::checkpoint_file("sweep", run.id).string(), "sweep/input.ckpt");
    }
    return true;
  }();
  (void)linked;
  const auto resume = [&](std::string_view bytes) {
    scratch.write("sweep/input.ckpt", reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    Outcome outcome = Outcome::kRefused;
    for (const auto& run : checkpoint_runs()) {
      const actbench::CheckpointFile file{
          actbench::checkpoint_file(scratch.dir() / "sweep", run.id), kCheckpointTag};
      if (resume_from(run, file) == Outcome::kAccepted) outcome = Outcome::kAccepted;
    }
    return outcome;
  };
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Outcome as_given = resume(input);
  // Checksum stamped: what a mutation did to the tensors' bytes and the zip's structure reaches
  // the readers behind it. Not when it changed the archive's other records, the TorchScript code
  // and pickles LibTorch compiles and unpickles on load: LibTorch 1.13 does not survive malformed
  // ones (a SEGV in ScriptTypeParser::parseClassConstant within seconds), and they can only be
  // malformed behind a valid checksum when the file was made so on purpose.
  const std::string_view archive = checkpoint_archive(input);
  const std::string stamped =
      std::string(archive) + std::string(kCheckpointTrailer) + actbench::sha256_hex(archive) + "\n";
  if (stamped != input && records_intact(archive)) resume(stamped);
  return as_given;
}

TargetFn find_target(const std::string& name) {
  if (name == "config") return fuzz_config;
  if (name == "idx") return fuzz_idx;
  if (name == "runfile") return fuzz_runfile;
  if (name == "store") return fuzz_store;
  if (name == "checkpoint") return fuzz_checkpoint;
  return nullptr;
}

}  // namespace actbench_fuzz
