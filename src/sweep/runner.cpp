#include "sweep/runner.h"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <numeric>

#include <spdlog/spdlog.h>
#include <torch/version.h>

#include "data/dataset.h"
#include "device/device.h"
#include "results/results.h"
#include "summary/summary.h"
#include "sweep/run_order.h"
#include "sweep/survey.h"
#include "sweep/sweep_dir.h"
#include "sweep/worker_pool.h"
#include "train/checkpoint.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/stop_signals.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;

namespace {

// Removes the output directories this process created if a failure leaves them empty.
class OutputDirGuard {
 public:
  OutputDirGuard(fs::path dir, fs::path created)
      : dir_(std::move(dir)), created_(std::move(created)) {}
  ~OutputDirGuard() { remove_created_dirs(dir_, created_); }

 private:
  fs::path dir_;
  fs::path created_;
};

// One loaded copy of each data set the runs need (runs with equal data settings share it).
class DataSets {
 public:
  const Dataset& get(const DataConfig& config) const {
    for (const auto& [c, data] : loaded_) {
      if (c == config) return *data;
    }
    throw std::logic_error("data set not loaded");
  }
  void load(const DataConfig& config, const torch::Device& device) {
    for (const auto& entry : loaded_) {
      if (entry.first == config) return;
    }
    loaded_.emplace_back(config, std::make_unique<const Dataset>(load_dataset(config, device)));
  }
  const std::vector<std::pair<DataConfig, std::unique_ptr<const Dataset>>>& all() const {
    return loaded_;
  }

 private:
  std::vector<std::pair<DataConfig, std::unique_ptr<const Dataset>>> loaded_;
};

std::string shell_words(const std::vector<std::string>& argv) {
  std::vector<std::string> words;
  for (const auto& a : argv) {
    bool plain = !a.empty() && a.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789-_./=:,+%@") == std::string::npos;
    if (plain) {
      words.push_back(a);
      continue;
    }
    std::string q = "'";
    for (char ch : a) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    words.push_back(q + "'");
  }
  return join(words, " ");
}

// What every phase of one sweep shares: the plan, the options, where it runs and writes.
struct Sweep {
  const Plan& plan;
  const SweepOptions& options;
  fs::path dir;
  torch::Device device;
  fs::path store_dir;
  std::string store_why;  // why that store (choose_store_dir), for the log
  RunStore store;
  RunEnvironment env;
  DataSets datasets;
  std::atomic<size_t> steps_taken{0};  // for RaiseAfter with steps

  Sweep(const Plan& p, const SweepOptions& o, const torch::Device& d, const fs::path& store)
      : plan(p), options(o), dir(p.base.out), device(d), store_dir(store), store(store) {}

