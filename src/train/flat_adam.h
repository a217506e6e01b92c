// The fused engine's optimizer: Adam and AdamW over one flat parameter buffer, in one pass (the
// CPU kernel in kernels/cpu_kernels.h; a few whole-range tensor operations elsewhere).
#pragma once

#include <cstdint>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/types.h>

namespace actbench {

// Updates `flat_params` from `flat_grads` (the caller fills them) in one pass per step.
class FlatAdam {
 public:
  // decoupled: AdamW (weight decay applied to the weights) instead of Adam (added to the gradient).
  FlatAdam(torch::Tensor flat_params, torch::Tensor flat_grads, double lr, double weight_decay,
           bool decoupled, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);
  // One step over every parameter.
  void step();

  // The same step in pieces, so each piece can be updated while its gradient is still in cache:
  // begin_step(), then update(offset, count) over ranges that cover the buffer exactly once.
  // Elementwise, so the result equals step().
  void begin_step();
  void update(int64_t offset, int64_t count);

  // The moment estimates and the step count, for a checkpoint; load_state restores them exactly.
  void save_state(torch::serialize::OutputArchive& archive) const;
  void load_state(torch::serialize::InputArchive& archive);

 private:
  torch::Tensor p_, g_, m_, v_;
  double lr_, weight_decay_, beta1_, beta2_, eps_;
  bool decoupled_;
  int64_t t_ = 0;
  // This step's scalars (set by begin_step).
  double sqrt_bc2_ = 1, step_size_ = 0, keep_ = 1, l2_ = 0;
};

}  // namespace actbench
