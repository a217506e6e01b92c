// What the rest of actbench knows of an activation without LibTorch: the resolved spec a config
// names, its parameters' descriptions, how figures draw it and where it sorts. The registry
// (registry.h: the modules, the backward kernels) is built on it; the config, the plan, the
// results and the summary need only this.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

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

// Resolves one `activations:` entry (a name string, or an object with `name`, optional `label`
// and parameters). `where` names the entry in errors, e.g. "configs/x.yaml: activations[2]".
// Throws InputError listing what is valid.
ActivationSpec resolve_activation(const Json& entry, const std::string& where);

// The spec written back as a config entry: {name, label, params...}.
Json activation_to_json(const ActivationSpec& spec);

// The display name (the tutorial's / PyTorch's spelling) of the entry a name or alias finds, or
// "" if none does.
std::string activation_display_name(const std::string& name);

// The spec's formula in words: the entry's, or a formula activation's own expression.
std::string activation_formula(const ActivationSpec& spec);

// The entry's init_slope for the spec's parameters (0 when the entry has none).
double activation_init_slope(const ActivationSpec& spec);

// The entry's style when the label is the entry's default one. Any other label (custom, or naming
// non-default parameters) keeps the entry's marker (a formula: a hashed one) but takes a colour and
// a dash pattern chosen by a stable hash of the label, from colours and patterns no entry uses.
ActivationStyle activation_style(const ActivationSpec& spec);

// The styles of one figure's activations (summary.json's `activations`), in order: the registry's
// default labels keep their entry's style; every other label takes its hashed style, or -- where
// a label before it in the list has a colour near it (CIE76 Delta E < 12, while hashed colours far
// from all are left) or that dash and marker -- the next hashed style that is free, so no two
// lines of a figure look alike.
std::vector<ActivationStyle> distinct_styles(const std::vector<ActivationSpec>& specs);

// CIE76 Delta E between two "#rrggbb" colours (sRGB, D65; CIELAB distance): 100 between black
// and white, below 12 two thin lines read as one colour.
double colour_difference(const std::string& a, const std::string& b);

// The CIELAB coordinates (L*, a*, b*) of "#rrggbb".
std::array<double, 3> cielab(const std::string& hex);

// The style of the index-th registry entry, for any index: the named colour-blind-safe palettes
// first, then generated colours; every entry's (colour, dash, marker) differs from the others'.
ActivationStyle palette_style(size_t index);

// The spec's place in display order: its entry's index in the registry (the tutorial's four
// first); unknown names sort last.
size_t activation_order(const ActivationSpec& spec);

}  // namespace actbench
