#include "sweep/runner.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/version.h>

#include "data/dataset.h"
#include "device/device.h"
#include "results/results.h"
#include "summary/summary.h"
#include "sweep/survey.h"
#include "sweep/sweep_dir.h"
#include "train/checkpoint.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/stop_signals.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;

namespace {

// An in-place progress line on stderr, only when stderr is a terminal, over every run of the
// invocation (several may train at once); redrawn at most ~10 times a second, so the per-step cost
// is one clock read and an uncontended lock.
class Progress {
 public:
  explicit Progress(const std::vector<const PlannedRun*>& runs)
      : enabled_(::isatty(STDERR_FILENO) == 1), runs_(runs.size()) {
    for (size_t i = 0; i < runs.size(); ++i) {
      runs_[i].name = runs[i]->name;
      runs_[i].epochs = runs[i]->config.train.epochs;
    }
  }

  void update(size_t run, int64_t step, int64_t steps, int64_t epoch) {
    if (!enabled_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    RunState& r = runs_[run];
    r.done = (double(epoch - 1) + double(step) / double(steps)) / double(r.epochs);
    r.epoch = epoch;
    r.active = step < steps || epoch < r.epochs;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double total = 0;
    std::string active;
    for (const auto& s : runs_) {
      total += s.done;
      if (s.active && s.done > 0) {
        active += "  " + s.name + " " + std::to_string(s.epoch) + "/" + std::to_string(s.epochs);
      }
    }
    total /= double(runs_.size());
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * total);
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const std::string time =
        duration_text(elapsed) + " elapsed" +
        (total > 0.01 ? ", ~" + duration_text(elapsed * (1 - total) / total) + " left" : "");
    std::fprintf(stderr, "\r  [%s%s] %3d%%  %zu/%zu runs  %s%s\x1b[K",
                 std::string(size_t(filled), '#').c_str(),
                 std::string(size_t(kWidth - filled), '.').c_str(), static_cast<int>(100 * total),
                 finished_, runs_.size(), time.c_str(), active.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }

  // Marks `run` finished; returns the log line that says so, with the count, the time since the
  // start and the time left at the pace so far.
  std::string finish(size_t run) {
    std::lock_guard<std::mutex> lock(mutex_);
    runs_[run].done = 1;
    runs_[run].active = false;
    ++finished_;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const size_t left = runs_.size() - finished_;
    return fmt::format("run {}/{} finished: {} | {} elapsed{}", finished_, runs_.size(),
                       runs_[run].name, duration_text(elapsed),
                       left == 0
                           ? std::string()
                           : ", ~" + duration_text(elapsed / double(finished_) * double(left)) +
                                 " left for " + std::to_string(left) + " run(s)");
  }

  // Clears the line before a log line is printed; call with the lock free.
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!drawn_) return;
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
    drawn_ = false;
    last_ = {};
  }

 private:
  struct RunState {
    std::string name;
    int64_t epochs = 1;
    double done = 0;
    int64_t epoch = 0;
    bool active = false;
  };
  bool enabled_;
  std::vector<RunState> runs_;
  std::mutex mutex_;
  bool drawn_ = false;
  size_t finished_ = 0;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

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

}  // namespace

