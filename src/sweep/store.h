// A sweep directory on disk:
//   DIR/plan.json          the resolved sweep (plan_to_json)
//   DIR/runs/<id>.json     one finished run's entry, written atomically when the run ends
//   DIR/results.json       every finished run, rebuilt from runs/ (results_document)
//   DIR/summary.json       statistics over seeds, rebuilt from runs/ (build_summary)
// Everything is rebuilt from runs/ the same way whether the sweep ran in one go, was resumed
// after an interruption or ran as shards, so the outputs are the same (timings aside).
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "results/results.h"
#include "sweep/plan.h"

namespace actbench {

std::filesystem::path run_file(const std::filesystem::path& dir, const std::string& id);

// Ids of the run files in DIR/runs (temporary files excluded); empty when there is none.
std::vector<std::string> stored_run_ids(const std::filesystem::path& dir);

// InputError when DIR/runs holds runs that are not in `plan_ids` (another sweep's).
void check_no_foreign_runs(const std::filesystem::path& dir, const std::set<std::string>& plan_ids);

// The entry in DIR/runs/<id>.json when it holds this run (same id, same identity, a status);
// otherwise nullopt, with `why` saying what is wrong ("" when the file does not exist).
std::optional<nlohmann::json> read_run_entry(const std::filesystem::path& dir,
                                             const std::string& id, const nlohmann::json& identity,
                                             std::string& why);

// Whether DIR/runs holds `run`, finished (read_run_entry without the reason).
bool run_finished(const std::filesystem::path& dir, const PlannedRun& run);

// The plan DIR/plan.json describes, rebuilt as `run` builds it (from the config it records), so
// that merge works on the same typed plan; InputError when the file is not a plan or was written
// by an actbench whose run identities differ.
Plan read_plan_file(const std::filesystem::path& dir);

// Removes temporary files a killed writer left in DIR and DIR/runs (only ones older than a
// minute, so a shard writing next door is never disturbed).
void remove_stale_temp_files(const std::filesystem::path& dir);

struct SweepOutputs {
  nlohmann::json results;
  nlohmann::json summary;
  std::vector<std::string> missing;  // ids of planned runs with no valid file
};

// Reads every planned run's file and builds results.json and summary.json. `strict`: a run file
// that exists but is not valid is an InputError (merge); otherwise it counts as missing.
SweepOutputs collect_outputs(const std::filesystem::path& dir, const Plan& plan,
                             const RunEnvironment& env, const std::string& baseline, bool strict);

// Writes DIR/results.json and DIR/summary.json atomically.
void write_outputs(const std::filesystem::path& dir, const SweepOutputs& outputs);

}  // namespace actbench
