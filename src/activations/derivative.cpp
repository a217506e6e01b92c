#include "activations/derivative.h"

#include <vector>

#include <torch/autograd.h>

namespace actbench {

std::pair<torch::Tensor, torch::Tensor> activation_with_derivative(torch::nn::AnyModule& act,
                                                                   const torch::Tensor& z) {
  torch::AutoGradMode grad_mode(true);
  torch::Tensor leaf = z.detach().requires_grad_(true);
  torch::Tensor h = act.forward(leaf);
  torch::Tensor d = torch::autograd::grad({h}, {leaf}, {torch::ones_like(h)})[0];
  return {h.detach(), d};
}

double max_abs_derivative(torch::nn::AnyModule& act, int64_t width) {
  torch::NoGradGuard no_grad;
  const std::vector<torch::Tensor> params = act.ptr()->parameters();
  const auto opts = torch::TensorOptions().device(params.empty() ? torch::Device(torch::kCPU)
                                                                 : params[0].device());
  // Only learnable activations (PReLU per unit) care about the width.
  if (params.empty()) width = 1;
  torch::Tensor z = torch::linspace(-20.0, 20.0, 4001, opts).unsqueeze(1).expand({4001, width});
  return activation_with_derivative(act, z.contiguous()).second.abs().max().item<double>();
}

}  // namespace actbench
