// Comparing k treatments over N blocks (stats/rank_tests.h): ranks within blocks, the Friedman and
// Iman-Davenport tests, the studentized range and Nemenyi's critical difference with its groups,
// all-pairs paired tests under Holm, and the compact letter display. Every expected value comes
// from outside the code under test: Demšar (2006), "Statistical Comparisons of Classifiers over
// Multiple Data Sets", JMLR 7 (Section 3.2.2's worked example and Table 5), R's documented
// friedman.test example, a hand computation written out here, closed forms, a brute force written
// here, or (marked "mpmath") Python's mpmath at 30 digits from the textbook definitions (the
// studentized range by quadrature of k ∫ phi(z) [Phi(z) - Phi(z - q)]^(k-1) dz; F tails through
// the regularised incomplete beta function), done once while writing these tests and hard-coded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "stats/paired.h"
#include "stats/rank_tests.h"

namespace {

using actbench::all_pairs_paired;
using actbench::BlockRanks;
using actbench::compact_letter_display;
using actbench::friedman_test;
using actbench::FriedmanResult;
using actbench::nemenyi_critical_difference;
using actbench::nemenyi_groups;
using actbench::nemenyi_q;
using actbench::rank_within_blocks;
using actbench::studentized_range_cdf;
using actbench::studentized_range_quantile;
using ::testing::ElementsAre;

using Matrix = std::vector<std::vector<double>>;
using Pairs = std::vector<std::pair<int64_t, int64_t>>;

constexpr double kRankNaNValue = std::numeric_limits<double>::quiet_NaN();
constexpr double kRankInfValue = std::numeric_limits<double>::infinity();

double round_to(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(x * scale) / scale;
}

// Demšar's Section 3.2.2 compares k = 4 variants of C4.5 (columns: C4.5, C4.5+m, C4.5+cf,
// C4.5+m+cf) over N = 14 data sets by AUC, with average ranks 3.143, 2.000, 2.893, 1.964, i.e.
// rank sums 44, 28, 40.5, 27.5. The paper's AUC table is not reproduced here: these are 14 rank
// rows (1 = best, ties averaged), constructed to have exactly those rank sums.
const Matrix kDemsarRanks = {
    {4, 3, 2, 1},     {1, 2, 3, 4}, {4, 1, 2, 3},     {4, 1, 3, 2}, {4, 2, 3, 1},
    {1, 2.5, 4, 2.5}, {3, 2, 4, 1}, {2.5, 2.5, 4, 1}, {4, 3, 2, 1}, {2.5, 2.5, 2.5, 2.5},
    {4, 2.5, 1, 2.5}, {3, 2, 4, 1}, {4, 1, 2, 3},     {3, 1, 4, 2},
};

// ---- ranks within blocks ----

TEST(RankTests, RankOneIsTheBestValueAndTiesShareTheAverageRank) {
  // Accuracy: higher is better. {0.9, 0.8, 0.8}: 0.9 is best (1); the two 0.8 span ranks 2 and 3
  // and share 2.5.
  BlockRanks r = rank_within_blocks({{0.9, 0.8, 0.8}}, /*higher_is_better=*/true);
  EXPECT_EQ(r.k, 3);
  EXPECT_EQ(r.n, 1);
  EXPECT_THAT(r.ranks[0], ElementsAre(1, 2.5, 2.5));
  EXPECT_EQ(r.tie_term, 2.0 * 2 * 2 - 2);  // one group of t = 2 tied values: t^3 - t = 6
  // Loss: lower is better, so the order turns around: the two 0.8 share ranks 1 and 2.
  r = rank_within_blocks({{0.9, 0.8, 0.8}}, /*higher_is_better=*/false);
  EXPECT_THAT(r.ranks[0], ElementsAre(3, 1.5, 1.5));
  // All four equal: every one gets (1 + 2 + 3 + 4) / 4 = 2.5; t^3 - t = 60.
  r = rank_within_blocks({{7, 7, 7, 7}}, true);
  EXPECT_THAT(r.ranks[0], ElementsAre(2.5, 2.5, 2.5, 2.5));
  EXPECT_EQ(r.tie_term, 60);
  // Three tied in the middle of five: ranks 2, 3, 4 -> 3.
  r = rank_within_blocks({{5, 3, 3, 1, 3}}, true);
  EXPECT_THAT(r.ranks[0], ElementsAre(1, 3, 3, 5, 3));
}

TEST(RankTests, MeanRanksAverageEachTreatmentOverTheBlocks) {
  const Matrix accuracy = {{0.91, 0.95, 0.90}, {0.92, 0.92, 0.80}, {0.85, 0.96, 0.86}};
  // Ranks (higher is better): {2, 1, 3}, {1.5, 1.5, 3}, {3, 1, 2}; each row sums to 6.
  const BlockRanks r = rank_within_blocks(accuracy, true);
  EXPECT_EQ(r.n, 3);
  EXPECT_EQ(r.dropped, 0);
  EXPECT_THAT(r.used, ElementsAre(0, 1, 2));
  EXPECT_THAT(r.mean_ranks, ElementsAre(6.5 / 3, 3.5 / 3, 8.0 / 3));
  EXPECT_EQ(r.tie_term, 6);
}

TEST(RankTests, BlocksWithANonFiniteValueAreDroppedAndCounted) {
  const Matrix values = {
      {1, 2, 3}, {kRankNaNValue, 2, 3}, {3, 2, 1}, {1, kRankInfValue, 2}, {2, 1, 3}};
  const BlockRanks r = rank_within_blocks(values, true);
  EXPECT_EQ(r.n, 3);
  EXPECT_EQ(r.dropped, 2);
  EXPECT_THAT(r.used, ElementsAre(0, 2, 4));
  ASSERT_EQ(r.ranks.size(), 3u);
  EXPECT_THAT(r.ranks[1], ElementsAre(1, 2, 3));                      // block 2, {3, 2, 1}
  EXPECT_THAT(r.mean_ranks, ElementsAre(6.0 / 3, 7.0 / 3, 5.0 / 3));  // ranks 3+1+2, 2+2+3, 1+3+1
  // No usable block: mean ranks are NaN.
  const BlockRanks none = rank_within_blocks({{kRankNaNValue, 1}}, true);
  EXPECT_EQ(none.n, 0);
  EXPECT_EQ(none.dropped, 1);
  EXPECT_TRUE(std::isnan(none.mean_ranks[0]) && std::isnan(none.mean_ranks[1]));
  EXPECT_EQ(rank_within_blocks({}, true).k, 0);
}

TEST(RankTests, RaggedMatricesAreRejected) {
  EXPECT_THROW(rank_within_blocks({{1, 2}, {1, 2, 3}}, true), std::invalid_argument);
  EXPECT_THROW(all_pairs_paired({{1, 2}, {1}}), std::invalid_argument);
}

// ---- Friedman and Iman-Davenport ----

TEST(RankTests, FriedmanReproducesDemsarsWorkedExample) {
  // Demšar 3.2.2: average ranks 3.143, 2.000, 2.893, 1.964; chi2_F = 12 * 14 / (4 * 5)
  // [3.143^2 + 2^2 + 2.893^2 + 1.964^2 - 4 * 5^2 / 4] = 9.28 (no tie correction), and
  // F_F = 13 * 9.28 / (14 * 3 - 9.28) = 3.69, above 2.85, the critical F(3, 39) at 0.05.
  // Exactly: chi2 = 8.4 (5116.5 / 196 - 25) = 9.278571..., F_F = 3.686313..., and mpmath gives
  // P(F(3, 39) >= F_F) = 0.0198230061922491 and P(chi2(3) >= chi2) = 0.0258074967070633.
  const BlockRanks r = rank_within_blocks(kDemsarRanks, /*higher_is_better=*/false);
  ASSERT_EQ(r.n, 14);
  EXPECT_THAT(r.mean_ranks, ElementsAre(44 / 14.0, 28 / 14.0, 40.5 / 14, 27.5 / 14));
  EXPECT_EQ(round_to(r.mean_ranks[0], 3), 3.143);
  EXPECT_EQ(round_to(r.mean_ranks[1], 3), 2.000);
  EXPECT_EQ(round_to(r.mean_ranks[2], 3), 2.893);
  EXPECT_EQ(round_to(r.mean_ranks[3], 3), 1.964);
  const FriedmanResult f = friedman_test(r, /*tie_correction=*/false);
  EXPECT_EQ(f.k, 4);
  EXPECT_EQ(f.n, 14);
  EXPECT_EQ(f.tie_factor, 1);
  EXPECT_EQ(round_to(f.chi2, 2), 9.28);
  EXPECT_NEAR(f.chi2, 8.4 * (5116.5 / 196 - 25), 1e-12);
  EXPECT_EQ(round_to(f.f, 2), 3.69);
  EXPECT_NEAR(f.f, 3.68631303208906, 1e-12);
  EXPECT_NEAR(f.f_p_value, 0.0198230061922491, 1e-12);
  EXPECT_NEAR(f.p_value, 0.0258074967070633, 1e-12);
  EXPECT_LT(f.f_p_value, 0.05);  // F_F = 3.69 > 2.85
}

TEST(RankTests, FriedmanTieCorrectionOnDemsarsRanks) {
  // The constructed rows hold ties: three pairs (t^3 - t = 6 each) and one block of four equal
  // (60): tie_term = 78, C = 1 - 78 / (14 * 4 * 15) = 1 - 78 / 840, and chi2 grows to
  // 9.278571 / C = 10.2283... The correction leaves the rank sums alone.
  const BlockRanks r = rank_within_blocks(kDemsarRanks, false);
  EXPECT_EQ(r.tie_term, 78);
  const FriedmanResult f = friedman_test(r);
  EXPECT_NEAR(f.tie_factor, 1 - 78.0 / 840, 1e-15);
  EXPECT_NEAR(f.chi2, 8.4 * (5116.5 / 196 - 25) / (1 - 78.0 / 840), 1e-12);
  EXPECT_GT(f.chi2, friedman_test(r, false).chi2);
}

TEST(RankTests, FriedmanMatchesRsRoundingTimesExample) {
  // R's ?friedman.test example (Hollander & Wolfe): times to round first base by three methods,
  // 22 players. R prints "Friedman chi-squared = 11.143, df = 2, p-value = 0.003805". By hand
  // (rank 1 = fastest): rank sums 53, 47, 32; 12 / (22 * 3 * 4) * (53^2 + 47^2 + 32^2)
  // - 3 * 22 * 4 = 6042 / 22 - 264 = 117 / 11; four players have one tied pair (rows 7, 15, 17,
  // 22), so C = 1 - 4 * 6 / (22 * 3 * 8) = 21 / 22 and chi2 = (117 / 11) / (21 / 22) = 78 / 7.
  // With 2 df the chi-square tail is exp(-x / 2): p = exp(-39 / 7) = 0.0038050407755.
  const Matrix times = {
      {5.40, 5.50, 5.55}, {5.85, 5.70, 5.75}, {5.20, 5.60, 5.50}, {5.55, 5.50, 5.40},
      {5.90, 5.85, 5.70}, {5.45, 5.55, 5.60}, {5.40, 5.40, 5.35}, {5.45, 5.50, 5.35},
      {5.25, 5.15, 5.00}, {5.85, 5.80, 5.70}, {5.25, 5.20, 5.10}, {5.65, 5.55, 5.45},
      {5.60, 5.35, 5.45}, {5.05, 5.00, 4.95}, {5.50, 5.50, 5.40}, {5.45, 5.55, 5.50},
      {5.55, 5.55, 5.35}, {5.45, 5.50, 5.55}, {5.50, 5.45, 5.25}, {5.65, 5.60, 5.40},
      {5.70, 5.65, 5.55}, {6.30, 6.30, 6.25}};
  const BlockRanks fastest_first = rank_within_blocks(times, /*higher_is_better=*/false);
  EXPECT_THAT(fastest_first.mean_ranks, ElementsAre(53 / 22.0, 47 / 22.0, 32 / 22.0));
  EXPECT_EQ(fastest_first.tie_term, 24);
  const FriedmanResult f = friedman_test(fastest_first);
  EXPECT_NEAR(f.tie_factor, 21.0 / 22, 1e-15);
  EXPECT_NEAR(f.chi2, 78.0 / 7, 1e-12);
  EXPECT_EQ(round_to(f.chi2, 3), 11.143);
  EXPECT_NEAR(f.p_value, std::exp(-39.0 / 7), 1e-14);
  EXPECT_EQ(round_to(f.p_value, 6), 0.003805);
  // The statistic does not depend on which end is best.
  const FriedmanResult reversed = friedman_test(rank_within_blocks(times, true));
  EXPECT_NEAR(reversed.chi2, f.chi2, 1e-12);
  EXPECT_NEAR(reversed.p_value, f.p_value, 1e-15);
}

TEST(RankTests, ImanDavenportOnTwoBlocksByHand) {
  // Blocks ranked {1, 2, 3} and {1, 3, 2}: mean ranks 1, 2.5, 2.5; sum R^2 - k (k + 1)^2 / 4
  // = 13.5 - 12 = 1.5, chi2 = 12 * 2 / (3 * 4) * 1.5 = 3 with 2 df: p = exp(-3 / 2). F_F
  // = (2 - 1) * 3 / (2 * 2 - 3) = 3 with (2, 2) df, whose tail is 1 / (1 + F): p = 1 / 4.
  const FriedmanResult f = friedman_test(rank_within_blocks({{1, 2, 3}, {1, 3, 2}}, false));
  EXPECT_NEAR(f.chi2, 3, 1e-14);
  EXPECT_NEAR(f.p_value, std::exp(-1.5), 1e-14);
  EXPECT_NEAR(f.f, 3, 1e-13);
  EXPECT_NEAR(f.f_p_value, 0.25, 1e-14);
}

TEST(RankTests, FriedmanEdgeCases) {
  // Fewer than two treatments or two blocks: nothing to test.
  for (const Matrix& m : {Matrix{{1}, {2}, {3}}, Matrix{{1, 2, 3}}, Matrix{}}) {
    const FriedmanResult f = friedman_test(rank_within_blocks(m, true));
    EXPECT_TRUE(std::isnan(f.chi2) && std::isnan(f.p_value));
    EXPECT_TRUE(std::isnan(f.f) && std::isnan(f.f_p_value));
  }
  // Two blocks, one of them dropped for a NaN, leaves one: NaN as well.
  EXPECT_TRUE(
      std::isnan(friedman_test(rank_within_blocks({{1, 2}, {kRankNaNValue, 2}}, true)).chi2));
  // Every block entirely tied (C = 0, chi2 = 0 / 0): no evidence of a difference.
  for (bool correct : {true, false}) {
    const FriedmanResult f =
        friedman_test(rank_within_blocks({{1, 1, 1}, {2, 2, 2}}, true), correct);
    EXPECT_EQ(f.chi2, 0);
    EXPECT_EQ(f.p_value, 1);
    EXPECT_EQ(f.f, 0);
    EXPECT_EQ(f.f_p_value, 1);
  }
  // Every block ranks alike: chi2 reaches its maximum n (k - 1) = 3 * 3 = 9 (3 df: p =
  // 0.0292908865348882, mpmath), and F_F = 2 * 9 / (9 - 9) is infinite.
  const FriedmanResult f =
      friedman_test(rank_within_blocks({{4, 3, 2, 1}, {8, 7, 6, 5}, {9, 5, 2, 0}}, true));
  EXPECT_NEAR(f.chi2, 9, 1e-12);
  EXPECT_NEAR(f.p_value, 0.0292908865348882, 1e-12);
  EXPECT_EQ(f.f, kRankInfValue);
  EXPECT_EQ(f.f_p_value, 0);
}

// ---- the studentized range and Nemenyi ----

TEST(RankTests, StudentizedRangeCdfForTwoMeansIsClosedForm) {
  // k = 2: the range |Z1 - Z2| is sqrt(2) |Z|, so P(range <= q) = 2 Phi(q / sqrt(2)) - 1 = erf(q /
  // 2).
  for (double q : {0.1, 0.5, 1.0, 2.0, 2.7718076487, 4.0, 7.0}) {
    EXPECT_NEAR(studentized_range_cdf(q, 2), std::erf(q / 2), 1e-15) << q;
  }
  EXPECT_EQ(studentized_range_cdf(0, 5), 0);
  EXPECT_EQ(studentized_range_cdf(-1, 5), 0);
  EXPECT_EQ(studentized_range_cdf(kRankInfValue, 5), 1);
  EXPECT_TRUE(std::isnan(studentized_range_cdf(kRankNaNValue, 5)));
  EXPECT_TRUE(std::isnan(studentized_range_cdf(1, 1)));
}

TEST(RankTests, StudentizedRangeCdfMatchesQuadratureAtThirtyDigits) {
  // mpmath: k ∫ phi(z) [Phi(z) - Phi(z - q)]^(k - 1) dz at 25-30 digits, deep in both tails and in
  // the middle, for k up to 50: absolute error near rounding, relative error in the far lower tail
  // below 1e-13.
  const struct {
    int64_t k;
    double q, p;
  } mp[] = {{5, 3.0, 0.78912349503646218553},      {40, 5.0, 0.8465658504334203987},
            {10, 1.0, 0.00051986945546412452011},  {10, 6.5, 0.9998145533224058522},
            {50, 2.5, 0.000038494483070581131856}, {50, 7.5, 0.99986906381715032521},
            {50, 4.0, 0.22902889792003211663},     {25, 0.5, 6.0159018978902360302e-17},
            {3, 0.2, 0.010965547197491262102}};
  for (const auto& m : mp) {
    const double cdf = studentized_range_cdf(m.q, m.k);
    EXPECT_NEAR(cdf, m.p, 1e-15) << m.k << " " << m.q;
    EXPECT_NEAR(cdf / m.p, 1, 1e-13) << m.k << " " << m.q;
  }
}

TEST(RankTests, NemenyiQReproducesDemsarsTable5) {
  // Demšar's Table 5(a), q_alpha for k = 2..10. The table divides 3-decimal studentized range
  // values by sqrt(2) (2.569 = 3.633 / sqrt(2)), so three of its entries differ in the last digit
  // from the exact quotient rounded (k = 3 at 0.05: exact 2.34370, printed 2.343; k = 7 at 0.05:
  // 2.94832, printed 2.949; k = 5 at 0.10: 2.45952, printed 2.459). Checked both ways: every exact
  // q is within 0.001 of the printed one, and the table's own derivation, round(round(q sqrt(2),
  // 3) / sqrt(2), 3), reproduces every printed entry.
  const std::vector<double> at_05 = {1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164};
  const std::vector<double> at_10 = {1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920};
  for (int64_t k = 2; k <= 10; ++k) {
    for (const auto& [alpha, table] : {std::make_pair(0.05, at_05), std::make_pair(0.10, at_10)}) {
      const double q = nemenyi_q(k, alpha);
      const double printed = table[size_t(k - 2)];
      EXPECT_NEAR(q, printed, 1e-3) << "k " << k << " alpha " << alpha;
      EXPECT_EQ(round_to(round_to(q * std::sqrt(2.0), 3) / std::sqrt(2.0), 3), printed)
          << "k " << k << " alpha " << alpha;
    }
  }
}

TEST(RankTests, StudentizedRangeQuantileMatchesRAndTables) {
  // R: qtukey(0.95, 20, Inf) = 5.0116 (the brief's value), so q_0.05 for k = 20 is 3.5437.
  EXPECT_NEAR(studentized_range_quantile(0.95, 20), 5.0116, 1e-4);
  EXPECT_NEAR(nemenyi_q(20, 0.05), 3.5437, 2e-4);
  // k = 2 in closed form: q / sqrt(2) is the two-sided normal quantile z_(1 - alpha / 2).
  EXPECT_NEAR(nemenyi_q(2, 0.05), 1.959963984540054, 1e-12);
  EXPECT_NEAR(nemenyi_q(2, 0.10), 1.644853626951472, 1e-12);
  EXPECT_NEAR(nemenyi_q(2, 0.01), 2.575829303548901, 1e-12);
  // Studentized range tables (Harter 1960; infinite df, alpha 0.01, k = 3..10, 2 decimals):
  // 4.12 4.40 4.60 4.76 4.88 4.99 5.08 5.16.
  const std::vector<double> at_01 = {4.12, 4.40, 4.60, 4.76, 4.88, 4.99, 5.08, 5.16};
  for (int64_t k = 3; k <= 10; ++k) {
    EXPECT_NEAR(studentized_range_quantile(0.99, k), at_01[size_t(k - 3)], 5e-3) << k;
  }
  // mpmath (root of the 30-digit quadrature, printed to 12 digits) for larger k; the whole range k
  // = 2..50 is valid.
  const struct {
    int64_t k;
    double p, q;
  } mp[] = {{30, 0.95, 5.30128957403}, {40, 0.95, 5.49793526274}, {50, 0.95, 5.64602602638},
            {30, 0.90, 4.99711286540}, {40, 0.90, 5.20236925124}, {50, 0.90, 5.35668687527},
            {30, 0.99, 5.91059238694}, {40, 0.99, 6.09162623200}, {50, 0.99, 6.22839260858},
            {20, 0.99, 5.64521469799}, {20, 0.90, 4.69410440949}, {20, 0.95, 5.01168879412}};
  for (const auto& m : mp) {
    EXPECT_NEAR(studentized_range_quantile(m.p, m.k), m.q, 1e-10) << m.k << " " << m.p;
  }
  // The quantile inverts the cdf across k = 2..50 and the three levels.
  for (int64_t k = 2; k <= 50; ++k) {
    for (double p : {0.90, 0.95, 0.99}) {
      EXPECT_NEAR(studentized_range_cdf(studentized_range_quantile(p, k), k), p, 1e-14);
    }
  }
  EXPECT_TRUE(std::isnan(studentized_range_quantile(0, 4)));
  EXPECT_TRUE(std::isnan(studentized_range_quantile(1, 4)));
  EXPECT_TRUE(std::isnan(studentized_range_quantile(0.95, 1)));
  EXPECT_TRUE(std::isnan(nemenyi_q(4, 0)));
  EXPECT_TRUE(std::isnan(nemenyi_q(4, kRankNaNValue)));
}

TEST(RankTests, NemenyiCriticalDifferenceOfDemsarsExample) {
  // Demšar 3.2.2: CD = 2.569 sqrt(4 * 5 / (6 * 14)) = 1.25 at alpha 0.05; at 0.10, with q =
  // 2.291, CD = 1.12 (1.1179 by the printed q).
  const double cd = nemenyi_critical_difference(4, 14, 0.05);
  EXPECT_EQ(round_to(cd, 2), 1.25);
  EXPECT_NEAR(cd, 2.569 * std::sqrt(20.0 / 84), 5e-4 * std::sqrt(20.0 / 84));
  EXPECT_EQ(round_to(nemenyi_critical_difference(4, 14, 0.10), 2), 1.12);
  EXPECT_TRUE(std::isnan(nemenyi_critical_difference(1, 14)));
  EXPECT_TRUE(std::isnan(nemenyi_critical_difference(4, 0)));
  EXPECT_TRUE(std::isnan(nemenyi_critical_difference(4, 14, 1.5)));
}

TEST(RankTests, NemenyiGroupsOfDemsarsExample) {
  // Sorted mean ranks: C4.5+m+cf (3) 1.964, C4.5+m (1) 2.000, C4.5+cf (2) 2.893, C4.5 (0) 3.143.
  // At 0.05 (CD 1.25) the largest difference, 3.143 - 1.964 = 1.179, is within CD: one bar over
  // all four, nothing significant. At 0.10 (CD 1.118) C4.5 is significantly worse than C4.5+m+cf
  // (1.179) and C4.5+m (1.143): bars {m+cf, m, cf} and {cf, C4.5}.
  const std::vector<double> mean = {44 / 14.0, 28 / 14.0, 40.5 / 14, 27.5 / 14};
  EXPECT_THAT(nemenyi_groups(mean, nemenyi_critical_difference(4, 14, 0.05)),
              ElementsAre(ElementsAre(3, 1, 2, 0)));
  EXPECT_THAT(nemenyi_groups(mean, nemenyi_critical_difference(4, 14, 0.10)),
              ElementsAre(ElementsAre(3, 1, 2), ElementsAre(2, 0)));
}

TEST(RankTests, NemenyiGroupsAreTheMaximalRunsWithinTheCriticalDifference) {
  // A difference of exactly CD is significant (Demšar: "differ by at least the critical
  // difference"), so 1 and 2 are apart at CD 1 but together at CD 1.0001.
  EXPECT_THAT(nemenyi_groups({1, 2}, 1.0), ElementsAre(ElementsAre(0), ElementsAre(1)));
  EXPECT_THAT(nemenyi_groups({1, 2}, 1.0001), ElementsAre(ElementsAre(0, 1)));
  // Mean ranks sorted: 1.0 (treatment 2), 1.5 (0), 2.4 (3), 4.0 (1); at CD 1 the runs are {2, 0}
  // (2.4 - 1.0 = 1.4 is too far), {0, 3} (0.9), {3} (inside {0, 3}: not maximal) and {1} alone
  // (4.0 - 2.4 = 1.6).
  EXPECT_THAT(nemenyi_groups({1.5, 4.0, 1.0, 2.4}, 1.0),
              ElementsAre(ElementsAre(2, 0), ElementsAre(0, 3), ElementsAre(1)));
  // Equal mean ranks keep index order.
  EXPECT_THAT(nemenyi_groups({2, 2, 2}, 0.5), ElementsAre(ElementsAre(0, 1, 2)));
  EXPECT_TRUE(nemenyi_groups({1, kRankNaNValue}, 1).empty());
  EXPECT_TRUE(nemenyi_groups({1, 2}, 0).empty());
  EXPECT_TRUE(nemenyi_groups({1, 2}, kRankNaNValue).empty());
  EXPECT_TRUE(nemenyi_groups({}, 1).empty());
}

TEST(RankTests, NemenyiGroupsEqualTheMaximalCliquesByBruteForce) {
  // For pseudo-random mean ranks, the groups are exactly the subsets that are pairwise within cd
  // and not contained in a larger such subset (all 2^k subsets enumerated).
  uint64_t state = 12345;
  const auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return double(state >> 11) / double(1ULL << 53);
  };
  for (int trial = 0; trial < 200; ++trial) {
    const size_t k = 2 + size_t(trial % 7);
    std::vector<double> mean(k);
    for (double& m : mean) m = 1 + std::round(next() * 8) / 2;  // halves: ties and exact gaps
    const double cd = 0.5 + std::round(next() * 6) / 2;
    const auto within = [&](uint32_t set) {
      for (size_t a = 0; a < k; ++a) {
        for (size_t b = 0; b < k; ++b) {
          if ((set >> a & 1) && (set >> b & 1) && std::fabs(mean[a] - mean[b]) >= cd) return false;
        }
      }
      return true;
    };
    std::set<uint32_t> cliques;
    for (uint32_t s = 1; s < (1u << k); ++s) {
      bool maximal = within(s);
      for (size_t t = 0; t < k && maximal; ++t) maximal = (s >> t & 1) || !within(s | 1u << t);
      if (maximal) cliques.insert(s);
    }
    std::set<uint32_t> groups;
    for (const auto& g : nemenyi_groups(mean, cd)) {
      uint32_t s = 0;
      for (int64_t t : g) s |= 1u << t;
      groups.insert(s);
    }
    EXPECT_EQ(groups, cliques) << "trial " << trial;
  }
}

