#include "stats/rank_tests.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/tools/toms748_solve.hpp>

#include "stats/paired.h"

namespace actbench {
namespace {

// Not kNaN / kPairedNaN: a unity build compiles this file together with estimate.cpp and
// paired.cpp, whose anonymous namespaces have those.
constexpr double kRankNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kRankInf = std::numeric_limits<double>::infinity();

// Beyond |z| = 8.5 the normal density is below 1e-16 and its tail mass below 1e-17.
constexpr double kRangeZLimit = 8.5;

using RankMatrix = std::vector<std::vector<double>>;
using CldLetter = std::vector<char>;  // membership of each treatment, by treatment index

// The row length shared by all rows; throws for a ragged matrix.
size_t rank_matrix_columns(const RankMatrix& values) {
  if (values.empty()) return 0;
  const size_t k = values[0].size();
  for (const auto& row : values) {
    if (row.size() != k) throw std::invalid_argument("rank tests: rows of different lengths");
  }
  return k;
}

bool block_is_finite(const std::vector<double>& row) {
  return std::all_of(row.begin(), row.end(), [](double v) { return std::isfinite(v); });
}

// Ranks of one block, 1 = best, ties averaged; adds sum(t^3 - t) over its tie groups to *tie_term.
std::vector<double> rank_block(const std::vector<double>& row, bool higher_is_better,
                               double* tie_term) {
  const size_t k = row.size();
  std::vector<size_t> order(k);
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return higher_is_better ? row[a] > row[b] : row[a] < row[b];
  });
  std::vector<double> ranks(k);
  for (size_t i = 0; i < k;) {
    size_t j = i;
    while (j < k && row[order[j]] == row[order[i]]) ++j;
    // Positions i..j-1 (0-based) share the ranks i+1..j, whose average is (i + 1 + j) / 2.
    for (size_t m = i; m < j; ++m) ranks[order[m]] = double(i + 1 + j) / 2;
    const double t = double(j - i);
    *tie_term += t * t * t - t;
    i = j;
  }
  return ranks;
}

// Phi(z) - Phi(z - q) for q >= 0, from the tail on z's side of the interval's centre (no
// cancellation of two values near 1).
double range_normal_mass(double z, double q) {
  const double s = std::sqrt(0.5);
  if (z - q / 2 > 0) return 0.5 * (std::erfc((z - q) * s) - std::erfc(z * s));
  return 0.5 * (std::erfc(-z * s) - std::erfc(-(z - q) * s));
}

// Splits every letter that covers both a and b into one without a and one without b.
void cld_insert(std::vector<CldLetter>* letters, size_t a, size_t b) {
  std::vector<CldLetter> next;
  for (const CldLetter& letter : *letters) {
    if (letter[a] && letter[b]) {
      CldLetter without_a = letter, without_b = letter;
      without_a[a] = 0;
      without_b[b] = 0;
      next.push_back(without_a);
      next.push_back(without_b);
    } else {
      next.push_back(letter);
    }
  }
  *letters = std::move(next);
}

bool cld_subset(const CldLetter& inner, const CldLetter& outer) {
  for (size_t t = 0; t < inner.size(); ++t) {
    if (inner[t] && !outer[t]) return false;
  }
  return true;
}

// Drops empty letters and every letter another one covers (of equal letters, the first stays).
void cld_absorb(std::vector<CldLetter>* letters) {
  std::vector<CldLetter> kept;
  const auto& all = *letters;
  for (size_t c = 0; c < all.size(); ++c) {
    if (std::none_of(all[c].begin(), all[c].end(), [](char m) { return m != 0; })) continue;
    bool covered = false;
    for (size_t d = 0; d < all.size() && !covered; ++d) {
      if (d == c || !cld_subset(all[c], all[d])) continue;
      covered = !cld_subset(all[d], all[c]) || d < c;  // a strict superset, or an earlier equal
    }
    if (!covered) kept.push_back(all[c]);
  }
  *letters = std::move(kept);
}

// Whether treatments t and u share a letter other than letters[skip].
bool cld_shared_elsewhere(const std::vector<CldLetter>& letters, size_t skip, size_t t, size_t u) {
  for (size_t c = 0; c < letters.size(); ++c) {
    if (c != skip && letters[c][t] && letters[c][u]) return true;
  }
  return false;
}

// Piepho's sweep: drops t from letter c when t keeps another letter and every pair {t, u} that
// letter c covers is covered by another letter too.
void cld_sweep(std::vector<CldLetter>* letters) {
  auto& all = *letters;
  const size_t k = all.empty() ? 0 : all[0].size();
  for (size_t c = 0; c < all.size(); ++c) {
    for (size_t t = 0; t < k; ++t) {
      if (!all[c][t]) continue;
      bool redundant = false;
      for (size_t d = 0; d < all.size() && !redundant; ++d) redundant = d != c && all[d][t];
      for (size_t u = 0; u < k && redundant; ++u) {
        if (u != t && all[c][u]) redundant = cld_shared_elsewhere(all, c, t, u);
      }
      if (redundant) all[c][t] = 0;
    }
  }
  cld_absorb(letters);
}

