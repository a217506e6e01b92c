// `actbench compare DIR... [--by KEY]`: several sweeps in one table.
#include <iostream>

#include <nlohmann/json.hpp>

#include "catalog/compare.h"
#include "cli/subcommands.h"
#include "util/error.h"

namespace actbench::cli {
namespace {

const char* kCompareExamples = R"(
Examples:
  actbench compare results/seed results/fashion                a column per sweep
  actbench compare results/seed results/wide --by model.hidden a column per value of model.hidden
  actbench compare results/seed results/lr                     a column per sweep and swept value
  actbench compare results/seeds results/seeds-lr3             + paired tests where one setting differs
  actbench compare results/seed results/fashion --json         the table as JSON, for scripts
  actbench compare results/seed results/wide --metric seconds_per_epoch   timings, if timed alike)";

struct CompareOptions {
  std::vector<std::string> dirs;
  std::optional<std::string> by;
  bool json = false;  // --json: the table as JSON on stdout
  std::string metric = "final_test_accuracy";
};

int run_compare(const CompareOptions& o) {
  std::vector<SweepView> sweeps;
  for (const auto& d : o.dirs) sweeps.push_back(read_sweep(d));
  const Comparison c = compare_sweeps(sweeps, o.by, o.metric);
  if (o.json) {
    // The table's cells as printed, its header as "columns", and the notes.
    const auto& rows = c.table.rows();
    nlohmann::json j = {
        {"columns", rows.empty() ? nlohmann::json::array() : nlohmann::json(rows[0])},
        {"rows", nlohmann::json::array()},
        {"notes", c.notes}};
    for (size_t i = 1; i < rows.size(); ++i) j["rows"].push_back(rows[i]);
    j["paired"] = {{"title", c.paired.title},
                   {"differences", c.paired.differences},
                   {"notes", c.paired.notes}};
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  c.table.print(std::cout);
  std::cout << "\n";
  for (const auto& n : c.notes) std::cout << "  " << n << "\n";
  if (!c.paired.differences.empty()) {
    std::cout << "\n" << c.paired.title << "\n";
    c.paired.table.print(std::cout);
  }
  if (!c.paired.notes.empty()) std::cout << "\n";
  for (const auto& n : c.paired.notes) std::cout << "  " << n << "\n";
  return kExitOk;
}

}  // namespace

void setup_compare(CLI::App& app, int& status) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* cmd = add_command(
      app, "compare",
      "Join sweeps into one table: a row per activation, a column per sweep (or per value of "
      "--by KEY)",
      kCompareExamples, status, [options] { return run_compare(*options); });
  cmd->add_option("dirs", options->dirs, "the sweeps' directories")->required()->type_name("DIR");
  cmd->add_option("--by", options->by,
                  "a config key: one column per value of it (e.g. data.dataset, train.lr)")
      ->type_name("KEY");
  cmd->add_option("--metric", options->metric,
                  "what the cells show: final_test_accuracy (default), best_test_accuracy, "
                  "final_test_loss or seconds_per_epoch (with whether the sweeps were timed alike)")
      ->check(CLI::IsMember(
          {"final_test_accuracy", "best_test_accuracy", "final_test_loss", "seconds_per_epoch"}))
      ->type_name("METRIC");
  cmd->add_flag("--json", options->json,
                "print {columns, rows, notes} as JSON (the cells as the table shows them) instead");
}

}  // namespace actbench::cli