// ---- all pairs ----

TEST(RankTests, AllPairsRunThePairedTestsOnEveryPairUnderOneHolmFamily) {
  const Matrix acc = {{0.90, 0.93, 0.80}, {0.91, 0.95, 0.82}, {0.89, 0.92, 0.85},
                      {0.92, 0.96, 0.81}, {0.90, 0.97, 0.84}, {kRankNaNValue, 0.9, 0.9}};
  const auto pairs = all_pairs_paired(acc);
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(std::make_pair(pairs[0].i, pairs[0].j), std::make_pair(int64_t(0), int64_t(1)));
  EXPECT_EQ(std::make_pair(pairs[1].i, pairs[1].j), std::make_pair(int64_t(0), int64_t(2)));
  EXPECT_EQ(std::make_pair(pairs[2].i, pairs[2].j), std::make_pair(int64_t(1), int64_t(2)));
  // The NaN block is left out of every pair, (1, 2) included.
  const Matrix d = {{-0.03, -0.04, -0.03, -0.04, -0.07},  // column 0 - column 1
                    {0.10, 0.09, 0.04, 0.11, 0.06},       // 0 - 2
                    {0.13, 0.13, 0.07, 0.15, 0.13}};      // 1 - 2
  std::vector<double> p_t, p_w;
  for (size_t m = 0; m < 3; ++m) {
    EXPECT_EQ(pairs[m].n, 5);
    double sum = 0;
    for (size_t b = 0; b < 5; ++b) sum += acc[b][size_t(pairs[m].i)] - acc[b][size_t(pairs[m].j)];
    EXPECT_DOUBLE_EQ(pairs[m].mean_difference, sum / 5);
    std::vector<double> diff;
    for (size_t b = 0; b < 5; ++b)
      diff.push_back(acc[b][size_t(pairs[m].i)] - acc[b][size_t(pairs[m].j)]);
    for (size_t b = 0; b < 5; ++b) EXPECT_NEAR(diff[b], d[m][b], 1e-12);
    EXPECT_EQ(pairs[m].p_t, actbench::paired_t_p_value(diff));
    EXPECT_EQ(pairs[m].p_wilcoxon, actbench::wilcoxon_signed_rank(diff).p_value);
    p_t.push_back(pairs[m].p_t);
    p_w.push_back(pairs[m].p_wilcoxon);
  }
  // Holm over the whole family of k (k - 1) / 2 = 3 pairs, exactly as holm_adjust gives it.
  const std::vector<double> holm_t = actbench::holm_adjust(p_t);
  const std::vector<double> holm_w = actbench::holm_adjust(p_w);
  for (size_t m = 0; m < 3; ++m) {
    EXPECT_EQ(pairs[m].holm_t, holm_t[m]);
    EXPECT_EQ(pairs[m].holm_wilcoxon, holm_w[m]);
  }
  // Five differences of one sign: the exact Wilcoxon p is 2 / 2^5 = 0.0625 for each pair, and
  // Holm multiplies the smallest by 3 (capped at 1 later by the running maximum): 0.1875.
  for (size_t m = 0; m < 3; ++m) {
    EXPECT_NEAR(pairs[m].p_wilcoxon, 0.0625, 1e-15);
    EXPECT_NEAR(pairs[m].holm_wilcoxon, 0.1875, 1e-15);
  }
}