// Checks best_first and the pairs; returns each treatment's position in best_first.
std::vector<size_t> cld_positions(const std::vector<int64_t>& best_first,
                                  const std::vector<std::pair<int64_t, int64_t>>& significant) {
  const int64_t k = int64_t(best_first.size());
  std::vector<size_t> position(best_first.size(), best_first.size());
  for (size_t p = 0; p < best_first.size(); ++p) {
    const int64_t t = best_first[p];
    if (t < 0 || t >= k || position[size_t(t)] != size_t(k)) {
      throw std::invalid_argument("compact_letter_display: best_first is not a permutation");
    }
    position[size_t(t)] = p;
  }
  for (const auto& [a, b] : significant) {
    if (a < 0 || a >= k || b < 0 || b >= k || a == b) {
      throw std::invalid_argument("compact_letter_display: a pair is not two treatments");
    }
  }
  return position;
}

// Each letter's members as positions in best_first, ascending: the key letters are named by.
std::vector<size_t> cld_key(const CldLetter& letter, const std::vector<size_t>& position) {
  std::vector<size_t> key;
  for (size_t t = 0; t < letter.size(); ++t) {
    if (letter[t]) key.push_back(position[t]);
  }
  std::sort(key.begin(), key.end());
  return key;
}

char cld_name(size_t c) {
  if (c < 26) return char('a' + c);
  if (c < 52) return char('A' + (c - 26));
  throw std::length_error("compact_letter_display: more than 52 letters");
}

}  // namespace

BlockRanks rank_within_blocks(const RankMatrix& values, bool higher_is_better) {
  BlockRanks r;
  const size_t k = rank_matrix_columns(values);
  r.k = int64_t(k);
  std::vector<double> sums(k, 0.0);
  for (size_t b = 0; b < values.size(); ++b) {
    if (!block_is_finite(values[b])) {
      ++r.dropped;
      continue;
    }
    r.used.push_back(int64_t(b));
    r.ranks.push_back(rank_block(values[b], higher_is_better, &r.tie_term));
    for (size_t j = 0; j < k; ++j) sums[j] += r.ranks.back()[j];
  }
  r.n = int64_t(r.used.size());
  r.mean_ranks.assign(k, kRankNaN);
  if (r.n > 0) {
    for (size_t j = 0; j < k; ++j) r.mean_ranks[j] = sums[j] / double(r.n);
  }
  return r;
}

FriedmanResult friedman_test(const BlockRanks& ranks, bool tie_correction) {
  FriedmanResult f;
  f.k = ranks.k;
  f.n = ranks.n;
  if (f.k < 2 || f.n < 2) {
    f.chi2 = f.p_value = f.f = f.f_p_value = kRankNaN;
    return f;
  }
  const double k = double(f.k), n = double(f.n);
  if (tie_correction) f.tie_factor = 1 - ranks.tie_term / (n * k * (k * k - 1));
  double spread = 0;  // sum_j (R_j - (k + 1) / 2)^2 = sum_j R_j^2 - k (k + 1)^2 / 4
  for (double r : ranks.mean_ranks) spread += (r - (k + 1) / 2) * (r - (k + 1) / 2);
  if (spread == 0) {
    // No treatment ranks above another on average (C = 0, every block tied, included).
    f.chi2 = f.f = 0;
    return f;
  }
  f.chi2 = 12 * n / (k * (k + 1)) * spread / f.tie_factor;
  f.p_value = boost::math::cdf(
      boost::math::complement(boost::math::chi_squared_distribution<double>(k - 1), f.chi2));
  // chi2 is at most n (k - 1), reached when every block ranks alike; rounding may step past it.
  const double room = n * (k - 1) - f.chi2;
  if (room <= 1e-12 * n * (k - 1)) {
    f.f = kRankInf;
    f.f_p_value = 0;
    return f;
  }
  f.f = (n - 1) * f.chi2 / room;
  const boost::math::fisher_f_distribution<double> dist(k - 1, (k - 1) * (n - 1));
  f.f_p_value = boost::math::cdf(boost::math::complement(dist, f.f));
  return f;
}

double studentized_range_cdf(double q, int64_t k) {
  if (k < 2 || std::isnan(q)) return kRankNaN;
  if (q <= 0) return 0;
  if (q == kRankInf) return 1;
  const double inv_sqrt_2pi = 1 / std::sqrt(2 * std::acos(-1.0));
  const auto integrand = [&](double z) {
    return inv_sqrt_2pi * std::exp(-z * z / 2) * std::pow(range_normal_mass(z, q), double(k - 1));
  };
  // The integrand is analytic and varies on a scale of about 1: the 61-point Kronrod rule on each
  // unit interval (exact for polynomials of degree 91) is accurate to rounding, about 1e-16.
  double sum = 0;
  for (double a = -kRangeZLimit; a < kRangeZLimit; a += 1) {
    const double b = std::min(a + 1, kRangeZLimit);
    sum += boost::math::quadrature::gauss_kronrod<double, 61>::integrate(integrand, a, b, 0, 1e-14);
  }
  return std::min(1.0, std::max(0.0, double(k) * sum));
}

