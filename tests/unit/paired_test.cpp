// Paired comparisons (stats/paired.h): paired t, Wilcoxon signed-rank, Holm and Cohen's d_z (the
// smallest detectable difference: power_test.cpp). Every expected value comes from outside the code
// under test: a published worked example, a hand computation, a brute force written here, or
// (marked "mpmath") a 30-40 digit computation with Python's mpmath from the textbook definitions (t
// tail through the regularised incomplete beta function; the noncentral t power through quadrature
// over the chi distribution), done once while writing these tests and hard-coded.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "stats/paired.h"

namespace {

using actbench::cohens_dz;
using actbench::holm_adjust;
using actbench::paired_t_p_value;
using actbench::wilcoxon_signed_rank;
using actbench::WilcoxonResult;

constexpr double kTestNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kTestInf = std::numeric_limits<double>::infinity();
const double kPi = std::acos(-1.0);

std::vector<double> negated(std::vector<double> v) {
  for (double& x : v) x = -x;
  return v;
}

// ---- paired t ----

TEST(Paired, TTestFourDifferencesByHand) {
  // d = {1, 2, 3, 4}: mean 2.5, sd sqrt(5/3) = 1.29099, t = 2.5 / (1.29099 / 2) = sqrt(15)
  // = 3.87298, df = 3. Student's t with 3 df has a closed-form cdf:
  // F(t) = 1/2 + (t / (sqrt(3) (1 + t^2/3)) + atan(t / sqrt(3))) / pi, so
  // p = 2 (1 - F(t)) = 0.0304662916621710 (mpmath agrees to 40 digits).
  const double t = std::sqrt(15.0);
  const double closed_form =
      1 - 2 * (t / (std::sqrt(3.0) * (1 + t * t / 3)) + std::atan(t / std::sqrt(3.0))) / kPi;
  EXPECT_NEAR(closed_form, 0.0304662916621710, 1e-15);
  EXPECT_NEAR(paired_t_p_value({1, 2, 3, 4}), 0.0304662916621710, 1e-12);
  // Two-sided: the sign of the differences does not matter (a one-sided p would be 0.0152 here,
  // or 0.985 for the negated differences).
  EXPECT_NEAR(paired_t_p_value({-1, -2, -3, -4}), 0.0304662916621710, 1e-12);
  EXPECT_NEAR(paired_t_p_value({4, 1, 3, 2}), 0.0304662916621710, 1e-12);
}

TEST(Paired, TTestStudentSleepData) {
  // Student (1908) / Cushny & Peebles: extra hours of sleep under two drugs, 10 patients. R's
  // documented example t.test(extra ~ group, data = sleep, paired = TRUE) prints t = -4.0621,
  // df = 9, p-value = 0.002833; mpmath: p = 0.00283289019738427.
  const std::vector<double> d = {-1.2, -2.4, -1.3, -1.3, 0.0, -1.0, -1.8, -0.8, -4.6, -1.4};
  EXPECT_NEAR(paired_t_p_value(d), 0.00283289019738427, 1e-12);
  EXPECT_NEAR(paired_t_p_value(d), 0.002833, 5e-7);
  EXPECT_NEAR(paired_t_p_value(negated(d)), 0.00283289019738427, 1e-12);
}

TEST(Paired, TTestTwoDifferences) {
  // d = {1, 3}: mean 2, sd sqrt(2), t = 2 / (sqrt(2) / sqrt(2)) = 2 with 1 df, which is the
  // Cauchy distribution: p = 2 P(T > 2) = 1 - 2 atan(2) / pi = 0.295167235300867.
  EXPECT_NEAR(paired_t_p_value({1, 3}), 1 - 2 * std::atan(2.0) / kPi, 1e-13);
  EXPECT_NEAR(paired_t_p_value({1, 3}), 0.295167235300867, 1e-13);
  // d = {-1, 1}: mean 0, t = 0: p = 1.
  EXPECT_NEAR(paired_t_p_value({-1, 1}), 1.0, 1e-15);
}

TEST(Paired, TTestDegenerateInputs) {
  EXPECT_TRUE(std::isnan(paired_t_p_value({})));
  EXPECT_TRUE(std::isnan(paired_t_p_value({0.5})));
  // sd = 0: every seed moved by the same non-zero amount (t infinite) or by nothing at all.
  EXPECT_EQ(paired_t_p_value({0.1, 0.1, 0.1}), 0.0);
  EXPECT_EQ(paired_t_p_value({-2, -2}), 0.0);
  EXPECT_EQ(paired_t_p_value({0, 0, 0}), 1.0);
  EXPECT_TRUE(std::isnan(paired_t_p_value({1, kTestNaN, 2})));
  EXPECT_TRUE(std::isnan(paired_t_p_value({1, kTestInf, 2})));
}

// ---- Wilcoxon signed-rank ----

// An independent reference: ranks by counting (rank = #{|y| < |x|} + (#{|y| = |x|} + 1) / 2,
// which averages ties), then every one of the 2^n sign patterns enumerated. O(2^n n).
struct BruteWilcoxon {
  double w_plus = 0;
  int64_t n = 0;
  double p = 1;
};

BruteWilcoxon brute_force_wilcoxon(const std::vector<double>& differences) {
  std::vector<double> d;
  for (double x : differences) {
    if (x != 0) d.push_back(x);
  }
  BruteWilcoxon b;
  b.n = int64_t(d.size());
  std::vector<double> rank(d.size());
  for (size_t i = 0; i < d.size(); ++i) {
    double less = 0, equal = 0;
    for (double y : d) {
      less += std::fabs(y) < std::fabs(d[i]);
      equal += std::fabs(y) == std::fabs(d[i]);
    }
    rank[i] = less + (equal + 1) / 2;
    if (d[i] > 0) b.w_plus += rank[i];
  }
  double at_most = 0, at_least = 0;
  for (uint64_t mask = 0; mask < (uint64_t(1) << d.size()); ++mask) {
    double w = 0;  // sums of halves: exact in double
    for (size_t i = 0; i < d.size(); ++i) {
      if (mask >> i & 1) w += rank[i];
    }
    at_most += w <= b.w_plus;
    at_least += w >= b.w_plus;
  }
  b.p = std::min(1.0, 2 * std::min(at_most, at_least) / std::ldexp(1.0, int(d.size())));
  return b;
}

TEST(Paired, WilcoxonWikipediaExampleWithZeroAndTies) {
  // Wikipedia, "Wilcoxon signed-rank test", example: 10 pairs x2 = 125 115 130 140 140 115 140
  // 125 140 135, x1 = 110 122 125 120 140 124 123 137 135 145; differences x2 - x1 below. The
  // zero (pair 5) is dropped: N_r = 9, and the signed-rank sum W = W+ - W- = 9 (not significant).
  // By hand: |d| sorted 5 5 7 9 10 12 15 17 20, ranks 1.5 1.5 3 4 5 6 7 8 9;
  // W+ = 1.5 + 1.5 + 7 + 8 + 9 = 27 (d = 5, 5, 15, 17, 20), W- = 3 + 4 + 5 + 6 = 18.
  // Exact p (brute force over 512 sign patterns): P(W+ >= 27) = 162/512, p = 324/512 = 0.6328125.
  const std::vector<double> d = {15, -7, 5, 20, 0, -9, 17, -12, 5, -10};
  const WilcoxonResult r = wilcoxon_signed_rank(d);
  EXPECT_EQ(r.n_used, 9);
  EXPECT_DOUBLE_EQ(r.w_plus, 27);
  EXPECT_DOUBLE_EQ(r.w_minus, 18);
  EXPECT_DOUBLE_EQ(r.w_plus - r.w_minus, 9);
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.p_value, 0.6328125);
  EXPECT_DOUBLE_EQ(brute_force_wilcoxon(d).p, 0.6328125);
}

