#include "model/mlp.h"

#include <stdexcept>

#include <torch/nn/init.h>

namespace actbench {

MLPImpl::MLPImpl(const MLPOptions& options) : options_(options) {
  // All Linear layers are created before any activation so that, for a given seed, every
  // activation's network starts from the same initial weights (activations draw no random numbers
  // at construction, but keeping the order makes that independent of the activation).
  int64_t in = options_.in_features();
  std::vector<int64_t> widths = options_.hidden();
  widths.push_back(options_.out_features());
  for (size_t i = 0; i < widths.size(); ++i) {
    linears_.push_back(
        register_module("fc" + std::to_string(i + 1), torch::nn::Linear(in, widths[i])));
    in = widths[i];
  }
  init_linears();
  for (size_t i = 0; i < options_.hidden().size(); ++i) {
    torch::nn::AnyModule act = make_activation(options_.activation(), options_.hidden()[i]);
    register_module("act" + std::to_string(i + 1), act.ptr());
    activations_.push_back(std::move(act));
  }
}

void MLPImpl::init_linears() {
  const Init init = options_.init();
  if (init == Init::kDefault) return;  // torch::nn::Linear's own, done at construction
  torch::NoGradGuard no_grad;
  // He et al.'s gain sqrt(2 / (1 + a^2)), a the activation's negative slope (0 but for leaky ReLU).
  const double slope = activation_init_slope(options_.activation());
  for (auto& linear : linears_) {
    torch::Tensor& w = linear->weight;
    switch (init) {
      case Init::kKaimingNormal:
        torch::nn::init::kaiming_normal_(w, slope, torch::kFanIn, torch::kLeakyReLU);
        break;
      case Init::kKaimingUniform:
        torch::nn::init::kaiming_uniform_(w, slope, torch::kFanIn, torch::kLeakyReLU);
        break;
      case Init::kXavierNormal:
        torch::nn::init::xavier_normal_(w);
        break;
      case Init::kXavierUniform:
        torch::nn::init::xavier_uniform_(w);
        break;
      case Init::kOrthogonal:
        torch::nn::init::orthogonal_(w);
        break;
      case Init::kDefault:
        break;
    }
    torch::nn::init::zeros_(linear->bias);
  }
}

torch::Tensor MLPImpl::forward_observed(torch::Tensor x, const LayerObserver& observe,
                                        const torch::Tensor& z0) {
  if (z0.defined() && activations_.empty()) return z0;
  for (size_t i = 0; i < activations_.size(); ++i) {
    torch::Tensor z = i == 0 && z0.defined() ? z0 : linears_[i]->forward(x);
    x = activate(i, z);
    if (observe) observe(i, z, x);
  }
  return linears_.back()->forward(x);
}

int64_t count_parameters(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) {
    if (p.requires_grad()) n += p.numel();
  }
  return n;
}

}  // namespace actbench
