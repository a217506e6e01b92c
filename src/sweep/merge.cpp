#include "sweep/merge.h"

#include <set>

#include <spdlog/spdlog.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;

MergeResult merge_sweep(const fs::path& dir, const std::optional<std::string>& baseline,
                        const std::vector<std::string>& command) {
  check_path(dir, PathKind::kDirectory, "sweep directory",
             "sweep directory " + dir.string() + " not found (give the --out DIR of a sweep)",
             "give the --out DIR of a sweep");
  const Plan plan = read_plan_file(dir);
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
