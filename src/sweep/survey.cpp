#include "sweep/survey.h"

#include <set>

#include <torch/version.h>

#include "config/keys.h"
#include "data/dataset.h"
#include "device/device.h"
#include "sweep/sweep_dir.h"
#include "train/memory.h"
#include "train/preflight.h"
#include "util/blas_kernel.h"

namespace actbench {
namespace fs = std::filesystem;
using Json = nlohmann::json;

size_t Survey::count(RunAction action) const {
  return size_t(std::count_if(decisions.begin(), decisions.end(),
                              [action](const RunDecision& d) { return d.action == action; }));
}

Survey survey_sweep(const Plan& plan, const fs::path& store_dir, const torch::Device& device,
                    const std::optional<Shard>& shard, bool fresh_all,
                    const std::set<std::string>& fresh_done) {
  Survey s;
  s.store_dir = store_dir;
  s.device_type = device.is_cuda() ? "cuda" : "cpu";
  const std::vector<std::string> files(std::begin(kIdxFileNames), std::end(kIdxFileNames));
  // Each data set once: checked (a clear error before anything is written), then hashed.
  std::vector<std::pair<DataConfig, std::map<std::string, std::string>>> hashes;
  for (const auto& r : plan.runs) {
    const DataConfig& data = r.config.data;
    auto it =
        std::find_if(hashes.begin(), hashes.end(), [&](const auto& h) { return h.first == data; });
    if (it == hashes.end()) {
      check_dataset_files(data);
      hashes.emplace_back(data, data_file_hashes(data.dir, files));
      check_dataset_identity(data, hashes.back().second);
      it = std::prev(hashes.end());
    }
    s.keys.push_back({store_settings(r.identity), it->second, ACTBENCH_VERSION, TORCH_VERSION,
                      s.device_type, device.is_cuda() ? "" : blas_kernel_key()});
  }

  const fs::path dir(plan.base.out);
  check_own_outputs(dir);  // another tool's files there: refused by plan and run alike
  s.other_sweep = holds_other_sweep(dir, plan);
  const RunStore store(store_dir);
  for (const auto& r : plan.runs) {
    if (shard && !shard->contains(r.index)) continue;
    RunDecision d;
    d.run = &r;
    const bool fresh = fresh_all && !fresh_done.count(r.id);
    const StoreKey& key = s.keys[r.index];
    std::string why;
    if (!s.other_sweep && !fresh && read_run_entry(dir, r.id, r.identity, &key, why)) {
      d.action = RunAction::kDone;
    } else {
      if (!s.other_sweep && !why.empty()) d.warning = run_file(dir, r.id).string() + ": " + why;
      std::string store_why;
      if (!fresh) d.stored = store.find(r.config.activations.front().label, key, store_why);
      if (d.stored) {
        d.action = RunAction::kReuse;
      } else if (!store_why.empty()) {
        d.warning += (d.warning.empty() ? "" : "; ") + store_why;
      }
    }
    // A run to train writes its checkpoint there: refused now, not after its first epoch.
    if (d.action == RunAction::kTrain) {
      check_file_slot(checkpoint_file(dir, r.id), "a run's checkpoint belongs");
    }
    s.decisions.push_back(std::move(d));
  }
  return s;
}

namespace {

// The settings that set a run's cost per epoch, from a store key's settings.
Json cost_settings(const Json& settings, bool with_activation) {
  Json c = {{"data", settings.value("data", Json())},
            {"model", settings.value("model", Json())},
            {"batch_size", settings["train"].value("batch_size", Json())},
            {"engine", settings["train"].value("engine", Json())},
            {"optimizer", settings["train"].value("optimizer", Json())},
            {"diagnostics", settings["train"].value("diagnostics", Json())},
            {"sparse_input", settings["train"].value("sparse_input", Json())}};
  if (with_activation) c["activations"] = settings.value("activations", Json());
  return c;
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / double(v.size());
}

}  // namespace

TimeEstimate estimate_time(const Survey& survey) {
  TimeEstimate e;
  std::vector<const RunDecision*> todo;
  for (const auto& d : survey.decisions) {
    if (d.action == RunAction::kTrain) todo.push_back(&d);
  }
  if (todo.empty()) return e;
  const std::vector<RunStore::Entry> entries = RunStore(survey.store_dir).entries();
  for (const RunDecision* d : todo) {
    const StoreKey& key = survey.keys[d->run->index];
    const Json settings = key.to_json()["settings"];
    // The closest measured runs: the same settings but the seed, else the same cost settings
    // with this activation, else with any activation.
    Json no_seed = settings;
    no_seed["train"].erase("seed");
    const Json cost_with_activation = cost_settings(settings, true);
    const Json cost = cost_settings(settings, false);
    std::vector<double> same, same_activation, any;
    for (const auto& entry : entries) {
      if (entry.key.value("device_type", "") != key.device_type ||
          entry.key.value("data", Json()) != Json(key.data) || !entry.key.contains("settings")) {
        continue;
      }
      const Json& final = entry.run.value("final", Json());
      if (!final.is_object() || !final.contains("seconds_per_epoch") ||
          !final["seconds_per_epoch"].is_number()) {
        continue;
      }
      const double spe = final["seconds_per_epoch"].get<double>();
      try {
        Json other = entry.key["settings"];
        if (cost_settings(other, true) == cost_with_activation) same_activation.push_back(spe);
        if (cost_settings(other, false) == cost) any.push_back(spe);
        other["train"].erase("seed");
        if (other == no_seed) same.push_back(spe);
      } catch (const Json::exception&) {
        continue;  // an entry of another shape: not comparable
      }
    }
    const std::vector<double>& best = !same.empty()              ? same
                                      : !same_activation.empty() ? same_activation
                                                                 : any;
    if (best.empty()) {
      ++e.without;
      continue;
    }
    ++e.estimated;
    e.seconds += mean_of(best) * double(d->run->config.train.epochs);
  }
  return e;
}

void check_survey_memory(const Survey& survey, const Plan& plan, const torch::Device& device,
                         std::optional<uint64_t> limit) {
  std::vector<const Config*> runs;
  for (const auto& d : survey.decisions) {
    if (d.action == RunAction::kTrain) runs.push_back(&d.run->config);
  }
  if (runs.empty()) return;
  const int64_t threads = configure_cpu_threads(plan.base.threads);
  check_memory(runs, resolve_jobs(plan.base.jobs, threads, device, int64_t(runs.size())), limit);
}

void check_survey_activations(const Survey& survey,
                              const std::function<const Dataset&(const DataConfig&)>& data) {
  std::set<std::string> checked;
  for (const auto& d : survey.decisions) {
    if (d.action != RunAction::kTrain) continue;
    const PlannedRun& r = *d.run;
    if (!checked_at_init(r.config.activations.front())) continue;
    Json what = config_to_json(r.config);
    what["train"].erase("seed");
    if (checked.insert(what.dump()).second) {
      check_activation_at_init(r.config, r.config.activations.front(), data(r.config.data), r.name);
    }
  }
}

}  // namespace actbench
