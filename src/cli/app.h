// The command line as one CLI11 app: every subcommand (one table, cli/app.cpp), the global
// options, and running it with the exit codes of a Unix tool (0 done, 2 bad usage or input,
// 1 an unexpected failure, 128 + signal when interrupted).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace actbench::cli {

// The app with every subcommand declared; the one that is parsed stores its exit status in
// `status` (it runs in its CLI11 callback). `argv` is the whole command line, as run records it.
std::unique_ptr<CLI::App> build_app(int& status, const std::vector<std::string>& argv);

// Parses the command line, runs the subcommand, and turns what it throws into one logged line
// and an exit code.
int run_command_line(int argc, char** argv);

}  // namespace actbench::cli
