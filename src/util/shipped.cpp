#include "util/shipped.h"

#include <system_error>

namespace actbench {

std::optional<std::filesystem::path> shipped_script(const std::string& name) {
  for (const char* dir : {ACTBENCH_INSTALLED_SCRIPTS, ACTBENCH_SOURCE_SCRIPTS}) {
    const std::filesystem::path script = std::filesystem::path(dir) / name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(script, ec)) return script;
  }
  return std::nullopt;
}

std::string shipped_script_dirs() {
  return std::string(ACTBENCH_INSTALLED_SCRIPTS) + " or " + ACTBENCH_SOURCE_SCRIPTS;
}

}  // namespace actbench
