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
  std::vector<std::string> argv;       // recorded in results.json
};

// `actbench run`: trains every configured activation, writes DIR/results.json, prints the table.
int run_command(const RunArgs& args);

// `actbench peak`: this machine's float32 matrix-multiply rate (GFLOP/s) on `threads` threads
// (0: one per core), measured on size x size products for about `seconds`. Prints one line, or a
// JSON object when `json`.
int peak_command(int64_t threads, int64_t size, double seconds, bool json);

// `actbench list activations`: every registered activation with its parameters and defaults.
void list_activations(std::ostream& out);

// `actbench --version`: actbench's and LibTorch's versions and the devices it sees.
std::string version_text();

}  // namespace actbench
