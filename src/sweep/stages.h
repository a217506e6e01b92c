// What sweeps in stages share (adaptive seeds' rounds, tuning's rungs): each stage is an ordinary
// sweep whose plan is decided from the finished runs of the stages before it alone, so rerunning
// the command after an interruption walks the finished stages without training, and shards of
// one stage wait for each other before any of them decides the next.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <torch/types.h>
#include <nlohmann/json.hpp>

#include "plan/plan.h"
#include "sweep/runner.h"

namespace actbench {

// The finished runs' entries of `plan` (the sweep directory's, else the store's), by run id, or
// nullopt when a run of the plan is not finished anywhere.
std::optional<std::map<std::string, nlohmann::json>> finished_entries(
    const Plan& plan, const std::filesystem::path& store_dir, const torch::Device& device);

// Runs this process's part of the stage `plan` (all of it without a shard) and returns the
// stage's entries in `entries` once every run is finished: a shard waits for the others' runs
// (polling; SIGINT/SIGTERM end the wait). Exit status: run_sweep's, 128 + signal when the wait was
// interrupted, kExitOk otherwise (with `entries` empty when a run of the stage failed: run_sweep
// said which).
int run_stage(const Plan& plan, const SweepOptions& options, const std::filesystem::path& store_dir,
              const torch::Device& device, const std::string& what,
              std::optional<std::map<std::string, nlohmann::json>>& entries);

}  // namespace actbench
