// What one run produced, as plain data (no LibTorch): its epochs' losses, accuracies and
// timings, the diagnostics, the learned parameters. train_run (trainer.h) fills it; the results,
// the store and the summary read it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "activations/spec.h"

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

}  // namespace actbench
