// Statistics over repeated seeds: mean, sample standard deviation and Student's t confidence
// intervals (quantiles from Boost.Math). Numbers only; summary.json is assembled in
// summary/summary.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace actbench {

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

// Mean and sample standard deviation of the finite values among `values` (NaN entries skipped);
// n = 0 when none is finite.
Estimate mean_std(const std::vector<double>& values);

}  // namespace actbench
