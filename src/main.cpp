// actbench: compare neural-network activation functions on MNIST with LibTorch.
// This file only wires the command line to the stages (see cli/commands.h).
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "util/error.h"

namespace {

const char* kRunExamples = R"(
Examples:
  actbench run --config configs/seed.yaml            the tutorial: 4 activations x 10 epochs
  actbench run configs/quick.yaml                    a seconds-long smoke run
  actbench run configs/seeds.yaml                    4 activations x 5 seeds, with 95% intervals
  actbench run configs/seed.yaml train.seed=0,1,2    KEY=a,b sweeps KEY
  actbench run configs/seed.yaml train.epochs=3 model.hidden=[256,256]
  actbench run activations=relu,gelu,mish train.lr=0.0005 --out results/mine
  actbench plan configs/lr.yaml                      the runs a sweep would do, trains nothing
  actbench run configs/lr.yaml --shard 2/4           the second of four parts (cluster arrays)
  actbench merge results/lr                          results.json + summary.json from runs/
  actbench run --config configs/fashion.yaml --device cuda
  actbench list activations                          every activation and its parameters

KEY=VALUE sets any config key (dotted, e.g. train.epochs=3); it overrides the config file,
which overrides the defaults. KEY=a,b,c sweeps it. Rerunning a sweep into the same directory
skips the runs already finished there. See README.md for every key.)";

// The options `run` and `plan` share.
void add_run_options(CLI::App* cmd, actbench::RunArgs& args, std::vector<std::string>& positionals) {
  cmd->add_option("--config,-c", args.config_file, "YAML or JSON config file")
      ->check(CLI::ExistingFile);
  cmd->add_option("args", positionals,
                  "KEY=VALUE overrides, KEY=a,b sweeps (and optionally the config file)");
  cmd->add_option("--device,-d", args.device, "auto | cpu | cuda | cuda:N");
  cmd->add_option("--out,-o", args.out, "output directory (default: results/<name>)");
  cmd->add_option("--jobs,-j", args.jobs,
                  "runs trained side by side (default: one per core on CPU, 1 on CUDA)");
  cmd->add_option("--shard", args.shard,
                  "K/N: only the K-th of N parts of the sweep (1 <= K <= N), e.g. "
                  "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT");
  cmd->footer(kRunExamples);
}

// Splits `run`/`plan` positionals into the config file and KEY=VALUE overrides.
void take_positionals(const std::vector<std::string>& positionals, actbench::RunArgs& args) {
  for (const auto& p : positionals) {
    if (p.find('=') != std::string::npos) {
      args.overrides.push_back(p);
    } else if (!args.config_file) {
      args.config_file = p;
    } else {
      throw actbench::InputError("unexpected argument '" + p +
                                 "': give one config file, then KEY=VALUE overrides");
    }
  }
}

void setup_logging() {
  auto logger = spdlog::stderr_color_mt("actbench");
  logger->set_pattern("[%T] %^%l%$ %v");
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  setup_logging();
  CLI::App app{"actbench: compare neural-network activation functions on MNIST with LibTorch"};
  app.require_subcommand(1);
  app.footer(kRunExamples);
  app.set_version_flag(
      "--version", [] { return actbench::version_text(); },
      "Print actbench's and LibTorch's versions and the devices it sees");

  actbench::RunArgs run_args;
  std::vector<std::string> positionals;
  CLI::App* run = app.add_subcommand(
      "run", "Train and test every activation the config lists, at every point of its sweep");
  add_run_options(run, run_args, positionals);

  actbench::RunArgs plan_args;
  std::vector<std::string> plan_positionals;
  bool plan_json = false;
  CLI::App* plan = app.add_subcommand(
      "plan", "Print the runs `run` would do with the same arguments; trains nothing");
  add_run_options(plan, plan_args, plan_positionals);
  plan->add_flag("--json", plan_json, "print the plan as JSON");

  std::string merge_dir;
  std::optional<std::string> merge_baseline;
  CLI::App* merge = app.add_subcommand(
      "merge", "Rebuild DIR/results.json and DIR/summary.json from DIR/runs (after shards)");
  merge->add_option("dir", merge_dir, "the sweep's output directory")->required();
  merge->add_option("--baseline", merge_baseline,
                    "activation label to compare against (default: the sweep's)");

  int64_t peak_threads = 0, peak_size = 1024;
  double peak_seconds = 2.0;
  bool peak_json = false;
  CLI::App* peak =
      app.add_subcommand("peak", "Measure this machine's float32 matrix-multiply rate (GFLOP/s)");
  peak->add_option("--threads,-t", peak_threads, "CPU threads (default: one per core)");
  peak->add_option("--size", peak_size, "n of the n x n x n product (default 1024)");
  peak->add_option("--seconds", peak_seconds, "how long to measure (default 2)");
  peak->add_flag("--json", peak_json, "print a JSON object instead of a sentence");

  std::string curves_acts, curves_range = "-6:6", curves_out;
  int64_t curves_points = 601;
  CLI::App* curves = app.add_subcommand(
      "curves", "Each activation's value and derivative (by autograd) on a grid, as JSON");
  curves->add_option("--activations,-a", curves_acts,
                     "comma list or YAML list, e.g. relu,tanh or \"[{name: elu, alpha: 2}]\" "
                     "(default: every registered activation)");
  curves->add_option("--range", curves_range, "LO:HI (default -6:6)");
  curves->add_option("--points", curves_points, "grid points (default 601)");
  curves->add_option("--out,-o", curves_out, "JSON file to write")->required();

  CLI::App* list = app.add_subcommand("list", "List what actbench offers");
  list->require_subcommand(1);
  list->add_subcommand("activations", "Every activation with its parameters and defaults");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    spdlog::error("{} (see actbench --help)", e.what());
    return actbench::kExitBadInput;
  }

  try {
    if (run->parsed()) {
      take_positionals(positionals, run_args);
      run_args.argv.assign(argv, argv + argc);
      return actbench::run_command(run_args);
    }
    if (plan->parsed()) {
      take_positionals(plan_positionals, plan_args);
      return actbench::plan_command(plan_args, plan_json);
    }
    if (merge->parsed()) {
      return actbench::merge_command(merge_dir, merge_baseline);
    }
    if (peak->parsed()) {
      return actbench::peak_command(peak_threads, peak_size, peak_seconds, peak_json);
    }
    if (curves->parsed()) {
      return actbench::curves_command(curves_acts, curves_range, curves_points, curves_out);
    }
    if (list->parsed()) {
      actbench::list_activations(std::cout);
      return actbench::kExitOk;
    }
  } catch (const actbench::InputError& e) {
    spdlog::error("{}", e.what());
    return actbench::kExitBadInput;
  } catch (const std::exception& e) {
    spdlog::critical("unexpected failure: {}", e.what());
    return actbench::kExitFailure;
  }
  return actbench::kExitOk;
}
