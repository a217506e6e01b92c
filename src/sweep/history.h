// DIR/history/: where a sweep's files go when a sweep with other runs takes its directory. Each
// entry is named by when it moved and by the settings the new sweep changed
// (history/20261207T171900Z_train.lr+model.hidden/) and holds changed.json, which says what
// changed in full; a sweep already kept there (the same runs, as many of them finished) is not
// kept twice.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/json_flat.h"

namespace actbench {

constexpr const char* kHistorySchema = "actbench.history/1";

struct HistoryMove {
  std::filesystem::path entry;      // the history entry now holding the earlier sweep
  std::vector<Difference> changed;  // its settings (a) against the new sweep's (b)
  std::filesystem::path duplicate;  // an entry that held the same sweep (dropped or replaced)
  bool kept_already = false;        // `duplicate` holds all of it: DIR's copy was removed
};

// Moves DIR's sweep files into a new entry of DIR/history/ (plan.json last, so a process killed
// half-way leaves plan.json and the next run moves the rest), `config` being the new sweep's
// resolved config. When an entry holds the same sweep (the same planned runs) with at least the
// runs DIR has finished, DIR's copy is removed instead; when DIR has finished more, it replaces
// that entry. InputError when the files cannot be moved.
HistoryMove move_to_history(const std::filesystem::path& dir, const nlohmann::json& config);

// One log sentence: where the earlier sweep went and what the new one changed.
std::string history_sentence(const std::filesystem::path& dir, const HistoryMove& move);

}  // namespace actbench
