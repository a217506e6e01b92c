// The log: spdlog on stderr ("[12:34:56] info ..." lines, and "error: ..." as the one line a user
// reads), and the -q, -v and --log-file options that adjust it.
#pragma once

#include <CLI/CLI.hpp>

namespace actbench::cli {

// The default logger: stderr, in colour on a terminal unless NO_COLOR is set.
void setup_logging();

// -q, -v and --log-file, given before or after the subcommand.
void add_logging_options(CLI::App& app);

}  // namespace actbench::cli
