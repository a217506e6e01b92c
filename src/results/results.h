// Results stage: runs as JSON (schema actbench.results/5, documented in docs/), written atomically.
// A run's entry is what DIR/runs/<id>.json holds and what results.json's `runs` lists.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "train/run_result.h"

namespace actbench {

constexpr const char* kResultsSchema = "actbench.results/5";

struct RunSummary {
  double last_test_accuracy = 0;
  // The epoch with the best validation accuracy (data.validation), else the best test accuracy
  // (optimistic: chosen on the test set itself), and that epoch's test accuracy.
  double best_test_accuracy = 0;
  int64_t best_epoch = 0;
  bool best_on_validation = false;
  double last_test_loss = 0;
  double last_train_loss = 0;
  double total_seconds = 0;
  double seconds_per_epoch = 0;
};

RunSummary summarize(const RunResult& run);

// Facts about the process that produced the runs.
struct RunEnvironment {
  std::string device;       // "cpu", "cuda:0"
  std::string device_name;  // e.g. the GPU's name; empty on CPU
  int64_t threads = 0;      // intra-op CPU threads
  int64_t jobs = 1;         // runs trained side by side
  std::string started_at;   // ISO 8601, UTC
  std::string finished_at;
  std::vector<std::string> command;  // argv
  std::string store;                 // the run store's directory; empty for none
};

std::string utc_timestamp();

// A metric as results.json writes it: the number, or for a value that is not finite (a diverged
// run) the string "NaN", "Infinity" or "-Infinity" (JSON has none of them; actbench.results/4
// wrote null, which could not tell them apart).
nlohmann::json metric_to_json(double v);

// An epoch's diagnostics as results.json writes them (per layer lists, metric_to_json).
nlohmann::json diagnostics_to_json(const EpochDiagnostics& d);

// The run's metrics: activation, seed, status, per-epoch metrics and the `final` summary.
nlohmann::json run_to_json(const RunResult& run);

// A finished run as the run store keeps it: run_to_json plus the device and versions that
// produced it, when it started and ended, and its provenance (host_provenance() and the command).
nlohmann::json stored_run(const RunResult& run, const RunEnvironment& env,
                          const std::string& started_at);

// A run's entry: stored_run plus its id, name, swept values and identity (the settings that
// determine its numbers).
nlohmann::json run_entry(const std::string& id, const std::string& name,
                         const nlohmann::json& point, const nlohmann::json& identity,
                         const RunResult& run, const RunEnvironment& env);

// results.json: the environment and provenance of the process writing it, the sweep's base config
// (with its `sweep`), the entries of every finished run in plan order (each with the provenance of
// the process that trained it), and the ids of the runs not finished.
nlohmann::json results_document(const nlohmann::json& config, const RunEnvironment& env,
                                const std::vector<nlohmann::json>& entries,
                                const std::vector<std::string>& missing);

// Writes DIR/results.json atomically.
void write_results(const std::filesystem::path& dir, const nlohmann::json& results);

}  // namespace actbench
