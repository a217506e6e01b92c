// Per-activation tuning (a config's `tune:` section): each activation gets its own search over
// the tuned settings, chosen on the validation split only, then the final comparison trains every
// activation at its own chosen settings on the config's seeds (none of them a tuning seed) and
// tests every pair. Successive halving (on by default): every trial trains a small share of the
// epochs, the best 1/eta go on to the next rung, up to the full budget.
//
// Every trial is an ordinary run (stored, reused across configs, resumable, shardable): rung R's
// runs are the sweep DIR/tuning/rung-R (its plan: the activations with their promoted trials as
// per_activation lists, the tuning seeds swept), decided from the finished runs of the rungs
// before it alone; the final comparison is the sweep DIR itself, whose plan carries the chosen
// settings in its `per_activation` section. DIR/tuning.json records the search (summary.json's
// `tuning`). Rerunning the command after an interruption walks the finished rungs without
// training; a config that changes only the final seeds reuses the whole search.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "plan/plan.h"
#include "sweep/runner.h"

namespace actbench {

// One tuned key and the values it is tried at.
struct TuneAxis {
  std::string key;
  std::vector<Json> values;
  std::string scale;  // "list", "log" or "linear"
  std::string text;   // "log range 0.0001..0.01, 9 trials"
};

struct TuneRung {
  int64_t epochs = 0;
  int64_t trials = 0;  // per activation
};

struct TuneSpec {
  std::vector<TuneAxis> space;
  std::vector<Json> trials;    // each a settings object {key: value}: the space's product, in order
  int64_t epochs = 0;          // the full budget (default train.epochs)
  std::vector<int64_t> seeds;  // tuning seeds
  bool halving = true;
  int64_t eta = 3;
  double tie = 0.1;             // points of validation accuracy within which trials count as tied
  std::vector<TuneRung> rungs;  // one rung (every trial at the budget) without halving
};

// Whether the config has a `tune:` section.
bool tuned(const ConfigSource& source);

// The section read and checked against the config (InputError naming the key and the file).
TuneSpec tune_spec(const ConfigSource& source);

// The rung `rung` (0-based) with each activation's promoted trials (indices into spec.trials, by
// activation label): a sweep into DIR/tuning/rung-<rung + 1>.
Plan rung_plan(const ConfigSource& source, const TuneSpec& spec, size_t rung,
               const std::map<std::string, std::vector<size_t>>& promoted);

// The final comparison: every activation at its chosen settings (by label), on the config's seeds.
Plan final_plan(const ConfigSource& source, const std::map<std::string, Json>& chosen);

// A trial's result at one rung: the validation accuracy (percent) and loss at the rung's last
// epoch, means over the tuning seeds; NaN when a run diverged.
struct TrialScore {
  double val_accuracy = 0;
  double val_loss = 0;
};

// The trial the search chooses (index into `scores`): the highest validation accuracy; trials
// within `tie` points of it count as tied, and of those the lowest validation loss wins, then the
// first in the space's order. A NaN accuracy never wins unless every trial's is NaN.
size_t choose_trial(const std::vector<TrialScore>& scores, double tie);

// The `keep` trials that go on to the next rung: the chosen one first, then by validation
// accuracy (higher first), loss (lower first) and order.
std::vector<size_t> promote(const std::vector<TrialScore>& scores, double tie, size_t keep);

// The scores of `plan`'s runs (a rung's) from their entries, by activation label, indexed like
// spec.trials (trials not in the rung stay absent from the map of each activation).
std::map<std::string, std::map<size_t, TrialScore>> rung_scores(
    const Plan& plan, const TuneSpec& spec, const std::map<std::string, Json>& entries);

// Where the search stands, from the finished runs alone: the rungs' plans so far, and -- once
// every rung is finished -- the chosen settings and DIR/tuning.json's record.
struct TuningState {
  std::vector<Plan> rungs;             // the rungs planned so far (the last one maybe unfinished)
  bool done = false;                   // every rung finished: `chosen` and `record` are set
  std::map<std::string, Json> chosen;  // activation label -> settings object
  Json record;
};
TuningState tuning_state(const ConfigSource& source, const SweepOptions& options);

// `options` with the run store made explicit: DIR's (--store, $ACTBENCH_STORE, else the one
// next to DIR), which every rung uses too -- not the one next to DIR/tuning/rung-R.
SweepOptions with_sweep_store(const ConfigSource& source, SweepOptions options);

// What `plan` says about a tuned sweep: the rungs (done, this one, to come), the epochs halving
// trains against the full grid, and the final comparison. `remaining_epochs`: the epochs still to
// train over both stages (promoted trials of rungs to come counted at their rung's size).
struct TuningOutlook {
  std::vector<std::string> lines;
  int64_t remaining_epochs = 0;
};
TuningOutlook tuning_outlook(const ConfigSource& source, const TuneSpec& spec,
                             const TuningState& state);

// Runs the search (this shard's part of each rung), then the final comparison. Exit status as
// run_sweep's.
int run_tuned_sweep(const ConfigSource& source, const SweepOptions& options);

}  // namespace actbench
