// The subcommands. main.cpp only parses the command line and calls these.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace actbench {

struct RunArgs {
  std::optional<std::string> config_file;
  std::vector<std::string> overrides;  // KEY=VALUE
  std::optional<std::string> device;   // --device, overrides the config's `device`
  std::optional<std::string> out;      // --out, overrides the config's `out`
  std::optional<std::string> jobs;     // --jobs, overrides the config's `jobs`
  std::optional<std::string> shard;    // --shard K/N
  std::vector<std::string> argv;       // recorded in results.json
};

// `actbench run`: expands the config's sweep (one run per activation and grid point), trains the
// runs not yet finished in DIR (or the --shard's part of them), writes DIR/runs/<id>.json per run,
// DIR/results.json and DIR/summary.json, and prints the table. Returns the exit status.
int run_command(const RunArgs& args);

// `actbench plan`: the runs `run` would do with the same arguments (ids, activations, swept
// values, whether each is already finished in DIR), as a table or as JSON; trains nothing and
// writes nothing.
int plan_command(const RunArgs& args, bool json);

// `actbench merge DIR`: rebuilds DIR/results.json and DIR/summary.json from DIR/runs (after the
// shards of a sweep) and prints the table; `baseline` overrides the plan's.
int merge_command(const std::string& dir, const std::optional<std::string>& baseline);

// `actbench peak`: this machine's float32 matrix-multiply rate (GFLOP/s) on `threads` threads
// (0: one per core), measured on size x size products for about `seconds`. Prints one line, or a
// JSON object when `json`.
int peak_command(int64_t threads, int64_t size, double seconds, bool json);

// `actbench curves`: every activation in `activations` (a comma list or a YAML list as in the
// config; empty: every registered activation) evaluated with its first derivative on `points`
// points of `range` ("LO:HI"); writes `out` (JSON, atomically) and prints a table.
int curves_command(const std::string& activations, const std::string& range, int64_t points,
                   const std::string& out);

// `actbench list activations`: every registered activation with its parameters and defaults.
void list_activations(std::ostream& out);

// `actbench --version`: actbench's and LibTorch's versions and the devices it sees.
std::string version_text();

}  // namespace actbench
