// `actbench plan`: the runs `run` would do with the same arguments; trains and writes nothing.
// It refuses what `run` would refuse before training (so a cluster submission fails at once).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>
#include <torch/cuda.h>

#include "cli/run_options.h"
#include "cli/subcommands.h"
#include "data/dataset.h"
#include "device/device.h"
#include "sweep/adaptive.h"
#include "sweep/survey.h"
#include "sweep/tuning.h"
#include "train/memory.h"
#include "util/error.h"
#include "util/table.h"
#include "util/text.h"

namespace actbench::cli {
namespace {

const char* kPlanExamples = R"(
Examples:
  actbench plan configs/lr.yaml                      the runs of a sweep, which are done or
                                                     in the store, and the time the rest take
  actbench plan configs/seeds.yaml --shard 2/4       the second of four parts
  actbench plan configs/depth.yaml --json            the same as JSON)";

struct PlanOptions {
  RunOptions run;
  bool json = false;
};

const char* action_text(RunAction a) {
  switch (a) {
    case RunAction::kDone:
      return "done";
    case RunAction::kReuse:
      return "in store";
    case RunAction::kTrain:
      break;
  }
  return "to train";
}

void print_plan(std::ostream& out, const Plan& plan, const RunOptions& o, const Survey& survey,
                const torch::Device& device, const std::string& adaptive_line) {
  out << plan.runs.size() << " run(s): " << plan_shape(plan, true) << "\n";
  if (!adaptive_line.empty()) out << adaptive_line << "\n";
  if (o.shard) {
    out << "shard " << o.shard->k << "/" << o.shard->n << ": " << survey.decisions.size()
        << " run(s)\n";
  }
  out << "into " << plan.base.out << ", run store " << survey.store_dir.string() << "\n";
  if (survey.other_sweep) {
    out << plan.base.out << " holds another sweep's files: `run` keeps them in " << plan.base.out
        << "/history/ first\n";
  }
  const size_t to_train = survey.count(RunAction::kTrain);
  out << survey.count(RunAction::kDone) << " already finished there, "
      << survey.count(RunAction::kReuse) << " in the store (copied, not trained), " << to_train
      << " to train\n";
  if (to_train > 0) {
    const TimeEstimate e = estimate_time(survey);
    const int64_t threads = configure_cpu_threads(plan.base.threads);
    const int64_t jobs = resolve_jobs(plan.base.jobs, threads, device, int64_t(to_train));
    if (e.estimated == 0) {
      out << "time: no estimate yet (the store holds no run like these)\n";
    } else {
      out << "time: ~" << duration_text(e.seconds / double(jobs))
          << (jobs > 1 ? " (" + std::to_string(jobs) + " at a time)" : std::string())
          << ", from the store's measured seconds per epoch of similar runs";
      if (e.without > 0) out << "; " << e.without << " run(s) not estimated (none like them)";
      out << "\n";
    }
  }
  out << "\n";
  using A = Table::Align;
  Table table({"#", "id", "activation", "status", "swept values"}, {A::kRight});
  for (const auto& d : survey.decisions) {
    const PlannedRun& r = *d.run;
    table.add({std::to_string(r.index + 1), r.id, r.config.activations.front().label,
               action_text(d.action), describe_point(r.point, axis_keys(plan.axes))});
  }
  table.print(out);
}

namespace fs = std::filesystem;

// That `run` can create `dir` and write in it: `dir`, or its nearest existing ancestor when it
// does not exist yet, is a directory where a file can be made (a probe, removed at once: access(2)
// is wrong for root and read-only mounts). InputError ending with `hint` otherwise.
void check_writable(const fs::path& dir, const std::string& what, const std::string& hint) {
  std::error_code ec;
  fs::path p = fs::absolute(dir).lexically_normal();
  while (!fs::exists(p, ec) && p.has_relative_path()) p = p.parent_path();
  if (!fs::is_directory(p, ec)) {
    throw InputError(p == fs::absolute(dir).lexically_normal()
                         ? what + " " + dir.string() + " exists and is not a directory; " + hint
                         : "cannot create " + what + " " + dir.string() + ": " + p.string() +
                               " is not a directory; " + hint);
  }
  std::string probe = (p / ".actbench-write-test.XXXXXX").string();
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) {
    throw InputError(what + " " + dir.string() + " is not writable (" + p.string() + ": " +
                     std::strerror(errno) + "); " + hint);
  }
  ::close(fd);
  fs::remove(probe, ec);
}

