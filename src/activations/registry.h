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

namespace actbench {

using Json = nlohmann::json;

// An activation as a config names it, after resolution: canonical name, a label for tables and
// plots, and every parameter (defaults filled in).
struct ActivationSpec {
  std::string name;
  std::string label;
  Json params = Json::object();
  // A formula's expression as the config wrote it, for people (`list activations CONFIG`); its
  // normalised text in params is what identifies runs. Empty for other activations.
  std::string written;
};

enum class ParamKind { kNumber, kInteger, kBoolean, kString };

struct ParamInfo {
  std::string name;
  ParamKind kind;
  Json default_value;
  std::string help;
  std::optional<double> min;  // inclusive bounds for numbers
  std::optional<double> max;
  std::vector<std::string> choices;  // for strings
};

// How plots and summaries draw an activation: the same in every figure (scripts/plot_results.py
// keeps the same table).
struct ActivationStyle {
  std::string color;
  nlohmann::json dash;  // "solid"|"dashed"|"dashdot"|"dotted" or a JSON array of numbers
                        // (matplotlib dash pattern)
  std::string marker;
};

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

// Resolves one `activations:` entry (a name string, or an object with `name`, optional `label`
// and parameters). `where` names the entry in errors, e.g. "configs/x.yaml: activations[2]".
// Throws InputError listing what is valid.
ActivationSpec resolve_activation(const Json& entry, const std::string& where);

// The spec written back as a config entry: {name, label, params...}.
Json activation_to_json(const ActivationSpec& spec);

// The entry of a resolved spec. Throws InputError for an unknown name.
const ActivationInfo& activation_info(const ActivationSpec& spec);

// A fresh module for one hidden layer (learnable activations get their own weights per layer).
torch::nn::AnyModule make_activation(const ActivationSpec& spec, int64_t width);

// The generator a module from make_activation draws from while training on the CPU (RReLU's
// random slopes), or nullptr: a checkpoint saves and restores its state.
at::Generator* activation_generator(torch::nn::AnyModule& module);

// The spec's formula in words: the entry's, or a formula activation's own expression.
std::string activation_formula(const ActivationSpec& spec);

// The entry's init_slope for the spec's parameters (0 when the entry has none).
double activation_init_slope(const ActivationSpec& spec);

// The entry's style when the label is the entry's default one. Any other label (custom, or naming
// non-default parameters) keeps the entry's marker but takes a colour and a dash pattern chosen by
// a stable hash of the label, from colours and patterns no entry uses.
ActivationStyle activation_style(const ActivationSpec& spec);

// The style of the index-th registry entry, for any index: the named colour-blind-safe palettes
// first, then generated colours; every entry's (colour, dash, marker) differs from the others'.
ActivationStyle palette_style(size_t index);

// The spec's place in display order: its entry's index in the registry (the tutorial's four
// first); unknown names sort last.
size_t activation_order(const ActivationSpec& spec);

}  // namespace actbench
