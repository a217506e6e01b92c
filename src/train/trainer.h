// Train/test stage: one run = one activation trained for the configured epochs and tested after
// each. The loops keep everything on the device: no per-example work, no host sync per step.
#pragma once

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "config/config.h"
#include "data/dataset.h"
#include "model/mlp.h"

namespace actbench {

struct EpochMetrics {
  int64_t epoch = 0;          // 1-based
  double train_loss = 0;      // mean cross-entropy over the epoch's training samples
  double train_accuracy = 0;  // percent, of the predictions made while training
  double test_loss = 0;       // mean cross-entropy over the test set, after the epoch
  double test_accuracy = 0;   // percent
  double seconds = 0;         // train_seconds + test_seconds
  double train_seconds = 0;
  double test_seconds = 0;
};

struct RunResult {
  ActivationSpec activation;
  int64_t seed = 0;
  int64_t parameters = 0;
  std::string status = "completed";  // completed | diverged
  std::vector<EpochMetrics> epochs;
};

struct EvalMetrics {
  double loss = 0;      // mean cross-entropy
  double accuracy = 0;  // percent
};

// Called after every step with (step, steps in this epoch, epoch); cheap, for progress display.
using StepCallback = std::function<void(int64_t, int64_t, int64_t)>;
using EpochCallback = std::function<void(const RunResult&, const EpochMetrics&)>;

struct RunCallbacks {
  StepCallback on_step;
  EpochCallback on_epoch;
  // Polled once per step: non-zero abandons the run (train_run throws RunInterrupted).
  const std::atomic<int>* stop = nullptr;
};

// Thrown by train_run when `stop` was set: the run was abandoned part-way.
class RunInterrupted : public std::runtime_error {
 public:
  RunInterrupted() : std::runtime_error("run interrupted") {}
};

// Mean loss and accuracy of `model` on `split`, in batches of `batch_size`, without gradients.
EvalMetrics evaluate(MLP& model, const Split& split, int64_t batch_size);

// Builds the model for `activation` (initial weights from `config.train.seed`), trains and tests
// it.
RunResult train_run(const Config& config, const ActivationSpec& activation, const Dataset& data,
                    const torch::Device& device, const RunCallbacks& callbacks = {});

}  // namespace actbench
