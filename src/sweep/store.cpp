#include "sweep/store.h"

#include <chrono>

#include "config/keys.h"
#include "sweep/summary.h"
#include "util/error.h"
#include "util/fs.h"

namespace actbench {
namespace fs = std::filesystem;
using Json = nlohmann::json;

fs::path run_file(const fs::path& dir, const std::string& id) {
  return dir / "runs" / (id + ".json");
}

std::vector<std::string> stored_run_ids(const fs::path& dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  const fs::path runs = dir / "runs";
  if (!fs::is_directory(runs, ec)) return ids;
  for (const auto& e : fs::directory_iterator(runs, ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.' || e.path().extension() != ".json") continue;
    ids.push_back(e.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

void check_no_foreign_runs(const fs::path& dir, const std::set<std::string>& plan_ids) {
  std::vector<std::string> foreign;
  for (const auto& id : stored_run_ids(dir)) {
    if (!plan_ids.count(id)) foreign.push_back(id);
  }
  if (foreign.empty()) return;
  throw InputError(dir.string() + " holds " + std::to_string(foreign.size()) +
                   " run(s) of another sweep (e.g. runs/" + foreign.front() +
                   ".json); give this sweep its own directory with --out DIR (or out: in the "
                   "config), or remove those runs");
}

std::optional<Json> read_run_entry(const fs::path& dir, const std::string& id, const Json& identity,
                                   std::string& why) {
  why.clear();
  const fs::path path = run_file(dir, id);
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  Json entry;
  try {
    entry = Json::parse(read_file(path));
  } catch (const Json::exception& e) {
    why = "not valid JSON (" + std::string(e.what()) + ")";
    return std::nullopt;
  } catch (const InputError& e) {
    why = e.what();
    return std::nullopt;
  }
  if (!entry.is_object() || !entry.contains("id") || entry["id"] != id) {
    why = "its id is not " + id;
  } else if (!entry.contains("config") || entry["config"] != identity) {
    why = "it holds a run with other settings";
  } else if (!entry.contains("status") || !entry.contains("final") || !entry.contains("epochs")) {
    why = "it lacks the status, epochs or final metrics of a run";
  } else {
    return entry;
  }
  return std::nullopt;
}

bool run_finished(const fs::path& dir, const PlannedRun& run) {
  std::string why;
  return read_run_entry(dir, run.id, run.identity, why).has_value();
}

Plan read_plan_file(const fs::path& dir) {
  const fs::path path = dir / "plan.json";
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw InputError(path.string() + " not found: " + dir.string() +
                     " is not a sweep directory (actbench run ... --out DIR makes one)");
  }
  Json stored;
  try {
    stored = Json::parse(read_file(path));
  } catch (const Json::exception& e) {
    throw InputError(path.string() + ": not valid JSON (" + e.what() + ")");
  }
  const std::string other_version = path.string() + ": not an " + kPlanSchema +
                                    " file of this actbench version; rerun the sweep to rewrite it";
  if (!stored.is_object() || stored.value("schema", "") != kPlanSchema ||
      !stored.contains("runs") || !stored["runs"].is_array() || !stored.contains("config")) {
    throw InputError(other_version);
  }
  ConfigSource source;
  source.tree = default_config_json();
  Plan plan;
  try {
    merge_config_document(source, stored["config"], path.string());
    plan = make_plan(source);
  } catch (const InputError& e) {
    throw InputError(other_version + " (" + e.what() + ")");
  }
  bool same = plan.runs.size() == stored["runs"].size();
  for (size_t i = 0; same && i < plan.runs.size(); ++i) {
    same = stored["runs"][i].value("id", "") == plan.runs[i].id;
  }
  if (!same) throw InputError(other_version + " (its run ids differ)");
  return plan;
}

void remove_stale_temp_files(const fs::path& dir) {
  const auto cutoff = fs::file_time_type::clock::now() - std::chrono::minutes(1);
  for (const fs::path& d : {dir, dir / "runs"}) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) continue;
    for (const auto& e : fs::directory_iterator(d, ec)) {
      const std::string name = e.path().filename().string();
      if (name.size() < 2 || name[0] != '.' || name.find(".tmp.") == std::string::npos) continue;
      if (e.last_write_time(ec) < cutoff) fs::remove(e.path(), ec);
    }
  }
}

SweepOutputs collect_outputs(const fs::path& dir, const Plan& plan, const RunEnvironment& env,
                             const std::string& baseline, bool strict) {
  SweepOutputs out;
  std::vector<Json> entries;
  std::map<std::string, Json> by_id;
  for (const auto& r : plan.runs) {
    const std::string& id = r.id;
    std::string why;
    std::optional<Json> entry = read_run_entry(dir, id, r.identity, why);
    if (!entry) {
      if (strict && !why.empty()) {
        throw InputError(run_file(dir, id).string() + ": " + why +
                         "; remove it and rerun the sweep to redo that run");
      }
      out.missing.push_back(id);
      continue;
    }
    by_id[id] = *entry;
    entries.push_back(std::move(*entry));
  }
  out.results = results_document(plan.config_json, env, entries, out.missing);
  out.summary = build_summary(plan, by_id, baseline);
  return out;
}

void write_outputs(const fs::path& dir, const SweepOutputs& outputs) {
  write_file_atomic(dir / "results.json", outputs.results.dump(2) + "\n");
  write_file_atomic(dir / "summary.json", outputs.summary.dump(2) + "\n");
}

}  // namespace actbench
