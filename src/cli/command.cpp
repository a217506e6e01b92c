#include <torch/version.h>

#include "cli/subcommands.h"
#include "train/device.h"
#include "util/provenance.h"

namespace actbench::cli {

CLI::App* add_command(CLI::App& app, const std::string& name, const std::string& description,
                      const std::string& examples, int& status, std::function<int()> job) {
  CLI::App* cmd = app.add_subcommand(name, description);
  cmd->footer(examples);
  cmd->callback([&status, job = std::move(job)] { status = job(); });
  return cmd;
}

std::string version_text() {
  return build_version_text() + "\nLibTorch " + TORCH_VERSION + "\ndevices: " + describe_devices() +
         "\n";
}

}  // namespace actbench::cli
