// `actbench run`: trains every run of the config's sweep not yet finished in its directory.
#include <csignal>
#include <regex>

#include "cli/run_options.h"
#include "cli/subcommands.h"
#include "sweep/adaptive.h"
#include "sweep/runner.h"
#include "sweep/tuning.h"
#include "train/memory.h"
#include "util/error.h"

namespace actbench::cli {
namespace {

const char* kRunExamples = R"(
Examples:
  actbench run configs/seed.yaml                     the tutorial: 4 activations x 10 epochs
  actbench run configs/quick.yaml                    a seconds-long smoke run
  actbench run configs/seeds.yaml                    4 activations x 5 seeds, with 95% intervals
  actbench run configs/seed.yaml train.seed=0,1,2    KEY=a,b sweeps KEY
  actbench run configs/seed.yaml train.epochs=3 model.hidden=[256,256] --out results/wide
  actbench run activations=relu,gelu,mish train.lr=0.0005 --out results/mine
  actbench run configs/lr.yaml --shard 2/4           the second of four parts (cluster arrays)
  actbench run configs/fashion.yaml --device cuda

KEY=VALUE sets any config key (dotted, e.g. train.epochs=3; `actbench list keys` lists them); it
overrides the config file, which overrides the defaults. KEY=a,b,c sweeps it. Every finished run
is kept in the run store, and no sweep trains a run the store holds (--fresh does). Rerunning an
edited config into the same directory keeps the earlier sweep's files in DIR/history/.)";

// "N:SIGNAL" (after N runs) or "Nsteps:SIGNAL" (after N training steps), SIGNAL: KILL, INT, TERM
// or STOP, for the hidden --debug-raise-after.
RaiseAfter parse_raise_after(const std::string& text) {
  std::smatch m;
  if (!std::regex_match(text, m, std::regex("([0-9]{1,7})(steps)?:(KILL|INT|TERM|STOP)"))) {
    throw InputError(
        "--debug-raise-after must be N:SIGNAL or Nsteps:SIGNAL with SIGNAL KILL, "
        "INT, TERM or STOP, got '" +
        text + "'");
  }
  const std::string sig = m[3].str();
  return {size_t(std::stoul(m[1].str())), m[2].matched,
          sig == "KILL"   ? SIGKILL
          : sig == "INT"  ? SIGINT
          : sig == "STOP" ? SIGSTOP
                          : SIGTERM};
}

// The config read (file < overrides < flags), planned, and its runs trained into DIR.
int run_run(const RunOptions& options, const std::optional<RaiseAfter>& raise_after,
            const std::vector<std::string>& argv) {
  const ConfigSource source = source_from_options(options);
  SweepOptions sweep = sweep_options(options);
  sweep.argv = argv;
  sweep.raise_after = raise_after;
  if (options.max_memory) {
    sweep.max_memory = parse_memory_size(*options.max_memory, "--max-memory");
  }
  if (tuned(source)) return run_tuned_sweep(source, sweep);
  if (adaptive(source)) return run_adaptive_sweep(source, sweep);
  return run_sweep(make_plan(source), sweep);
}

}  // namespace

void setup_run(CLI::App& app, int& status, const std::vector<std::string>& argv) {
  auto options = std::make_shared<RunOptions>();
  auto raise_after = std::make_shared<std::optional<RaiseAfter>>();
  CLI::App* cmd = add_command(
      app, "run", "Train and test every activation the config lists, at every point of its sweep",
      kRunExamples, status,
      [options, raise_after, &argv] { return run_run(*options, *raise_after, argv); });
  add_run_options(*cmd, *options);
  // For tests: a deterministic interruption point (see RaiseAfter). Not shown in --help.
  cmd->add_option_function<std::string>(
         "--debug-raise-after",
         [raise_after](const std::string& text) { *raise_after = parse_raise_after(text); },
         "N:SIGNAL")
      ->group("");
}

}  // namespace actbench::cli
