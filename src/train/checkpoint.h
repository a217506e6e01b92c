// Per-epoch checkpoints: a run killed part-way loses at most the epoch it was in. After every
// finished epoch but the last, train_run writes the run's whole state -- the model's parameters,
// the optimizer's state, the shuffling generator's and the activations' own generators' states,
// and the epochs' metrics so far -- atomically to one file; a later train_run given the same file
// and tag continues from there, and its result equals an uninterrupted run's bit for bit (CPU).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <ATen/core/Generator.h>

#include "model/mlp.h"
#include "train/engine.h"
#include "train/trainer.h"

namespace actbench {

// Where a run keeps its checkpoint, and the tag that says which run it belongs to (the run's
// store key hash: a checkpoint of other settings or other data is never resumed from).
struct CheckpointFile {
  std::filesystem::path path;
  std::string tag;
};

// Writes the state after `result.epochs.size()` epochs to `file.path` atomically.
void save_checkpoint(const CheckpointFile& file, MLP& model, const StepEngine& engine,
                     const at::Generator& shuffle, const RunResult& result);

// Restores the state saved in `file.path` into `model`, `engine`, `shuffle` and `result` (its
// epochs) and returns the number of epochs it holds; nullopt when there is no checkpoint. A
// checkpoint that is damaged, of another run (tag), or of another shape is reported in `why` and
// not used (nothing is restored then); the caller trains from the start.
std::optional<int64_t> load_checkpoint(const CheckpointFile& file, MLP& model, StepEngine& engine,
                                       at::Generator& shuffle, RunResult& result, std::string& why);

}  // namespace actbench
