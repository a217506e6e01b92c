#include "sweep/stages.h"

#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "store/run_store.h"
#include "sweep/survey.h"
#include "sweep/sweep_dir.h"
#include "util/error.h"
#include "util/stop_signals.h"

namespace actbench {
namespace fs = std::filesystem;
using Json = nlohmann::json;

std::optional<std::map<std::string, Json>> finished_entries(const Plan& plan,
                                                            const fs::path& store_dir,
                                                            const torch::Device& device) {
  const Survey s = survey_sweep(plan, store_dir, device, std::nullopt, false);
  if (s.count(RunAction::kTrain) > 0) return std::nullopt;
  std::map<std::string, Json> entries;
  const fs::path dir(plan.base.out);
  for (const auto& d : s.decisions) {
    const PlannedRun& r = *d.run;
    if (d.action == RunAction::kReuse) {
      entries[r.id] = sweep_entry(r, *d.stored, s.keys[r.index], true);
      continue;
    }
    std::string why;
    auto e = read_run_entry(dir, r.id, r.identity, &s.keys[r.index], why);
    if (!e) return std::nullopt;  // gone meanwhile
    entries[r.id] = std::move(*e);
  }
  return entries;
}

int run_stage(const Plan& plan, const SweepOptions& options, const fs::path& store_dir,
              const torch::Device& device, const std::string& what,
              std::optional<std::map<std::string, Json>>& entries) {
  const int status = run_sweep(plan, options);
  if (status != kExitOk) return status;
  entries = finished_entries(plan, store_dir, device);
  if (entries || !options.shard) return kExitOk;
  // The other shards' parts of this stage: wait for them (a shard decides the next stage only
  // from the whole of this one). Interrupting leaves everything finished in place.
  const StopSignals signals;
  spdlog::info("shard {}/{} waiting for the other shards' runs of {}", options.shard->k,
               options.shard->n, what);
  while (!(entries = finished_entries(plan, store_dir, device))) {
    for (int i = 0; i < 50 && stop_signal().load() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (const int sig = stop_signal().load(); sig != 0) {
      spdlog::warn(
          "interrupted while waiting for the other shards; rerun the same command to go on");
      return 128 + sig;
    }
  }
  return kExitOk;
}

}  // namespace actbench
