// Model stage: a multilayer perceptron with a pluggable activation, one instance per hidden layer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "activations/registry.h"
#include "config/choices.h"

namespace actbench {

struct MLPOptions {
  MLPOptions(int64_t in_features, std::vector<int64_t> hidden, int64_t out_features,
             ActivationSpec activation)
      : in_features_(in_features),
        hidden_(std::move(hidden)),
        out_features_(out_features),
        activation_(std::move(activation)) {}
  TORCH_ARG(int64_t, in_features);
  TORCH_ARG(std::vector<int64_t>, hidden);
  TORCH_ARG(int64_t, out_features);
  TORCH_ARG(ActivationSpec, activation);
  // How the Linear layers are initialised (see ModelConfig::init).
  TORCH_ARG(Init, init) = Init::kDefault;
};

// Sees hidden layer `layer`'s pre-activation z and output h on their way through the network.
using LayerObserver =
    std::function<void(size_t layer, const torch::Tensor& z, const torch::Tensor& h)>;

// Linear(in, h1) -> act -> Linear(h1, h2) -> act -> ... -> Linear(hk, out); returns logits.
// forward_observed is the one definition of that sequence: the autograd engine and the evaluation
// (with its per-layer diagnostics) both run it; the fused engine (train/fused_engine.cpp), the fast
// path, takes its layers from linears() and applies the activations with activate().
class MLPImpl : public torch::nn::Module {
 public:
  explicit MLPImpl(const MLPOptions& options);

  torch::Tensor forward(torch::Tensor x) { return forward_observed(std::move(x), nullptr); }
  // The same forward pass, reporting every hidden layer to `observe` (when set). With `z0`, the
  // first layer's output computed elsewhere (x unused): the pass goes on from there.
  torch::Tensor forward_observed(torch::Tensor x, const LayerObserver& observe,
                                 const torch::Tensor& z0 = {});
  // Hidden layer i's activation applied to its pre-activation z.
  torch::Tensor activate(size_t i, const torch::Tensor& z) { return activations_[i].forward(z); }

  const MLPOptions& options() const { return options_; }
  const std::vector<torch::nn::Linear>& linears() const { return linears_; }
  const std::vector<torch::nn::AnyModule>& activations() const { return activations_; }
  std::vector<torch::nn::AnyModule>& activations() { return activations_; }

 private:
  // Applies options().init to the Linear layers (before any activation is built, so that every
  // activation's network starts from the same weights for a given seed).
  void init_linears();

  MLPOptions options_;
  std::vector<torch::nn::Linear> linears_;
  std::vector<torch::nn::AnyModule> activations_;
};
TORCH_MODULE(MLP);

// Number of trainable scalars (weights, biases and learnable activation parameters).
int64_t count_parameters(const torch::nn::Module& module);

}  // namespace actbench