  // RaiseAfter (tests): raises its signal once `written` runs of this invocation are written.
  void raise_after_runs(size_t written) const {
    const auto& r = options.raise_after;
    if (r && !r->steps && r->runs == written) ::raise(r->signal);
  }
  void raise_after_step() {
    const auto& r = options.raise_after;
    if (r && r->steps && ++steps_taken == r->runs) ::raise(r->signal);
  }
  Survey survey() const {
    return survey_sweep(plan, store_dir, device, options.shard, options.fresh, options.fresh_done);
  }
};

// The device, the CPU threads and the run store; nothing is written yet.
std::unique_ptr<Sweep> open_sweep(const Plan& plan, const SweepOptions& options) {
  const torch::Device device = resolve_device(plan.base.device);
  const StoreChoice store = choose_store_dir(options.store, fs::path(plan.base.out));
  const fs::path store_dir = store.dir;
  auto sweep = std::make_unique<Sweep>(plan, options, device, store_dir);
  sweep->store_why = store.why;
  RunEnvironment& env = sweep->env;
  env.started_at = utc_timestamp();
  env.command = options.argv;
  env.device = device_string(device);
  env.threads = configure_cpu_threads(plan.base.threads);
  env.store = store_dir.string();
  return sweep;
}

// Everything that can be wrong with the input (data files above all, a run store that cannot
// take the runs to train, a formula that is not finite on the data) is checked before anything
// is written in DIR.
void check_before_writing(Sweep& sweep) {
  const Survey first = sweep.survey();
  if (first.count(RunAction::kTrain) == 0) return;
  check_survey_memory(first, sweep.plan, sweep.device, sweep.options.max_memory);
  for (const auto& d : first.decisions) {
    if (d.action == RunAction::kTrain) sweep.datasets.load(d.run->config.data, sweep.device);
  }
  check_survey_activations(
      first, [&](const DataConfig& c) -> const Dataset& { return sweep.datasets.get(c); });
  sweep.store.prepare_for_writing();
  if (const std::string w = writable_by_everyone_warning(sweep.store.root()); !w.empty()) {
    spdlog::warn("{}", w);
  }
}

// DIR taken for this sweep: created (and removed again if a failure leaves it empty), locked
// (another sweep's files moved to its history), surveyed again now that it is this sweep's
// (another process may have finished runs meanwhile), SIGINT/SIGTERM turned into a stop request,
// and what a killed writer left removed.
class ClaimedDirectory {
 public:
  explicit ClaimedDirectory(const Sweep& sweep)
      : guard_(sweep.dir, prepare_output_dir(sweep.dir, "results.json")),
        lock_(sweep.dir, sweep.plan, &moved_),
        survey_(sweep.survey()) {
    if (!moved_.entry.empty()) spdlog::info("{}", history_sentence(sweep.dir, moved_));
    fs::create_directories(sweep.dir / "runs");
    remove_stale_temp_files(sweep.dir);
    remove_stale_temp_files_in(checkpoint_dir(sweep.dir));
  }
  const Survey& survey() const { return survey_; }