TEST(RankTests, AllPairsOfFewTreatmentsOrBlocks) {
  EXPECT_TRUE(all_pairs_paired({{1}, {2}}).empty());
  EXPECT_TRUE(all_pairs_paired({}).empty());
  // One usable block: the t test has no spread (NaN), and NaN stays NaN under Holm.
  const auto pairs = all_pairs_paired({{1, 2}, {kRankNaNValue, 1}});
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].n, 1);
  EXPECT_EQ(pairs[0].mean_difference, -1);
  EXPECT_TRUE(std::isnan(pairs[0].p_t) && std::isnan(pairs[0].holm_t));
  // No usable block at all.
  EXPECT_TRUE(std::isnan(all_pairs_paired({{kRankNaNValue, 1}})[0].mean_difference));
}

// ---- compact letter display ----

TEST(RankTests, LettersForTheChainAlikeBAlikeCButANotC) {
  // A ~ B, B ~ C, A != C (A best): A a, B ab, C b. Insert-absorb by hand: {A, B, C} splits on
  // (A, C) into {B, C} and {A, B}; named by best member, {A, B} is a and {B, C} is b.
  EXPECT_THAT(compact_letter_display({0, 1, 2}, {{0, 2}}), ElementsAre("a", "ab", "b"));
  // The same with the treatments listed in another index order: letters follow best_first.
  EXPECT_THAT(compact_letter_display({2, 1, 0}, {{2, 0}}), ElementsAre("b", "ab", "a"));
}

