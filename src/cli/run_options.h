// The options `run` and `plan` share: a config file, KEY=VALUE overrides, and the flags that set
// the sweep's device, directory, parallelism and shard, the run store and --fresh.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "plan/plan.h"
#include "sweep/runner.h"

namespace actbench::cli {

struct RunOptions {
  std::optional<std::string> config_file;  // --config, or the first positional without '='
  std::vector<std::string> positionals;    // KEY=VALUE overrides (and optionally the config file)
  std::optional<std::string> device;       // --device: the config's `device`
  std::optional<std::string> out;          // --out: the config's `out`
  std::optional<int64_t> jobs;             // --jobs: the config's `jobs`
  std::optional<Shard> shard;              // --shard K/N
  std::optional<std::string> store;        // --store DIR: the run store
  bool fresh = false;                      // --fresh: train every run again
  std::optional<std::string> max_memory;   // --max-memory SIZE: the resource guard's limit
};

// Declares the shared options on `cmd`.
void add_run_options(CLI::App& cmd, RunOptions& options);

// The config as read (file < overrides < flags), before its sweep is expanded.
ConfigSource source_from_options(const RunOptions& options);

// The sweep options the flags set: shard, store and --fresh.
SweepOptions sweep_options(const RunOptions& options);

// The config expanded into the sweep's plan.
Plan plan_from_options(const RunOptions& options);

}  // namespace actbench::cli
