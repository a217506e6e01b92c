// A sweep's plan: the config expanded into runs, one per (grid point, activation). The grid is
// the cartesian product of the swept keys' values (train.seed outermost, then the other keys in
// alphabetical order), with the activations innermost, so the first runs of a long sweep already
// cover every group once. Each run has a stable id: a hash of the settings that determine its
// numbers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"

namespace actbench {

constexpr const char* kPlanSchema = "actbench.plan/1";

// The most runs one sweep may plan (a bound on input, checked before the grid is expanded).
constexpr int64_t kMaxPlannedRuns = 100000;

struct PlannedRun {
  size_t index = 0;  // position in the plan
  std::string id;    // "<label>-<16 hex digits>"
  Config config;     // this run's config: exactly one activation
  Json point;        // the swept keys' values at this run (object; empty without a sweep)
  Json identity;     // the settings that determine the run's numbers (hashed into the id)
  std::string name;  // for people: "Tanh lr=0.01 seed=2"
};

struct Plan {
  Config base;                  // the config with the sweep's keys at their unswept values
  Json config_json;             // the resolved base config, with its `sweep` section
  std::vector<SweepAxis> axes;  // in expansion order
  std::vector<PlannedRun> runs;
};

// Expands `source` into runs, validating every grid point's config (so a wrongly typed value
// is reported before anything runs, naming the key and where the sweep was defined).
Plan make_plan(const ConfigSource& source);

// The settings of `run_config` (one activation) that determine its numbers: the keys declared as
// part of a run's identity (config/keys.cpp), resolved; `device` by the kind it resolves to here
// ("cpu" or "cuda": device_kind).
Json run_identity(const Config& run_config);

// The run id for `identity`: the activation's label made file-name safe, '-', then 16 hex digits
// of a 64-bit FNV-1a hash of the identity's canonical JSON text.
std::string run_id(const Json& identity, const std::string& label);

// plan.json's contents: the base config, the axes and every run's id, activation, point, seed
// and identity. The same plan always gives the same text (no timestamps), so shards writing it
// at once agree.
Json plan_to_json(const Plan& plan);

// --shard K/N: the K-th (1-based) of N parts.
struct Shard {
  int64_t k = 1;
  int64_t n = 1;
  bool contains(size_t run_index) const { return int64_t(run_index % size_t(n)) == k - 1; }
};

// Parses "K/N"; InputError unless 1 <= K <= N.
Shard parse_shard(const std::string& text);

// The label of the plan's activation that `text` names, matched as activation names are (case,
// '_' and '-' ignored: "relu" is "ReLU"); InputError naming `what` and the labels otherwise.
std::string match_activation_label(const Plan& plan, const std::string& text,
                                   const std::string& what);

// The origin of the axes make_plan adds after the swept ones for per_activation trials (lists
// of settings per activation): their values are the union over the activations, not a product.
constexpr const char* kTrialAxisOrigin = "per_activation trials";

// The plan's shape for people: "4 activation(s) x 3 train.seed", with trial axes as "with
// per-activation trials of train.lr (9 values in all)"; `values` lists each axis's values.
std::string plan_shape(const Plan& plan, bool values = false);

// The axes' keys, in order (for describe_point in util/text.h).
std::vector<std::string> axis_keys(const std::vector<SweepAxis>& axes);

}  // namespace actbench
