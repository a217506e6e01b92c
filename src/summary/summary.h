// summary.json (schema actbench.summary/2, docs/summary.schema.json): a sweep's statistics over
// seeds and everything a reader or the plot script needs to present them -- display names, styles
// and order of the activations, per-epoch means and standard deviations, the ranking table and
// the sentences that state the paired differences. Nothing downstream recomputes or rephrases it.
#pragma once

#include <map>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "plan/plan.h"

namespace actbench {

constexpr const char* kSummarySchema = "actbench.summary/3";

// From the plan and its finished runs' entries (by id): per group (activation and every swept key
// but train.seed) the estimates of final and best test accuracy, final test loss and seconds per
// epoch over its completed runs, per-epoch series, and the paired differences (same seeds) of
// each activation against `baseline` at the same point.
struct SummaryOptions {
  std::string baseline;  // an activation's label
  Spread spread = Spread::kCi95;
  // Adaptive seeds (seeds.until > 0): each difference says after how many seeds (from `min_seeds`)
  // its 95% interval was at most `until` points each side.
  double until = 0;
  int64_t min_seeds = 2;
};
Json build_summary(const Plan& plan, const std::map<std::string, Json>& entries,
                   const SummaryOptions& options);

// The swept keys that tell a summary's groups apart (every axis but train.seed).
std::vector<std::string> summary_keys(const Json& summary);

// The ranking table and the paired differences, as `run` and `merge` print them on stdout.
void print_summary(std::ostream& out, const Json& summary);

}  // namespace actbench
