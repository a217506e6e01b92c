#include "results/results.h"

#include <ctime>

#include <torch/version.h>

#include "util/fs.h"

namespace actbench {

RunSummary summarize(const RunResult& run) {
  RunSummary s;
  for (const auto& e : run.epochs) {
    if (e.test_accuracy > s.best_test_accuracy || s.best_epoch == 0) {
      s.best_test_accuracy = e.test_accuracy;
      s.best_epoch = e.epoch;
    }
    s.total_seconds += e.seconds;
  }
  if (!run.epochs.empty()) {
    const EpochMetrics& last = run.epochs.back();
    s.last_test_accuracy = last.test_accuracy;
    s.last_test_loss = last.test_loss;
    s.last_train_loss = last.train_loss;
    s.seconds_per_epoch = s.total_seconds / double(run.epochs.size());
  }
  return s;
}

std::string utc_timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json run_to_json(const RunResult& run) {
  nlohmann::json epochs = nlohmann::json::array();
  for (const auto& e : run.epochs) {
    // Non-finite values (a diverged run) are written as null: JSON has no NaN.
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    epochs.push_back({{"epoch", e.epoch},
                      {"train_loss", num(e.train_loss)},
                      {"train_accuracy", e.train_accuracy},
                      {"test_loss", num(e.test_loss)},
                      {"test_accuracy", e.test_accuracy},
                      {"seconds", e.seconds},
                      {"train_seconds", e.train_seconds},
                      {"test_seconds", e.test_seconds}});
  }
  RunSummary s = summarize(run);
  return {{"activation", run.activation.name},
          {"label", run.activation.label},
          {"params", run.activation.params},
          {"seed", run.seed},
          {"parameters", run.parameters},
          {"status", run.status},
          {"epochs", epochs},
          {"final",
           {{"test_accuracy", s.last_test_accuracy},
            {"best_test_accuracy", s.best_test_accuracy},
            {"best_epoch", s.best_epoch},
            {"total_seconds", s.total_seconds}}}};
}

nlohmann::json results_to_json(const Config& config, const RunEnvironment& env,
                               const std::vector<RunResult>& runs) {
  nlohmann::json out_runs = nlohmann::json::array();
  for (const auto& r : runs) out_runs.push_back(run_to_json(r));
  return {{"schema", kResultsSchema},
          {"actbench_version", ACTBENCH_VERSION},
          {"libtorch_version", TORCH_VERSION},
          {"device", env.device},
          {"device_name", env.device_name},
          {"threads", env.threads},
          {"jobs", env.jobs},
          {"started_at", env.started_at},
          {"finished_at", env.finished_at},
          {"command", env.command},
          {"config", config_to_json(config)},
          {"runs", out_runs}};
}

void write_results(const std::filesystem::path& dir, const nlohmann::json& results) {
  write_file_atomic(dir / "results.json", results.dump(2) + "\n");
}

}  // namespace actbench
