#include "sweep/merge.h"

#include <set>

#include <spdlog/spdlog.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;

namespace {

// The run ids of an `actbench plan --json` file, in order.
std::vector<std::string> expected_run_ids(const fs::path& file) {
  check_path(file, PathKind::kFile, "plan file", "plan file " + file.string() + " not found");
  std::string why;
  const std::optional<Json> j = read_json_file(file, why);
  std::vector<std::string> ids;
  const Json* runs = j && j->is_object() && j->contains("runs") ? &j->at("runs") : nullptr;
  for (size_t i = 0; runs != nullptr && runs->is_array() && i < runs->size(); ++i) {
    const Json& r = (*runs)[i];
    if (!r.is_object() || !r.contains("id") || !r.at("id").is_string()) break;
    ids.push_back(r.at("id").get<std::string>());
  }
  if (!j || runs == nullptr || !runs->is_array() || ids.size() != runs->size()) {
    throw InputError(file.string() + ": not the output of `actbench plan --json`" +
                     (why.empty() ? "" : " (" + why + ")"));
  }
  return ids;
}

}  // namespace

MergeResult merge_sweep(const fs::path& dir, const std::optional<std::string>& baseline,
                        const std::vector<std::string>& command,
                        const std::optional<fs::path>& expected_plan) {
  check_path(dir, PathKind::kDirectory, "sweep directory",
             "sweep directory " + dir.string() + " not found (give the --out DIR of a sweep)",
             "give the --out DIR of a sweep");
  const std::optional<std::vector<std::string>> expected =
      expected_plan ? std::optional(expected_run_ids(*expected_plan)) : std::nullopt;
  const Plan plan = read_plan_file(dir);
  if (expected) {
    bool same = expected->size() == plan.runs.size();
    for (size_t i = 0; same && i < plan.runs.size(); ++i) same = (*expected)[i] == plan.runs[i].id;
    if (!same) {
      throw InputError(dir.string() +
                       " holds another sweep than the one submitted (its plan.json "
                       "lists other runs than " +
                       expected_plan->string() +
                       "): none of the submitted tasks has started there; see their logs (e.g. " +
                       (dir / "slurm").string() + "/), then resubmit");
    }
  }
  check_own_outputs(dir);  // (run checks under its directory lock)
  const std::string base =
      baseline ? match_activation_label(plan, *baseline, "--baseline") : plan.base.baseline;
  RunEnvironment env;
  env.started_at = utc_timestamp();
  env.command = command;
  MergeResult merged{
      collect_outputs(dir, plan, {}, env,
                      {base, plan.base.spread, plan.base.seeds.until, plan.base.seeds.min}, true),
      plan.runs.size()};
  Json& results = merged.outputs.results;
  // The environment the runs were trained in (one device unless shards ran on several).
  std::set<std::string> devices, names, versions;
  for (const auto& r : results["runs"]) {
    devices.insert(r.value("device", ""));
    names.insert(r.value("device_name", ""));
    versions.insert("actbench " + r.value("actbench_version", "?") + " with LibTorch " +
                    r.value("libtorch_version", "?"));
  }
  if (versions.size() > 1) {
    // Shards run by different installations: their numbers may not be comparable.
    spdlog::warn(
        "the runs of {} were made by {}; rerun the shards with one installation for "
        "comparable numbers",
        dir.string(), join({versions.begin(), versions.end()}, " and by "));
  }
  results["device"] = join({devices.begin(), devices.end()}, ",");
  results["device_name"] = join({names.begin(), names.end()}, ",");
  results["threads"] = plan.base.threads;
  results["jobs"] = plan.base.jobs;
  results["finished_at"] = utc_timestamp();
  results["provenance"]["finished_at"] = results["finished_at"];
  write_outputs(dir, merged.outputs);
  return merged;
}

}  // namespace actbench