double studentized_range_quantile(double p, int64_t k) {
  if (k < 2 || !(p > 0 && p < 1)) return kRankNaN;
  const auto shortfall = [&](double q) { return studentized_range_cdf(q, k) - p; };
  // The cdf rises from 0 at q = 0: double an upper end until it brackets p, then TOMS 748.
  double lo = 0, hi = 1;
  double f_lo = -p, f_hi = shortfall(hi);
  while (f_hi < 0) {
    lo = hi;
    f_lo = f_hi;
    hi *= 2;
    if (hi > 1e3) return kRankNaN;  // p within rounding of 1
    f_hi = shortfall(hi);
  }
  std::uintmax_t max_iter = 200;
  const auto root = boost::math::tools::toms748_solve(
      shortfall, lo, hi, f_lo, f_hi,
      boost::math::tools::eps_tolerance<double>(std::numeric_limits<double>::digits - 4), max_iter);
  return (root.first + root.second) / 2;
}

double nemenyi_q(int64_t k, double alpha) {
  if (!(alpha > 0 && alpha < 1)) return kRankNaN;
  return studentized_range_quantile(1 - alpha, k) / std::sqrt(2.0);
}

double nemenyi_critical_difference(int64_t k, int64_t n, double alpha) {
  if (k < 2 || n < 1) return kRankNaN;
  return nemenyi_q(k, alpha) * std::sqrt(double(k) * double(k + 1) / (6 * double(n)));
}

std::vector<std::vector<int64_t>> nemenyi_groups(const std::vector<double>& mean_ranks, double cd) {
  std::vector<std::vector<int64_t>> groups;
  const bool finite =
      std::all_of(mean_ranks.begin(), mean_ranks.end(), [](double r) { return std::isfinite(r); });
  if (!finite || !(cd > 0)) return groups;
  const size_t k = mean_ranks.size();
  std::vector<int64_t> order(k);
  std::iota(order.begin(), order.end(), int64_t(0));
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return mean_ranks[size_t(a)] < mean_ranks[size_t(b)];
  });
  // end = one past the last treatment within cd of order[i]; it never decreases with i, and the
  // run from i is maximal exactly when it reaches further than the run from i - 1.
  size_t end = 0, previous_end = 0;
  for (size_t i = 0; i < k; ++i) {
    const double low = mean_ranks[size_t(order[i])];
    end = std::max(end, i + 1);
    while (end < k && mean_ranks[size_t(order[end])] - low < cd) ++end;
    if (i == 0 || end > previous_end) {
      groups.emplace_back(order.begin() + std::ptrdiff_t(i), order.begin() + std::ptrdiff_t(end));
    }
    previous_end = end;
  }
  return groups;
}

std::vector<PairComparison> all_pairs_paired(const RankMatrix& values) {
  const size_t k = rank_matrix_columns(values);
  std::vector<const std::vector<double>*> rows;  // the blocks whose values are all finite
  for (const auto& row : values) {
    if (block_is_finite(row)) rows.push_back(&row);
  }
  std::vector<PairComparison> pairs;
  std::vector<double> p_t, p_w;
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = i + 1; j < k; ++j) {
      std::vector<double> d;
      for (const auto* row : rows) d.push_back((*row)[i] - (*row)[j]);
      PairComparison c;
      c.i = int64_t(i);
      c.j = int64_t(j);
      c.n = int64_t(d.size());
      c.mean_difference =
          d.empty() ? kRankNaN : std::accumulate(d.begin(), d.end(), 0.0) / double(d.size());
      c.p_t = paired_t_p_value(d);
      c.p_wilcoxon = wilcoxon_signed_rank(d).p_value;
      pairs.push_back(c);
      p_t.push_back(c.p_t);
      p_w.push_back(c.p_wilcoxon);
    }
  }
  const std::vector<double> holm_t = holm_adjust(p_t), holm_w = holm_adjust(p_w);
  for (size_t m = 0; m < pairs.size(); ++m) {
    pairs[m].holm_t = holm_t[m];
    pairs[m].holm_wilcoxon = holm_w[m];
  }
  return pairs;
}

std::vector<std::string> compact_letter_display(
    const std::vector<int64_t>& best_first,
    const std::vector<std::pair<int64_t, int64_t>>& significant) {
  const std::vector<size_t> position = cld_positions(best_first, significant);
  const size_t k = best_first.size();
  std::vector<std::string> names(k);
  if (k == 0) return names;
  std::vector<CldLetter> letters = {CldLetter(k, 1)};
  for (const auto& [a, b] : significant) {
    cld_insert(&letters, size_t(a), size_t(b));
    cld_absorb(&letters);
  }
  cld_sweep(&letters);
  std::vector<std::vector<size_t>> keys;
  for (const CldLetter& letter : letters) keys.push_back(cld_key(letter, position));
  std::vector<size_t> order(letters.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  for (size_t c = 0; c < order.size(); ++c) {
    const char name = cld_name(c);
    for (size_t t = 0; t < k; ++t) {
      if (letters[order[c]][t]) names[t] += name;
    }
  }
  return names;
}

}  // namespace actbench
