// `actbench export DIR --format csv|latex|markdown`: a sweep's table for a paper or a spreadsheet.
#include <iostream>

#include "catalog/catalog.h"
#include "cli/subcommands.h"
#include "summary/export.h"
#include "util/error.h"
#include "util/text.h"

namespace actbench::cli {
namespace {

const char* kExportExamples = R"(
Examples:
  actbench export results/seeds --format latex > table.tex    a table: caption, label, booktabs
  actbench export results/seeds --format latex --spread sd    ± one standard deviation
  actbench export results/seeds --format csv > seeds.csv      every number, unrounded
  actbench export results/lr --format markdown                for a README or an issue)";

struct ExportOptions {
  std::string dir;
  std::string format = "markdown";
  std::optional<std::string> baseline;
  std::optional<Spread> spread;
  std::optional<std::string> label;  // LaTeX \label; default tab:<DIR's name>
};

int run_export(const ExportOptions& o) {
  const ExportFormat format = parse_export_format(o.format);
  const SweepView view = read_sweep(o.dir, o.baseline, o.spread);
  std::filesystem::path dir = std::filesystem::absolute(o.dir).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // "results/seeds/"
  const std::string name = dir.filename().string();
  const std::string label =
      o.label.value_or("tab:" + file_safe_name(name.empty() || name == "." ? "actbench" : name));
  export_summary(std::cout, view.summary, format, label);
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
  cmd->add_option("--label", options->label, "the LaTeX table's \\label (default: tab:DIRNAME)")
      ->type_name("LABEL");
  add_summary_options(*cmd, options->baseline, options->spread);
}

}  // namespace actbench::cli
