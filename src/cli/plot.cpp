// `actbench plot DIR`: the figures and the report of a sweep, by scripts/plot_results.py run with
// a Python that has matplotlib (Debian's /usr/bin/python3 unless ACTBENCH_PYTHON says otherwise).
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "cli/subcommands.h"
#include "util/error.h"

namespace actbench::cli {
namespace {

namespace fs = std::filesystem;

const char* kPlotExamples = R"(
Examples:
  actbench plot results/seed                       figures + report into results/seed/plots
  actbench plot results/lr --out /tmp/lr-plots --formats png
  actbench plot results/seed --style paper         PDF and PGF into results/seed/paper)";

struct PlotOptions {
  std::string input;
  std::optional<std::string> out, curves, style, formats;
};

// The installed copy (cmake --install) first, then the source tree this binary was built from.
fs::path plot_script() {
  for (const char* dir : {ACTBENCH_INSTALLED_SCRIPTS, ACTBENCH_SOURCE_SCRIPTS}) {
    const fs::path script = fs::path(dir) / "plot_results.py";
    std::error_code ec;
    if (fs::is_regular_file(script, ec)) return script;
  }
  throw InputError(std::string("plot_results.py not found in ") + ACTBENCH_INSTALLED_SCRIPTS +
                   " or " + ACTBENCH_SOURCE_SCRIPTS +
                   "; install actbench (cmake --install build) or run it from its source tree");
}

std::string python() {
  const char* chosen = std::getenv("ACTBENCH_PYTHON");
  if (chosen != nullptr && *chosen != '\0') return chosen;
  std::error_code ec;
  return fs::exists("/usr/bin/python3", ec) ? "/usr/bin/python3" : "python3";
}

[[noreturn]] void run_plot(const PlotOptions& o) {
  const std::string interpreter = python();
  std::vector<std::string> args{interpreter, plot_script().string(), o.input};
  if (o.out) args.insert(args.end(), {"--out", *o.out});
  if (o.curves) args.insert(args.end(), {"--curves", *o.curves});
  if (o.style) args.insert(args.end(), {"--style", *o.style});
  if (o.formats) args.insert(args.end(), {"--formats", *o.formats});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());  // the script's exit status becomes ours
  throw InputError("cannot run " + interpreter + ": " + std::strerror(errno) +
                   "; install python3-matplotlib and python3-jsonschema (scripts/setup.sh), or "
                   "set ACTBENCH_PYTHON to a Python that has them");
}

}  // namespace

void setup_plot(CLI::App& app, int& status) {
  auto options = std::make_shared<PlotOptions>();
  // run_plot replaces the process: the script's exit status is actbench's.
  CLI::App* cmd =
      add_command(app, "plot", "Draw a sweep's figures and report (runs scripts/plot_results.py)",
                  kPlotExamples, status, [options]() -> int { run_plot(*options); });
  cmd->add_option("dir", options->input, "the sweep's directory, or its results.json")
      ->required()
      ->type_name("DIR");
  cmd->add_option("--out,-o", options->out,
                  "where to write (default: DIR/plots; DIR/paper with --style paper)")
      ->type_name("DIR");
  cmd->add_option("--curves", options->curves, "`actbench curves` output to draw")
      ->type_name("FILE");
  cmd->add_option("--style", options->style,
                  "screen (default: PNG and SVG, report.html) or paper (PDF and PGF, 3.5 in and "
                  "7.16 in wide)")
      ->type_name("screen|paper");
  cmd->add_option("--formats", options->formats,
                  "screen: png, svg or png,svg (default); paper: pdf, pgf or pdf,pgf (default)");
}

}  // namespace actbench::cli
