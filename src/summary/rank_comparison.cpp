#include "summary/rank_comparison.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "stats/rank_tests.h"
#include "summary/differences.h"  // kAlpha
#include "summary/summary_format.h"
#include "util/text.h"

namespace actbench {
using Json = nlohmann::json;

namespace {

const char* kLettersRule =
    "activations that share a letter are not told apart (paired t-test over the blocks, Holm-"
    "adjusted over every pair, p < 0.05)";

// Treatment indices best (lowest mean rank) first; equal mean ranks by index.
std::vector<int64_t> best_first(const std::vector<double>& mean_ranks) {
  std::vector<int64_t> order(mean_ranks.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return mean_ranks[a] < mean_ranks[b]; });
  return order;
}

std::string pair_verdict(const PairComparison& p) {
  if (!std::isfinite(p.holm_t)) return "too few blocks";
  if (p.holm_t >= kAlpha) return "no detectable difference";
  return p.mean_difference > 0 ? "a better" : "b better";
}

Json pairs_json(const std::vector<std::string>& labels, const std::vector<PairComparison>& pairs) {
  Json out = Json::array();
  for (const auto& p : pairs) {
    out.push_back({{"a", labels[p.i]},
                   {"b", labels[p.j]},
                   {"n", p.n},
                   {"mean_difference", finite_or_null(p.mean_difference)},
                   {"p_t", finite_or_null(p.p_t)},
                   {"p_wilcoxon", finite_or_null(p.p_wilcoxon)},
                   {"holm_t", finite_or_null(p.holm_t)},
                   {"holm_wilcoxon", finite_or_null(p.holm_wilcoxon)},
                   {"verdict", pair_verdict(p)}});
  }
  return out;
}

Json letters_json(const std::vector<std::string>& labels, const BlockRanks& ranks,
                  const std::vector<PairComparison>& pairs) {
  std::vector<std::pair<int64_t, int64_t>> significant;
  for (const auto& p : pairs) {
    if (std::isfinite(p.holm_t) && p.holm_t < kAlpha) significant.emplace_back(p.i, p.j);
  }
  const auto letters = compact_letter_display(best_first(ranks.mean_ranks), significant);
  Json out = Json::object();
  for (size_t j = 0; j < labels.size(); ++j) out[labels[j]] = letters[j];
  return out;
}

Json nemenyi_json(const std::vector<std::string>& labels, const BlockRanks& ranks) {
  const double cd = nemenyi_critical_difference(ranks.k, ranks.n, kAlpha);
  Json groups = Json::array();
  for (const auto& g : nemenyi_groups(ranks.mean_ranks, cd)) {
    Json names = Json::array();
    for (int64_t j : g) names.push_back(labels[j]);
    groups.push_back(names);
  }
  return {{"alpha", kAlpha},
          {"q", finite_or_null(nemenyi_q(ranks.k, kAlpha))},
          {"cd", finite_or_null(cd)},
          {"groups", groups}};
}

}  // namespace

Json rank_comparison(const std::vector<std::string>& labels,
                     const std::vector<std::vector<double>>& values,
                     const std::string& block_text) {
  if (labels.size() < 2) return nullptr;
  const BlockRanks ranks = rank_within_blocks(values, true);
  if (ranks.n < 2) return nullptr;
  const FriedmanResult f = friedman_test(ranks);
  const std::vector<PairComparison> pairs = all_pairs_paired(values);
  Json mean_ranks = Json::array();
  for (double r : ranks.mean_ranks) mean_ranks.push_back(r);
  return {{"metric", "final_test_accuracy"},
          {"metric_label", "final test accuracy"},
          {"higher_is_better", true},
          {"blocks", ranks.n},
          {"dropped", ranks.dropped},
          {"block_text", block_text},
          {"activations", labels},
          {"mean_ranks", mean_ranks},
          {"friedman",
           {{"chi2", finite_or_null(f.chi2)},
            {"p_value", finite_or_null(f.p_value)},
            {"f", finite_or_null(f.f)},
            {"f_p_value", finite_or_null(f.f_p_value)},
            {"df", ranks.k - 1}}},
          {"nemenyi", nemenyi_json(labels, ranks)},
          {"pairs", pairs_json(labels, pairs)},
          {"letters", letters_json(labels, ranks, pairs)},
          {"letters_rule", kLettersRule}};
}

std::vector<std::string> comparison_lines(const Json& c) {
  if (c.is_null()) return {};
  auto number = [](const Json& v) { return v.is_number() ? v.get<double>() : std::nan(""); };
  const Json& f = c.at("friedman");
  const Json& n = c.at("nemenyi");
  std::string friedman = "All activations at once over " + c.at("block_text").get<std::string>() +
                         ": Friedman chi2 = " + fixed(number(f.at("chi2")), 2) + " (df " +
                         std::to_string(f.at("df").get<int64_t>()) + ", " +
                         p_text(number(f.at("p_value"))) + "); Nemenyi critical difference " +
                         fixed(number(n.at("cd")), 2) + " in mean rank (alpha 0.05)";
  if (c.at("dropped").get<int64_t>() > 0) {
    friedman += "; " + std::to_string(c.at("dropped").get<int64_t>()) +
                " block(s) left out for a run that did not complete";
  }
  return {friedman, std::string("Letters: ") + kLettersRule + "."};
}

}  // namespace actbench
