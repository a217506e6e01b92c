#include "fuzz/targets.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "config/config.h"
#include "config/keys.h"
#include "data/idx.h"
#include "plan/plan.h"
#include "results/results.h"
#include "store/run_store.h"
#include "summary/summary.h"
#include "sweep/sweep_dir.h"
#include "util/error.h"
#include "util/json_checksum.h"

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

TargetFn find_target(const std::string& name) {
  if (name == "config") return fuzz_config;
  if (name == "idx") return fuzz_idx;
  if (name == "runfile") return fuzz_runfile;
  if (name == "store") return fuzz_store;
  return nullptr;
}

}  // namespace actbench_fuzz
