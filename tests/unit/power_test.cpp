// The smallest detectable difference of a paired t-test (stats/paired.h: detectable_difference,
// seeds_to_detect) against its definition. Expected values marked "mpmath" were computed once with
// Python's mpmath at 30 digits (the noncentral t power through quadrature over the chi
// distribution) and hard-coded; the rest are checked against an integration written here.
#include <gtest/gtest.h>

#include <boost/math/distributions/non_central_t.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include "stats/paired.h"

namespace {

using actbench::detectable_difference;
using actbench::seeds_to_detect;

constexpr double kNaNArg = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfArg = std::numeric_limits<double>::infinity();

// Power of the two-sided one-sample t-test from its definition, without Boost's noncentral t:
// T = (Z + lambda) / S with S = sqrt(V / df), V ~ chi^2(df), so
// P(|T| > c) = E[Phi(lambda - c S) + Phi(-lambda - c S)], integrated over the density of
// u = sqrt(V) (chi with df degrees of freedom) by Simpson's rule on [0, 40].
double power_by_quadrature(double df, double lambda, double c) {
  const auto phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  const auto f = [&](double u) {
    if (u == 0) return 0.0;
    const double log_chi = std::log(2.0) + (df - 1) * std::log(u) - u * u / 2 -
                           (df / 2) * std::log(2.0) - std::lgamma(df / 2);
    const double s = u / std::sqrt(df);
    return std::exp(log_chi) * (phi(lambda - c * s) + phi(-lambda - c * s));
  };
  const int steps = 20000;
  const double h = 40.0 / steps;
  double sum = f(0) + f(40);
  for (int i = 1; i < steps; ++i) sum += f(i * h) * (i % 2 ? 4 : 2);
  return sum * h / 3;
}

double boost_power(int64_t n, double delta, double sd, double c) {
  const boost::math::non_central_t_distribution<double> t(double(n - 1),
                                                          delta * std::sqrt(double(n)) / sd);
  return boost::math::cdf(boost::math::complement(t, c)) + boost::math::cdf(t, -c);
}

TEST(Power, TenPairsKnownValue) {
  // n = 10, sd = 1, alpha 0.05, power 0.8: delta = 0.996001371455444 (mpmath: quadrature of the
  // noncentral t power, root found at 30 digits). t(0.975, 9) = 2.26215716279821 (tables: 2.262).
  const double delta = detectable_difference(10, 1.0);
  EXPECT_NEAR(delta, 0.996001371455444, 1e-9);
  const double c = 2.26215716279821;
  EXPECT_NEAR(boost_power(10, delta, 1.0, c), 0.8, 1e-6);
  EXPECT_NEAR(power_by_quadrature(9, delta * std::sqrt(10.0), c), 0.8, 1e-6);
  // The quadrature itself: level alpha at lambda = 0, and a true difference of one sd over 10
  // pairs is detected with power 0.803096856632722 (mpmath), so 10 seeds suffice for d_z = 1
  // and 9 do not (power 0.748017092229476).
  EXPECT_NEAR(power_by_quadrature(9, 0, c), 0.05, 1e-9);
  EXPECT_NEAR(power_by_quadrature(9, std::sqrt(10.0), c), 0.803096856632722, 1e-8);
  EXPECT_NEAR(boost_power(10, 1.0, 1.0, c), 0.803096856632722, 1e-8);
  EXPECT_EQ(seeds_to_detect(1.0, 1.0), 10);
  // Scales with sd.
  EXPECT_NEAR(detectable_difference(10, 0.02), 0.02 * 0.996001371455444, 1e-10);
}

TEST(Power, OtherKnownValues) {
  // mpmath, as above: n = 2 (1 df, t_crit 12.706), n = 30, and n = 5 at alpha 0.01, power 0.9.
  EXPECT_NEAR(detectable_difference(2, 1.0), 11.5498884358824, 1e-7);
  EXPECT_NEAR(detectable_difference(30, 1.0), 0.529235615112953, 1e-9);
  EXPECT_NEAR(detectable_difference(5, 1.0, 0.01, 0.9), 3.02707408921538, 1e-8);
  // The 30-pair value against the independent quadrature (t(0.975, 29) = 2.04522964213270).
  EXPECT_NEAR(
      power_by_quadrature(29, detectable_difference(30, 1.0) * std::sqrt(30.0), 2.04522964213270),
      0.8, 1e-6);
}

TEST(Power, MonotoneInNAlphaAndPower) {
  double previous = detectable_difference(2, 1.0);
  for (int64_t n = 3; n <= 300; ++n) {
    const double d = detectable_difference(n, 1.0);
    EXPECT_LT(d, previous) << "n = " << n;
    previous = d;
  }
  EXPECT_GT(detectable_difference(10, 1.0, 0.01), detectable_difference(10, 1.0, 0.05));
  EXPECT_GT(detectable_difference(10, 1.0, 0.05, 0.9), detectable_difference(10, 1.0, 0.05, 0.8));
}

TEST(Power, EdgeCases) {
  EXPECT_TRUE(std::isnan(detectable_difference(1, 1.0)));
  EXPECT_TRUE(std::isnan(detectable_difference(0, 1.0)));
  EXPECT_TRUE(std::isnan(detectable_difference(10, kNaNArg)));
  EXPECT_TRUE(std::isnan(detectable_difference(10, kInfArg)));
  EXPECT_TRUE(std::isnan(detectable_difference(10, -1.0)));
  EXPECT_TRUE(std::isnan(detectable_difference(10, 1.0, 0.0)));
  EXPECT_TRUE(std::isnan(detectable_difference(10, 1.0, 0.05, 1.0)));
  EXPECT_EQ(detectable_difference(10, 0.0), 0.0);
  EXPECT_EQ(detectable_difference(10, 1.0, 0.05, 0.05), 0.0);  // power <= alpha
}

TEST(Power, SeedsToDetectAgreesWithDetectableDifference) {
  for (const double diff : {0.05, 0.1, 0.25, 0.5, 0.9, 1.5, 3.0, 20.0}) {
    const int64_t n = seeds_to_detect(diff, 0.5);
    SCOPED_TRACE("difference " + std::to_string(diff));
    ASSERT_GE(n, 2);
    ASSERT_LE(n, 10000);
    EXPECT_LE(detectable_difference(n, 0.5), diff);
    if (n > 2) {
      EXPECT_GT(detectable_difference(n - 1, 0.5), diff);
    }
    EXPECT_EQ(seeds_to_detect(-diff, 0.5), n);
  }
  EXPECT_EQ(seeds_to_detect(20.0, 0.5), 2);  // 20 > 0.5 * 11.55
  EXPECT_EQ(seeds_to_detect(0.0, 0.5), 10001);
  EXPECT_EQ(seeds_to_detect(0.0, 0.5, 0.05, 0.8, 50), 51);
  EXPECT_EQ(seeds_to_detect(0.01, 1.0, 0.05, 0.8, 100), 101);  // needs ~ 80000
  EXPECT_EQ(seeds_to_detect(kNaNArg, 1.0), 10001);
  EXPECT_EQ(seeds_to_detect(1.0, kNaNArg), 10001);
  EXPECT_EQ(seeds_to_detect(1.0, 0.0), 2);
}

}  // namespace
