#include "sweep/merge.h"

#include <set>

#include "util/error.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;

MergeResult merge_sweep(const fs::path& dir, const std::optional<std::string>& baseline,
                        const std::vector<std::string>& command) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw InputError("sweep directory " + dir.string() +
                     " not found (give the --out DIR of a sweep)");
  }
  const Plan plan = read_plan_file(dir);
  std::set<std::string> ids;
  for (const auto& r : plan.runs) ids.insert(r.id);
  check_no_foreign_runs(dir, ids);
  std::vector<std::string> labels;
  std::string base = plan.base.baseline;
  if (baseline) {
    // Matched as activation names are: case and '_', '-' ignored.
    for (const auto& a : plan.base.activations) labels.push_back(a.label);
    const auto it = std::find_if(labels.begin(), labels.end(), [&](const std::string& l) {
      return name_key(l) == name_key(*baseline);
    });
    if (it == labels.end()) {
      throw InputError("--baseline '" + *baseline +
                       "' is not one of the sweep's activations: " + join(labels, ", "));
    }
    base = *it;
  }
  RunEnvironment env;
  env.started_at = utc_timestamp();
  env.command = command;
  MergeResult merged{collect_outputs(dir, plan, env, base, true), plan.runs.size()};
  Json& results = merged.outputs.results;
  // The environment the runs were trained in (one device unless shards ran on several).
  std::set<std::string> devices, names;
  for (const auto& r : results["runs"]) {
    devices.insert(r.value("device", ""));
    names.insert(r.value("device_name", ""));
  }
  results["device"] = join({devices.begin(), devices.end()}, ",");
  results["device_name"] = join({names.begin(), names.end()}, ",");
  results["threads"] = plan.base.threads;
  results["jobs"] = plan.base.jobs;
  results["finished_at"] = utc_timestamp();
  write_outputs(dir, merged.outputs);
  return merged;
}

}  // namespace actbench
