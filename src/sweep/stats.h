// Statistics over repeated seeds: mean, sample standard deviation and Student's t confidence
// intervals (quantiles from Boost.Math), and a sweep's summary built from its runs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace actbench {

constexpr const char* kSummarySchema = "actbench.summary/1";

struct Estimate {
  int64_t n = 0;
  double mean = 0;
  double std = 0;  // sample standard deviation (n - 1); NaN when n < 2
  double half_width =
      0;  // of the confidence interval: t(1 - (1 - c) / 2, n - 1) * std / sqrt(n); NaN when n < 2
  double low() const { return mean - half_width; }
  double high() const { return mean + half_width; }
};

// The p-quantile of Student's t distribution with `df` degrees of freedom (Boost.Math).
double student_t_quantile(double p, double df);

// Mean, std and the `confidence` interval of `values` (which must not be empty).
Estimate estimate(const std::vector<double>& values, double confidence = 0.95);

// {"n", "mean", "std", "ci95": [low, high], "half_width"} (nulls where undefined).
nlohmann::json estimate_to_json(const Estimate& e);

// summary.json's contents from plan.json's contents and the finished runs' entries (by id):
// per group (activation and every swept key but train.seed) the estimates of final and best
// test accuracy, final test loss and seconds per epoch over its completed runs, and the paired
// differences (same seeds) of each activation against `baseline` at the same point.
nlohmann::json build_summary(const nlohmann::json& plan,
                             const std::map<std::string, nlohmann::json>& entries,
                             const std::string& baseline);

}  // namespace actbench