TEST(Paired, WilcoxonDarwinZeaMaysFromScipyDocs) {
  // Darwin's cross- vs self-fertilised Zea mays, 15 height differences (eighths of an inch), as
  // in Fisher's The Design of Experiments and SciPy's scipy.stats.wilcoxon documentation, which
  // gives statistic 24.0 (= min(W+, W-) = W-: the ranks of 48 and 67 are 10 and 14) and exact
  // p-value 0.041259765625 (= 1352 / 32768).
  const std::vector<double> d = {6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75};
  const WilcoxonResult r = wilcoxon_signed_rank(d);
  EXPECT_EQ(r.n_used, 15);
  EXPECT_DOUBLE_EQ(r.w_minus, 24);
  EXPECT_DOUBLE_EQ(r.w_plus, 96);
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.p_value, 0.041259765625);  // one-sided would be 0.0206298828125
  EXPECT_DOUBLE_EQ(brute_force_wilcoxon(d).p, 0.041259765625);
  const WilcoxonResult flipped = wilcoxon_signed_rank(negated(d));
  EXPECT_DOUBLE_EQ(flipped.w_plus, 24);
  EXPECT_DOUBLE_EQ(flipped.p_value, 0.041259765625);
}

TEST(Paired, WilcoxonCriticalValueForTenPairs) {
  // n = 10, W- = 1 + 2 + 5 = 8: the two-sided 5% critical value in the usual tables. By hand, the
  // subsets of {1..10} with sum <= 8 number 1+1+1+2+2+3+4+5+6 = 25 (sums 0..8), so
  // P(W- <= 8) = 25/1024 and p = 50/1024 = 0.048828125.
  const WilcoxonResult r = wilcoxon_signed_rank({-1, -2, 3, 4, -5, 6, 7, 8, 9, 10});
  EXPECT_DOUBLE_EQ(r.w_minus, 8);
  EXPECT_DOUBLE_EQ(r.w_plus, 47);
  EXPECT_DOUBLE_EQ(r.p_value, 0.048828125);
}

