#include "sweep/history.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <optional>
#include <set>

#include "results/results.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_checksum.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// The sweep's own files and folders, in the order they move: plan.json last.
const char* const kSweepFiles[] = {"results.json", "summary.json", "tuning.json",
                                   "runs",         "plots",        "plan.json"};

// A sweep as its files say: the runs it plans, the runs it has finished and its config.
struct Kept {
  std::vector<std::string> planned;  // sorted; empty when plan.json is missing or unreadable
  std::set<std::string> finished;
  Json config;
};

Kept read_kept(const fs::path& dir) {
  Kept k;
  std::string why;
  for (const char* name : {"plan.json", "results.json"}) {
    const auto doc = read_json_file(dir / name, why);
    if (!doc || !doc->is_object() || !k.config.is_null()) continue;
    k.config = doc->value("config", Json());
    if (std::string(name) != "plan.json" || !doc->contains("runs") || !(*doc)["runs"].is_array()) {
      continue;
    }
    for (const auto& r : (*doc)["runs"]) {
      if (r.is_object() && r.contains("id") && r["id"].is_string()) k.planned.push_back(r["id"]);
    }
  }
  std::sort(k.planned.begin(), k.planned.end());
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir / "runs", ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".json" && p.filename().string()[0] != '.') {
      k.finished.insert(p.stem().string());
    }
  }
  return k;
}

std::vector<Difference> changed_settings(Json before, Json now) {
  for (Json* c : {&before, &now}) {
    if (c->is_object()) c->erase("out");  // where it is written is not what it is
  }
  std::map<std::string, Json> a, b;
  flatten_json(before, "", a);
  flatten_json(now, "", b);
  return flat_differences(a, b);
}

// "20261207T171900Z_train.lr+model.hidden": when, then up to three changed keys.
std::string entry_name(const std::vector<Difference>& changed) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  std::string keys;
  for (size_t i = 0; i < changed.size() && i < 3; ++i) keys += (i ? "+" : "") + changed[i].key;
  if (changed.size() > 3) keys += "+" + std::to_string(changed.size() - 3) + "-more";
  for (char& c : keys) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '+' && c != '-') c = '_';
  }
  if (keys.size() > 80) keys.resize(80);
  return keys.empty() ? stamp : std::string(stamp) + "_" + keys;
}

// The history entry holding the same sweep as `mine` (same planned runs), if any.
std::optional<std::pair<fs::path, Kept>> same_sweep_kept(const fs::path& history,
                                                         const Kept& mine) {
  if (mine.planned.empty()) return std::nullopt;
  std::error_code ec;
  for (auto it = fs::directory_iterator(history, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (!it->is_directory(ec) || it->path().filename().string()[0] == '.') continue;
    Kept other = read_kept(it->path());
    if (other.planned == mine.planned) return std::make_pair(it->path(), std::move(other));
  }
  return std::nullopt;
}

void move_files(const fs::path& dir, const fs::path& target) {
  std::error_code ec;
  fs::create_directories(target, ec);
  if (ec) {
    throw InputError("cannot create " + target.string() + " to keep the earlier sweep's files: " +
                     ec.message() + "; give this sweep its own directory with --out DIR");
  }
  for (const char* name : kSweepFiles) {
    if (!fs::exists(dir / name, ec)) continue;
    fs::rename(dir / name, target / name, ec);
    if (ec) {
      throw InputError("cannot move " + (dir / name).string() + " to " + target.string() + ": " +
                       ec.message() + "; give this sweep its own directory with --out DIR");
    }
  }
}

void remove_files(const fs::path& dir) {
  std::error_code ec;
  for (const char* name : kSweepFiles) {
    fs::remove_all(dir / name, ec);
    if (ec) {
      throw InputError("cannot remove " + (dir / name).string() + ": " + ec.message() +
                       "; give this sweep its own directory with --out DIR");
    }
  }
}

Json changed_json(const std::vector<Difference>& changed, const Kept& kept) {
  Json list = Json::array();
  for (const auto& d : changed) list.push_back({{"key", d.key}, {"was", d.a}, {"now", d.b}});
  return with_checksum({{"schema", kHistorySchema},
                        {"moved_at", utc_timestamp()},
                        {"why", "a sweep with other runs took the directory"},
                        {"changed", list},
                        {"runs_planned", kept.planned.size()},
                        {"runs_finished", kept.finished.size()}});
}

}  // namespace

HistoryMove move_to_history(const fs::path& dir, const Json& config) {
  HistoryMove move;
  const Kept mine = read_kept(dir);
  move.changed = changed_settings(mine.config, config);
  const fs::path history = dir / "history";
  if (auto same = same_sweep_kept(history, mine)) {
    move.duplicate = same->first;
    if (std::includes(same->second.finished.begin(), same->second.finished.end(),
                      mine.finished.begin(), mine.finished.end())) {
      move.kept_already = true;  // nothing DIR holds is missing there
      move.entry = same->first;
      remove_files(dir);
      return move;
    }
  }
  fs::path target = history / entry_name(move.changed);
  std::error_code ec;
  for (int i = 2; fs::exists(target, ec); ++i) {
    target = (history / entry_name(move.changed)).string() + "-" + std::to_string(i);
  }
  move_files(dir, target);
  write_file_atomic(target / "changed.json", changed_json(move.changed, mine).dump(2) + "\n");
  move.entry = target;
  // The older copy holds fewer finished runs of the same sweep: the new entry replaces it.
  if (!move.duplicate.empty()) fs::remove_all(move.duplicate, ec);
  return move;
}

std::string history_sentence(const fs::path& dir, const HistoryMove& move) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < move.changed.size() && i < 4; ++i) {
    const auto& d = move.changed[i];
    parts.push_back(d.key + " " + d.a + " -> " + d.b);
  }
  if (move.changed.size() > 4) parts.push_back(std::to_string(move.changed.size() - 4) + " more");
  const std::string what =
      parts.empty() ? " (no setting changed: an earlier actbench planned it, with other run ids)"
                    : " (this sweep changes " + join(parts, ", ") + ")";
  if (move.kept_already) {
    return dir.string() + " held an earlier sweep that " + move.entry.string() +
           " already keeps (the same runs): not kept twice" + what;
  }
  return dir.string() + " held another sweep's files: they are kept in " + move.entry.string() +
         what +
         (move.duplicate.empty() ? ""
                                 : "; it replaces " + move.duplicate.filename().string() +
                                       ", an earlier copy with fewer finished runs");
}

}  // namespace actbench
