// Train/test stage: one run = one activation trained for the configured epochs and tested after
// each. The loops keep everything on the device: no per-example work, no host sync per step.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "config/config.h"
#include "data/dataset.h"
#include "model/mlp.h"
#include "train/run_result.h"

namespace actbench {

// Called after every step with (step, steps in this epoch, epoch); cheap, for progress display.
using StepCallback = std::function<void(int64_t, int64_t, int64_t)>;
using EpochCallback = std::function<void(const RunResult&, const EpochMetrics&)>;

struct CheckpointFile;  // train/checkpoint.h
class SparseEvalLayer;  // train/sparse_eval.h

struct RunCallbacks {
  StepCallback on_step;
  EpochCallback on_epoch;
  // Where the run keeps its per-epoch checkpoint (train/checkpoint.h): resumed from when it is
  // there and of this run, written after every epoch but the last. nullptr: none.
  const CheckpointFile* checkpoint = nullptr;
  // Called once before training with the epochs restored from the checkpoint (0: none) and, when
  // a checkpoint was there but not used, why.
  std::function<void(int64_t, const std::string&)> on_resume;
  // Polled once per step: non-zero abandons the run (train_run throws RunInterrupted).
  const std::atomic<int>* stop = nullptr;
};

// Thrown by train_run when `stop` was set: the run was abandoned part-way.
class RunInterrupted : public std::runtime_error {
 public:
  RunInterrupted() : std::runtime_error("run interrupted") {}
};

// Mean loss and accuracy of `model` on `split`, in batches of `batch_size`, without gradients.
// With `layers`, also each hidden layer's statistics (same loss and accuracy either way). The
// first layer's products come from `first_layer` (train/sparse_eval.h; the process's shared one
// when null): the dense product's numbers, from the split's nonzero inputs where that is exact.
EvalMetrics evaluate(MLP& model, const Split& split, int64_t batch_size,
                     std::vector<LayerStats>* layers = nullptr,
                     SparseEvalLayer* first_layer = nullptr);

// The model a run starts from, on the CPU: initial weights from `config.train.seed` (the same for
// every activation: a paired comparison).
MLP initial_model(const Config& config, const ActivationSpec& activation, const Dataset& data);

// Builds the model for `activation` (initial weights from `config.train.seed`), trains and tests
// it.
RunResult train_run(const Config& config, const ActivationSpec& activation, const Dataset& data,
                    const torch::Device& device, const RunCallbacks& callbacks = {});

}  // namespace actbench
