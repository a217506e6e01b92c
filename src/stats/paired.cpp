#include "stats/paired.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>

#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/tools/toms748_solve.hpp>

namespace actbench {
namespace {

// Not kNaN: a unity build compiles this file together with estimate.cpp, which has one.
constexpr double kPairedNaN = std::numeric_limits<double>::quiet_NaN();

// Up to this many non-zero differences the Wilcoxon p-value is exact: the 2^n sign assignments
// are counted exactly in uint64_t (2^50 is far below 2^64), and the table stays small (doubled
// rank sums up to 2550).
constexpr int64_t kWilcoxonExactMax = 50;

bool all_finite(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

// Mean and sample standard deviation (n - 1); the sd is exactly 0 when all values are equal
// (checked directly: rounding in the mean could leave a tiny non-zero spread).
std::pair<double, double> mean_sd(const std::vector<double>& values) {
  const double n = double(values.size());
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  if (std::all_of(values.begin(), values.end(), [&](double v) { return v == values[0]; })) {
    return {values[0], 0.0};
  }
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return {mean, std::sqrt(ss / (n - 1))};
}

// Power of the two-sided one-sample t-test with `df` degrees of freedom and critical value
// t_crit when the statistic is noncentral t with noncentrality `lambda`: both tails count.
double two_sided_power(double df, double t_crit, double lambda) {
  const boost::math::non_central_t_distribution<double> t(df, lambda);
  return boost::math::cdf(boost::math::complement(t, t_crit)) + boost::math::cdf(t, -t_crit);
}

}  // namespace

double paired_t_p_value(const std::vector<double>& differences) {
  if (differences.size() < 2 || !all_finite(differences)) return kPairedNaN;
  const auto [mean, sd] = mean_sd(differences);
  // sd = 0: t = mean / 0 is infinite, or 0 / 0 when there is no difference at all.
  if (sd == 0) return mean == 0 ? 1.0 : 0.0;
  const double n = double(differences.size());
  const double t = mean / (sd / std::sqrt(n));
  if (!std::isfinite(t)) return 0.0;
  const boost::math::students_t_distribution<double> dist(n - 1);
  return std::min(1.0, 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(t))));
}

WilcoxonResult wilcoxon_signed_rank(const std::vector<double>& differences) {
  WilcoxonResult r;
  if (std::any_of(differences.begin(), differences.end(), [](double d) { return std::isnan(d); })) {
    r.w_plus = r.w_minus = r.p_value = kPairedNaN;
    r.exact = false;
    return r;
  }
  std::vector<double> magnitude;  // |d| of the non-zero differences
  std::vector<bool> positive;
  for (double v : differences) {
    if (v == 0) continue;
    magnitude.push_back(std::fabs(v));
    positive.push_back(v > 0);
  }
  const size_t n = magnitude.size();
  r.n_used = int64_t(n);
  if (n == 0) return r;  // nothing to test: W+ = W- = 0, p = 1

  // Ranks of |d|, ties averaged. Ranks are kept doubled: an average rank is a multiple of 1/2,
  // so doubled ranks are integers and the exact distribution can be tabulated by integer sums.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return magnitude[a] < magnitude[b]; });
  std::vector<int64_t> rank2(n);
  double tie_term = 0;  // sum over tie groups of t^3 - t (for the normal approximation)
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && magnitude[order[j]] == magnitude[order[i]]) ++j;
    // Positions i..j-1 (0-based) share ranks i+1..j, whose average doubled is i + 1 + j.
    for (size_t k = i; k < j; ++k) rank2[order[k]] = int64_t(i + 1 + j);
    const double t = double(j - i);
    tie_term += t * t * t - t;
    i = j;
  }
  int64_t w_plus2 = 0;
  for (size_t i = 0; i < n; ++i) {
    if (positive[i]) w_plus2 += rank2[i];
  }
  const int64_t total2 = int64_t(n * (n + 1));  // sum of the doubled ranks
  r.w_plus = double(w_plus2) / 2;
  r.w_minus = double(total2 - w_plus2) / 2;

  if (r.n_used <= kWilcoxonExactMax) {
    // Under H0 each sign is + or - with probability 1/2 independently, so W+ (doubled) is the sum
    // of a random subset of the doubled ranks: count[s] = number of subsets summing to s
    // (subset-sum dynamic programming, ranks one at a time). Counts reach at most 2^50.
    std::vector<uint64_t> count(size_t(total2 + 1), 0);
    count[0] = 1;
    int64_t reach = 0;
    for (size_t i = 0; i < n; ++i) {
      const int64_t r2 = rank2[i];
      for (int64_t s = reach; s >= 0; --s) count[size_t(s + r2)] += count[size_t(s)];
      reach += r2;
    }
    uint64_t lower = 0, upper = 0;  // assignments with W+ <= w and with W+ >= w
    for (int64_t s = 0; s <= total2; ++s) {
      if (s <= w_plus2) lower += count[size_t(s)];
      if (s >= w_plus2) upper += count[size_t(s)];
    }
    const long double all = std::ldexp(1.0L, int(n));
    const long double p = 2 * (long double)(std::min(lower, upper)) / all;
    r.p_value = double(std::min(1.0L, p));
    r.exact = true;
    return r;
  }

  // Normal approximation: E[W+] = n(n+1)/4, Var[W+] = n(n+1)(2n+1)/24 - sum(t^3 - t)/48 (ties
  // shrink the variance), and W+ moved 1/2 towards the mean for continuity, as R's wilcox.test
  // and SciPy do (both W+ and its mean are multiples of 1/2, so it never moves past the mean).
  const double nn = double(n);
  const double mean = nn * (nn + 1) / 4;
  const double var = nn * (nn + 1) * (2 * nn + 1) / 24 - tie_term / 48;
  const double z = std::max(0.0, std::fabs(r.w_plus - mean) - 0.5) / std::sqrt(var);
  r.p_value = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  r.exact = false;
  return r;
}

