// The order in which a sweep's workers take its pending runs: the longest first (the LPT rule), so
// that the runs left when workers fall idle are short ones. With the tutorial's four runs on two
// workers, the config's order left one core idle for the last ~0.25 s (Tanh, the slowest, came
// third). The order changes only when each run trains, never what it computes.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "plan/plan.h"

namespace actbench {

// An estimate of a run's time, in units comparable between the runs of one sweep.
using RunCost = std::function<double(const PlannedRun&)>;

// Indices into `runs`, the costliest first (ties: plan order).
std::vector<size_t> longest_first(const std::vector<const PlannedRun*>& runs, const RunCost& cost);

// A run's cost from its shape (epochs, examples, layer widths) and its activation's time per
// element, timed once per activation on this machine (about a millisecond each).
RunCost estimated_run_cost();

}  // namespace actbench
