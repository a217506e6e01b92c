// The scripts that ship with actbench (plot_results.py, fetch_data.sh): where this binary finds
// them, installed (cmake --install: <prefix>/share/actbench/scripts) or in the source tree it was
// built from, so that what a message names or a subcommand runs works from any directory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace actbench {

// The installed copy of scripts/<name> first, then the source tree's; nullopt when neither is
// there.
std::optional<std::filesystem::path> shipped_script(const std::string& name);

// Where shipped_script looks, for messages: "<installed> or <source>".
std::string shipped_script_dirs();

}  // namespace actbench
