// Comparing k treatments (activations) over N blocks (seeds, or seed x data set) at once, as
// Demšar (2006), "Statistical Comparisons of Classifiers over Multiple Data Sets", JMLR 7, lays it
// out: ranks within each block, the Friedman test and Iman & Davenport's F of "all treatments rank
// alike", the Nemenyi critical difference and the groups a critical-difference diagram draws
// (through the studentized range distribution for infinite degrees of freedom), every pair's
// paired t and Wilcoxon tests under Holm's correction (stats/paired.h), and a compact letter
// display of which treatments differ (Piepho 2004). Numbers only.
//
// Input matrices are values[block][treatment]: every block (row) has one value per treatment, the
// same k for every row (a ragged matrix throws std::invalid_argument). A block with a non-finite
// value (NaN, ±inf: a diverged or missing run) is left out of every statistic here, so that all of
// them use the same blocks.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace actbench {

struct BlockRanks {
  int64_t k = 0;              // treatments: the row length (0 for no rows)
  int64_t n = 0;              // blocks used: those whose k values are all finite
  int64_t dropped = 0;        // blocks left out for a non-finite value (n + dropped = rows)
  std::vector<int64_t> used;  // the used blocks' row indices, ascending
  std::vector<std::vector<double>> ranks;  // [used block][treatment]: 1 = best, ties averaged
  std::vector<double> mean_ranks;          // per treatment over the used blocks; NaN when n = 0
  double tie_term = 0;  // sum over the used blocks and their groups of t tied values of t^3 - t
};

// Ranks within each block: the best value of a block gets rank 1 and the worst rank k, where best
// is the highest when higher_is_better (accuracy) and the lowest otherwise (loss). Values that are
// equal (==) share the average of the ranks they span ({0.9, 0.8, 0.8} -> {1, 2.5, 2.5} when
// higher is better), so every block's ranks sum to k (k + 1) / 2. mean_ranks[j] is treatment j's
// rank averaged over the used blocks.
BlockRanks rank_within_blocks(const std::vector<std::vector<double>>& values,
                              bool higher_is_better);

struct FriedmanResult {
  int64_t k = 0;          // treatments
  int64_t n = 0;          // blocks
  double chi2 = 0;        // Friedman's statistic (tie-corrected when asked)
  double p_value = 1;     // P(chi-square with k - 1 df >= chi2)
  double tie_factor = 1;  // C = 1 - tie_term / (n k (k^2 - 1)); 1 without ties or correction
  double f = 0;           // Iman & Davenport's F_F
  double f_p_value = 1;   // P(F(k - 1, (k - 1)(n - 1)) >= f)
};

// The Friedman test of "the k treatments have the same expected rank" over the ranked blocks:
// with R_j the mean ranks, chi2 = 12 n / (k (k + 1)) [sum_j R_j^2 - k (k + 1)^2 / 4] (computed as
// 12 n / (k (k + 1)) sum_j (R_j - (k + 1) / 2)^2), divided by the tie factor C when tie_correction
// (as R's friedman.test and SciPy's friedmanchisquare do; Demšar's worked example does not), with
// its p-value from the chi-square distribution with k - 1 degrees of freedom; and Iman &
// Davenport's less conservative F_F = (n - 1) chi2 / (n (k - 1) - chi2), referred to F with k - 1
// and (k - 1)(n - 1) degrees of freedom (Boost.Math). Edge cases: k < 2 or n < 2 (nothing to
// compare, or no degrees of freedom for F_F): chi2, p_value, f and f_p_value are NaN. Every block
// entirely tied (C = 0, chi2 = 0 / 0): no evidence of a difference, chi2 = f = 0 and both
// p-values 1. Every block ranking the treatments alike (chi2 = n (k - 1), its maximum): f = +inf
// and f_p_value = 0.
FriedmanResult friedman_test(const BlockRanks& ranks, bool tie_correction = true);

// P(Q <= q) for the studentized range Q of k independent standard normal values with infinite
// degrees of freedom (the range max - min itself): k ∫ phi(z) [Phi(z) - Phi(z - q)]^(k - 1) dz,
// by the 61-point Gauss-Kronrod rule on each unit interval of z in [-8.5, 8.5] (outside, phi
// leaves less than 1e-16). Accurate to about 1e-16 absolute (mpmath), tested for k = 2..50. 0 for
// q <= 0, 1 for q = +inf; NaN when k < 2 or q is NaN. k = 2 is |Z1 - Z2| = sqrt(2) |Z|:
// P = erf(q / 2).
double studentized_range_cdf(double q, int64_t k);

