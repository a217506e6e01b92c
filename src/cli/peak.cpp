// `actbench peak`: this machine's float32 matrix-multiply rate.
#include <iostream>

#include <fmt/format.h>

#include "cli/subcommands.h"
#include "device/peak.h"
#include "util/error.h"

namespace actbench::cli {
namespace {

const char* kPeakExamples = R"(
Examples:
  actbench peak                        all cores, 1024^3 products for about 2 s
  actbench peak --threads 1 --json     one core, as JSON (what scripts/bench.sh reads))";

int run_peak(const PeakOptions& o, bool json) {
  const PeakResult r = measure_matmul_peak(o);
  if (json) {
    std::cout << Json{{"gflops", r.gflops}, {"threads", r.threads}, {"size", o.size},
                      {"reps", r.reps},     {"seconds", r.seconds}, {"dtype", "float32"}}
                     .dump()
              << "\n";
    return kExitOk;
  }
  std::cout << fmt::format(
      "float32 matmul {0}x{0}x{0} on {1} thread(s): {2:.1f} GFLOP/s ({3} products in {4:.2f} s)\n",
      o.size, r.threads, r.gflops, r.reps, r.seconds);
  return kExitOk;
}

}  // namespace

void setup_peak(CLI::App& app, int& status) {
  auto options = std::make_shared<PeakOptions>();
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd =
      add_command(app, "peak", "Measure this machine's float32 matrix-multiply rate (GFLOP/s)",
                  kPeakExamples, status, [options, json] { return run_peak(*options, *json); });
  cmd->add_option("--threads,-t", options->threads, "CPU threads (default: one per core)");
  cmd->add_option("--size", options->size, "n of the n x n x n product (default 1024)");
  cmd->add_option("--seconds", options->seconds, "how long to measure (default 2)");
  cmd->add_flag("--json", *json, "print a JSON object instead of a sentence");
}

}  // namespace actbench::cli
