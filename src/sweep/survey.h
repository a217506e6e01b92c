// What a sweep has to do: for each run of this invocation's share of the plan, whether its
// directory already holds it, the run store has it, or it must be trained. `plan` and `run` both
// decide through survey_sweep(), so they agree on every run.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <torch/types.h>
#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "plan/plan.h"
#include "store/run_store.h"

namespace actbench {

enum class RunAction {
  kDone,   // DIR/runs holds it, stored under the same key
  kReuse,  // the store holds it: copied into DIR/runs, not trained
  kTrain,  // trained (and stored)
};

struct RunDecision {
  const PlannedRun* run = nullptr;
  RunAction action = RunAction::kTrain;
  std::optional<nlohmann::json> stored;  // kReuse: the store's run
  std::string warning;  // why an existing file is not used ("" when none is in the way)
};

struct Survey {
  std::filesystem::path store_dir;
  std::string device_type;             // "cpu", "cuda"
  std::vector<StoreKey> keys;          // one per run of the plan, in plan order
  std::vector<RunDecision> decisions;  // this invocation's share, in plan order
  bool other_sweep = false;            // DIR holds another sweep's files (moved to history by run)

  size_t count(RunAction action) const;
};

// Checks every data set the plan reads (InputError naming what is wrong), hashes their files and
// decides each run of `shard` (all runs without one). `fresh`: every run is trained again, but
// those in `fresh_done` (trained by this process already: adaptive rounds).
Survey survey_sweep(const Plan& plan, const std::filesystem::path& store_dir,
                    const torch::Device& device, const std::optional<Shard>& shard, bool fresh,
                    const std::set<std::string>& fresh_done = {});

// The time the runs to train will take, from the store's measured seconds per epoch of runs like
// them (same device type and data; the same settings but the seed, else the same model, batch
// size and engine with any activation).
struct TimeEstimate {
  double seconds = 0;    // for the runs estimated, one after the other
  size_t estimated = 0;  // runs with an estimate
  size_t without = 0;    // runs to train with no similar run in the store
};
TimeEstimate estimate_time(const Survey& survey);

// The resource guard (train/memory.h) over the runs the survey would train, as many at a time as
// `run` would train them: refuses a sweep that would not fit in memory (or in `limit`).
void check_survey_memory(const Survey& survey, const Plan& plan, const torch::Device& device,
                         std::optional<uint64_t> limit);

// The formula check (train/preflight.h) of every run the survey would train, once per formula,
// model and data set (the first seed's initial weights stand for the rest); `data` gives a run's
// data set, loading it when needed. Refuses (InputError) what `run` would refuse before training.
void check_survey_activations(const Survey& survey,
                              const std::function<const Dataset&(const DataConfig&)>& data);

}  // namespace actbench
