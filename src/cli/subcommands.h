// The subcommands, one file each (run, plan, merge, show, ls, compare, diff, export, curves, peak,
// plot, list, store, completion .cpp), registered in cli/app.cpp's table: an options struct bound
// to typed flags, a setup_x that declares them with the subcommand's own examples, and the job
// itself in the subcommand's callback, which stores the exit status in `status`. User errors are
// thrown as InputError (main prints one line and exits 2).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/choices.h"

namespace actbench::cli {

// Adds subcommand `name` to `app` with its description and --help examples; when it is parsed,
// `job` runs and its result becomes `status`. Returns the subcommand, for its options.
CLI::App* add_command(CLI::App& app, const std::string& name, const std::string& description,
                      const std::string& examples, int& status, std::function<int()> job);

void setup_run(CLI::App& app, int& status, const std::vector<std::string>& argv);
void setup_plan(CLI::App& app, int& status);
void setup_merge(CLI::App& app, int& status);
void setup_curves(CLI::App& app, int& status);
void setup_peak(CLI::App& app, int& status);
void setup_list(CLI::App& app, int& status);
void setup_plot(CLI::App& app, int& status);
void setup_ls(CLI::App& app, int& status);
void setup_store(CLI::App& app, int& status);
void setup_show(CLI::App& app, int& status);
void setup_compare(CLI::App& app, int& status);
void setup_export(CLI::App& app, int& status);
void setup_diff(CLI::App& app, int& status);
void setup_completion(CLI::App& app, int& status);

// --baseline LABEL and --spread ci95|sd, for the subcommands that read a sweep back.
void add_summary_options(CLI::App& cmd, std::optional<std::string>& baseline,
                         std::optional<Spread>& spread);

// `actbench --version`: actbench's and LibTorch's versions and the devices it sees.
std::string version_text();

}  // namespace actbench::cli
