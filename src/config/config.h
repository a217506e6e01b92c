// The experiment's configuration: one typed struct, loaded from defaults < YAML/JSON file <
// KEY=VALUE overrides, validated once. Every key -- its type, default, bounds, description, whether
// it can be swept and whether it is part of a run's identity -- is declared once, in keys.cpp;
// parsing, defaults, serialisation, `actbench list keys`, the schema and the README's key table
// are all derived from that declaration. The structs below hold the values and nothing else.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "activations/spec.h"
#include "config/choices.h"
#include "config/tree.h"  // Sources

namespace actbench {

using Json = nlohmann::json;

struct DataConfig {
  DatasetKind dataset{};
  std::string dir;
  bool normalize{};
  int64_t train_limit{};
  int64_t test_limit{};
  int64_t validation{};  // the last N training examples, held out (not trained on)
  Pipeline pipeline{};
};
bool operator==(const DataConfig& a, const DataConfig& b);
inline bool operator!=(const DataConfig& a, const DataConfig& b) {
  return !(a == b);
}

// Adaptive seeds: rounds of seeds (train.seed, +1, ...) until every paired difference's 95%
// interval is at most `until` points wide each side, or `max` seeds (sweep/adaptive.h).
struct SeedsConfig {
  double until{};  // 0: off
  int64_t min{};
  int64_t max{};
  int64_t step{};
};

struct ModelConfig {
  std::vector<int64_t> hidden;
  Init init{};
};

struct TrainConfig {
  int64_t epochs{};
  int64_t batch_size{};
  Optimizer optimizer{};
  double lr{};
  std::optional<double> momentum;  // set for sgd and rmsprop only
  double weight_decay{};
  int64_t seed{};
  int64_t eval_batch_size{};
  Engine engine{};
  SparseInput sparse_input{};
  bool diagnostics{};
};

struct Config {
  std::string name;
  DataConfig data;
  ModelConfig model;
  TrainConfig train;
  SeedsConfig seeds;
  DeviceSpec device;
  std::string out;
  int64_t threads{};
  int64_t jobs{};
  std::vector<ActivationSpec> activations;
  std::string baseline;  // an activation's label
  Spread spread{};       // what ± shows in the summary
};

// One swept key: the values it takes, in the order given. `origin` names where the sweep was
// defined ("configs/lr.yaml", "command line") for error messages.
struct SweepAxis {
  std::string key;
  std::vector<Json> values;
  std::string origin;
};

// A config as read, before it is expanded into runs: the merged tree (defaults < file <
// overrides), where each leaf came from, and the swept keys (from the file's `sweep:` section and
// from KEY=a,b overrides; an override KEY=v fixes a key the file sweeps).
struct ConfigSource {
  Json tree;
  Sources sources;
  std::vector<SweepAxis> sweep;
  // `per_activation:` settings for one activation only, by label (as written: matched as names
  // are when the plan is made): {dotted key: value} runs that activation at those settings; a
  // list of such objects runs it once per object (tuning trials). Keys are sweepable keys.
  Json per_activation = Json::object();
  // The `tune:` section as written (null: none), read and checked by sweep/tuning.h.
  Json tune;
  std::string tune_origin;
};

// Starts from the defaults, merges `file` (when given) and then the overrides ("dotted.key=value"
// text; KEY=a,b sweeps KEY). Checks the sweep's keys and lists (the values' types are checked when
// the plan builds each point's config: see plan.h).
ConfigSource read_config_source(const std::optional<std::filesystem::path>& file,
                                const std::vector<std::string>& overrides);

// Merges a parsed config document (with an optional `sweep:` section) into `source`.
void merge_config_document(ConfigSource& source, Json document, const std::string& origin);

// Sets one key to an already typed value (a command-line flag): replaces the value and drops any
// sweep of that key.
void set_config_value(ConfigSource& source, const std::string& key, const Json& value,
                      const std::string& origin);

// InputError (naming `origin`) unless `key` names one sweepable setting of the defaults tree.
void check_sweep_key(const Json& defaults, const std::string& key, const std::string& origin);

// Splits an override's VALUE at its top-level commas (not inside [], {} or quotes): "0.1,0.01"
// gives two values, "[128,128],[256]" two lists, "[128,128]" one.
std::vector<std::string> split_top_level(const std::string& text);

// Loads and validates the base config (the sweep, if any, is not expanded: see plan.h). `file` may
// be empty (defaults only); overrides are "dotted.key=value".
Config load_config(const std::optional<std::filesystem::path>& file,
                   const std::vector<std::string>& overrides);

// The defaults, validated.
Config default_config();

}  // namespace actbench
