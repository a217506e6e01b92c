// Results stage: runs as JSON (schema actbench.results/1, documented in docs/), written atomically.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "train/trainer.h"

namespace actbench {

constexpr const char* kResultsSchema = "actbench.results/1";

struct RunSummary {
  double last_test_accuracy = 0;
  double best_test_accuracy = 0;
  int64_t best_epoch = 0;
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
};

std::string utc_timestamp();

nlohmann::json run_to_json(const RunResult& run);
nlohmann::json results_to_json(const Config& config, const RunEnvironment& env,
                               const std::vector<RunResult>& runs);

// Writes DIR/results.json atomically.
void write_results(const std::filesystem::path& dir, const nlohmann::json& results);

}  // namespace actbench
