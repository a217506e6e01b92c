// Activation curves: each activation's value and first derivative (by autograd) on a grid, and
// how much of the grid it spends saturated. What `actbench curves` writes and the plots draw.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "activations/registry.h"

namespace actbench {

constexpr const char* kCurvesSchema = "actbench.curves/1";

// A constant as training left it (summary.json's `learned`, last epoch, mean over seeds): `value`,
// the mean over a sweep's points and hidden layers; `layers`, per hidden layer the mean over the
// points that have it; `groups`, the points (summary groups) it is the mean of.
struct LearnedConstant {
  double value = 0;
  std::vector<double> layers;
  int64_t groups = 0;
};
// By the name summary.json's `learned` gives it: a formula's constant's, PReLU's `weight`.
using LearnedConstants = std::map<std::string, LearnedConstant>;

// {"schema", "range": [lo, hi], "points", "x": [...], "activations": [{"name", "label",
// "params", "formula", "y", "dy", "max_derivative", "saturated_fraction"}]}, x evenly spaced
// from lo to hi inclusive. saturated_fraction: the share of the grid where |dy| is below 5% of
// the activation's largest |dy| on [-20, 20] (the definition the run diagnostics use).
// `learned` (empty, or one per spec): each spec is drawn at its learned constants
// (spec_at_learned), and its entry records them as "learned": {NAME: {"value", "layers",
// "groups"}} (absent when none applies).
nlohmann::json activation_curves(const std::vector<ActivationSpec>& specs, double lo, double hi,
                                 int64_t points, const std::vector<LearnedConstants>& learned = {});

// `spec` with each of `learned` that it learns set as the constant's initial value (a formula's
// learnable constant NAME: params.params.NAME.init; PReLU's `weight`: params.init), resolved again
// as a config entry with the same label. `applied` (when given) gets the constants set; the others
// (a name the spec does not learn) are left out.
ActivationSpec spec_at_learned(const ActivationSpec& spec, const LearnedConstants& learned,
                               LearnedConstants* applied = nullptr);

// The grid `actbench curves` draws on.
struct CurveGrid {
  double lo = -6, hi = 6;
  int64_t points = 601;
};

// "LO:HI" (e.g. "-6:6") into `grid`; InputError unless LO < HI, both finite.
void parse_range(const std::string& text, CurveGrid& grid);

// InputError unless 2 <= points <= 1000000.
void check_points(int64_t points);

// One line per activation: value range, derivative at 0, largest |derivative|, saturated share.
void print_curves_table(std::ostream& out, const nlohmann::json& curves);

}  // namespace actbench
