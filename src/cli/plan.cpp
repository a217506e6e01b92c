// `actbench plan`: the runs `run` would do with the same arguments; trains and writes nothing.
#include <iostream>

#include "cli/run_options.h"
#include "cli/subcommands.h"
#include "sweep/store.h"
#include "util/error.h"
#include "util/table.h"
#include "util/text.h"

namespace actbench::cli {
namespace {

const char* kPlanExamples = R"(
Examples:
  actbench plan configs/lr.yaml                      the runs of a sweep and which are done
  actbench plan configs/seeds.yaml --shard 2/4       the second of four parts
  actbench plan configs/depth.yaml --json            the same as JSON)";

struct PlanOptions {
  RunOptions run;
  bool json = false;
};

void print_plan(std::ostream& out, const Plan& plan, const RunOptions& o,
                const std::vector<const PlannedRun*>& runs, const std::vector<bool>& done) {
  std::string shape = std::to_string(plan.base.activations.size()) + " activation(s)";
  for (const auto& a : plan.axes) {
    std::vector<std::string> values;
    for (const auto& v : a.values) values.push_back(value_text(v));
    shape += " x " + a.key + " {" + join(values, ", ") + "}";
  }
  out << plan.runs.size() << " run(s): " << shape << "\n";
  if (o.shard)
    out << "shard " << o.shard->k << "/" << o.shard->n << ": " << runs.size() << " run(s)\n";
  const size_t finished = size_t(std::count(done.begin(), done.end(), true));
  out << "into " << plan.base.out << " (" << finished << " of these already finished there)\n\n";
  using A = Table::Align;
  Table table({"#", "id", "activation", "status", "swept values"}, {A::kRight});
  for (size_t i = 0; i < runs.size(); ++i) {
    table.add({std::to_string(runs[i]->index + 1), runs[i]->id,
               runs[i]->config.activations.front().label, done[i] ? "done" : "to do",
               describe_point(runs[i]->point, axis_keys(plan.axes))});
  }
  table.print(out);
}

int run_plan(const PlanOptions& o) {
  const Plan plan = plan_from_options(o.run);
  std::vector<const PlannedRun*> runs;
  for (const auto& r : plan.runs) {
    if (!o.run.shard || o.run.shard->contains(r.index)) runs.push_back(&r);
  }
  std::vector<bool> done;
  for (const PlannedRun* r : runs) done.push_back(run_finished(plan.base.out, *r));
  if (!o.json) {
    print_plan(std::cout, plan, o.run, runs, done);
    return kExitOk;
  }
  Json j = plan_to_json(plan);
  Json selected = Json::array();
  for (size_t i = 0; i < runs.size(); ++i) {
    Json e = j["runs"][runs[i]->index];
    e["finished"] = bool(done[i]);
    selected.push_back(e);
  }
  j["runs"] = selected;
  j["out"] = plan.base.out;
  if (o.run.shard) j["shard"] = {{"k", o.run.shard->k}, {"n", o.run.shard->n}};
  std::cout << j.dump(2) << "\n";
  return kExitOk;
}

}  // namespace

void setup_plan(CLI::App& app, int& status) {
  auto options = std::make_shared<PlanOptions>();
  CLI::App* cmd = add_command(
      app, "plan", "Print the runs `run` would do with the same arguments; trains nothing",
      kPlanExamples, status, [options] { return run_plan(*options); });
  add_run_options(*cmd, options->run);
  cmd->add_flag("--json", options->json, "print the plan as JSON");
}

}  // namespace actbench::cli
