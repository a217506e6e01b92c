#include "cli/run_options.h"

#include "config/config.h"
#include "util/error.h"

namespace actbench::cli {

void add_run_options(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("--config,-c", o.config_file, "YAML or JSON config file")
      ->check(CLI::ExistingFile)
      ->type_name("CONFIG");
  cmd.add_option("args", o.positionals,
                 "KEY=VALUE overrides, KEY=a,b sweeps (and optionally the config file)")
      ->type_name("[CONFIG] KEY=VALUE ...");
  cmd.add_option("--device,-d", o.device, "auto | cpu | cuda | cuda:N")
      ->type_name("auto|cpu|cuda|cuda:N");
  cmd.add_option("--out,-o", o.out, "output directory (default: results/<name>)")->type_name("DIR");
  cmd.add_option("--jobs,-j", o.jobs,
                 "runs trained side by side (default: one per core on CPU, 1 on CUDA)");
  cmd.add_option_function<std::string>(
      "--shard", [&o](const std::string& text) { o.shard = parse_shard(text); },
      "K/N: only the K-th of N parts of the sweep (1 <= K <= N), e.g. "
      "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT");
  cmd.add_option("--store", o.store,
                 "the run store: finished runs kept for every sweep (default: $ACTBENCH_STORE, "
                 "else the git checkout's results/.actbench-store when run from one, else "
                 ".actbench-store beside the output directory)")
      ->type_name("DIR");
  cmd.add_option("--max-memory", o.max_memory,
                 "refuse a sweep whose runs would need more memory than this (e.g. 4G, 512M; "
                 "default: the machine's)");
  cmd.add_flag("--fresh", o.fresh,
               "train every run again, even those the sweep directory or the store holds");
}

ConfigSource source_from_options(const RunOptions& o) {
  std::optional<std::string> file = o.config_file;
  std::vector<std::string> overrides;
  for (const auto& p : o.positionals) {
    if (p.find('=') != std::string::npos) {
      overrides.push_back(p);
    } else if (!file) {
      file = p;
    } else {
      throw InputError("unexpected argument '" + p +
                       "': give one config file, then KEY=VALUE overrides");
    }
  }
  ConfigSource source = read_config_source(file, overrides);
  // The flags are typed values: they go into the config as they are, not as text to parse.
  if (o.device) set_config_value(source, "device", *o.device, "command line");
  if (o.out) set_config_value(source, "out", *o.out, "command line");
  if (o.jobs) set_config_value(source, "jobs", *o.jobs, "command line");
  return source;
}

SweepOptions sweep_options(const RunOptions& o) {
  SweepOptions sweep;
  sweep.shard = o.shard;
  sweep.store = o.store;
  sweep.fresh = o.fresh;
  return sweep;
}

Plan plan_from_options(const RunOptions& o) {
  return make_plan(source_from_options(o));
}

}  // namespace actbench::cli