TEST(Paired, WilcoxonSleepDataAllOneSign) {
  // Student's sleep differences: one zero, ties (-1.3 twice), the other 9 all negative. W+ = 0
  // is reached by one sign pattern only, whatever the ties: p = 2 / 2^9 = 0.00390625.
  const WilcoxonResult r =
      wilcoxon_signed_rank({-1.2, -2.4, -1.3, -1.3, 0.0, -1.0, -1.8, -0.8, -4.6, -1.4});
  EXPECT_EQ(r.n_used, 9);
  EXPECT_DOUBLE_EQ(r.w_plus, 0);
  EXPECT_DOUBLE_EQ(r.w_minus, 45);
  EXPECT_DOUBLE_EQ(r.p_value, 0.00390625);
}

TEST(Paired, WilcoxonTwoDifferences) {
  // n = 2, ranks 1 and 2: W+ takes 0, 1, 2, 3 with probability 1/4 each.
  WilcoxonResult r = wilcoxon_signed_rank({1, 2});  // W+ = 3: p = 2 * 1/4
  EXPECT_DOUBLE_EQ(r.w_plus, 3);
  EXPECT_DOUBLE_EQ(r.p_value, 0.5);
  r = wilcoxon_signed_rank({1, -2});  // W+ = 1: 2 min(2/4, 3/4) = 1
  EXPECT_DOUBLE_EQ(r.w_plus, 1);
  EXPECT_DOUBLE_EQ(r.p_value, 1.0);
  // Tied: ranks 1.5 and 1.5, W+ in {0, 1.5, 1.5, 3}.
  r = wilcoxon_signed_rank({1, -1});
  EXPECT_DOUBLE_EQ(r.w_plus, 1.5);
  EXPECT_DOUBLE_EQ(r.p_value, 1.0);
  r = wilcoxon_signed_rank({-3, -3});
  EXPECT_DOUBLE_EQ(r.w_plus, 0);
  EXPECT_DOUBLE_EQ(r.p_value, 0.5);
}

TEST(Paired, WilcoxonTiesTakeAverageRanks) {
  // d = {1, -1, 2, 3}: ranks 1.5 1.5 3 4 (not 1 2 3 4), W+ = 1.5 + 3 + 4 = 8.5, W- = 1.5. Doubled
  // ranks 3 3 6 8 (total 20): W+ >= 8.5 iff the negative ranks sum to <= 1.5, i.e. none or one
  // of the 1.5s: 3 of 16 patterns, p = 6/16 = 0.375.
  const WilcoxonResult r = wilcoxon_signed_rank({1, -1, 2, 3});
  EXPECT_DOUBLE_EQ(r.w_plus, 8.5);
  EXPECT_DOUBLE_EQ(r.w_minus, 1.5);
  EXPECT_DOUBLE_EQ(r.p_value, 0.375);
  // d = {2, 2, 2, -5}: ranks 2 2 2 4, W+ = 6, W- = 4. Over the 16 patterns W+ is 0 (once), 2 (3
  // times), 4 (4: one 4 or two 2s), 6 (4), 8 (3), 10 (once): P(W+ >= 6) = 8/16, p = 1.
  const WilcoxonResult all_tied = wilcoxon_signed_rank({2, 2, 2, -5});
  EXPECT_DOUBLE_EQ(all_tied.w_plus, 6);
  EXPECT_DOUBLE_EQ(all_tied.p_value, 1.0);
}

