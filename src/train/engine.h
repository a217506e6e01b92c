// Step engines: one optimisation step on a batch, two ways, kept apart like a reference and a fast
// implementation (tests/unit/fused_engine_test.cpp checks that they agree).
//
//  - "autograd" (autograd_engine.cpp), the reference: the textbook loop. The model's forward,
//    autograd backward, torch::optim step.
//  - "fused" (fused_engine.cpp), the fast path: the same mathematics with the per-operator
//    overhead taken out, which is most of a small MLP's step on a CPU. The parameters (and
//    gradients) of the model live in one flat buffer each; forward writes into preallocated
//    buffers; backward is written out by hand (matrix products straight into the gradient buffer,
//    the activations' backward kernels from their registry entries, autograd only for activations
//    without one); Adam and AdamW update every parameter in one pass (flat_adam.h). Other
//    optimizers run torch::optim on the flat buffer's views.
//
// Both leave the per-step loss and number of correct predictions in device tensors (no host sync).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/types.h>

#include "config/config.h"
#include "data/batches.h"
#include "model/mlp.h"

namespace actbench {

// What an engine measured over the steps since the last take_diagnostics().
struct StepDiagnostics {
  int64_t steps = 0;
  std::vector<double> grad_norm;  // per Linear layer: mean over the steps of ||dLoss/dW||_2
  // Time in the forward pass (with the loss), the backward pass and the optimizer; measured on
  // CPU only (on CUDA it would take a device sync per step).
  std::optional<double> forward_seconds, backward_seconds, optimizer_seconds;
};

class StepEngine {
 public:
  virtual ~StepEngine() = default;
  // One step on a batch: the batch's mean cross-entropy goes into `loss_out` and its number of
  // correct predictions into `correct_out` (0-dim device tensors). Its inputs come as x, or as
  // sparse rows to an engine that reads_sparse_rows().
  virtual void step(const Batch& batch, torch::Tensor loss_out, torch::Tensor correct_out) = 0;
  // The same on inputs `x` [B, D] and labels `y` [B].
  void step(const torch::Tensor& x, const torch::Tensor& y, torch::Tensor loss_out,
            torch::Tensor correct_out) {
    step(Batch{x, y}, std::move(loss_out), std::move(correct_out));
  }
  // Whether the engine takes a batch's inputs as the split's sparse rows (no x needed).
  virtual bool reads_sparse_rows() const { return false; }

  // The optimizer's state (moments, step counts), for a checkpoint; load_state restores it exactly
  // into an engine built for the same model and settings (throws std::runtime_error if it does
  // not fit). The parameters themselves are the model's.
  virtual void save_state(torch::serialize::OutputArchive& archive) const = 0;
  virtual void load_state(torch::serialize::InputArchive& archive) = 0;

  // Turns the per-step measurements on: each Linear layer's weight-gradient norm (no host sync:
  // on CUDA the norms add up on the device) and, on CPU, the phase times.
  void enable_diagnostics(size_t layers, const torch::Device& device);
  // The measurements since the last call (or since enable_diagnostics), then starts afresh.
  StepDiagnostics take_diagnostics();
  // Each Linear layer's weight-gradient norm at the first step after enable_diagnostics: the
  // gradient of the initial weights (empty before that step).
  std::vector<double> first_step_grad_norm() const;

 protected:
  using Clock = std::chrono::steady_clock;
  bool diagnostics() const { return diagnostics_; }
  bool timed() const { return timed_; }
  // Adds ||grad|| to layer `layer`'s sum (grad: that layer's weight gradient, any layout).
  void add_grad_norm(size_t layer, const torch::Tensor& grad);
  // The same from the gradient's sum of squares, computed elsewhere (kernels::sum_squares' value).
  void add_grad_norm_squares(size_t layer, double sum_of_squares);
  // Adds one step and its phase times (seconds).
  void add_step(double forward, double backward, double optimizer);

 private:
  bool diagnostics_ = false;
  bool timed_ = false;
  int64_t steps_ = 0;
  std::vector<double> norm_sum_;  // CPU
  torch::Tensor norm_acc_;        // elsewhere: on the device
  bool first_taken_ = false;
  std::vector<double> first_;  // CPU
  torch::Tensor first_acc_;    // elsewhere
  double forward_ = 0, backward_ = 0, optimizer_ = 0;
};

inline double seconds_between(std::chrono::steady_clock::time_point a,
                              std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// `model` must already be on its device and outlive the engine. The fused engine rebinds the
// model's parameters to views of its flat buffer, so the model always shows the trained weights.
// sparse_input (fused engine, CPU only): the first layer's products skip zero inputs. Worth it when
// most inputs are exact zeros (MNIST's unnormalised pixels: ~80%).
std::unique_ptr<StepEngine> make_engine(Engine engine, MLP& model, const TrainConfig& config,
                                        bool sparse_input = false);

// The two engines make_engine chooses between.
std::unique_ptr<StepEngine> make_autograd_engine(MLP& model, const TrainConfig& config);
std::unique_ptr<StepEngine> make_fused_engine(MLP& model, const TrainConfig& config,
                                              bool sparse_input);

}  // namespace actbench
