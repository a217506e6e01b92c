// `actbench ls [ROOT]`: the sweeps under a results root, newest first.
#include <iostream>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "cli/subcommands.h"
#include "util/error.h"
#include "util/table.h"

namespace actbench::cli {
namespace {

const char* kLsExamples = R"(
Examples:
  actbench ls                          the sweeps under results/
  actbench ls results/seed/history     the earlier sweeps an edited config moved aside there
  actbench ls --json                   the same list as JSON, for scripts)";

int run_ls(const std::string& root, bool json) {
  const std::vector<SweepListing> sweeps = list_sweeps(root);
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : sweeps) {
      out.push_back({{"path", s.path},
                     {"name", s.name},
                     {"when", s.when},
                     {"runs_finished", s.finished},
                     {"runs_planned", s.planned},
                     {"dataset", s.dataset},
                     {"best", s.best},
                     {"history", s.history}});
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  if (sweeps.empty()) {
    std::cerr << "no sweeps under " << root << " (actbench run CONFIG makes one)\n";
    return kExitOk;
  }
  using A = Table::Align;
  Table table(
      {"sweep", "name", "when (UTC)", "runs", "data set", "best final test acc %", "earlier"},
      {A::kLeft, A::kLeft, A::kLeft, A::kRight, A::kLeft, A::kLeft, A::kRight});
  for (const auto& s : sweeps) {
    table.add({s.path, s.name, s.when, std::to_string(s.finished) + "/" + std::to_string(s.planned),
               s.dataset, s.best.empty() ? "-" : s.best,
               s.history == 0 ? "" : std::to_string(s.history)});
  }
  table.print(std::cout);
  return kExitOk;
}

}  // namespace

void setup_ls(CLI::App& app, int& status) {
  auto root = std::make_shared<std::string>("results");
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = add_command(app, "ls", "List the sweeps under a results root (default: results)",
                              kLsExamples, status, [root, json] { return run_ls(*root, *json); });
  cmd->add_flag("--json", *json, "print the list as JSON (an array, newest first) instead");
  cmd->add_option("root", *root, "the folder holding the sweeps")
      ->capture_default_str()
      ->type_name("DIR");
}

}  // namespace actbench::cli
