// Activation curves: each activation's value and first derivative (by autograd) on a grid, and
// how much of the grid it spends saturated. What `actbench curves` writes and the plots draw.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "activations/registry.h"

namespace actbench {

constexpr const char* kCurvesSchema = "actbench.curves/1";

// {"schema", "range": [lo, hi], "points", "x": [...], "activations": [{"name", "label",
// "params", "formula", "y", "dy", "max_derivative", "saturated_fraction"}]}, x evenly spaced
// from lo to hi inclusive. saturated_fraction: the share of the grid where |dy| is below 5% of
// the activation's largest |dy| on [-20, 20] (the definition the run diagnostics use).
nlohmann::json activation_curves(const std::vector<ActivationSpec>& specs, double lo, double hi,
                                 int64_t points);

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
