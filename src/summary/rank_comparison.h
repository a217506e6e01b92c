// summary.json's `comparison`: every activation against every other at once, over blocks (a seed
// at a swept point: the runs that share initial weights and batches). Ranks within each block,
// the Friedman test (and Iman & Davenport's F), the Nemenyi critical difference with the groups a
// critical-difference diagram joins (Demšar 2006), every pair's paired t and Wilcoxon tests under
// Holm's correction over all pairs, and a compact letter display: activations that share a letter
// are not told apart by the Holm-adjusted paired t-test. The numbers come from stats/rank_tests.h;
// this file only arranges and words them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace actbench {

// `labels`: the k activations in display order; `values[block][j]`: activation j's final test
// accuracy (percent) in that block, NaN where its run did not complete (the block is left out).
// `block_text` says what a block is ("5 seeds", "5 seeds x 2 points"). Null when k < 2 or fewer
// than 2 blocks are complete.
nlohmann::json rank_comparison(const std::vector<std::string>& labels,
                               const std::vector<std::vector<double>>& values,
                               const std::string& block_text);

// The one-line statements `run` and `show` print under the table: the Friedman test, the critical
// difference and what the letters mean. Empty for a null comparison.
std::vector<std::string> comparison_lines(const nlohmann::json& comparison);

}  // namespace actbench
