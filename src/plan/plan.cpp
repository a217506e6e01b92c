#include "plan/plan.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <regex>
#include <set>

#include "config/keys.h"
#include "config/tree.h"
#include "util/error.h"
#include "util/text.h"

namespace actbench {

Json run_identity(const Config& run_config) {
  return config_identity(run_config);
}

std::string run_id(const Json& identity, const std::string& label) {
  const std::string text = identity.dump();  // keys sorted: canonical
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 0x100000001b3ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return file_safe_name(label) + "-" + hex;
}

std::string match_activation_label(const Plan& plan, const std::string& text,
                                   const std::string& what) {
  std::vector<std::string> labels;
  for (const auto& a : plan.base.activations) {
    if (name_key(a.label) == name_key(text)) return a.label;
    labels.push_back(a.label);
  }
  throw InputError(what + " '" + text +
                   "' is not one of the sweep's activations: " + join(labels, ", "));
}

std::vector<std::string> axis_keys(const std::vector<SweepAxis>& axes) {
  std::vector<std::string> keys;
  for (const auto& a : axes) keys.push_back(a.key);
  return keys;
}

Plan make_plan(const ConfigSource& source) {
  Plan plan;
  plan.base = config_from_json(source.tree, source.sources);
  plan.axes = source.sweep;
  std::stable_sort(plan.axes.begin(), plan.axes.end(), [](const SweepAxis& a, const SweepAxis& b) {
    const bool sa = a.key == "train.seed", sb = b.key == "train.seed";
    if (sa != sb) return sa;
    return a.key < b.key;
  });
  // Bounded before anything is expanded: a grid of a million points would take minutes and
  // gigabytes just to plan.
  double runs = double(plan.base.activations.size());
  std::string shape = std::to_string(plan.base.activations.size()) + " activation(s)";
  for (const auto& a : plan.axes) {
    runs *= double(a.values.size());
    shape += " x " + std::to_string(a.values.size()) + " " + a.key;
  }
  if (runs > double(kMaxPlannedRuns)) {
    throw InputError("the sweep has " + format_number(runs) + " runs (" + shape + "); at most " +
                     std::to_string(kMaxPlannedRuns) +
                     " per sweep: sweep fewer values, or split it into several sweeps");
  }
  plan.config_json = config_to_json(plan.base);
  Json sweep = Json::object();
  for (const auto& a : plan.axes) sweep[a.key] = a.values;
  plan.config_json["sweep"] = sweep;

  // Odometer over the axes, the last one fastest.
  std::vector<size_t> at(plan.axes.size(), 0);
  std::set<std::string> ids;
  while (true) {
    Json tree = source.tree;
    Sources sources = source.sources;
    Json point = Json::object();
    for (size_t i = 0; i < plan.axes.size(); ++i) {
      const SweepAxis& a = plan.axes[i];
      const Json& v = a.values[at[i]];
      set_dotted(tree, a.key, v, a.origin + " (sweep '" + a.key + "')", sources);
      point[a.key] = v;
    }
    Config config = config_from_json(tree, sources);
    const std::string where = describe_point(point, axis_keys(plan.axes));
    // Each run's config holds its own activation only (copying the whole list into every run
    // would cost activations^2).
    const std::vector<ActivationSpec> activations = std::move(config.activations);
    config.activations.clear();
    for (const auto& activation : activations) {
      PlannedRun run;
      run.index = plan.runs.size();
      run.config = config;
      run.config.activations = {activation};
      run.point = point;
      run.identity = run_identity(run.config);
      run.id = run_id(run.identity, activation.label);
      run.name = activation.label + (where.empty() ? "" : " " + where);
      if (!ids.insert(run.id).second) {
        throw InputError("two runs of the sweep have the same settings (" + run.name +
                         "); make the sweep's values and activations distinct");
      }
      plan.runs.push_back(std::move(run));
    }
    size_t i = plan.axes.size();
    while (i > 0 && ++at[i - 1] == plan.axes[i - 1].values.size()) at[--i] = 0;
    if (i == 0) break;
  }
  return plan;
}

Json plan_to_json(const Plan& plan) {
  Json axes = Json::array();
  for (const auto& a : plan.axes) axes.push_back({{"key", a.key}, {"values", a.values}});
  Json runs = Json::array();
  for (const auto& r : plan.runs) {
    runs.push_back({{"id", r.id},
                    {"activation", r.config.activations.front().label},
                    {"point", r.point},
                    {"seed", r.config.train.seed},
                    {"name", r.name},
                    {"config", r.identity}});
  }
  return {{"schema", kPlanSchema},
          {"config", plan.config_json},
          {"baseline", plan.base.baseline},
          {"axes", axes},
          {"runs", runs}};
}

Shard parse_shard(const std::string& text) {
  std::smatch m;
  const std::string usage =
      "--shard must be K/N with 1 <= K <= N, e.g. --shard 2/4 for the second of four parts "
      "(under Slurm: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT with --array=1-N)";
  if (!std::regex_match(text, m, std::regex("\\s*([0-9]{1,9})\\s*/\\s*([0-9]{1,9})\\s*"))) {
    throw InputError(usage + ", got '" + text + "'");
  }
  Shard s{std::stoll(m[1].str()), std::stoll(m[2].str())};
  if (s.n < 1 || s.k < 1 || s.k > s.n) throw InputError(usage + ", got '" + text + "'");
  return s;
}

}  // namespace actbench
