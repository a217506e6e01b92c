// The activation registry: every elementwise activation LibTorch offers, described by plain data
// (name, parameters with defaults) and built by one factory per entry. Everything else that depends
// on which activation it is (the fused engine's backward kernel, the slope for initialisation
// gains, the display order and style) lives in the entry too, so a new activation is one entry in
// registry.cpp and nothing outside src/activations/ tests activation names.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/nn/modules/container/any.h>
#include <nlohmann/json.hpp>

#include "activations/spec.h"

namespace actbench {

// d loss / d z of one hidden layer from d loss / d h, its pre-activation z and output h.
using BackwardKernel =
    std::function<torch::Tensor(const torch::Tensor& grad_out, const torch::Tensor& z,
                                const torch::Tensor& h, const Json& params)>;

struct ActivationInfo {
  std::string name;                  // canonical snake_case name used in configs and JSON
  std::string display;               // the tutorial's / PyTorch's spelling, the default label
  std::vector<std::string> aliases;  // other accepted names
  std::string formula;               // one line for `actbench list activations`
  std::vector<ParamInfo> params;
  bool learnable = false;  // has trainable parameters of its own
  // Checks relations between parameters (e.g. min < max); returns an error message or "".
  std::function<std::string(const Json& params)> check;
  // Resolves an entry whose parameters are not a flat list of ParamInfo (the formula: an
  // expression and its constants): returns the spec's params; InputError names what is wrong.
  // Empty: `params` are checked one by one.
  std::function<Json(const Json& given, const std::string& where)> resolve;
  // Builds one module instance for a hidden layer of `width` units.
  std::function<torch::nn::AnyModule(const Json& params, int64_t width)> make;
  // The fused engine's backward: LibTorch's own derivative kernel, the one autograd calls. Empty:
  // the engine differentiates the module by local autograd (needed for learnable ones).
  BackwardKernel backward;
  // The negative slope `a` in Kaiming's gain sqrt(2 / (1 + a^2)). Empty: 0 (the ReLU gain).
  std::function<double(const Json& params)> init_slope;
  // Colour, dash and marker of the default label. Display order is registry order.
  ActivationStyle style;
};

const std::vector<ActivationInfo>& activation_registry();

// Finds an entry by canonical name or alias, ignoring case, '_' and '-'. nullptr if none.
const ActivationInfo* find_activation(const std::string& name);

// The entry of a resolved spec. Throws InputError for an unknown name.
const ActivationInfo& activation_info(const ActivationSpec& spec);

// A fresh module for one hidden layer (learnable activations get their own weights per layer).
torch::nn::AnyModule make_activation(const ActivationSpec& spec, int64_t width);

// The generator a module from make_activation draws from while training on the CPU (RReLU's
// random slopes), or nullptr: a checkpoint saves and restores its state.
at::Generator* activation_generator(torch::nn::AnyModule& module);

}  // namespace actbench
