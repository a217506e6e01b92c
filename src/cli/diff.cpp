// `actbench diff A B`: the settings and provenance that differ between two sweeps or runs.
#include <iostream>

#include "catalog/diff.h"
#include "cli/subcommands.h"
#include "util/table.h"

namespace actbench::cli {
namespace {

const char* kDiffExamples = R"(
Examples:
  actbench diff results/seed results/seeds          two sweeps: config, axes, versions, BLAS, CPU
  actbench diff results/a/runs/relu-1.json results/b/runs/relu-2.json      two runs
  actbench diff results/seed results/wide --json    for scripts)";

struct DiffOptions {
  std::string a;
  std::string b;
  bool json = false;
};

void print_section(std::ostream& out, const std::string& title, const std::vector<Difference>& list,
                   const DiffOptions& o) {
  if (list.empty()) {
    out << title << ": the same\n";
    return;
  }
  out << title << ":\n";
  Table table({"key", o.a, o.b});
  for (const auto& d : list) table.add({d.key, d.a, d.b});
  table.print(out);
}

int run_diff(const DiffOptions& o) {
  const Diff d = diff_paths(o.a, o.b);
  if (o.json) {
    std::cout << diff_to_json(d).dump(2) << "\n";
    return kExitOk;
  }
  print_section(std::cout, "settings", d.settings, o);
  std::cout << "\n";
  print_section(std::cout, "provenance (versions, build, BLAS kernel, CPU, device, data)",
                d.provenance, o);
  return kExitOk;
}

}  // namespace

void setup_diff(CLI::App& app, int& status) {
  auto options = std::make_shared<DiffOptions>();
  CLI::App* cmd = add_command(
      app, "diff", "Print the settings and provenance that differ between two sweeps or runs",
      kDiffExamples, status, [options] { return run_diff(*options); });
  cmd->add_option("a", options->a, "a sweep's directory or a run file")->required()->type_name("A");
  cmd->add_option("b", options->b, "another")->required()->type_name("B");
  cmd->add_flag("--json", options->json, "print the differences as JSON");
}

}  // namespace actbench::cli
