#include "cli/commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include <spdlog/spdlog.h>
#include <torch/version.h>

#include "cli/device.h"
#include "config/config.h"
#include "data/dataset.h"
#include "results/results.h"
#include "results/table.h"
#include "train/trainer.h"
#include "util/fs.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;

namespace {

// An in-place progress line on stderr, only when stderr is a terminal; redrawn at most ~10 times a
// second, so the per-step cost is one clock read.
class Progress {
 public:
  Progress() : enabled_(::isatty(STDERR_FILENO) == 1) {}

  void update(const std::string& label, int64_t step, int64_t steps, int64_t epoch,
              int64_t epochs) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (step != steps && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    constexpr int kWidth = 30;
    int filled = static_cast<int>(kWidth * step / steps);
    std::fprintf(stderr, "\r  %s  epoch %lld/%lld  [%s%s] %3d%%\x1b[K", label.c_str(),
                 static_cast<long long>(epoch), static_cast<long long>(epochs),
                 std::string(size_t(filled), '#').c_str(),
                 std::string(size_t(kWidth - filled), '.').c_str(),
                 static_cast<int>(100 * step / steps));
    std::fflush(stderr);
    drawn_ = true;
  }

  void clear() {
    if (!drawn_) return;
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
    drawn_ = false;
  }

 private:
  bool enabled_;
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
  // Flags are strings whatever they look like, so quote them for the YAML value parser.
  for (size_t i = args.overrides.size(); i < overrides.size(); ++i) {
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

  std::vector<RunResult> runs;
  Progress progress;
  for (const auto& activation : config.activations) {
    RunCallbacks callbacks;
    callbacks.on_step = [&](int64_t step, int64_t steps, int64_t epoch) {
      progress.update(activation.label, step, steps, epoch, config.train.epochs);
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
    runs.push_back(train_run(config, activation, data, device, callbacks));
  }
  env.finished_at = utc_timestamp();
  write_results(out_dir, results_to_json(config, env, runs));
  spdlog::info("results written to {}", (out_dir / "results.json").string());
  print_ranking(std::cout, runs);
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
