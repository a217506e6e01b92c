// Paired comparisons over seeds: each seed trains two activations from the same initial weights
// and batches, so a comparison looks at the per-seed differences (one sample of n numbers), not at
// two independent samples. Tests of "the mean/median difference is 0" (paired t, Wilcoxon
// signed-rank), Holm's correction for testing several comparisons at once, an effect size, and how
// small a difference n seeds can detect (noncentral t, Boost.Math). Numbers only.
#pragma once

#include <cstdint>
#include <vector>

namespace actbench {

// Two-sided p-value of the one-sample t-test of `differences` against 0: t = mean / (sd / sqrt(n)),
// n - 1 degrees of freedom. NaN when n < 2 or a difference is not finite. When all differences
// are equal the t statistic is infinite (or 0 / 0): p = 0 if they are non-zero, 1 if all are 0.
double paired_t_p_value(const std::vector<double>& differences);

struct WilcoxonResult {
  double w_plus = 0;   // sum of the ranks of |d| over the positive differences
  double w_minus = 0;  // ... over the negative ones (w_plus + w_minus = n_used (n_used + 1) / 2)
  int64_t n_used = 0;  // differences that are not 0
  double p_value = 1;  // two-sided
  bool exact = true;   // exact permutation distribution (else the normal approximation)
};

// Wilcoxon signed-rank test of `differences` against 0, two-sided. Zero differences are dropped
// (Wilcoxon's convention; SciPy's zero_method="wilcox", R's wilcox.test); ties among |d| get the
// average of their ranks. Up to 50 differences the p-value is exact: the distribution of W+ over
// the 2^n equally likely sign assignments given these ranks (ties included), and
// p = min(1, 2 min(P(W+ <= w), P(W+ >= w))). Above 50: the normal approximation with the tie
// correction to the variance and a continuity correction of 1/2 towards the mean (as R and SciPy
// do). No non-zero difference: p = 1. ±inf ranks as the largest |d|; a NaN difference gives NaN
// statistics and p-value (n_used 0).
WilcoxonResult wilcoxon_signed_rank(const std::vector<double>& differences);

// Holm-Bonferroni step-down adjustment, returned in the input order: with the m non-NaN p-values
// sorted ascending p_(0) <= ... <= p_(m-1), adj_(i) = max over j <= i of min(1, (m - j) p_(j)).
// Rejecting where adj <= alpha controls the family-wise error rate at alpha (Holm 1979), and is
// never less powerful than Bonferroni (m p). NaN inputs stay NaN and do not count in m.
std::vector<double> holm_adjust(const std::vector<double>& p_values);

// Cohen's d_z: mean / sd of the differences (sample sd, n - 1), the paired effect size in units
// of the seed-to-seed spread of the difference. NaN when n < 2, when the sd is 0 (all
// differences equal: no spread to measure against) or a difference is not finite.
double cohens_dz(const std::vector<double>& differences);

// The smallest true mean difference that a two-sided paired t-test at level `alpha` over n pairs
// detects with probability `power`, when the differences have standard deviation `sd`: the delta
// with P(|T| > t_crit) = power, T noncentral t with n - 1 degrees of freedom and noncentrality
// delta sqrt(n) / sd, t_crit the 1 - alpha/2 quantile of Student's t. NaN when n < 2, sd is not
// finite or negative, or alpha / power are outside (0, 1); 0 when sd = 0 or power <= alpha (a
// zero difference is already "detected" at rate alpha).
double detectable_difference(int64_t n, double sd, double alpha = 0.05, double power = 0.8);

// The smallest n >= 2 (number of seeds) whose detectable_difference(n, sd, alpha, power) is at
// most |difference|; max_n + 1 when no n up to max_n is enough (difference 0, NaN inputs).
int64_t seeds_to_detect(double difference, double sd, double alpha = 0.05, double power = 0.8,
                        int64_t max_n = 10000);

}  // namespace actbench
