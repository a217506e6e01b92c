#include "catalog/catalog.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "config/key_reader.h"
#include "config/keys.h"
#include "summary/summary.h"
#include "sweep/sweep_dir.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_checksum.h"
#include "util/json_flat.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// The JSON in `path`; nullopt when absent; InputError when unreadable.
std::optional<Json> read_json_or_fail(const fs::path& path) {
  std::string why;
  std::optional<Json> j = read_json_file(path, why);
  if (!why.empty()) throw InputError(path.string() + ": " + why);
  if (j) {
    check_damaged(*j, path.string(), kDamagedSweepFileFix);
  }
  return j;
}

void check_sweep_dir(const fs::path& dir) {
  check_path(dir, PathKind::kDirectory, "sweep directory",
             "sweep directory " + dir.string() + " (" + fs::absolute(dir).string() +
                 ") not found; `actbench ls` lists the sweeps under results/",
             "give a sweep's directory (its --out)");
}

// A file's modification time as "2026-11-28T08:30:00Z"; "" when unknown.
std::string modified_text(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  std::tm tm{};
  gmtime_r(&st.st_mtime, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The group with the best mean final test accuracy, as "GELU 98.07 ± 0.11" ("" when none).
std::string best_text(const Json& summary) {
  const Json* best = nullptr;
  double best_mean = 0;
  if (!summary.contains("groups") || !summary["groups"].is_array()) return "";
  for (const auto& g : summary["groups"]) {
    const Json& acc = g.value("final_test_accuracy", Json());
    if (!acc.is_object() || !acc.value("mean", Json()).is_number()) continue;
    const double mean = acc["mean"].get<double>();
    if (best == nullptr || mean > best_mean) {
      best = &g;
      best_mean = mean;
    }
  }
  if (best == nullptr) return "";
  return best->value("name", "?") + " " +
         best->value("text", Json::object()).value("final_test_accuracy", "");
}

}  // namespace

SweepView read_sweep(const fs::path& dir, const std::optional<std::string>& baseline,
                     const std::optional<Spread>& spread) {
  check_sweep_dir(dir);
  const DirReaderLock reading(dir);  // no run moves DIR's files to history meanwhile
  SweepView view;
  view.dir = dir;
  std::error_code ec;
  const bool has_summary = fs::exists(dir / "summary.json", ec);
  if (fs::exists(dir / "plan.json", ec)) {
    try {
      const Plan plan = read_plan_file(dir);
      const std::string base =
          baseline ? match_activation_label(plan, *baseline, "--baseline") : plan.base.baseline;
      RunEnvironment env;
      view.summary = collect_outputs(dir, plan, {}, env,
                                     {base, spread.value_or(plan.base.spread),
                                      plan.base.seeds.until, plan.base.seeds.min},
                                     false)
                         .summary;
      view.config = plan.config_json;
      return view;
    } catch (const InputError& e) {
      if (!has_summary || baseline || spread) throw;
      view.note =
          std::string(e.what()) + "; showing " + (dir / "summary.json").string() + " as it is";
    }
  }
  if (!has_summary) {
    throw InputError(dir.string() +
                     " holds no sweep (no plan.json or summary.json); `actbench ls` lists the "
                     "sweeps under results/");
  }
  if (baseline || spread) {
    throw InputError(std::string(baseline ? "--baseline" : "--spread") +
                     " needs the sweep's plan.json and runs/, which " + dir.string() +
                     " lacks; it shows its summary.json as it is");
  }
  view.summary = *read_json_or_fail(dir / "summary.json");
  // What show and compare read (the table, the sentences, each group's activation, point and
  // text) is in every summary version since 2, so a sweep made by an earlier actbench still reads.
  const std::string schema = view.summary.is_object() ? view.summary.value("schema", "") : "";
  const bool readable = (schema == kSummarySchema || schema == "actbench.summary/2") &&
                        view.summary.contains("table") && view.summary.contains("groups") &&
                        view.summary.contains("differences");
  if (!readable) {
    throw InputError((dir / "summary.json").string() + ": not an " + kSummarySchema +
                     " file; rerun the sweep into " + dir.string() + " to rebuild it");
  }
  if (auto results = read_json_or_fail(dir / "results.json"); results && results->is_object()) {
    view.config = results->value("config", Json());
  }
  return view;
}

std::vector<SweepListing> list_sweeps(const fs::path& root) {
  std::error_code ec;
  check_path(root, PathKind::kDirectory, "results root",
             "results root " + root.string() + " (" + fs::absolute(root).string() +
                 ") not found; give the folder holding your sweeps (default: results)",
             "give the folder holding your sweeps (default: results)");
  constexpr int kMaxDepth = 4;  // results/<group>/<sweep>, with room to spare
  std::vector<SweepListing> out;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code e2;
    if (!it->is_directory(e2)) continue;
    // A sweep's own folders and hidden ones (the run store) are not experiments.
    if (name.empty() || name[0] == '.' || name == "history" || name == "runs" || name == "plots" ||
        it.depth() >= kMaxDepth) {
      it.disable_recursion_pending();
      continue;
    }
    const fs::path dir = it->path();
    if (!fs::exists(dir / "plan.json", e2)) continue;
    SweepListing l;
    l.path = dir.lexically_relative(root).string();
    try {
      const Json plan = *read_json_or_fail(dir / "plan.json");
      const Json& config = plan.at("config");
      l.name = config.value("name", "");
      l.dataset = dataset_label(*parse_choice<DatasetKind>(config.at("data").at("dataset")));
      for (const auto& r : plan.at("runs")) {
        ++l.planned;
        if (fs::exists(run_file(dir, r.at("id").get<std::string>()), e2)) ++l.finished;
      }
      std::optional<Json> results = read_json_or_fail(dir / "results.json");
      l.when = results && results->is_object() && results->value("complete", false)
                   ? results->value("finished_at", "")
                   : modified_text(dir / "plan.json");
      if (l.finished > 0) l.best = best_text(read_sweep(dir).summary);
    } catch (const std::exception& e) {
      spdlog::warn("{}: cannot be read ({}); skipped", dir.string(), e.what());
      continue;
    }
    for (auto h = fs::directory_iterator(dir / "history", e2); !e2 && h != fs::directory_iterator();
         h.increment(e2)) {
      if (h->is_directory()) ++l.history;
    }
    it.disable_recursion_pending();  // a sweep holds no other sweep
    out.push_back(std::move(l));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const SweepListing& a, const SweepListing& b) { return a.when > b.when; });
  return out;
}

}  // namespace actbench