TEST(RankTests, LettersForAChainOfFour) {
  // A ~ B ~ C ~ D in a chain, every other pair significant: A a, B ab, C bc, D c. By hand:
  // (A, C) splits ABCD into BCD, ABD; (A, D) splits ABD into BD (absorbed by BCD) and AB;
  // (B, D) splits BCD into CD, BC. Letters AB = a, BC = b, CD = c.
  EXPECT_THAT(compact_letter_display({0, 1, 2, 3}, {{0, 2}, {0, 3}, {1, 3}}),
              ElementsAre("a", "ab", "bc", "c"));
}

TEST(RankTests, LettersWithNothingOrEverythingSignificant) {
  EXPECT_THAT(compact_letter_display({0, 1, 2}, {}), ElementsAre("a", "a", "a"));
  // All different: one letter each, a for the best. Repeated and reversed pairs change nothing.
  EXPECT_THAT(compact_letter_display({1, 2, 0}, {{0, 1}, {1, 2}, {0, 2}, {2, 0}}),
              ElementsAre("c", "a", "b"));
  EXPECT_THAT(compact_letter_display({0}, {}), ElementsAre("a"));
  EXPECT_TRUE(compact_letter_display({}, {}).empty());
}

TEST(RankTests, LettersRejectBadInput) {
  EXPECT_THROW(compact_letter_display({0, 0, 1}, {}), std::invalid_argument);
  EXPECT_THROW(compact_letter_display({0, 3, 1}, {}), std::invalid_argument);
  EXPECT_THROW(compact_letter_display({0, 1}, {{0, 2}}), std::invalid_argument);
  EXPECT_THROW(compact_letter_display({0, 1}, {{1, 1}}), std::invalid_argument);
  // k treatments all different need k letters: a..z, A..Z reach 52, and 53 is too many.
  for (int64_t k : {52, 53}) {
    std::vector<int64_t> order;
    Pairs all;
    for (int64_t a = 0; a < k; ++a) {
      order.push_back(a);
      for (int64_t b = a + 1; b < k; ++b) all.emplace_back(a, b);
    }
    if (k == 52) {
      const auto letters = compact_letter_display(order, all);
      EXPECT_EQ(letters[0], "a");
      EXPECT_EQ(letters[25], "z");
      EXPECT_EQ(letters[26], "A");
      EXPECT_EQ(letters[51], "Z");
    } else {
      EXPECT_THROW(compact_letter_display(order, all), std::length_error);
    }
  }
}

