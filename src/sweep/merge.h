// `actbench merge DIR`: a sweep's results.json and summary.json rebuilt from DIR/runs, e.g. after
// its shards ran as a cluster job array.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "sweep/sweep_dir.h"

namespace actbench {

struct MergeResult {
  SweepOutputs outputs;  // written to DIR
  size_t planned = 0;    // runs in the plan
};

// Checks DIR (a sweep directory holding only its own runs), rebuilds and writes DIR/results.json
// and DIR/summary.json against `baseline` (an activation's label; default: the plan's) and
// returns what it wrote. `command` is recorded in results.json. With `expected_plan` (a file of
// `actbench plan --json`, as a cluster submission writes it), DIR/plan.json must list the same
// runs: another sweep there (none of the submitted tasks ran) is an InputError, nothing written.
MergeResult merge_sweep(const std::filesystem::path& dir,
                        const std::optional<std::string>& baseline,
                        const std::vector<std::string>& command,
                        const std::optional<std::filesystem::path>& expected_plan = {});

}  // namespace actbench
