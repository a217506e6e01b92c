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
  actbench show results/seeds --json            the summary as JSON, for scripts
  actbench ls results/seed/history              earlier sweeps kept in results/seed, to show)";

struct ShowOptions {
  std::string dir;
  std::optional<std::string> baseline;
  std::optional<Spread> spread;
  bool json = false;  // --json: the sweep as JSON on stdout
};

int run_show(const ShowOptions& o) {
  const SweepView view = read_sweep(o.dir, o.baseline, o.spread);
  if (!view.note.empty()) spdlog::warn("{}", view.note);
  if (o.json) {
    // The summary (summary.json's schema, rebuilt from the runs as the table is) and the config.
    const Json j = {{"dir", o.dir}, {"config", view.config}, {"summary", view.summary}};
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
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
  cmd->add_flag("--json", options->json,
                "print {dir, config, summary} as JSON (summary: summary.json's schema) instead");
}

}  // namespace actbench::cli
