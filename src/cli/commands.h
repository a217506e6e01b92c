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
  std::vector<std::string> argv;       // recorded in results.json
};

// `actbench run`: trains every configured activation, writes DIR/results.json, prints the table.
int run_command(const RunArgs& args);

// `actbench list activations`: every registered activation with its parameters and defaults.
void list_activations(std::ostream& out);

// `actbench --version`: actbench's and LibTorch's versions and the devices it sees.
std::string version_text();

}  // namespace actbench
