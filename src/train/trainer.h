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

namespace actbench {

// One hidden layer's activations on the test set.
struct LayerStats {
  double dead = 0;       // fraction of units whose activation derivative is 0 for every example
  double saturated = 0;  // fraction of (example, unit) outputs approaching a bound of the
                         // activation (saturation_bands: within 5% of the way from f(0) to a
                         // finite limit)
  double mean = 0;       // of the activation outputs, over every example and unit
  double std = 0;
};

// What train.diagnostics adds to an epoch.
struct EpochDiagnostics {
  std::vector<double> grad_norm;   // per Linear layer (input first): mean ||dLoss/dW||_2 per step
  std::vector<LayerStats> layers;  // per hidden layer, on the test set after the epoch
  std::optional<double> forward_seconds, backward_seconds, optimizer_seconds;  // CPU only
};

struct EpochMetrics {
  int64_t epoch = 0;          // 1-based
  double train_loss = 0;      // mean cross-entropy over the epoch's training samples
  double train_accuracy = 0;  // percent, of the predictions made while training
  double test_loss = 0;       // mean cross-entropy over the test set, after the epoch
  double test_accuracy = 0;   // percent
  // On the validation split (data.validation), after the epoch; unset without one.
  std::optional<double> val_loss, val_accuracy;
  double seconds = 0;  // train_seconds + test_seconds
  double train_seconds = 0;
  double test_seconds = 0;  // evaluating the test set (and the validation split)
  std::optional<EpochDiagnostics> diagnostics;  // when train.diagnostics is on
  // The activation's learnable parameters after the epoch (PReLU's slope, a formula's learnable
  // constants): {name: [one per hidden layer: a number, or a list with one per unit]}. Null when
  // the activation has none.
  nlohmann::json learned;
};

struct RunResult {
  ActivationSpec activation;
  int64_t seed = 0;
  int64_t parameters = 0;
  std::string status = "completed";  // completed | diverged
  std::vector<EpochMetrics> epochs;
  // With train.diagnostics: each Linear layer's weight-gradient norm at the very first step, i.e.
  // the gradient of the initial weights on the first batch (what vanishes in deep networks).
  std::vector<double> initial_grad_norm;
};

struct EvalMetrics {
  double loss = 0;      // mean cross-entropy
  double accuracy = 0;  // percent
};

// Called after every step with (step, steps in this epoch, epoch); cheap, for progress display.
using StepCallback = std::function<void(int64_t, int64_t, int64_t)>;
using EpochCallback = std::function<void(const RunResult&, const EpochMetrics&)>;

struct CheckpointFile;  // train/checkpoint.h

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
// With `layers`, also each hidden layer's statistics (same loss and accuracy either way).
EvalMetrics evaluate(MLP& model, const Split& split, int64_t batch_size,
                     std::vector<LayerStats>* layers = nullptr);

// The model a run starts from, on the CPU: initial weights from `config.train.seed` (the same for
// every activation: a paired comparison).
MLP initial_model(const Config& config, const ActivationSpec& activation, const Dataset& data);

// Builds the model for `activation` (initial weights from `config.train.seed`), trains and tests
// it.
RunResult train_run(const Config& config, const ActivationSpec& activation, const Dataset& data,
                    const torch::Device& device, const RunCallbacks& callbacks = {});

}  // namespace actbench
