// The paired tests of `actbench compare`: where two columns differ in exactly one setting and
// their runs share seeds (the same initial weights and batches, as within a sweep), each
// activation's per-seed differences are tested as a sweep tests its own -- paired t-test,
// Wilcoxon signed-rank, d_z, the smallest detectable difference, Holm over every test of the
// table -- against the first column.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/table.h"

namespace actbench {

// One column of the comparison: its name, its settings ("mixed" where its groups disagree) and,
// per activation, the summary group it shows (with `seeds` and `per_seed`).
struct ComparedColumn {
  std::string name;
  std::map<std::string, nlohmann::json> settings;
  std::map<std::string, const nlohmann::json*> groups;
};

struct PairedColumns {
  nlohmann::json differences = nlohmann::json::array();  // as summary.json's, one per test
  Table table{{}, {}};                                   // empty when nothing was tested
  std::string title;
  std::vector<std::string> notes;  // why a column was not tested
};

// Whether a differing value of config `key` makes two columns' results differ: not an
// activation's own setting (per_activation, shown in the cells) nor a key that changes no number
// (threads, jobs, out, spread, ...: KeyInfo::identity false).
bool key_changes_numbers(const std::string& key);

// Tests every column against the first, activation by activation (rows in order). A column is
// tested when it differs from the first in exactly one setting that changes numbers (keys whose
// KeyInfo says so; the number of seeds and an activation's own settings do not count).
PairedColumns pair_columns(const std::vector<ComparedColumn>& columns,
                           const std::vector<std::string>& rows);

}  // namespace actbench
