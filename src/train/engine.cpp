#include "train/engine.h"

#include <cmath>
#include <stdexcept>

#include "kernels/diagnostics.h"

namespace actbench {

void StepEngine::enable_diagnostics(size_t layers, const torch::Device& device) {
  diagnostics_ = true;
  timed_ = device.is_cpu();
  norm_sum_.assign(layers, 0.0);
  if (!device.is_cpu()) {
    norm_acc_ = torch::zeros({int64_t(layers)},
                             torch::TensorOptions().device(device).dtype(torch::kDouble));
  }
  steps_ = 0;
  forward_ = backward_ = optimizer_ = 0;
  first_taken_ = false;
}

std::vector<double> StepEngine::first_step_grad_norm() const {
  if (!first_taken_) return {};
  if (!first_acc_.defined()) return first_;
  const torch::Tensor host = first_acc_.cpu();
  return std::vector<double>(host.data_ptr<double>(), host.data_ptr<double>() + host.numel());
}

void StepEngine::add_grad_norm(size_t layer, const torch::Tensor& grad) {
  if (grad.is_cpu() && grad.scalar_type() == torch::kFloat && grad.is_contiguous()) {
    add_grad_norm_squares(layer, kernels::sum_squares(grad.data_ptr<float>(), grad.numel()));
  } else if (grad.is_cpu()) {
    norm_sum_[layer] += grad.norm().item<double>();
  } else {
    torch::NoGradGuard no_grad;
    norm_acc_.narrow(0, int64_t(layer), 1).add_(grad.norm().to(torch::kDouble));
  }
}

void StepEngine::add_grad_norm_squares(size_t layer, double sum_of_squares) {
  norm_sum_[layer] += std::sqrt(sum_of_squares);
}

void StepEngine::add_step(double forward, double backward, double optimizer) {
  if (!first_taken_) {  // the sums hold exactly this step's norms
    first_taken_ = true;
    first_ = norm_sum_;
    if (norm_acc_.defined()) first_acc_ = norm_acc_.clone();
  }
  ++steps_;
  forward_ += forward;
  backward_ += backward;
  optimizer_ += optimizer;
}

StepDiagnostics StepEngine::take_diagnostics() {
  StepDiagnostics d;
  d.steps = steps_;
  if (!diagnostics_ || steps_ == 0) return d;
  std::vector<double> sums = norm_sum_;
  if (norm_acc_.defined()) {
    const torch::Tensor host = norm_acc_.cpu();
    for (size_t i = 0; i < sums.size(); ++i) sums[i] += host[int64_t(i)].item<double>();
    norm_acc_.zero_();
  }
  for (double s : sums) d.grad_norm.push_back(s / double(steps_));
  if (timed_) {
    d.forward_seconds = forward_;
    d.backward_seconds = backward_;
    d.optimizer_seconds = optimizer_;
  }
  std::fill(norm_sum_.begin(), norm_sum_.end(), 0.0);
  steps_ = 0;
  forward_ = backward_ = optimizer_ = 0;
  return d;
}

std::unique_ptr<StepEngine> make_engine(Engine engine, MLP& model, const TrainConfig& config,
                                        bool sparse_input) {
  if (engine == Engine::kAutograd) return make_autograd_engine(model, config);
  return make_fused_engine(model, config, sparse_input);
}

}  // namespace actbench
