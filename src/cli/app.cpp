#include "cli/app.h"

#include <algorithm>
#include <functional>
#include <set>

#include <spdlog/spdlog.h>

#include "cli/logging.h"
#include "cli/subcommands.h"
#include "util/blas_kernel.h"
#include "util/error.h"
#include "util/text.h"

namespace actbench::cli {
namespace {

const char* kExamples = R"(
Examples:
  actbench run configs/seed.yaml           the tutorial: 4 activations x 10 epochs
  actbench run configs/seeds.yaml          4 activations x 5 seeds, with 95% intervals
  actbench plan configs/lr.yaml            the runs a sweep would do, trains nothing
  actbench ls                              the sweeps under results/, newest first
  actbench show results/seeds              a sweep's table and paired differences again
  actbench compare results/seed results/fashion   two sweeps side by side
  actbench export results/seeds --format latex   a booktabs table with significance marks
  actbench merge results/lr                results.json + summary.json from runs/
  actbench curves --out results/curves.json
  actbench plot results/seed               figures and report into results/seed/plots
  actbench list activations                every activation and its parameters
  actbench list keys                       every config key
  actbench store verify                    check every run the run store holds

`actbench SUBCOMMAND --help` shows each subcommand's options and examples. See README.md.)";

// Every subcommand, in the order --help lists them. A new one is a file in cli/ with its
// setup_x, declared in cli/subcommands.h, and one line here (completion follows from the app).
using Setup = std::function<void(CLI::App&, int&, const std::vector<std::string>& argv)>;
const std::vector<Setup>& subcommand_table() {
  static const std::vector<Setup> table{
      [](CLI::App& a, int& s, const auto& argv) { setup_run(a, s, argv); },
      [](CLI::App& a, int& s, const auto&) { setup_plan(a, s); },
      [](CLI::App& a, int& s, const auto&) { setup_merge(a, s); },
      [](CLI::App& a, int& s, const auto&) { setup_ls(a, s); },
      [](CLI::App& a, int& s, const auto&) { setup_show(a, s); },
      [](CLI::App& a, int& s, const auto&) { setup_compare(a, s); },
      [](CLI::App& a, int& s, const auto&) { setup_diff(a, s); },
      [](CLI::App& a, int& s, const auto&) { setup_export(a, s); },
      [](CLI::App& a, int& s, const auto&) { setup_curves(a, s); },
      [](CLI::App& a, int& s, const auto&) { setup_peak(a, s); },
      [](CLI::App& a, int& s, const auto&) { setup_plot(a, s); },
      [](CLI::App& a, int& s, const auto&) { setup_list(a, s); },
      [](CLI::App& a, int& s, const auto&) { setup_store(a, s); },
      [](CLI::App& a, int& s, const auto&) { setup_completion(a, s); },
  };
  return table;
}

// A first argument that is neither an option nor a subcommand: one line naming the closest one.
void check_subcommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  const std::string given = argv[1];
  if (std::find(names.begin(), names.end(), given) != names.end()) return;
  const std::string guess = closest_match(given, names);
  throw InputError("unknown subcommand '" + given + "'" +
                   (guess.empty() ? "" : " (did you mean '" + guess + "'?)") + "; subcommands: " +
                   join(names, ", ") + " (actbench --help shows what each does)");
}

// The app's parse, with every way it can end mapped to an exit code and at most one line.
int parse_and_run(CLI::App& app, int argc, char** argv, const int& status) {
  try {
    check_blas_kernel_setting();
    check_subcommand(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    spdlog::error("{} (see actbench --help)", e.what());
    return kExitBadInput;
  } catch (const InputError& e) {
    spdlog::error("{}", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    spdlog::critical("unexpected failure: {}", e.what());
    return kExitFailure;
  }
  return status;
}

// A numeric option given an empty value (`--jobs ''`) is refused: CLI11 would read it as 0.
void refuse_empty_numbers(CLI::App& app) {
  static const std::set<std::string> numeric{"INT", "UINT", "FLOAT", "NUMBER"};
  for (CLI::Option* opt : app.get_options()) {
    if (numeric.count(opt->get_type_name()) == 0) continue;
    opt->check(CLI::Validator(
        [](std::string& value) {
          return value.find_first_not_of(" \t") == std::string::npos
                     ? std::string("an empty value is not a number")
                     : std::string();
        },
        "", ""));
  }
  for (CLI::App* sub : app.get_subcommands({})) refuse_empty_numbers(*sub);
}

}  // namespace

std::unique_ptr<CLI::App> build_app(int& status, const std::vector<std::string>& argv) {
  auto app = std::make_unique<CLI::App>(
      "actbench: compare neural-network activation functions on MNIST with LibTorch");
  app->require_subcommand(1);
  app->footer(kExamples);
  app->set_version_flag(
      "--version", [] { return version_text(); },
      "Print actbench's and LibTorch's versions and the devices it sees");
  add_logging_options(*app);
  for (const Setup& setup : subcommand_table()) setup(*app, status, argv);
  refuse_empty_numbers(*app);
  return app;
}

int run_command_line(int argc, char** argv) {
  int status = kExitOk;
  const std::vector<std::string> args(argv, argv + argc);  // outlives the parse that uses it
  const std::unique_ptr<CLI::App> app = build_app(status, args);
  return parse_and_run(*app, argc, argv, status);
}

}  // namespace actbench::cli
