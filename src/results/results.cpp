#include "results/results.h"

#include <cmath>
#include <ctime>

#include <torch/version.h>

#include "util/fs.h"
#include "util/json_checksum.h"
#include "util/provenance.h"

namespace actbench {

RunSummary summarize(const RunResult& run) {
  RunSummary s;
  s.best_on_validation = !run.epochs.empty() && run.epochs.front().val_accuracy.has_value();
  double best_score = 0;
  for (const auto& e : run.epochs) {
    const double score = s.best_on_validation ? e.val_accuracy.value_or(0) : e.test_accuracy;
    if (score > best_score || s.best_epoch == 0) {
      best_score = score;
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

namespace {

nlohmann::json optional_number(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

}  // namespace

nlohmann::json metric_to_json(double v) {
  if (std::isfinite(v)) return v;
  return std::isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}

nlohmann::json diagnostics_to_json(const EpochDiagnostics& d) {
  const auto num = metric_to_json;
  nlohmann::json grad = nlohmann::json::array(), dead = nlohmann::json::array(),
                 sat = nlohmann::json::array(), mean = nlohmann::json::array(),
                 std = nlohmann::json::array();
  for (double g : d.grad_norm) grad.push_back(num(g));
  for (const auto& l : d.layers) {
    dead.push_back(num(l.dead));
    sat.push_back(num(l.saturated));
    mean.push_back(num(l.mean));
    std.push_back(num(l.std));
  }
  return {{"grad_norm", grad},
          {"dead", dead},
          {"saturated", sat},
          {"act_mean", mean},
          {"act_std", std},
          {"forward_seconds", optional_number(d.forward_seconds)},
          {"backward_seconds", optional_number(d.backward_seconds)},
          {"optimizer_seconds", optional_number(d.optimizer_seconds)}};
}

nlohmann::json run_to_json(const RunResult& run) {
  nlohmann::json epochs = nlohmann::json::array();
  for (const auto& e : run.epochs) {
    const auto num = metric_to_json;
    epochs.push_back({{"epoch", e.epoch},
                      {"train_loss", num(e.train_loss)},
                      {"train_accuracy", e.train_accuracy},
                      {"test_loss", num(e.test_loss)},
                      {"test_accuracy", e.test_accuracy},
                      {"seconds", e.seconds},
                      {"train_seconds", e.train_seconds},
                      {"test_seconds", e.test_seconds}});
    if (e.val_accuracy) {
      epochs.back()["val_loss"] = num(*e.val_loss);
      epochs.back()["val_accuracy"] = *e.val_accuracy;
    }
    if (e.diagnostics) epochs.back()["diagnostics"] = diagnostics_to_json(*e.diagnostics);
    if (!e.learned.is_null()) epochs.back()["learned"] = e.learned;
  }
  RunSummary s = summarize(run);
  nlohmann::json j = {{"activation", run.activation.name},
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
                        {"best_chosen_on", s.best_on_validation ? "validation" : "test"},
                        {"test_loss", metric_to_json(s.last_test_loss)},
                        {"total_seconds", s.total_seconds},
                        {"seconds_per_epoch", s.seconds_per_epoch}}}};
  if (!run.initial_grad_norm.empty()) {
    nlohmann::json g = nlohmann::json::array();
    for (double v : run.initial_grad_norm) g.push_back(metric_to_json(v));
    j["initial_grad_norm"] = g;
  }
  return j;
}

namespace {

// host_provenance() and the command, with the times given.
nlohmann::json provenance(const RunEnvironment& env, const std::string& started_at,
                          const std::string& finished_at) {
  nlohmann::json p = host_provenance();
  p["command"] = env.command;
  p["started_at"] = started_at;
  p["finished_at"] = finished_at;
  return p;
}

}  // namespace

nlohmann::json stored_run(const RunResult& run, const RunEnvironment& env,
                          const std::string& started_at) {
  nlohmann::json j = run_to_json(run);
  j["device"] = env.device;
  j["device_name"] = env.device_name;
  j["actbench_version"] = ACTBENCH_VERSION;
  j["libtorch_version"] = TORCH_VERSION;
  j["started_at"] = started_at;
  j["finished_at"] = utc_timestamp();
  j["provenance"] = provenance(env, started_at, j["finished_at"]);
  return j;
}

nlohmann::json run_entry(const std::string& id, const std::string& name,
                         const nlohmann::json& point, const nlohmann::json& identity,
                         const RunResult& run, const RunEnvironment& env) {
  nlohmann::json j = stored_run(run, env, env.started_at);
  j["id"] = id;
  j["name"] = name;
  j["point"] = point;
  j["config"] = identity;
  return j;
}

nlohmann::json results_document(const nlohmann::json& config, const RunEnvironment& env,
                                const std::vector<nlohmann::json>& entries,
                                const std::vector<std::string>& missing) {
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
          {"provenance", provenance(env, env.started_at, env.finished_at)},
          {"store", env.store.empty() ? nlohmann::json() : nlohmann::json(env.store)},
          {"config", config},
          {"complete", missing.empty()},
          {"missing", missing},
          {"runs", entries}};
}

void write_results(const std::filesystem::path& dir, const nlohmann::json& results) {
  write_file_atomic(dir / "results.json", with_checksum(results).dump(2) + "\n");
}

}  // namespace actbench