TEST(Paired, WilcoxonExactMatchesBruteForceWithTiesAndZeros) {
  // Deterministic pseudo-random differences with many ties (small integers) and some zeros,
  // n up to 16: the dynamic programming must agree with plain enumeration exactly.
  uint64_t state = 12345;
  const auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return int(state >> 33);
  };
  for (int trial = 0; trial < 60; ++trial) {
    const int n = 1 + trial % 17;
    std::vector<double> d;
    for (int i = 0; i < n; ++i) {
      const int magnitude = next() % (trial % 3 == 0 ? 4 : 12);  // 0..3: heavy ties and zeros
      const double sign = next() % 3 == 0 ? -1.0 : 1.0;
      d.push_back(sign * (trial % 2 ? magnitude : magnitude * 0.25));
    }
    const WilcoxonResult r = wilcoxon_signed_rank(d);
    const BruteWilcoxon b = brute_force_wilcoxon(d);
    SCOPED_TRACE("trial " + std::to_string(trial));
    EXPECT_EQ(r.n_used, b.n);
    EXPECT_DOUBLE_EQ(r.w_plus, b.w_plus);
    EXPECT_DOUBLE_EQ(r.w_plus + r.w_minus, double(b.n * (b.n + 1)) / 2);
    EXPECT_DOUBLE_EQ(r.p_value, b.p);
    EXPECT_TRUE(r.exact);
  }
}

TEST(Paired, WilcoxonNoNonZeroDifference) {
  for (const std::vector<double>& d : {std::vector<double>{}, std::vector<double>{0, 0, 0}}) {
    const WilcoxonResult r = wilcoxon_signed_rank(d);
    EXPECT_EQ(r.n_used, 0);
    EXPECT_EQ(r.w_plus, 0);
    EXPECT_EQ(r.w_minus, 0);
    EXPECT_EQ(r.p_value, 1.0);
  }
}

TEST(Paired, WilcoxonNanAndInfinity) {
  const WilcoxonResult nan = wilcoxon_signed_rank({1, kTestNaN, 2});
  EXPECT_TRUE(std::isnan(nan.p_value));
  EXPECT_TRUE(std::isnan(nan.w_plus));
  // An infinite difference (a diverged run) is simply the largest |d|.
  const WilcoxonResult inf = wilcoxon_signed_rank({1, 2, -kTestInf});
  EXPECT_DOUBLE_EQ(inf.w_minus, 3);
  EXPECT_DOUBLE_EQ(inf.p_value, brute_force_wilcoxon({1, 2, -3}).p);
}

TEST(Paired, WilcoxonFiftyIsExactAndNeedsFiftyBits) {
  // 50 positive differences: W+ = 1275 is reached by one pattern of 2^50, so p = 2^-49 exactly;
  // the counts must not lose the 1 next to 2^50.
  std::vector<double> d;
  for (int i = 1; i <= 50; ++i) d.push_back(i);
  WilcoxonResult r = wilcoxon_signed_rank(d);
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.w_plus, 1275);
  EXPECT_EQ(r.p_value, std::ldexp(1.0, -49));
  // One negative at rank 1: W+ = 1274, reached only by leaving out rank 1: 2 of 2^50 patterns
  // have W+ >= 1274, p = 2 * 2 / 2^50 = 2^-48.
  d[0] = -1;
  r = wilcoxon_signed_rank(d);
  EXPECT_EQ(r.p_value, std::ldexp(1.0, -48));
  // Near the centre: negative ranks 1..34 (595) and 43 give W- = 638, W+ = 637. W+ and
  // 1275 - W+ have the same distribution and W+ is never 637.5, so P(W+ <= 637) = 1/2: p = 1.
  std::vector<double> centred;
  for (int i = 1; i <= 50; ++i) centred.push_back(i);
  for (int i = 1; i <= 34; ++i) centred[size_t(i - 1)] = -i;
  centred[42] = -43;
  r = wilcoxon_signed_rank(centred);
  EXPECT_DOUBLE_EQ(r.w_minus, 638);
  EXPECT_DOUBLE_EQ(r.w_plus, 637);
  EXPECT_EQ(r.p_value, 1.0);
}

