// The paired comparisons of summary.json: each activation against the baseline at the same point,
// over the seeds where both completed (same initial weights and batches). Per metric the estimate
// of the mean difference; for final test accuracy the tests a reviewer asks for -- paired t-test,
// Wilcoxon signed-rank (exact for small n), the standardised effect size d_z, the smallest
// difference the seeds could detect with 80% power -- Holm-Bonferroni adjusted over every
// comparison of the sweep (and over those at the same point), and a verdict in words.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/choices.h"

namespace actbench {

constexpr double kAlpha = 0.05;  // significance level of the adjusted tests
constexpr double kPower = 0.80;  // for the smallest detectable difference

// One comparison's entry before the family-wide adjustment: `differences` maps a metric's name in
// summary.json (final_test_accuracy, best_test_accuracy, final_test_loss) to the per-seed
// differences (activation minus baseline, in the order of `seeds`).
// With `until` > 0 (adaptive seeds) the tests also say after how many of the seeds, counting from
// `min_seeds`, the interval was first at most `until` points each side ("seeds_to_target").
nlohmann::json paired_difference(const std::string& activation, const std::string& baseline,
                                 const nlohmann::json& point, const std::string& where,
                                 const nlohmann::json& seeds,
                                 const std::map<std::string, std::vector<double>>& differences,
                                 double until = 0, int64_t min_seeds = 2);

// Whether every difference with completed pairs has an interval at most `until` points each side.
bool differences_within(const nlohmann::json& differences, double until);

// Adds to every entry the Holm-Bonferroni adjusted p-values (over all entries; over the entries
// at the same point), the verdict ("better", "worse", "no detectable difference", "too few
// seeds"), the sentence and note people read, with ± as `spread` says, and `text`: the tests'
// p-values, d_z and detectable difference as table cells, and "Holm p = 0.003" for figures.
void conclude_differences(nlohmann::json& differences, Spread spread);

// The paired tests as a table (the report's): one row per difference, in order -- the swept
// values, the sentence, n, the t-test, Holm-adjusted and Wilcoxon p-values, d_z, the smallest
// detectable difference and the verdict, as the entries' `text` writes them.
nlohmann::json differences_table(const nlohmann::json& differences,
                                 const std::vector<std::string>& keys, Spread spread);

// The title above the sentences: what is compared, what ± means and which test decides.
std::string differences_title(const std::string& baseline, Spread spread,
                              const nlohmann::json& differences);

}  // namespace actbench
