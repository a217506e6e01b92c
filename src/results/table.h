// The tables printed on stdout at the end of a run or merge.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace actbench {

// summary.json as a table: one row per group (activation and swept values but the seed), ranked
// by mean final test accuracy (groups with no completed run last), with 95% intervals where there
// are repeated seeds; then one line per paired difference against the baseline activation
// ("Tanh is 0.30 ± 0.21 points below ReLU").
void print_summary(std::ostream& out, const nlohmann::json& summary);

}  // namespace actbench