std::vector<double> holm_adjust(const std::vector<double>& p_values) {
  std::vector<double> adjusted(p_values.size(), kPairedNaN);
  std::vector<size_t> order;
  for (size_t i = 0; i < p_values.size(); ++i) {
    if (!std::isnan(p_values[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return p_values[a] < p_values[b]; });
  const double m = double(order.size());
  // The running maximum keeps the adjusted values monotone in p: a hypothesis is rejected only
  // when every one with a smaller p is, which is what the step-down procedure decides.
  double running = 0;
  for (size_t j = 0; j < order.size(); ++j) {
    running = std::max(running, std::min(1.0, (m - double(j)) * p_values[order[j]]));
    adjusted[order[j]] = running;
  }
  return adjusted;
}

double cohens_dz(const std::vector<double>& differences) {
  if (differences.size() < 2 || !all_finite(differences)) return kPairedNaN;
  const auto [mean, sd] = mean_sd(differences);
  return sd == 0 ? kPairedNaN : mean / sd;
}

double detectable_difference(int64_t n, double sd, double alpha, double power) {
  if (n < 2 || !std::isfinite(sd) || sd < 0 || !(alpha > 0 && alpha < 1) ||
      !(power > 0 && power < 1)) {
    return kPairedNaN;
  }
  if (sd == 0 || power <= alpha) return 0.0;
  const double df = double(n - 1);
  try {
    const double t_crit = boost::math::quantile(
        boost::math::complement(boost::math::students_t_distribution<double>(df), alpha / 2));
    // Solve for the noncentrality lambda = delta sqrt(n) / sd: the power rises from alpha at
    // lambda = 0 towards 1, so double an upper end until it brackets the target, then TOMS 748.
    const auto shortfall = [&](double lambda) {
      return two_sided_power(df, t_crit, lambda) - power;
    };
    double lo = 0, hi = 1;
    double f_lo = alpha - power, f_hi = shortfall(hi);
    while (f_hi < 0) {
      lo = hi;
      f_lo = f_hi;
      hi *= 2;
      if (hi > 1e12) return kPairedNaN;  // not reached for any sensible alpha and power
      f_hi = shortfall(hi);
    }
    std::uintmax_t max_iter = 200;
    const auto root = boost::math::tools::toms748_solve(
        shortfall, lo, hi, f_lo, f_hi,
        boost::math::tools::eps_tolerance<double>(std::numeric_limits<double>::digits - 4),
        max_iter);
    const double lambda = (root.first + root.second) / 2;
    return lambda * sd / std::sqrt(double(n));
  } catch (const std::exception&) {
    return kPairedNaN;  // a Boost.Math evaluation error (extreme arguments)
  }
}

int64_t seeds_to_detect(double difference, double sd, double alpha, double power, int64_t max_n) {
  const double target = std::fabs(difference);
  const int64_t none = max_n + 1;
  if (!(target > 0) || max_n < 2) return none;
  const auto detects = [&](int64_t n) {
    return detectable_difference(n, sd, alpha, power) <= target;  // false for NaN
  };
  // The detectable difference shrinks as n grows: gallop to an n that detects, then bisect
  // between the last n that does not (lo) and the first that does (hi).
  if (detects(2)) return 2;
  int64_t lo = 2, hi = 4;
  while (hi < max_n && !detects(hi)) {
    lo = hi;
    hi *= 2;
  }
  if (hi >= max_n) {
    hi = max_n;
    if (!detects(hi)) return none;
  }
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (detects(mid) ? hi : lo) = mid;
  }
  return hi;
}

}  // namespace actbench