TEST(Paired, WilcoxonNormalApproximationAboveFifty) {
  // n = 60 after dropping two zeros: |d| = ceil(i/2) for i = 1..60 (30 pairs of ties), negative
  // where i % 3 == 0. By hand (ranks: the pair with |d| = k has ranks 2k-1, 2k, average 2k-0.5):
  //   W+ = 1200, W- = 630; E[W+] = 60*61/4 = 915;
  //   Var = 60*61*121/24 - sum(t^3 - t)/48 = 18452.5 - 30*6/48 = 18448.75;
  //   z = (1200 - 915 - 0.5) / sqrt(18448.75) = 2.09458890066333;
  //   p = 2 (1 - Phi(z)) = erfc(z / sqrt 2) = 0.0362075527329814 (mpmath, 40 digits).
  // Without the continuity correction p would be 0.035881, without the tie correction 0.036226.
  std::vector<double> d;
  for (int i = 1; i <= 60; ++i) d.push_back((i % 3 == 0 ? -1 : 1) * double((i + 1) / 2));
  d.insert(d.begin() + 7, 0.0);
  d.push_back(0.0);
  const WilcoxonResult r = wilcoxon_signed_rank(d);
  EXPECT_EQ(r.n_used, 60);
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.w_plus, 1200);
  EXPECT_DOUBLE_EQ(r.w_minus, 630);
  EXPECT_NEAR(r.p_value, 0.0362075527329814, 1e-13);
  EXPECT_NEAR(wilcoxon_signed_rank(negated(d)).p_value, 0.0362075527329814, 1e-13);
}

TEST(Paired, WilcoxonFiftyOneUsesTheApproximation) {
  // 51 positive differences: W+ = 1326, E = 663, Var = 51*52*103/24 = 11381.5,
  // z = 662.5 / sqrt(11381.5) = 6.20992180, p = erfc(z / sqrt 2) = 5.30109746670604e-10
  // (mpmath), where the exact p would be 2^-50 = 8.9e-16.
  std::vector<double> d;
  for (int i = 1; i <= 51; ++i) d.push_back(i);
  const WilcoxonResult r = wilcoxon_signed_rank(d);
  EXPECT_FALSE(r.exact);
  EXPECT_NEAR(r.p_value / 5.30109746670604e-10, 1.0, 1e-9);
  // n = 53: E[W+] = 53*54/4 = 715.5. Negative ranks 1..36 (666) and 50 give W- = 716, W+ = 715:
  // half a rank below the mean, which the continuity correction takes to z = 0, p = 1.
  std::vector<double> centred;
  for (int i = 1; i <= 53; ++i) centred.push_back(i <= 36 || i == 50 ? -i : i);
  const WilcoxonResult mid = wilcoxon_signed_rank(centred);
  EXPECT_DOUBLE_EQ(mid.w_plus, 715);
  EXPECT_EQ(mid.p_value, 1.0);
}

// ---- Holm ----

TEST(Paired, HolmWikipediaFourHypotheses) {
  // Wikipedia, "Holm-Bonferroni method", example: p = 0.01, 0.04, 0.03, 0.005 at alpha 0.05;
  // Holm rejects H4 and H1 and stops at H3 (0.03 > 0.05/2). Adjusted by hand: sorted
  // 0.005 0.01 0.03 0.04 -> 4*0.005 = 0.02, 3*0.01 = 0.03, 2*0.03 = 0.06, max(0.06, 1*0.04) = 0.06.
  // (Bonferroni would give 0.04 0.16 0.12 0.02.)
  const std::vector<double> adj = holm_adjust({0.01, 0.04, 0.03, 0.005});
  ASSERT_EQ(adj.size(), 4u);
  EXPECT_NEAR(adj[0], 0.03, 1e-15);
  EXPECT_NEAR(adj[1], 0.06, 1e-15);
  EXPECT_NEAR(adj[2], 0.06, 1e-15);
  EXPECT_NEAR(adj[3], 0.02, 1e-15);
  // Rejected at 0.05: exactly H1 and H4, as in the article.
  EXPECT_LE(adj[0], 0.05);
  EXPECT_GT(adj[1], 0.05);
  EXPECT_GT(adj[2], 0.05);
  EXPECT_LE(adj[3], 0.05);
}

