// Runs a sweep's plan (or one shard of it) into its directory: skips the runs already finished
// there, copies the ones the run store holds, trains the rest side by side, keeps each in the
// store and writes its file the moment it ends, and rebuilds results.json and summary.json once
// every run of the plan is finished. SIGINT/SIGTERM abandon the runs in progress (nothing of them
// is written) and say what to rerun.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace actbench {

// A deterministic interruption for tests: once `runs` runs of this invocation are written (0:
// right after plan.json), the process raises `signal` on itself -- SIGKILL dies there, SIGINT and
// SIGTERM take the normal interrupted path, SIGSTOP stops it there (holding the directory) until a
// SIGCONT.
// With `steps`: once this process has taken `runs` training steps (over all its runs), so in the
// middle of an epoch.
struct RaiseAfter {
  size_t runs = 0;
  bool steps = false;
  int signal = 0;
};

struct SweepOptions {
  std::optional<Shard> shard;
  std::optional<std::string> store;  // --store DIR (see resolve_store_dir)
  bool fresh = false;                // train every run again, replacing the store's entries
  std::set<std::string> fresh_done;  // ... but these (trained by this process: adaptive rounds)
  std::vector<std::string> argv;     // recorded in results.json and in the resume hint
  std::optional<RaiseAfter> raise_after;
  bool print_summary = true;  // the table and differences on stdout once the sweep is complete
  std::optional<uint64_t> max_memory;  // --max-memory (bytes); default: the machine's memory
};

// Exit status: 0 when done, 128 + signal number when interrupted.
int run_sweep(const Plan& plan, const SweepOptions& options);

}  // namespace actbench
