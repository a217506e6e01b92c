// `actbench plan`: the runs `run` would do with the same arguments; trains and writes nothing.
#include <iostream>

#include <spdlog/spdlog.h>

#include "cli/run_options.h"
#include "cli/subcommands.h"
#include "sweep/adaptive.h"
#include "sweep/survey.h"
#include "train/device.h"
#include "util/error.h"
#include "util/table.h"
#include "util/text.h"

namespace actbench::cli {
namespace {

const char* kPlanExamples = R"(
Examples:
  actbench plan configs/lr.yaml                      the runs of a sweep, which are done or
                                                     in the store, and the time the rest take
  actbench plan configs/seeds.yaml --shard 2/4       the second of four parts
  actbench plan configs/depth.yaml --json            the same as JSON)";

struct PlanOptions {
  RunOptions run;
  bool json = false;
};

const char* action_text(RunAction a) {
  switch (a) {
    case RunAction::kDone:
      return "done";
    case RunAction::kReuse:
      return "in store";
    case RunAction::kTrain:
      break;
  }
  return "to train";
}

void print_plan(std::ostream& out, const Plan& plan, const RunOptions& o, const Survey& survey,
                const torch::Device& device, const std::string& adaptive_line) {
  std::string shape = std::to_string(plan.base.activations.size()) + " activation(s)";
  for (const auto& a : plan.axes) {
    std::vector<std::string> values;
    for (const auto& v : a.values) values.push_back(value_text(v));
    shape += " x " + a.key + " {" + join(values, ", ") + "}";
  }
  out << plan.runs.size() << " run(s): " << shape << "\n";
  if (!adaptive_line.empty()) out << adaptive_line << "\n";
  if (o.shard) {
    out << "shard " << o.shard->k << "/" << o.shard->n << ": " << survey.decisions.size()
        << " run(s)\n";
  }
  out << "into " << plan.base.out << ", run store " << survey.store_dir.string() << "\n";
  if (survey.other_sweep) {
    out << plan.base.out << " holds another sweep's files: `run` keeps them in "
        << plan.base.out << "/history/ first\n";
  }
  const size_t to_train = survey.count(RunAction::kTrain);
  out << survey.count(RunAction::kDone) << " already finished there, "
      << survey.count(RunAction::kReuse) << " in the store (copied, not trained), " << to_train
      << " to train\n";
  if (to_train > 0) {
    const TimeEstimate e = estimate_time(survey);
    const int64_t threads = configure_cpu_threads(plan.base.threads);
    const int64_t jobs = resolve_jobs(plan.base.jobs, threads, device, int64_t(to_train));
    if (e.estimated == 0) {
      out << "time: no estimate yet (the store holds no run like these)\n";
    } else {
      out << "time: ~" << duration_text(e.seconds / double(jobs))
          << (jobs > 1 ? " (" + std::to_string(jobs) + " at a time)" : std::string())
          << ", from the store's measured seconds per epoch of similar runs";
      if (e.without > 0) out << "; " << e.without << " run(s) not estimated (none like them)";
      out << "\n";
    }
  }
  out << "\n";
  using A = Table::Align;
  Table table({"#", "id", "activation", "status", "swept values"}, {A::kRight});
  for (const auto& d : survey.decisions) {
    const PlannedRun& r = *d.run;
    table.add({std::to_string(r.index + 1), r.id, r.config.activations.front().label,
               action_text(d.action), describe_point(r.point, axis_keys(plan.axes))});
  }
  table.print(out);
}

int run_plan(const PlanOptions& o) {
  const ConfigSource source = source_from_options(o.run);
  std::string adaptive_line;
  Plan plan;
  if (adaptive(source)) {
    AdaptiveState state =
        adaptive_state(source, SweepOptions{o.run.shard, o.run.store, o.run.fresh, {}, {}, {}});
    plan = std::move(state.plan);
    adaptive_line = state.status;
  } else {
    plan = make_plan(source);
  }
  const torch::Device device = resolve_device(plan.base.device);
  const Survey survey =
      survey_sweep(plan, resolve_store_dir(o.run.store, plan.base.out), device, o.run.shard,
                   o.run.fresh);
  for (const auto& d : survey.decisions) {
    if (!d.warning.empty()) spdlog::warn("{}", d.warning);
  }
  if (!o.json) {
    print_plan(std::cout, plan, o.run, survey, device, adaptive_line);
    return kExitOk;
  }
  Json j = plan_to_json(plan);
  Json selected = Json::array();
  for (const auto& d : survey.decisions) {
    Json e = j["runs"][d.run->index];
    e["finished"] = d.action == RunAction::kDone;
    e["action"] = action_text(d.action);
    selected.push_back(e);
  }
  j["runs"] = selected;
  j["out"] = plan.base.out;
  j["store"] = survey.store_dir.string();
  j["other_sweep"] = survey.other_sweep;
  if (!adaptive_line.empty()) j["adaptive"] = adaptive_line;
  if (const TimeEstimate e = estimate_time(survey); e.estimated > 0) {
    j["estimated_seconds"] = e.seconds;  // one run after the other
  }
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
