// `actbench export DIR --format csv|latex|markdown`: a sweep's table for a paper or a spreadsheet.
#include <iostream>

#include "catalog/catalog.h"
#include "cli/subcommands.h"
#include "summary/export.h"
#include "util/error.h"

namespace actbench::cli {
namespace {

const char* kExportExamples = R"(
Examples:
  actbench export results/seeds --format latex > table.tex    booktabs, ± the 95% interval
  actbench export results/seeds --format latex --spread sd    ± one standard deviation
  actbench export results/seeds --format csv > seeds.csv      every number, unrounded
  actbench export results/lr --format markdown                for a README or an issue)";

struct ExportOptions {
  std::string dir;
  std::string format = "markdown";
  std::optional<std::string> baseline;
  std::optional<Spread> spread;
};

int run_export(const ExportOptions& o) {
  const ExportFormat format = parse_export_format(o.format);
  const SweepView view = read_sweep(o.dir, o.baseline, o.spread);
  export_summary(std::cout, view.summary, format);
  return kExitOk;
}

}  // namespace

void setup_export(CLI::App& app, int& status) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* cmd = add_command(
      app, "export", "Print a sweep's table for a paper or a spreadsheet (csv, latex, markdown)",
      kExportExamples, status, [options] { return run_export(*options); });
  cmd->add_option("dir", options->dir, "the sweep's directory")->required()->type_name("DIR");
  cmd->add_option("--format,-f", options->format, "csv, latex or markdown")
      ->capture_default_str()
      ->type_name("csv|latex|markdown");
  add_summary_options(*cmd, options->baseline, options->spread);
}

}  // namespace actbench::cli
