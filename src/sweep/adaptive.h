// Adaptive seeds (seeds.until > 0): the sweep runs in rounds -- seeds.min seeds, then seeds.step
// more at a time -- until every paired difference's 95% interval is at most seeds.until points
// each side, or seeds.max seeds. Each round is an ordinary sweep whose plan extends the previous
// one (train.seed swept over train.seed, +1, ...), so runs are stored, resumed and sharded as in
// any sweep, and which round comes next is decided from the finished runs alone: rerunning the
// command after an interruption walks the finished rounds without training and goes on.
#pragma once

#include <cstdint>
#include <string>

#include "config/config.h"
#include "plan/plan.h"
#include "sweep/runner.h"

namespace actbench {

// The plan of the round with `seeds` seeds: `source` with train.seed swept over its value and
// the next `seeds` - 1.
Plan plan_with_seeds(const ConfigSource& source, int64_t seeds);

// Whether `source` asks for adaptive seeds (seeds.until > 0); InputError when it also sweeps
// train.seed, or when its config is invalid.
bool adaptive(const ConfigSource& source);

// Where the sweep stands: the plan of the first round not finished (or of the last round, when
// the sweep is done), and a line saying so.
struct AdaptiveState {
  Plan plan;
  bool done = false;
  std::string status;
};
AdaptiveState adaptive_state(const ConfigSource& source, const SweepOptions& options);

// Runs the rounds (this shard's part of each; a shard whose part of a round is done waits for the
// others' before deciding the next). Exit status as run_sweep's.
int run_adaptive_sweep(const ConfigSource& source, const SweepOptions& options);

}  // namespace actbench