// The checks `run` makes before it trains anything, beyond the config and the data (make_plan and
// survey_sweep): the sweep directory and the run store writable, DIR/results.json not a directory,
// and no other sweep running in DIR right now (it holds DIR/.actbench.active; see SweepDirLock).
void check_run_would_start(const Plan& plan, const Survey& survey) {
  const fs::path dir(plan.base.out);
  const std::string hint = "choose another with --out DIR";
  std::error_code ec;
  check_writable(dir, "output directory", hint);
  if (fs::is_directory(dir / "results.json", ec)) {
    throw InputError((dir / "results.json").string() +
                     " is a directory, so results cannot be written there; remove it or " + hint);
  }
  if (survey.count(RunAction::kTrain) > 0) {
    check_writable(survey.store_dir / "runs", "run store",
                   "choose another run store with --store DIR or $ACTBENCH_STORE");
  }
  if (!survey.other_sweep) return;
  const int fd = ::open((dir / ".actbench.active").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  const bool busy = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // releases the lock, if taken
  if (busy) {
    throw InputError("another sweep (other runs) is running in " + dir.string() +
                     " right now; wait for it to finish or give this one its own directory with "
                     "--out DIR");
  }
}

// A tuned sweep's estimated time over both stages: the seconds per epoch estimated for this
// stage's runs, times the epochs still to train in all; empty without an estimate.
std::string tuning_time_line(const Survey& survey, const Plan& plan, const torch::Device& device,
                             int64_t remaining_epochs) {
  const TimeEstimate e = estimate_time(survey);
  int64_t epochs = 0;
  for (const auto& d : survey.decisions) {
    if (d.action == RunAction::kTrain) epochs += d.run->config.train.epochs;
  }
  if (e.estimated == 0 || e.without > 0 || epochs == 0) return "";
  const int64_t threads = configure_cpu_threads(plan.base.threads);
  const int64_t jobs =
      resolve_jobs(plan.base.jobs, threads, device, int64_t(survey.count(RunAction::kTrain)));
  const double seconds = e.seconds / double(epochs) * double(remaining_epochs) / double(jobs);
  return "\ntime for both stages: ~" + duration_text(seconds) +
         " (this stage's estimated seconds per epoch times the " +
         std::to_string(remaining_epochs) + " epochs left)";
}

int run_plan(const PlanOptions& o) {
  const ConfigSource source = source_from_options(o.run);
  std::string adaptive_line;
  Plan plan;
  std::optional<TuningOutlook> outlook;
  std::optional<std::string> store = o.run.store;
  if (tuned(source)) {
    const TuneSpec spec = tune_spec(source);
    store = with_sweep_store(source, sweep_options(o.run)).store;
    TuningState state = tuning_state(source, sweep_options(o.run));
    plan = state.done ? final_plan(source, state.chosen) : std::move(state.rungs.back());
    outlook = tuning_outlook(source, spec, state);
    adaptive_line = join(outlook->lines, "\n");
  } else if (adaptive(source)) {
    AdaptiveState state = adaptive_state(source, sweep_options(o.run));
    plan = std::move(state.plan);
    adaptive_line = state.status;
  } else {
    plan = make_plan(source);
  }
  // Planned, not trained here: a login node plans a sweep for GPU nodes it has none of.
  const torch::Device device = planned_device(plan.base.device);
  if (device.is_cuda() && !torch::cuda::is_available()) {
    spdlog::warn(
        "the sweep is for device {}, and CUDA is not available on this machine: `actbench run` "
        "must run where it is (e.g. the GPU nodes a Slurm submission queues for)",
        plan.base.device.text());
  }
  const Survey survey =
      survey_sweep(plan, resolve_store_dir(store, plan.base.out), device, o.run.shard, o.run.fresh);
  for (const auto& d : survey.decisions) {
    if (!d.warning.empty()) spdlog::warn("{}", d.warning);
  }
  check_run_would_start(plan, survey);
  if (outlook) adaptive_line += tuning_time_line(survey, plan, device, outlook->remaining_epochs);
  check_survey_memory(survey, plan, device,
                      o.run.max_memory ? std::optional<uint64_t>(
                                             parse_memory_size(*o.run.max_memory, "--max-memory"))
                                       : std::nullopt);
  // What `run` refuses before training, on the CPU (each data set loaded once, if needed).
  std::vector<std::pair<DataConfig, std::unique_ptr<Dataset>>> loaded;
  check_survey_activations(survey, [&](const DataConfig& c) -> const Dataset& {
    for (const auto& [config, data] : loaded) {
      if (config == c) return *data;
    }
    loaded.emplace_back(c, std::make_unique<Dataset>(load_dataset(c, torch::Device(torch::kCPU))));
    return *loaded.back().second;
  });
  if (!o.json) {
    print_plan(std::cout, plan, o.run, survey, device, adaptive_line);
    return kExitOk;
  }
  Json j = plan_to_json(plan);
  Json selected = Json::array();
  for (const auto& d : survey.decisions) {
    Json e = j["runs"][d.run->index];
    e["finished"] = d.action == RunAction::kDone;
    e["action"] = action_text(d.action);
    selected.push_back(e);
  }
  j["runs"] = selected;
  j["out"] = plan.base.out;
  j["store"] = survey.store_dir.string();
  j["other_sweep"] = survey.other_sweep;
  if (outlook) {
    // A tuned sweep's plan is one stage's (a rung's, or the final comparison's): merge
    // --expect-plan checks the stage's own directory ("out").
    j["tuning"] = outlook->lines;
  } else if (!adaptive_line.empty()) {
    j["adaptive"] = adaptive_line;
  }
  if (const TimeEstimate e = estimate_time(survey); e.estimated > 0) {
    j["estimated_seconds"] = e.seconds;  // one run after the other
  }
  if (o.run.shard) j["shard"] = {{"k", o.run.shard->k}, {"n", o.run.shard->n}};
  std::cout << j.dump(2) << "\n";
  return kExitOk;
}

}  // namespace

void setup_plan(CLI::App& app, int& status) {
  auto options = std::make_shared<PlanOptions>();
  CLI::App* cmd = add_command(
      app, "plan", "Print the runs `run` would do with the same arguments; trains nothing",
      kPlanExamples, status, [options] { return run_plan(*options); });
  add_run_options(*cmd, options->run);
  cmd->add_flag("--json", options->json, "print the plan as JSON");
}

}  // namespace actbench::cli
