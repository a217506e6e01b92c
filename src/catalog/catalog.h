// Reading sweeps back, read-only: a sweep's statistics (`actbench show`) and the sweeps under a
// results root (`actbench ls`); compare.h joins several into one table.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/choices.h"
#include "util/table.h"

namespace actbench {

// What to do about a sweep's results.json or summary.json whose checksum does not hold.
constexpr const char* kDamagedSweepFileFix =
    "rerun the sweep (or `actbench merge` its runs/) to rebuild it, or ask for an intact copy";

// A sweep as it stands: its resolved config and its summary (actbench.summary/2).
struct SweepView {
  std::filesystem::path dir;
  nlohmann::json config;   // the sweep's base config (with its `sweep`)
  nlohmann::json summary;  // built from DIR/runs when DIR has a plan, else DIR/summary.json
  std::string note;        // why DIR/summary.json is shown as it is ("" when rebuilt)
};

// Reads DIR without writing anything: the summary is rebuilt in memory from DIR/plan.json and
// DIR/runs (so an unfinished sweep shows what is finished), against `baseline` when given
// (matched case- and separator-insensitively) and with ± as `spread` says when given; a directory
// holding only results.json and summary.json (e.g. sent by a co-author) shows its summary.json.
// InputError otherwise.
SweepView read_sweep(const std::filesystem::path& dir,
                     const std::optional<std::string>& baseline = std::nullopt,
                     const std::optional<Spread>& spread = std::nullopt);

// One line of `actbench ls`.
struct SweepListing {
  std::string path;     // relative to the root
  std::string name;     // the config's name
  std::string when;     // results.json's finished_at, else plan.json's modification time (UTC)
  size_t finished = 0;  // runs finished
  size_t planned = 0;
  std::string dataset;  // e.g. "MNIST"
  std::string best;     // e.g. "GELU 98.07 ± 0.11" (the best final test accuracy)
  size_t history = 0;   // earlier sweeps kept in DIR/history
};

// The sweeps under `root` (any depth; hidden folders and history/ skipped), newest first.
// InputError when `root` is not a directory.
std::vector<SweepListing> list_sweeps(const std::filesystem::path& root);

}  // namespace actbench
