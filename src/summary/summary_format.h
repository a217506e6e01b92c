// How summary.json writes numbers and how its text shows them: estimates as JSON objects whose
// field names say what they are, and "mean ± spread" with ± the 95% interval's half-width or one
// standard deviation, as the `spread` setting says.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "config/choices.h"
#include "stats/estimate.h"

namespace actbench {

constexpr double kConfidence = 0.95;

// A number, or null when it is not finite (JSON has no NaN).
nlohmann::json finite_or_null(double v);

// {"n", "mean", "std", "ci95": [low, high], "ci95_half_width"}: null where undefined (n < 2).
nlohmann::json estimate_to_json(const Estimate& e);

std::string fixed(double v, int decimals);

// "p = 0.003", "p < 0.001", "p = n/a" (not finite).
std::string p_text(double p);

// The estimate field ± shows: "std" or "ci95_half_width".
const char* spread_field(Spread spread);

// The spread a summary.json was written with (its "spread"; ci95 when absent).
Spread summary_spread(const nlohmann::json& summary);

// "98.04 ± 0.21" (± as `spread` says), "98.04" without a spread (one value), "-" without a value.
std::string with_spread(const nlohmann::json& estimate, int decimals, Spread spread);

// What ± means, for headers and captions: "±95% CI" or "±SD".
std::string spread_label(Spread spread);

// The same, in words: "± is the half-width of the 95% confidence interval of the mean over seeds
// (Student's t)" or "± is one sample standard deviation over seeds".
std::string spread_sentence(Spread spread);

}  // namespace actbench