TEST(Paired, HolmStepDownMaximumAndCap) {
  // Sorted 0.01 0.011 0.02: 3*0.01 = 0.03, 2*0.011 = 0.022 -> 0.03, 1*0.02 -> 0.03 (the running
  // maximum keeps the order; without it 0.022 and 0.02 would come out below 0.03).
  std::vector<double> adj = holm_adjust({0.02, 0.01, 0.011});
  EXPECT_NEAR(adj[0], 0.03, 1e-15);
  EXPECT_NEAR(adj[1], 0.03, 1e-15);
  EXPECT_NEAR(adj[2], 0.03, 1e-15);
  // Capped at 1: 3*0.04 = 0.12, min(1, 2*0.5) = 1, max(1, 0.6) = 1.
  adj = holm_adjust({0.5, 0.6, 0.04});
  EXPECT_EQ(adj[0], 1.0);
  EXPECT_EQ(adj[1], 1.0);
  EXPECT_NEAR(adj[2], 0.12, 1e-15);
}

TEST(Paired, HolmNanStaysNanAndDoesNotCount) {
  // m = 2 (the NaN does not count): 2*0.01 = 0.02, max(0.02, 0.04) = 0.04.
  const std::vector<double> adj = holm_adjust({0.01, kTestNaN, 0.04});
  EXPECT_NEAR(adj[0], 0.02, 1e-15);
  EXPECT_TRUE(std::isnan(adj[1]));
  EXPECT_NEAR(adj[2], 0.04, 1e-15);
  const std::vector<double> all_nan = holm_adjust({kTestNaN, kTestNaN});
  EXPECT_TRUE(std::isnan(all_nan[0]) && std::isnan(all_nan[1]));
  EXPECT_TRUE(holm_adjust({}).empty());
  EXPECT_EQ(holm_adjust({0.3}), std::vector<double>{0.3});
}

TEST(Paired, HolmTiesGetEqualValues) {
  // Sorted 0.02 0.02 0.5: 3*0.02 = 0.06, max(0.06, 2*0.02) = 0.06, max(0.06, 0.5) = 0.5.
  for (const std::vector<double>& p :
       {std::vector<double>{0.02, 0.02, 0.5}, std::vector<double>{0.5, 0.02, 0.02}}) {
    const std::vector<double> adj = holm_adjust(p);
    for (size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(adj[i], p[i] == 0.5 ? 0.5 : 0.06, 1e-15);
  }
}

TEST(Paired, HolmMonotoneBetweenRawAndBonferroni) {
  std::vector<double> p;
  for (int i = 0; i < 40; ++i) p.push_back(std::fmod(0.37 * i * i + 0.011 * i, 0.2) + 1e-4);
  const std::vector<double> adj = holm_adjust(p);
  const double m = double(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_GE(adj[i], p[i]);
    EXPECT_LE(adj[i], std::min(1.0, m * p[i]) + 1e-15);  // never above Bonferroni
    EXPECT_LE(adj[i], 1.0);
    for (size_t j = 0; j < p.size(); ++j) {
      if (p[i] < p[j]) {
        EXPECT_LE(adj[i], adj[j]);
      }
    }
  }
}

// ---- effect size ----

TEST(Paired, EffectSizeCohensDzByHand) {
  // {1, 2, 3, 4}: 2.5 / sqrt(5/3) = 1.93649167310371.
  EXPECT_NEAR(cohens_dz({1, 2, 3, 4}), 1.93649167310371, 1e-13);
  EXPECT_NEAR(cohens_dz({-1, -2, -3, -4}), -1.93649167310371, 1e-13);
  // Student's sleep data: mean -1.58, sd 1.22996: d_z = -1.28455756259105 (mpmath).
  EXPECT_NEAR(cohens_dz({-1.2, -2.4, -1.3, -1.3, 0.0, -1.0, -1.8, -0.8, -4.6, -1.4}),
              -1.28455756259105, 1e-12);
}

TEST(Paired, EffectSizeUndefinedCases) {
  EXPECT_TRUE(std::isnan(cohens_dz({})));
  EXPECT_TRUE(std::isnan(cohens_dz({1.0})));
  EXPECT_TRUE(std::isnan(cohens_dz({0.3, 0.3, 0.3})));  // sd = 0
  EXPECT_TRUE(std::isnan(cohens_dz({0, 0})));
  EXPECT_TRUE(std::isnan(cohens_dz({1, kTestNaN})));
}

}  // namespace