// Checks the letter display's guarantee for one significance pattern (bit p of `pattern` set:
// the p-th pair (a, b), a < b, in lexicographic order, is significant).
void check_letters(size_t k, uint32_t pattern, const std::vector<int64_t>& best_first) {
  Pairs significant;
  std::vector<std::vector<bool>> differ(k, std::vector<bool>(k, false));
  size_t bit = 0;
  for (size_t a = 0; a < k; ++a) {
    for (size_t b = a + 1; b < k; ++b, ++bit) {
      if (pattern >> bit & 1) {
        significant.emplace_back(int64_t(a), int64_t(b));
        differ[a][b] = differ[b][a] = true;
      }
    }
  }
  const auto letters = compact_letter_display(best_first, significant);
  ASSERT_EQ(letters.size(), k);
  const auto share = [&](size_t a, size_t b) {
    return letters[a].find_first_of(letters[b]) != std::string::npos;
  };
  for (size_t a = 0; a < k; ++a) {
    EXPECT_FALSE(letters[a].empty());
    EXPECT_TRUE(std::is_sorted(letters[a].begin(), letters[a].end()));  // a..z here
    for (size_t b = a + 1; b < k; ++b) {
      EXPECT_EQ(share(a, b), !differ[a][b]) << "k " << k << " pattern " << pattern;
    }
  }
  // Letters are named in the order of the best treatment each covers: the best treatment has a,
  // and a letter's first treatment in best_first never comes after the next letter's.
  EXPECT_EQ(letters[size_t(best_first[0])][0], 'a');
  std::vector<size_t> first(26, k);
  for (size_t p = 0; p < k; ++p) {
    for (char c : letters[size_t(best_first[p])])
      first[size_t(c - 'a')] = std::min(first[size_t(c - 'a')], p);
  }
  for (size_t c = 1; c < 26 && first[c] < k; ++c) EXPECT_LE(first[c - 1], first[c]);
}

TEST(RankTests, LettersShareExactlyTheNonSignificantPairsForEveryPattern) {
  // Every significance pattern over k = 2..6 treatments (2^15 patterns for k = 6), with the
  // treatments best first in index order and in reverse.
  for (size_t k = 2; k <= 6; ++k) {
    std::vector<int64_t> forward(k), backward(k);
    for (size_t t = 0; t < k; ++t) {
      forward[t] = int64_t(t);
      backward[t] = int64_t(k - 1 - t);
    }
    const uint32_t patterns = 1u << (k * (k - 1) / 2);
    for (uint32_t pattern = 0; pattern < patterns; ++pattern) {
      check_letters(k, pattern, forward);
      check_letters(k, pattern, backward);
    }
  }
}

}  // namespace