 private:
  OutputDirGuard guard_;
  HistoryMove moved_;
  SweepDirLock lock_;
  Survey survey_;
  StopSignals signals_;
};

// Copies in the runs the store holds; returns the runs left to train.
std::vector<const PlannedRun*> take_stored_runs(const Sweep& sweep, const Survey& survey) {
  std::vector<const PlannedRun*> todo;
  for (const auto& d : survey.decisions) {
    const PlannedRun& r = *d.run;
    if (!d.warning.empty()) {
      spdlog::warn(
          "{}; {}", d.warning,
          d.action == RunAction::kReuse ? "taking the run from the store" : "running it again");
    }
    if (d.action == RunAction::kReuse) {
      write_file_atomic(run_file(sweep.dir, r.id),
                        sweep_entry(r, *d.stored, survey.keys[r.index], true).dump(2) + "\n");
    } else if (d.action == RunAction::kTrain) {
      todo.push_back(&r);
    }
  }
  return todo;
}

// The versions, the device, the sweep's shape, what was skipped or reused, the data sets.
void log_sweep_start(const Sweep& sweep, const Survey& survey, double load_seconds) {
  const auto& shard = sweep.options.shard;
  spdlog::info("actbench {} | LibTorch {} | device {} | {} CPU thread(s)", ACTBENCH_VERSION,
               TORCH_VERSION, sweep.env.device, sweep.env.threads);
  spdlog::info("run store {}: {}", sweep.store_dir.string(), sweep.store_why);
  const std::string shape = plan_shape(sweep.plan);
  spdlog::info("sweep of {} run(s) ({}) into {}{}", sweep.plan.runs.size(), shape,
               sweep.dir.string(),
               shard ? " | shard " + std::to_string(shard->k) + "/" + std::to_string(shard->n) +
                           ": " + std::to_string(survey.decisions.size()) + " run(s)"
                     : "");
  if (const size_t done = survey.count(RunAction::kDone); done > 0) {
    spdlog::info("{} of these run(s) already finished in {}: skipped", done,
                 (sweep.dir / "runs").string());
  }
  if (const size_t reused = survey.count(RunAction::kReuse); reused > 0) {
    spdlog::info("{} run(s) taken from the run store {} (--fresh trains them again)", reused,
                 sweep.store_dir.string());
  }
  for (const auto& [config, data] : sweep.datasets.all()) {
    spdlog::info("{}: {} train / {} test images (loaded in {:.2f} s)", data->name,
                 data->train.size(), data->test.size(), load_seconds);
  }
}

// The callbacks one run trains with: progress, logging, its checkpoint, the test interruption.
RunCallbacks run_callbacks(Sweep& sweep, Progress& progress, size_t i, const PlannedRun& run,
                           const CheckpointFile& checkpoint) {
  RunCallbacks callbacks;
  callbacks.stop = &stop_signal();
  callbacks.on_step = [&sweep, &progress, i](int64_t step, int64_t steps, int64_t epoch) {
    progress.update(i, step, steps, epoch);
    sweep.raise_after_step();
  };
  callbacks.checkpoint = &checkpoint;
  callbacks.on_resume = [&progress, &run, &checkpoint](int64_t epochs, const std::string& why) {
    progress.clear();
    if (!why.empty()) {
      spdlog::warn("{}: checkpoint {} not used: {}; training from the start", run.name,
                   checkpoint.path.string(), why);
    }
    if (epochs > 0) {
      spdlog::info("{}: resuming from its checkpoint after epoch {} of {}", run.name, epochs,
                   run.config.train.epochs);
    }
  };
  callbacks.on_epoch = [&progress, &run](const RunResult& r, const EpochMetrics& m) {
    progress.clear();
    spdlog::info(
        "{}  epoch {}/{}  train loss {:.4f} acc {:6.2f}%  test loss {:.4f} acc {:6.2f}%  "
        "{:.2f} s{}",
        run.name, m.epoch, run.config.train.epochs, m.train_loss, m.train_accuracy, m.test_loss,
        m.test_accuracy, m.seconds,
        r.status == "diverged" ? "  DIVERGED (loss is not finite): run stopped" : "");
  };
  return callbacks;
}

// Trains runs[i], keeps it in the store and writes its run file. False when it was interrupted
// (its checkpoint stays, to resume from).
bool train_one(Sweep& sweep, const Survey& survey, Progress& progress, size_t i,
               const PlannedRun& run, std::atomic<size_t>& finished_now) {
  // The run's checkpoint, tagged with its store key: resumed from when a killed sweep is run
  // again, removed once the run is kept; --fresh starts over.
  const StoreKey& key = survey.keys[run.index];
  const CheckpointFile checkpoint{checkpoint_file(sweep.dir, run.id), key.hash()};
  if (sweep.options.fresh && sweep.options.fresh_done.count(run.id) == 0) {
    std::error_code ignored;
    fs::remove(checkpoint.path, ignored);
  }
  const RunCallbacks callbacks = run_callbacks(sweep, progress, i, run, checkpoint);
  try {
    const std::string started_at = utc_timestamp();
    RunResult result = train_run(run.config, run.config.activations.front(),
                                 sweep.datasets.get(run.config.data), sweep.device, callbacks);
    const Json stored = stored_run(result, sweep.env, started_at);
    sweep.store.put(run.config.activations.front().label, key, stored);
    write_file_atomic(run_file(sweep.dir, run.id), sweep_entry(run, stored, key).dump(2) + "\n");
    std::error_code ignored;
    fs::remove(checkpoint.path, ignored);
  } catch (const RunInterrupted&) {
    return false;
  }
  const std::string done = progress.finish(i);
  progress.clear();
  spdlog::info("{}", done);
  sweep.raise_after_runs(++finished_now);
  return true;
}

// Trains `todo` side by side (each worker takes the next run until none is left). A run's numbers
// do not depend on how many train at once: each has its own generators, its own buffers and one
// intra-op thread. Returns how many runs a stop abandoned.
size_t train_pending(Sweep& sweep, const Survey& survey,
                     const std::vector<const PlannedRun*>& todo) {
  const int64_t jobs = todo.empty() ? 1
                                    : resolve_jobs(sweep.plan.base.jobs, sweep.env.threads,
                                                   sweep.device, int64_t(todo.size()));
  sweep.env.jobs = jobs;
  if (!todo.empty()) {
    spdlog::info("training {} run(s){}", todo.size(),
                 jobs > 1 ? ", " + std::to_string(jobs) + " at a time" : "");
  }
  Progress progress(todo);
  std::atomic<size_t> finished_now{0};
  std::atomic<size_t> abandoned{0};
  // Side by side, the longest runs first (run_order.h); one at a time, in the plan's order.
  std::vector<size_t> order(todo.size());
  std::iota(order.begin(), order.end(), size_t(0));
  if (jobs > 1 && int64_t(todo.size()) > jobs && !sweep.device.is_cuda()) {
    order = longest_first(todo, estimated_run_cost());
  }
  try {
    run_on_workers(
        todo.size(), jobs, [&] { configure_worker_threads(sweep.env.threads); },
        [&](size_t k) {
          const size_t i = order[k];
          if (train_one(sweep, survey, progress, i, *todo[i], finished_now)) return true;
          ++abandoned;
          return false;
        });
  } catch (...) {
    progress.clear();
    throw;
  }
  progress.clear();
  return abandoned.load();
}

// Rebuilds results.json and summary.json from runs/ (whatever this invocation did) once every
// run of the plan is there; otherwise says what is missing and how to go on. The exit status.
int finish_sweep(Sweep& sweep, const Survey& survey, size_t abandoned) {
  const Plan& plan = sweep.plan;
  const Config& base = plan.base;
  const fs::path& dir = sweep.dir;
  sweep.env.finished_at = utc_timestamp();
  const SweepOutputs outputs =
      collect_outputs(dir, plan, survey.keys, sweep.env,
                      {base.baseline, base.spread, base.seeds.until, base.seeds.min}, false);
  const size_t stored = plan.runs.size() - outputs.missing.size();
  if (const int sig = stop_signal().load(); sig != 0 && !outputs.missing.empty()) {
    // The command to finish with: this one, less --fresh (which would start over again and
    // train the finished runs a second time).
    std::vector<std::string> resume;
    for (const std::string& a : sweep.options.argv) {
      if (a != "--fresh" && a.rfind("--fresh=", 0) != 0) resume.push_back(a);
    }
    // A Slurm array task (scripts/slurm/sweep.sbatch) is finished by resubmitting the sweep.
    const char* submission = std::getenv("ACTBENCH_RESUME_COMMAND");
    const bool submitted = submission != nullptr && *submission != '\0';
    spdlog::warn(
        "interrupted by {}: {} run(s) in progress stopped (each resumes from its last finished "
        "epoch, checkpointed in {}); {} of the sweep's {} runs are finished in {}. To finish, run "
        "{} (it skips the finished runs): {}",
        sig == SIGINT ? "SIGINT" : "SIGTERM", abandoned, checkpoint_dir(dir).string(), stored,
        plan.runs.size(), (dir / "runs").string(),
        submitted                                    ? "the sweep's submission again"
        : resume.size() == sweep.options.argv.size() ? "the same command again"
                                                     : "the same command without --fresh",
        submitted ? std::string(submission) : shell_words(resume));
    return 128 + sig;
  }
  if (!outputs.missing.empty()) {
    // A shard whose part is done while others still run: the merge (or the last shard) rebuilds.
    spdlog::info(
        "shard done: {} of the sweep's {} runs are finished in {}; results.json and "
        "summary.json are written once all are (by the last shard, or by `actbench merge {}`)",
        stored, plan.runs.size(), (dir / "runs").string(), dir.string());
    return kExitOk;
  }
  write_outputs(dir, outputs);
  spdlog::info("{} run(s) in {}; results in {} and {}", plan.runs.size(), (dir / "runs").string(),
               (dir / "results.json").string(), (dir / "summary.json").string());
  if (sweep.options.print_summary) print_summary(std::cout, outputs.summary);
  return kExitOk;
}

}  // namespace

int run_sweep(const Plan& plan, const SweepOptions& options) {
  const std::unique_ptr<Sweep> sweep = open_sweep(plan, options);
  const auto load_started = std::chrono::steady_clock::now();
  check_before_writing(*sweep);
  const ClaimedDirectory claimed(*sweep);
  sweep->raise_after_runs(0);
  const std::vector<const PlannedRun*> todo = take_stored_runs(*sweep, claimed.survey());
  for (const PlannedRun* r : todo) sweep->datasets.load(r->config.data, sweep->device);
  log_sweep_start(
      *sweep, claimed.survey(),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - load_started).count());
  const size_t abandoned = train_pending(*sweep, claimed.survey(), todo);
  return finish_sweep(*sweep, claimed.survey(), abandoned);
}

}  // namespace actbench
