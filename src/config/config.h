// The experiment's configuration: one typed struct, loaded from defaults < YAML/JSON file <
// KEY=VALUE overrides, validated once. Every error names the key and where its value came from.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "activations/registry.h"

namespace actbench {

using Json = nlohmann::json;

struct DataConfig {
  std::string dataset = "mnist";  // mnist | fashion-mnist
  std::string dir;                // default: data/<dataset>
  bool normalize = false;         // true: (x - mean) / std with the data set's statistics
  int64_t train_limit = 0;        // 0 = all; N = the first N examples
  int64_t test_limit = 0;
  // How batches are made (same numbers either way): "batch", one gather per batch from a
  // batch-level torch::data dataset; "example", the per-example DataLoader + Stack<> pipeline
  // (slower; the benchmark's baseline).
  std::string pipeline = "batch";
};

struct ModelConfig {
  std::vector<int64_t> hidden{128, 128};
  // Initial Linear weights: "default" (LibTorch's: Kaiming-uniform with a = sqrt(5), biases
  // uniform), "kaiming_normal", "kaiming_uniform" (He: gain sqrt(2 / (1 + slope^2)), slope the
  // leaky ReLU's negative slope, else 0), "xavier_normal", "xavier_uniform" (Glorot, gain 1),
  // "orthogonal" (gain 1). Biases are zero except with "default".
  std::string init = "default";
};

struct TrainConfig {
  int64_t epochs = 10;
  int64_t batch_size = 64;
  std::string optimizer = "adam";  // adam | adamw | sgd | rmsprop
  double lr = 1e-3;
  std::optional<double> momentum;  // sgd (default 0.9) and rmsprop (default 0) only
  double weight_decay = 0.0;       // resolved: the optimizer's PyTorch default when not given
  int64_t seed = 0;
  int64_t eval_batch_size = 1000;  // test-set batch size (no effect on results)
  // "fused": hand-written backward, flat parameters, one-pass Adam (fast); "autograd": torch::nn +
  // autograd + torch::optim, the textbook loop. Same mathematics, different float rounding.
  std::string engine = "fused";
  // Fused engine on CPU: the first layer skips zero inputs. auto: when the inputs are unnormalised
  // pixels (most are exact zeros); on; off. Same mathematics, different float rounding.
  std::string sparse_input = "auto";
  // Per-epoch diagnostics: weight-gradient norms per layer, dead and saturated units and
  // activation statistics on the test set, the step time split into forward/backward/optimizer.
  bool diagnostics = true;
};

struct Config {
  std::string name = "seed";
  DataConfig data;
  ModelConfig model;
  TrainConfig train;
  std::string device = "auto";  // auto | cpu | cuda | cuda:N
  std::string out;              // default: results/<name>
  int64_t threads = 1;          // intra-op CPU threads per run; 0 = one per core
  int64_t jobs = 0;             // runs trained side by side; 0 = cores / threads (CPU), 1 (CUDA)
  std::vector<ActivationSpec> activations;
  // The activation (by label) that a sweep's paired differences are measured against; default:
  // the first listed.
  std::string baseline;
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
  std::map<std::string, std::string> sources;
  std::vector<SweepAxis> sweep;
};

// Reads and merges; checks the sweep's keys and lists (not yet the values' types: see plan.h).
ConfigSource read_config_source(const std::optional<std::filesystem::path>& file,
                                const std::vector<std::string>& overrides);

// Splits an override's VALUE at its top-level commas (not inside [], {} or quotes): "0.1,0.01"
// gives two values, "[128,128],[256]" two lists, "[128,128]" one.
std::vector<std::string> split_top_level(const std::string& text);

// The defaults as a JSON tree: it lists every valid key.
Json default_config_json();

// Loads and validates the base config (the sweep, if any, is not expanded: see plan.h). `file` may
// be empty (defaults only); overrides are "dotted.key=value".
Config load_config(const std::optional<std::filesystem::path>& file,
                   const std::vector<std::string>& overrides);

// Builds a Config from an already merged tree (used by load_config and tests).
Config config_from_json(const Json& tree, const std::map<std::string, std::string>& sources);

// The fully resolved config as JSON: every key, every activation parameter. It is itself a
// valid config file.
Json config_to_json(const Config& config);

}  // namespace actbench
