// `actbench show DIR`: a sweep's table and paired differences again, read-only.
#include <iostream>

#include <spdlog/spdlog.h>

#include "catalog/catalog.h"
#include "cli/subcommands.h"
#include "summary/summary.h"
#include "util/error.h"

namespace actbench::cli {
namespace {

const char* kShowExamples = R"(
Examples:
  actbench show results/seeds                   the table and the paired differences
  actbench show results/seeds --baseline Tanh   differences against Tanh (nothing is rewritten)
  actbench show results/seeds --spread sd       ± as one standard deviation
  actbench ls results/seed/history              earlier sweeps kept in results/seed, to show)";

struct ShowOptions {
  std::string dir;
  std::optional<std::string> baseline;
  std::optional<Spread> spread;
};

int run_show(const ShowOptions& o) {
  const SweepView view = read_sweep(o.dir, o.baseline, o.spread);
  if (!view.note.empty()) spdlog::warn("{}", view.note);
  const Json& s = view.summary;
  const size_t planned = s.value("runs_planned", 0), finished = s.value("runs_finished", 0);
  std::cout << o.dir << ": " << s.value("dataset_label", "?") << ", " << finished << " of "
            << planned << " runs finished\n\n";
  print_summary(std::cout, s);
  return kExitOk;
}

}  // namespace

void setup_show(CLI::App& app, int& status) {
  auto options = std::make_shared<ShowOptions>();
  CLI::App* cmd = add_command(app, "show",
                              "Print a sweep's table and paired differences again (writes nothing)",
                              kShowExamples, status, [options] { return run_show(*options); });
  cmd->add_option("dir", options->dir, "the sweep's directory")->required()->type_name("DIR");
  add_summary_options(*cmd, options->baseline, options->spread);
}

}  // namespace actbench::cli
