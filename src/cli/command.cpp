#include <torch/version.h>

#include "cli/subcommands.h"
#include "device/device.h"
#include "util/blas_kernel.h"
#include "util/error.h"
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
  const BlasKernel k = blas_kernel();
  return build_version_text() + "\nLibTorch " + TORCH_VERSION + "\ndevices: " + describe_devices() +
         "\nCPU kernels: " + blas_kernel_key() + " (ACTBENCH_BLAS_KERNEL policy: " + k.policy +
         ")\n";
}

void add_summary_options(CLI::App& cmd, std::optional<std::string>& baseline,
                         std::optional<Spread>& spread) {
  cmd.add_option("--baseline", baseline, "activation to compare against (default: the sweep's)");
  cmd.add_option_function<std::string>(
      "--spread",
      [&spread](const std::string& text) {
        const auto s = parse_choice<Spread>(text);
        if (!s) throw InputError("--spread must be ci95 or sd, got '" + text + "'");
        spread = *s;
      },
      "what ± shows: ci95 (the 95% interval's half-width) or sd (default: the sweep's)");
}

}  // namespace actbench::cli
