// Runs a sweep's plan (or one shard of it) into its directory: skips the runs already finished
// there, trains the rest side by side, writes each run's file the moment it ends, and rebuilds
// results.json and summary.json once every run of the plan is finished. SIGINT/SIGTERM abandon
// the runs in progress (nothing of them is written) and say what to rerun.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sweep/plan.h"

namespace actbench {

// Exit status: 0 when done, 128 + signal number when interrupted.
int run_sweep(const Plan& plan, const std::optional<Shard>& shard,
              const std::vector<std::string>& argv);

}  // namespace actbench
