// `actbench plot DIR`: the figures and the report of a sweep, by scripts/plot_results.py run with
// a Python that has matplotlib (Debian's /usr/bin/python3 unless ACTBENCH_PYTHON says otherwise).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "cli/subcommands.h"
#include "sweep/sweep_dir.h"
#include "util/error.h"
#include "util/shipped.h"

namespace actbench::cli {
namespace {

namespace fs = std::filesystem;

const char* kPlotExamples = R"(
Examples:
  actbench plot results/seed                       figures + report into results/seed/plots
  actbench plot results/lr --out /tmp/lr-plots --formats png
  actbench plot results/seed --style paper         PDF and PGF into results/seed/paper
  actbench plot results/seed --style paper --width acm --figures test_accuracy,critical_difference)";

struct PlotOptions {
  std::string input;
  std::optional<std::string> out, curves, style, formats, width, figures;
};

// The installed copy (cmake --install) first, then the source tree this binary was built from.
fs::path plot_script() {
  if (std::optional<fs::path> script = shipped_script("plot_results.py")) return *script;
  throw InputError("plot_results.py not found in " + shipped_script_dirs() +
                   "; install actbench (cmake --install build) or run it from its source tree");
}

std::string python() {
  const char* chosen = std::getenv("ACTBENCH_PYTHON");
  if (chosen != nullptr && *chosen != '\0') return chosen;
  std::error_code ec;
  return fs::exists("/usr/bin/python3", ec) ? "/usr/bin/python3" : "python3";
}

// What running the script came to: its exit code (128 + N for signal N) and whether it wrote
// anything on stderr.
struct ScriptEnd {
  int code = 1;
  bool said_something = false;
};

// Runs `args` (args[0] found on PATH) with its stderr relayed through this process, so that an
// interpreter that fails without a word is noticed. InputError when it cannot be started.
ScriptEnd run_script(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int err[2], failed_exec[2];  // the child's stderr; the errno of a failed exec
  if (::pipe2(err, O_CLOEXEC) != 0 || ::pipe2(failed_exec, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(err[1], 2);
    ::execvp(argv[0], argv.data());
    const int e = errno;
    (void)!::write(failed_exec[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(err[1]);
  ::close(failed_exec[1]);
  int exec_errno = 0;
  const bool exec_failed =
      ::read(failed_exec[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
  ::close(failed_exec[0]);
  ScriptEnd end;
  char buf[4096];
  for (ssize_t n; (n = ::read(err[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    end.said_something = true;
    (void)!::write(2, buf, size_t(n));
  }
  ::close(err[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (exec_failed) {
    throw InputError("cannot run " + args[0] + ": " + std::strerror(exec_errno) +
                     "; install python3-matplotlib and python3-jsonschema (scripts/setup.sh), or "
                     "set ACTBENCH_PYTHON to a Python that has them");
  }
  if (WIFEXITED(status)) end.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) end.code = 128 + WTERMSIG(status);
  return end;
}

// The script's exit status is actbench's; a failure it did not explain is named in one line.
int run_plot(const PlotOptions& o) {
  const std::string interpreter = python();
  std::vector<std::string> args{interpreter, plot_script().string(), o.input};
  if (o.out) args.insert(args.end(), {"--out", *o.out});
  if (o.curves) args.insert(args.end(), {"--curves", *o.curves});
  if (o.style) args.insert(args.end(), {"--style", *o.style});
  if (o.formats) args.insert(args.end(), {"--formats", *o.formats});
  if (o.width) args.insert(args.end(), {"--width", *o.width});
  if (o.figures) args.insert(args.end(), {"--figures", *o.figures});
  // No run moves DIR's files (plots/ included) to DIR/history/ while the script reads and draws.
  std::error_code ec;
  const fs::path input(o.input);
  const fs::path parent = input.parent_path().empty() ? fs::path(".") : input.parent_path();
  const DirReaderLock reading(fs::is_directory(input, ec) ? input : parent);
  const ScriptEnd end = run_script(args);
  if (end.code != 0 && !end.said_something) {
    spdlog::error(
        "{} ended with status {} and said nothing while running the plot script; it "
        "must be a Python 3 with matplotlib and jsonschema (set ACTBENCH_PYTHON to "
        "one, or run scripts/setup.sh)",
        interpreter, end.code);
  }
  return end.code;
}

}  // namespace

void setup_plot(CLI::App& app, int& status) {
  auto options = std::make_shared<PlotOptions>();
  // The script's exit status is actbench's.
  CLI::App* cmd =
      add_command(app, "plot", "Draw a sweep's figures and report (runs scripts/plot_results.py)",
                  kPlotExamples, status, [options]() -> int { return run_plot(*options); });
  cmd->add_option("dir", options->input, "the sweep's directory, or its results.json")
      ->required()
      ->type_name("DIR");
  cmd->add_option("--out,-o", options->out,
                  "where to write (default: DIR/plots; DIR/paper with --style paper)")
      ->type_name("DIR");
  cmd->add_option("--curves", options->curves, "`actbench curves` output to draw")
      ->type_name("FILE");
  cmd->add_option("--style", options->style,
                  "screen (default: PNG and SVG, report.html) or paper (PDF and PGF at a "
                  "template's column and page width, IEEE's by default; see --width)")
      ->type_name("screen|paper");
  cmd->add_option("--formats", options->formats,
                  "screen: png, svg or png,svg (default); paper: pdf, pgf or pdf,pgf (default)");
  cmd->add_option("--width", options->width,
                  "paper: the width(s), a length (3.3, 8.5cm, 241pt) or a template (ieee, acm, "
                  "icml, lncs, neurips, elsevier, revtex; or NAME-column, NAME-page); A,B draws "
                  "NAME at A and NAME-wide at B")
      ->type_name("WIDTH");
  cmd->add_option("--figures", options->figures,
                  "only these figures (NAME,...; scripts/plot_results.py --list-figures)")
      ->type_name("NAME,...");
}

}  // namespace actbench::cli
