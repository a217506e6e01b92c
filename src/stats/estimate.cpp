#include "stats/estimate.h"

#include <cmath>
#include <limits>

#include <boost/math/distributions/students_t.hpp>

namespace actbench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

double student_t_quantile(double p, double df) {
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

Estimate estimate(const std::vector<double>& values, double confidence) {
  Estimate e;
  e.n = int64_t(values.size());
  double sum = 0;
  for (double v : values) sum += v;
  e.mean = sum / double(e.n);
  if (e.n < 2) {
    e.std = e.half_width = kNaN;
    return e;
  }
  double ss = 0;
  for (double v : values) ss += (v - e.mean) * (v - e.mean);
  e.std = std::sqrt(ss / double(e.n - 1));
  e.half_width = student_t_quantile(1 - (1 - confidence) / 2, double(e.n - 1)) * e.std /
                 std::sqrt(double(e.n));
  return e;
}

Estimate mean_std(const std::vector<double>& values) {
  std::vector<double> finite;
  for (double v : values) {
    if (std::isfinite(v)) finite.push_back(v);
  }
  if (finite.empty()) return Estimate{0, kNaN, kNaN, kNaN};
  return estimate(finite);
}

}  // namespace actbench