// The p-quantile of the studentized range for k means and infinite degrees of freedom (R's
// qtukey(p, k, Inf)): the root of studentized_range_cdf(q, k) = p by TOMS 748 (Boost.Math). NaN
// when k < 2 or p is outside (0, 1).
double studentized_range_quantile(double p, int64_t k);

// Nemenyi's q_alpha for k treatments: studentized_range_quantile(1 - alpha, k) / sqrt(2) (Demšar's
// Table 5a: 2.569 for k = 4 at alpha 0.05). NaN when k < 2 or alpha is outside (0, 1).
double nemenyi_q(int64_t k, double alpha = 0.05);

// The Nemenyi critical difference of mean ranks, CD = q_alpha sqrt(k (k + 1) / (6 n)): two
// treatments' performance differs significantly (all pairs at family-wise level alpha) when their
// mean ranks differ by at least CD. NaN when k < 2, n < 1 or alpha is outside (0, 1).
double nemenyi_critical_difference(int64_t k, int64_t n, double alpha = 0.05);

// The groups of treatments that the Nemenyi test cannot tell apart, as a critical-difference
// diagram draws its bars: sort the treatments by mean rank (best, i.e. lowest, first; equal mean
// ranks by index); a group is a run of consecutive treatments in that order whose highest minus
// lowest mean rank is < cd, kept when it is maximal (no longer run contains it). These runs are
// exactly the maximal sets of treatments that are pairwise within cd. Every treatment is in at
// least one group: one that differs from all others is a group on its own (a diagram draws no bar
// for it). Groups come in order of their best member, each listing treatment indices best first.
// Empty when a mean rank is not finite or cd is not > 0 (NaN included).
std::vector<std::vector<int64_t>> nemenyi_groups(const std::vector<double>& mean_ranks, double cd);

struct PairComparison {
  int64_t i = 0;  // the treatments compared, i < j
  int64_t j = 0;
  int64_t n = 0;               // blocks used (the same for every pair)
  double mean_difference = 0;  // mean over the blocks of values[b][i] - values[b][j]; NaN if n = 0
  double p_t = 0;              // paired_t_p_value of the differences
  double p_wilcoxon = 0;       // wilcoxon_signed_rank(differences).p_value
  double holm_t = 0;           // holm_adjust of p_t over all k (k - 1) / 2 pairs
  double holm_wilcoxon = 0;    // holm_adjust of p_wilcoxon over all pairs
};

// Every pair i < j of the k treatments, in the order (0,1), (0,2), ..., (0,k-1), (1,2), ...,
// (k-2,k-1), compared by paired tests on the per-block differences values[b][i] - values[b][j]
// over the blocks whose values are all finite (the blocks rank_within_blocks uses, so every pair
// uses the same ones). The Holm adjustments treat the k (k - 1) / 2 pairs as one family: holm_t is
// exactly holm_adjust over the p_t of all pairs in this order (NaN p-values, e.g. n < 2 for the t
// test, stay NaN and do not count). Empty when k < 2.
std::vector<PairComparison> all_pairs_paired(const std::vector<std::vector<double>>& values);

// Compact letter display by Piepho's (2004) insert-absorb algorithm with his sweeping step.
// best_first lists the k treatments (indices 0..k-1, each once) best first; significant lists the
// pairs {a, b} of treatment indices that differ significantly (either order; repeats allowed).
// Returns each treatment's letters, indexed by treatment: two treatments share a letter if and
// only if their pair is not in `significant`. Algorithm: start from one letter covering every
// treatment; for each significant pair, split every letter that covers both into a copy without a
// and a copy without b (insert), then drop every letter whose treatments another letter also
// covers (absorb); finally drop a treatment from a letter when each pair it forms there is covered
// by another letter too and it keeps another letter (sweep), and absorb again. Letters are named
// a, b, ..., z, A, ..., Z in the order of the best treatment each covers (then the next best, and
// so on), and each treatment's string lists them in that order: A~B, B~C, A!=C with A best gives
// A "a", B "ab", C "b". Throws std::invalid_argument when best_first is not a permutation of
// 0..k-1 or a pair names an unknown treatment or one treatment twice, and std::length_error when
// more than 52 letters would be needed.
std::vector<std::string> compact_letter_display(
    const std::vector<int64_t>& best_first,
    const std::vector<std::pair<int64_t, int64_t>>& significant);

}  // namespace actbench
