// `actbench compare`: several sweeps joined into one table -- a row per activation, a column per
// sweep (or per value of a config key) -- labelled by every setting in which the columns differ,
// with paired tests where two columns differ in one setting. Read-only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/paired_columns.h"
#include "util/table.h"

namespace actbench {

// Several sweeps joined: one row per activation, one column per (sweep, swept point), or per value
// of `by` (a config key) when given; cells show `metric` (a summary group's final_test_accuracy,
// best_test_accuracy, final_test_loss or seconds_per_epoch -- then a note says whether the sweeps
// were timed alike, or what differs). InputError when two of them would fill the same cell (the
// message names the keys that tell them apart).
struct Comparison {
  Table table;
  std::vector<std::string> notes;  // what each column holds and what ± means
  PairedColumns paired;            // each column tested against the first where they pair
};
Comparison compare_sweeps(const std::vector<SweepView>& sweeps,
                          const std::optional<std::string>& by,
                          const std::string& metric = "final_test_accuracy");

}  // namespace actbench
