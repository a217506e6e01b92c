// actbench: compare neural-network activation functions on MNIST with LibTorch.
// This file only wires the command line to the subcommands (cli/subcommands.h).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "cli/subcommands.h"
#include "util/error.h"
#include "util/text.h"

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

`actbench SUBCOMMAND --help` shows each subcommand's options and examples. See README.md.)";

// A first argument that is neither an option nor a subcommand: one line naming the closest one.
void check_subcommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  const std::string given = argv[1];
  if (std::find(names.begin(), names.end(), given) != names.end()) return;
  const std::string guess = actbench::closest_match(given, names);
  throw actbench::InputError("unknown subcommand '" + given + "'" +
                             (guess.empty() ? "" : " (did you mean '" + guess + "'?)") +
                             "; subcommands: " + actbench::join(names, ", ") +
                             " (actbench --help shows what each does)");
}

// "[12:34:56] " before a log line; nothing before an error, which is the one line a user reads
// ("error: data directory ... not found").
class TimeUnlessError : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (msg.level >= spdlog::level::err) return;
    const std::time_t t = std::chrono::system_clock::to_time_t(msg.time);
    std::tm local{};
    localtime_r(&t, &local);
    char text[16];
    const size_t n = std::strftime(text, sizeof text, "[%H:%M:%S] ", &local);
    dest.append(text, text + n);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TimeUnlessError>();
  }
};

// ":" after the level of an error ("error: ..."), nothing after other levels ("info ...").
class ColonAfterError : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (msg.level >= spdlog::level::err) dest.push_back(':');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<ColonAfterError>();
  }
};

// The log on stderr, in colour on a terminal unless NO_COLOR is set (https://no-color.org).
void setup_logging() {
  const char* no_color = std::getenv("NO_COLOR");
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
      no_color != nullptr && *no_color != '\0' ? spdlog::color_mode::never
                                               : spdlog::color_mode::automatic);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<TimeUnlessError>('*').add_flag<ColonAfterError>('~').set_pattern(
      "%*%^%l%$%~ %v");
  sink->set_formatter(std::move(formatter));
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("actbench", sink));
}

// -q, -v and --log-file, given before or after the subcommand.
void add_logging_options(CLI::App& app) {
  app.fallthrough();
  app.add_flag_callback(
      "-q,--quiet", [] { spdlog::set_level(spdlog::level::warn); }, "log only warnings and errors");
  app.add_flag_callback(
      "-v,--verbose", [] { spdlog::set_level(spdlog::level::debug); }, "log debug messages too");
  app.add_option_function<std::string>(
      "--log-file",
      [](const std::string& path) {
        try {
          auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
          file->set_pattern("[%Y-%m-%d %T] %l %v");
          spdlog::default_logger()->sinks().push_back(file);
        } catch (const spdlog::spdlog_ex& e) {
          throw actbench::InputError("--log-file " + path + ": " + e.what() +
                                     "; choose a file in a writable directory");
        }
      },
      "also append the log to FILE");
}

}  // namespace

int main(int argc, char** argv) {
  setup_logging();
  namespace cli = actbench::cli;
  CLI::App app{"actbench: compare neural-network activation functions on MNIST with LibTorch"};
  app.require_subcommand(1);
  app.footer(kExamples);
  app.set_version_flag(
      "--version", [] { return cli::version_text(); },
      "Print actbench's and LibTorch's versions and the devices it sees");

  add_logging_options(app);
  int status = actbench::kExitOk;
  const std::vector<std::string> args(argv, argv + argc);
  cli::setup_run(app, status, args);
  cli::setup_plan(app, status);
  cli::setup_merge(app, status);
  cli::setup_ls(app, status);
  cli::setup_show(app, status);
  cli::setup_compare(app, status);
  cli::setup_export(app, status);
  cli::setup_curves(app, status);
  cli::setup_peak(app, status);
  cli::setup_plot(app, status);
  cli::setup_list(app, status);

  // The subcommand runs in its callback, at the end of parsing.
  try {
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
    return actbench::kExitBadInput;
  } catch (const actbench::InputError& e) {
    spdlog::error("{}", e.what());
    return actbench::kExitBadInput;
  } catch (const std::exception& e) {
    spdlog::critical("unexpected failure: {}", e.what());
    return actbench::kExitFailure;
  }
  return status;
}
