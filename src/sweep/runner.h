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

// A deterministic interruption for tests: once `runs` runs of this invocation are written (0:
// right after plan.json), the process raises `signal` on itself -- SIGKILL dies there, SIGINT and
// SIGTERM take the normal interrupted path.
struct RaiseAfter {
  size_t runs = 0;
  int signal = 0;
};

struct SweepOptions {
  std::optional<Shard> shard;
  std::vector<std::string> argv;  // recorded in results.json and in the resume hint
  std::optional<RaiseAfter> raise_after;
};

// Exit status: 0 when done, 128 + signal number when interrupted.
int run_sweep(const Plan& plan, const SweepOptions& options);

}  // namespace actbench
