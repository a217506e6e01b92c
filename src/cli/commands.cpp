#include "cli/commands.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>
#include <torch/version.h>

#include "cli/device.h"
#include "config/config.h"
#include "data/dataset.h"
#include "results/results.h"
#include "results/table.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;

namespace {

// An in-place progress line on stderr, only when stderr is a terminal, over every run of the
// invocation (several may train at once); redrawn at most ~10 times a second, so the per-step cost
// is one clock read and an uncontended lock.
class Progress {
 public:
  Progress(const std::vector<ActivationSpec>& runs, int64_t epochs)
      : enabled_(::isatty(STDERR_FILENO) == 1), epochs_(epochs), runs_(runs.size()) {
    for (size_t i = 0; i < runs.size(); ++i) runs_[i].label = runs[i].label;
  }

  void update(size_t run, int64_t step, int64_t steps, int64_t epoch) {
    if (!enabled_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    runs_[run].done = (double(epoch - 1) + double(step) / double(steps)) / double(epochs_);
    runs_[run].epoch = epoch;
    runs_[run].active = step < steps || epoch < epochs_;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double total = 0;
    std::string active;
    for (const auto& r : runs_) {
      total += r.done;
      if (r.active && r.done > 0) {
        active += "  " + r.label + " " + std::to_string(r.epoch) + "/" + std::to_string(epochs_);
      }
    }
    total /= double(runs_.size());
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * total);
    std::fprintf(stderr, "\r  [%s%s] %3d%%%s\x1b[K", std::string(size_t(filled), '#').c_str(),
                 std::string(size_t(kWidth - filled), '.').c_str(), static_cast<int>(100 * total),
                 active.c_str());
    std::fflush(stderr);
    drawn_ = true;
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
    std::string label;
    double done = 0;
    int64_t epoch = 0;
    bool active = false;
  };
  bool enabled_;
  int64_t epochs_;
  std::vector<RunState> runs_;
  std::mutex mutex_;
  bool drawn_ = false;
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

std::string param_summary(const ActivationInfo& info) {
  if (info.params.empty()) return "-";
  std::vector<std::string> parts;
  for (const auto& p : info.params) {
    std::string def = p.default_value.is_number()   ? format_number(p.default_value.get<double>())
                      : p.default_value.is_string() ? p.default_value.get<std::string>()
                                                    : p.default_value.dump();
    parts.push_back(p.name + "=" + def);
  }
  return join(parts, ", ");
}

}  // namespace

int run_command(const RunArgs& args) {
  std::vector<std::string> overrides = args.overrides;
  if (args.device) overrides.push_back("device=" + *args.device);
  if (args.out) overrides.push_back("out=" + *args.out);
  if (args.jobs) overrides.push_back("jobs=" + *args.jobs);
  // --device and --out are strings whatever they look like, so quote them for the YAML value
  // parser (--jobs stays a number).
  for (size_t i = args.overrides.size(); i < overrides.size(); ++i) {
    if (overrides[i].rfind("jobs=", 0) == 0) continue;
    size_t eq = overrides[i].find('=');
    nlohmann::json quoted = overrides[i].substr(eq + 1);
    overrides[i] = overrides[i].substr(0, eq + 1) + quoted.dump();
  }
  const Config config = load_config(args.config_file, overrides);

  // Everything that can be wrong with the input is checked before the output directory is made.
  RunEnvironment env;
  env.started_at = utc_timestamp();
  env.command = args.argv;
  const torch::Device device = resolve_device(config.device);
  env.device = device_string(device);
  env.threads = configure_cpu_threads(config.threads);
  const auto t_load = std::chrono::steady_clock::now();
  const Dataset data = load_dataset(config.data, device);
  const fs::path out_dir(config.out);
  OutputDirGuard guard(out_dir, prepare_output_dir(out_dir, "results.json"));

  spdlog::info("actbench {} | LibTorch {} | device {} | {} CPU thread(s)", ACTBENCH_VERSION,
               TORCH_VERSION, env.device, env.threads);
  spdlog::info(
      "{}: {} train / {} test images from {} (loaded in {:.2f} s); {} activation(s) x {} "
      "epoch(s), hidden {}, {} lr {}, batch {}, seed {}",
      data.name, data.train.size(), data.test.size(), config.data.dir,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count(),
      config.activations.size(), config.train.epochs, nlohmann::json(config.model.hidden).dump(),
      config.train.optimizer, format_number(config.train.lr), config.train.batch_size,
      config.train.seed);

  const size_t n_runs = config.activations.size();
  const int64_t jobs = resolve_jobs(config.jobs, env.threads, device, int64_t(n_runs));
  env.jobs = jobs;
  if (jobs > 1) spdlog::info("training {} runs, {} at a time", n_runs, jobs);
  std::vector<std::optional<RunResult>> results(n_runs);
  Progress progress(config.activations, config.train.epochs);
  std::atomic<size_t> next_run{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  // Each worker takes the next run until none is left. A run's numbers do not depend on how many
  // train at once: each has its own generators, its own buffers and one intra-op thread.
  auto worker = [&] {
    configure_worker_threads(env.threads);
    for (size_t i; (i = next_run++) < n_runs;) {
      {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (error) return;
      }
      const ActivationSpec& activation = config.activations[i];
      RunCallbacks callbacks;
      callbacks.on_step = [&, i](int64_t step, int64_t steps, int64_t epoch) {
        progress.update(i, step, steps, epoch);
      };
      callbacks.on_epoch = [&](const RunResult& run, const EpochMetrics& m) {
        progress.clear();
        spdlog::info(
            "{:<12} epoch {:>2}/{}  train loss {:.4f} acc {:6.2f}%  test loss {:.4f} acc "
            "{:6.2f}%  {:.2f} s{}",
            run.activation.label, m.epoch, config.train.epochs, m.train_loss, m.train_accuracy,
            m.test_loss, m.test_accuracy, m.seconds,
            run.status == "diverged" ? "  DIVERGED (loss is not finite), run stopped" : "");
      };
      try {
        results[i] = train_run(config, activation, data, device, callbacks);
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
  std::vector<RunResult> runs;
  for (auto& r : results) runs.push_back(std::move(*r));
  env.finished_at = utc_timestamp();
  write_results(out_dir, results_to_json(config, env, runs));
  spdlog::info("results written to {}", (out_dir / "results.json").string());
  print_ranking(std::cout, runs);
  return 0;
}

int peak_command(int64_t threads, int64_t size, double seconds, bool json) {
  if (size < 16 || size > 16384) throw InputError("--size must be between 16 and 16384");
  if (seconds <= 0 || seconds > 600) throw InputError("--seconds must be in (0, 600]");
  const int64_t used = configure_cpu_threads(threads);
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  torch::Tensor a = torch::rand({size, size}), b = torch::rand({size, size});
  torch::Tensor c = torch::empty({size, size});
  torch::mm_out(c, a, b);  // warm-up: thread pools, BLAS buffers
  const double flop = 2.0 * double(size) * double(size) * double(size);
  int64_t reps = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds || reps < 3) {
    torch::mm_out(c, a, b);
    ++reps;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const double gflops = flop * double(reps) / elapsed / 1e9;
  if (json) {
    std::cout << nlohmann::json{{"gflops", gflops}, {"threads", used},   {"size", size},
                                {"reps", reps},     {"seconds", elapsed}, {"dtype", "float32"}}
                     .dump()
              << "\n";
  } else {
    std::printf("float32 matmul %lldx%lldx%lld on %lld thread(s): %.1f GFLOP/s (%lld products in "
                "%.2f s)\n",
                static_cast<long long>(size), static_cast<long long>(size),
                static_cast<long long>(size), static_cast<long long>(used), gflops,
                static_cast<long long>(reps), elapsed);
  }
  return 0;
}

void list_activations(std::ostream& out) {
  size_t name_w = 4, alias_w = 7;
  for (const auto& a : activation_registry()) {
    name_w = std::max(name_w, a.name.size());
    alias_w = std::max(alias_w, join(a.aliases, ", ").size());
  }
  char line[1024];
  std::snprintf(line, sizeof line, "%-*s  %-*s  %-38s  %s\n", int(name_w), "name", int(alias_w),
                "aliases", "parameters (defaults)", "formula");
  out << line;
  for (const auto& a : activation_registry()) {
    std::string params = param_summary(a);
    if (a.learnable) params += " [learnable]";
    std::string aliases = a.aliases.empty() ? "-" : join(a.aliases, ", ");
    std::snprintf(line, sizeof line, "%-*s  %-*s  %-38s  %s\n", int(name_w), a.name.c_str(),
                  int(alias_w), aliases.c_str(), params.c_str(), a.formula.c_str());
    out << line;
  }
  out << "\nNames are case-insensitive and ignore '_' and '-' (LeakyReLU = leaky_relu).\n"
         "Parameters go in the config: {name: leaky_relu, negative_slope: 0.2, label: "
         "\"LeakyReLU(0.2)\"}\n";
}

std::string version_text() {
  return std::string("actbench ") + ACTBENCH_VERSION + "\nLibTorch " + TORCH_VERSION +
         "\ndevices: " + describe_devices() + "\n";
}

}  // namespace actbench
