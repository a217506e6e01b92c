// A sweep directory on disk, a view of the run store (store/run_store.h):
//   DIR/plan.json          the resolved sweep (plan_to_json)
//   DIR/runs/<id>.json     the sweep's copy of each finished run (from the store), written
//                          atomically
//   DIR/results.json       every finished run, rebuilt from runs/ (results_document)
//   DIR/summary.json       statistics over seeds, rebuilt from runs/ (build_summary)
//   DIR/history/<when>/    an earlier sweep's plan.json, results.json, summary.json, runs/ and
//                          plots/, moved there when another sweep (other runs) took DIR
// Everything is rebuilt from runs/ the same way whether the sweep ran in one go, was resumed
// after an interruption or ran as shards, so the outputs are the same (timings aside).
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/plan.h"
#include "results/results.h"
#include "store/run_store.h"
#include "summary/summary.h"
#include "sweep/history.h"

namespace actbench {

std::filesystem::path run_file(const std::filesystem::path& dir, const std::string& id);

// DIR/checkpoints: the per-epoch checkpoints of the runs in progress (train/checkpoint.h), and
// run `id`'s there.
std::filesystem::path checkpoint_dir(const std::filesystem::path& dir);
std::filesystem::path checkpoint_file(const std::filesystem::path& dir, const std::string& id);

// The sweep's entry for `run` from a stored run: the store's run with the sweep's id, name,
// swept values, identity ("config") and label, and the key it is stored under ("store_key").
// `from_store`: the run was trained for another sweep and taken from the store (its timings were
// measured then, under another load: "from_store": true, which the summary reports).
nlohmann::json sweep_entry(const PlannedRun& run, const nlohmann::json& stored_run,
                           const StoreKey& key, bool from_store = false);

// The entry in DIR/runs/<id>.json when it holds this run (same id and identity, a status, and
// -- when `key` is given -- stored under that key); otherwise nullopt, with `why` saying what is
// wrong ("" when the file does not exist).
std::optional<nlohmann::json> read_run_entry(const std::filesystem::path& dir,
                                             const std::string& id, const nlohmann::json& identity,
                                             const StoreKey* key, std::string& why);

// The plan DIR/plan.json describes, rebuilt as `run` builds it (from the config it records), so
// that merge works on the same typed plan; InputError when the file is not a plan or was written
// by an actbench whose run identities differ.
Plan read_plan_file(const std::filesystem::path& dir);

// Whether DIR holds the files of another sweep than `plan` (its plan.json lists a run `plan` does
// not have, or cannot be read; a plan that extends it -- more seeds, another activation -- is the
// same sweep): `run` moves them to DIR/history/ before it writes its own.
bool holds_other_sweep(const std::filesystem::path& dir, const Plan& plan);

// Holds DIR for one sweep while alive: shards of the same sweep share it; another sweep (other
// runs) cannot take DIR meanwhile. Uses flock(2) on DIR/.actbench.lock and DIR/.actbench.active,
// which the kernel releases when the process dies, so a kill -9 leaves nothing to clean up.
class SweepDirLock {
 public:
  // Takes DIR for `plan`: when DIR holds another sweep's files, they move to DIR/history/ first
  // (move_to_history; what happened in `moved`); InputError when another sweep is running in DIR
  // right now. Then writes DIR/plan.json.
  SweepDirLock(const std::filesystem::path& dir, const Plan& plan, HistoryMove* moved = nullptr);
  ~SweepDirLock();
  SweepDirLock(const SweepDirLock&) = delete;
  SweepDirLock& operator=(const SweepDirLock&) = delete;

 private:
  int active_fd_ = -1;
};

// Held by a reader of DIR (plot, show, export, compare, diff) while it reads DIR or writes in
// DIR/plots: a run that takes DIR for another sweep waits for it before it moves DIR's files to
// DIR/history/ (flock(2) shared on DIR/.actbench.readers; nothing when DIR is not writable).
class DirReaderLock {
 public:
  explicit DirReaderLock(const std::filesystem::path& dir);
  ~DirReaderLock();
  DirReaderLock(const DirReaderLock&) = delete;
  DirReaderLock& operator=(const DirReaderLock&) = delete;

 private:
  int fd_ = -1;
};

// Removes temporary files a killed writer left in DIR, DIR/runs (only ones older than a minute,
// so a shard writing next door is never disturbed).
void remove_stale_temp_files(const std::filesystem::path& dir);

// DIR/tuning.json (sweep/tuning.h): a tuned sweep's search, written before its final comparison.
constexpr const char* kTuningSchema = "actbench.tuning/1";
std::filesystem::path tuning_record_file(const std::filesystem::path& dir);

// DIR/tuning.json's record (without its checksum) when it belongs to `plan` -- the final
// comparison at the settings it chose; null otherwise (no file, another sweep's; a damaged one is
// reported with a warning).
nlohmann::json read_tuning_record(const std::filesystem::path& dir, const Plan& plan);

struct SweepOutputs {
  nlohmann::json results;
  nlohmann::json summary;
  std::vector<std::string> missing;  // ids of planned runs with no valid file
};

// Reads every planned run's file and builds results.json and summary.json. `keys` (one per run
// of the plan, in order; empty for merge): entries must be stored under them. `strict`: a run
// file that exists but is not valid is an InputError (merge); otherwise it counts as missing.
SweepOutputs collect_outputs(const std::filesystem::path& dir, const Plan& plan,
                             const std::vector<StoreKey>& keys, const RunEnvironment& env,
                             const SummaryOptions& summary, bool strict);

// Writes DIR/results.json and DIR/summary.json atomically.
// Refuses DIR (InputError) when its results.json, summary.json or plan.json is not actbench's.
void check_own_outputs(const std::filesystem::path& dir);

void write_outputs(const std::filesystem::path& dir, const SweepOutputs& outputs);

}  // namespace actbench