int run_sweep(const Plan& plan, const SweepOptions& options) {
  const std::optional<Shard>& shard = options.shard;
  const std::vector<std::string>& argv = options.argv;
  const Config& base = plan.base;
  const fs::path dir(base.out);

  RunEnvironment env;
  env.started_at = utc_timestamp();
  env.command = argv;
  const torch::Device device = resolve_device(base.device);
  env.device = device_string(device);
  env.threads = configure_cpu_threads(base.threads);
  const fs::path store_dir = resolve_store_dir(options.store, dir);
  env.store = store_dir.string();
  const RunStore store(store_dir);

  // Everything that can be wrong with the input (data files above all, a run store that cannot
  // take the runs to train, a formula that is not finite on the data) is checked before anything
  // is written in DIR.
  DataSets datasets;
  const auto t_load = std::chrono::steady_clock::now();
  if (const Survey first =
          survey_sweep(plan, store_dir, device, shard, options.fresh, options.fresh_done);
      first.count(RunAction::kTrain) > 0) {
    check_survey_memory(first, plan, device, options.max_memory);
    for (const auto& d : first.decisions) {
      if (d.action == RunAction::kTrain) datasets.load(d.run->config.data, device);
    }
    check_survey_activations(
        first, [&](const DataConfig& c) -> const Dataset& { return datasets.get(c); });
    store.prepare_for_writing();
  }

  OutputDirGuard guard(dir, prepare_output_dir(dir, "results.json"));
  fs::path moved_to;
  const SweepDirLock lock(dir, plan, &moved_to);
  if (!moved_to.empty()) {
    spdlog::info("{} held another sweep's files: they are kept in {}", dir.string(),
                 moved_to.string());
  }
  // Decided again now that DIR is this sweep's (another may have finished runs meanwhile).
  const Survey survey =
      survey_sweep(plan, store_dir, device, shard, options.fresh, options.fresh_done);
  const StopSignals signals;
  fs::create_directories(dir / "runs");
  remove_stale_temp_files(dir);
  remove_stale_temp_files_in(checkpoint_dir(dir));
  const auto raise_once = [&](size_t written) {
    if (options.raise_after && !options.raise_after->steps &&
        options.raise_after->runs == written) {
      ::raise(options.raise_after->signal);
    }
  };
  std::atomic<size_t> steps_taken{0};
  raise_once(0);

  // The runs the store holds are copied in; the rest are trained.
  std::vector<const PlannedRun*> todo;
  for (const auto& d : survey.decisions) {
    const PlannedRun& r = *d.run;
    if (!d.warning.empty()) {
      spdlog::warn(
          "{}; {}", d.warning,
          d.action == RunAction::kReuse ? "taking the run from the store" : "running it again");
    }
    if (d.action == RunAction::kReuse) {
      write_file_atomic(run_file(dir, r.id),
                        sweep_entry(r, *d.stored, survey.keys[r.index]).dump(2) + "\n");
    } else if (d.action == RunAction::kTrain) {
      todo.push_back(&r);
    }
  }
  const size_t in_shard = survey.decisions.size();
  const size_t done_before = survey.count(RunAction::kDone);
  const size_t reused = survey.count(RunAction::kReuse);

  // One copy of each data set the runs to do need, shared by them all.
  for (const PlannedRun* r : todo) datasets.load(r->config.data, device);
  const double load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();

  spdlog::info("actbench {} | LibTorch {} | device {} | {} CPU thread(s)", ACTBENCH_VERSION,
               TORCH_VERSION, env.device, env.threads);
  std::string shape = std::to_string(base.activations.size()) + " activation(s)";
  for (const auto& a : plan.axes) {
    shape += " x " + std::to_string(a.values.size()) + " " + a.key;
  }
  spdlog::info("sweep of {} run(s) ({}) into {}{}", plan.runs.size(), shape, dir.string(),
               shard ? " | shard " + std::to_string(shard->k) + "/" + std::to_string(shard->n) +
                           ": " + std::to_string(in_shard) + " run(s)"
                     : "");
  if (done_before > 0) {
    spdlog::info("{} of these run(s) already finished in {}: skipped", done_before,
                 (dir / "runs").string());
  }
  if (reused > 0) {
    spdlog::info("{} run(s) taken from the run store {} (--fresh trains them again)", reused,
                 store_dir.string());
  }
  for (const auto& [config, data] : datasets.all()) {
    spdlog::info("{}: {} train / {} test images (loaded in {:.2f} s)", data->name,
                 data->train.size(), data->test.size(), load_seconds);
  }

  const int64_t jobs =
      todo.empty() ? 1 : resolve_jobs(base.jobs, env.threads, device, int64_t(todo.size()));
  env.jobs = jobs;
  if (!todo.empty()) {
    spdlog::info("training {} run(s){}", todo.size(),
                 jobs > 1 ? ", " + std::to_string(jobs) + " at a time" : "");
  }
  Progress progress(todo);
  std::atomic<size_t> next_run{0};
  std::atomic<size_t> finished_now{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  std::atomic<size_t> abandoned{0};
  // Each worker takes the next run until none is left. A run's numbers do not depend on how many
  // train at once: each has its own generators, its own buffers and one intra-op thread.
  auto worker = [&] {
    configure_worker_threads(env.threads);
    for (size_t i; (i = next_run++) < todo.size();) {
      {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (error) return;
      }
      if (stop_signal().load() != 0) return;
      const PlannedRun& run = *todo[i];
      const Dataset& data = datasets.get(run.config.data);
      RunCallbacks callbacks;
      callbacks.stop = &stop_signal();
      callbacks.on_step = [&, i](int64_t step, int64_t steps, int64_t epoch) {
        progress.update(i, step, steps, epoch);
        if (options.raise_after && options.raise_after->steps &&
            ++steps_taken == options.raise_after->runs) {
          ::raise(options.raise_after->signal);
        }
      };
      // The run's checkpoint, tagged with its store key: resumed from when a killed sweep is run
      // again, removed once the run is kept; --fresh starts over.
      const CheckpointFile checkpoint{checkpoint_file(dir, run.id), survey.keys[run.index].hash()};
      if (options.fresh && options.fresh_done.count(run.id) == 0) {
        std::error_code ignored;
        fs::remove(checkpoint.path, ignored);
      }
      callbacks.checkpoint = &checkpoint;
      callbacks.on_resume = [&](int64_t epochs, const std::string& why) {
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
      callbacks.on_epoch = [&](const RunResult& r, const EpochMetrics& m) {
        progress.clear();
        spdlog::info(
            "{}  epoch {}/{}  train loss {:.4f} acc {:6.2f}%  test loss {:.4f} acc {:6.2f}%  "
            "{:.2f} s{}",
            run.name, m.epoch, run.config.train.epochs, m.train_loss, m.train_accuracy, m.test_loss,
            m.test_accuracy, m.seconds,
            r.status == "diverged" ? "  DIVERGED (loss is not finite): run stopped" : "");
      };
      try {
        const std::string started_at = utc_timestamp();
        RunResult result =
            train_run(run.config, run.config.activations.front(), data, device, callbacks);
        const Json stored = stored_run(result, env, started_at);
        const StoreKey& key = survey.keys[run.index];
        store.put(run.config.activations.front().label, key, stored);
        write_file_atomic(run_file(dir, run.id), sweep_entry(run, stored, key).dump(2) + "\n");
        std::error_code ignored;
        fs::remove(checkpoint.path, ignored);
        const std::string done = progress.finish(i);
        progress.clear();
        spdlog::info("{}", done);
        raise_once(++finished_now);
      } catch (const RunInterrupted&) {
        ++abandoned;
        return;
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        return;
      }
    }
  };
  if (jobs == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int64_t j = 0; j < jobs; ++j) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  progress.clear();
  if (error) std::rethrow_exception(error);

  // Everything is rebuilt from runs/, whatever this invocation did.
  env.finished_at = utc_timestamp();
  const SweepOutputs outputs =
      collect_outputs(dir, plan, survey.keys, env,
                      {base.baseline, base.spread, base.seeds.until, base.seeds.min}, false);
  const size_t stored = plan.runs.size() - outputs.missing.size();
  if (const int sig = stop_signal().load(); sig != 0 && !outputs.missing.empty()) {
    spdlog::warn(
        "interrupted by {}: {} run(s) in progress stopped (each resumes from its last finished "
        "epoch, checkpointed in {}); {} of the sweep's {} runs are finished in {}. To finish, run "
        "the same command again (it skips the finished runs): {}",
        sig == SIGINT ? "SIGINT" : "SIGTERM", abandoned.load(), checkpoint_dir(dir).string(),
        stored, plan.runs.size(), (dir / "runs").string(), shell_words(argv));
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
  if (options.print_summary) print_summary(std::cout, outputs.summary);
  return kExitOk;
}

}  // namespace actbench
