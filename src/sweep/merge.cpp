#include "sweep/merge.h"

#include <set>

#include <spdlog/spdlog.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;

namespace {

struct ExpectedPlan {
  std::vector<std::string> ids;       // in order
  std::optional<fs::path> stage_dir;  // a tuned sweep's: the stage's directory ("out")
};

// The run ids of an `actbench plan --json` file, in order.
ExpectedPlan expected_plan_of(const fs::path& file) {
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
  ExpectedPlan expected{ids, std::nullopt};
  if (j->contains("tuning") && j->at("out").is_string()) {
    expected.stage_dir = j->at("out").get<std::string>();
  }
  return expected;
}

// Whether `plan`'s runs are the expected ones, in order.
bool same_runs(const std::vector<std::string>& expected, const Plan& plan) {
  bool same = expected.size() == plan.runs.size();
  for (size_t i = 0; same && i < plan.runs.size(); ++i) same = expected[i] == plan.runs[i].id;
  return same;
}

// A tuned sweep is submitted at one of its stages (a rung of the search, usually the first):
// that stage's directory -- DIR itself or one under DIR/tuning/ -- must hold the submitted runs.
bool holds_submitted_stage(const fs::path& dir, const ExpectedPlan& expected) {
  if (!expected.stage_dir) return false;
  const fs::path stage = fs::absolute(*expected.stage_dir).lexically_normal();
  const fs::path tuning = fs::absolute(dir / "tuning").lexically_normal();
  const auto rel = stage.lexically_relative(tuning);
  if (rel.empty() || *rel.begin() == "..") return false;
  try {
    return same_runs(expected.ids, read_plan_file(stage));
  } catch (const InputError&) {
    return false;
  }
}

}  // namespace

MergeResult merge_sweep(const fs::path& dir, const std::optional<std::string>& baseline,
                        const std::vector<std::string>& command,
                        const std::optional<fs::path>& expected_plan) {
  check_path(dir, PathKind::kDirectory, "sweep directory",
             "sweep directory " + dir.string() + " not found (give the --out DIR of a sweep)",
             "give the --out DIR of a sweep");
  const std::optional<ExpectedPlan> expected =
      expected_plan ? std::optional(expected_plan_of(*expected_plan)) : std::nullopt;
  const Plan plan = read_plan_file(dir);
  if (expected) {
    if (!same_runs(expected->ids, plan) && !holds_submitted_stage(dir, *expected)) {
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
