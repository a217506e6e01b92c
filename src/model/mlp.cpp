#include "model/mlp.h"

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
  for (size_t i = 0; i < options_.hidden().size(); ++i) {
    torch::nn::AnyModule act = make_activation(options_.activation(), options_.hidden()[i]);
    register_module("act" + std::to_string(i + 1), act.ptr());
    activations_.push_back(std::move(act));
  }
}

torch::Tensor MLPImpl::forward(torch::Tensor x) {
  for (size_t i = 0; i < activations_.size(); ++i) {
    x = activations_[i].forward(linears_[i]->forward(x));
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
