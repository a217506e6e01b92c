#include "plan/plan.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <regex>
#include <set>

#include "config/keys.h"
#include "config/tree.h"
#include "device/device.h"
#include "util/error.h"
#include "util/text.h"

namespace actbench {

Json run_identity(const Config& run_config) {
  Json identity = config_identity(run_config);
  // The device as resolved, by kind: "auto" on a GPU node and on a CPU node are two runs; cuda:0
  // and cuda:1 are one.
  identity["device"] = device_kind(run_config.device);
  return identity;
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

std::string plan_shape(const Plan& plan, bool values) {
  std::string shape = std::to_string(plan.base.activations.size()) + " activation(s)";
  for (const auto& a : plan.axes) {
    std::vector<std::string> texts;
    for (const auto& v : a.values) texts.push_back(value_text(v));
    const std::string listed = values ? " {" + join(texts, ", ") + "}" : "";
    if (a.origin == kTrialAxisOrigin) {
      shape += " with per-activation trials of " + a.key + " (" + std::to_string(a.values.size()) +
               " values in all)" + listed;
    } else {
      shape += " x " + (values ? a.key + listed : std::to_string(a.values.size()) + " " + a.key);
    }
  }
  return shape;
}

std::vector<std::string> axis_keys(const std::vector<SweepAxis>& axes) {
  std::vector<std::string> keys;
  for (const auto& a : axes) keys.push_back(a.key);
  return keys;
}

namespace {

// Each activation's `per_activation` variants, by resolved label: a list of settings objects (one
// run each; [{}] for an activation without any) and whether they are trials (a list as written:
// their keys are part of the runs' points) or the activation's own settings (an object).
struct ActivationVariants {
  std::vector<Json> settings{Json::object()};
  bool trials = false;
};

std::map<std::string, ActivationVariants> activation_variants(const ConfigSource& source,
                                                              const Config& base) {
  std::map<std::string, ActivationVariants> out;
  Plan labels;
  labels.base = base;
  for (auto it = source.per_activation.begin(); it != source.per_activation.end(); ++it) {
    const std::string label =
        match_activation_label(labels, it.key(), "per_activation's activation");
    ActivationVariants v;
    v.trials = it.value().is_array();
    v.settings = v.trials ? it.value().get<std::vector<Json>>() : std::vector<Json>{it.value()};
    out[label] = std::move(v);
  }
  return out;
}

// An activation's own settings never set a swept key.
void check_not_swept(const Plan& plan, const std::map<std::string, ActivationVariants>& variants) {
  for (const auto& [label, v] : variants) {
    for (const Json& s : v.settings) {
      for (const auto& a : plan.axes) {
        if (s.contains(a.key)) {
          throw InputError("per_activation '" + label + "' sets '" + a.key +
                           "', which the sweep also sweeps (" + a.origin +
                           "); do one or the other");
        }
      }
    }
  }
}

// Bounded before anything is expanded: a grid of a million points would take minutes and
// gigabytes just to plan.
void check_plan_size(const Plan& plan, const std::map<std::string, ActivationVariants>& variants) {
  double runs = 0;
  for (const auto& a : plan.base.activations) {
    const auto it = variants.find(a.label);
    runs += it == variants.end() ? 1.0 : double(it->second.settings.size());
  }
  std::string shape = std::to_string(plan.base.activations.size()) + " activation(s)";
  if (!variants.empty()) shape += " with their per_activation settings";
  for (const auto& a : plan.axes) {
    runs *= double(a.values.size());
    shape += " x " + std::to_string(a.values.size()) + " " + a.key;
  }
  if (runs > double(kMaxPlannedRuns)) {
    throw InputError("the sweep has " + format_number(runs) + " runs (" + shape + "); at most " +
                     std::to_string(kMaxPlannedRuns) +
                     " per sweep: sweep fewer values, or split it into several sweeps");
  }
}

// The keys of trial variants, as display axes after the swept ones (so groups tell trials apart).
void add_trial_axes(Plan& plan, const std::map<std::string, ActivationVariants>& variants) {
  for (const auto& [label, v] : variants) {
    if (!v.trials) continue;
    for (const Json& s : v.settings) {
      for (auto it = s.begin(); it != s.end(); ++it) {
        auto axis = std::find_if(plan.axes.begin(), plan.axes.end(),
                                 [&](const SweepAxis& a) { return a.key == it.key(); });
        if (axis == plan.axes.end()) {
          plan.axes.push_back({it.key(), {}, kTrialAxisOrigin});
          axis = plan.axes.end() - 1;
        }
        if (std::find(axis->values.begin(), axis->values.end(), it.value()) == axis->values.end()) {
          axis->values.push_back(it.value());
        }
      }
    }
  }
}

// One run: `config` (at `point`, activations cleared) with `activation` and its own settings.
PlannedRun planned_run(const Plan& plan, const Json& tree, const Sources& sources,
                       const Config& config, const Json& point, const ActivationSpec& activation,
                       const Json& settings, const ActivationVariants& v) {
  PlannedRun run;
  run.point = point;
  if (settings.empty()) {
    run.config = config;
  } else {
    Json own = tree;
    Sources own_sources = sources;
    for (auto it = settings.begin(); it != settings.end(); ++it) {
      set_dotted(own, it.key(), it.value(), "per_activation '" + activation.label + "'",
                 own_sources);
      if (v.trials) run.point[it.key()] = it.value();
    }
    run.config = config_from_json(own, own_sources);
  }
  // Each run's config holds its own activation only (copying the whole list into every run would
  // cost activations^2).
  run.config.activations = {activation};
  run.index = plan.runs.size();
  run.identity = run_identity(run.config);
  run.id = run_id(run.identity, activation.label);
  // Its name says its own settings too ("Sigmoid seed=2 lr=0.003").
  Json named = run.point;
  std::vector<std::string> keys = axis_keys(plan.axes);
  for (auto it = settings.begin(); it != settings.end(); ++it) {
    named[it.key()] = it.value();
    keys.push_back(it.key());
  }
  const std::string where = describe_point(named, keys);
  run.name = activation.label + (where.empty() ? "" : " " + where);
  return run;
}

}  // namespace

Plan make_plan(const ConfigSource& source) {
  Plan plan;
  plan.base = config_from_json(source.tree, source.sources);
  plan.axes = source.sweep;
  std::stable_sort(plan.axes.begin(), plan.axes.end(), [](const SweepAxis& a, const SweepAxis& b) {
    const bool sa = a.key == "train.seed", sb = b.key == "train.seed";
    if (sa != sb) return sa;
    return a.key < b.key;
  });
  const auto variants = activation_variants(source, plan.base);
  check_not_swept(plan, variants);
  check_plan_size(plan, variants);
  plan.config_json = config_to_json(plan.base);
  Json sweep = Json::object();
  for (const auto& a : plan.axes) sweep[a.key] = a.values;
  plan.config_json["sweep"] = sweep;
  if (!variants.empty()) {
    Json per = Json::object();
    for (const auto& [label, v] : variants)
      per[label] = v.trials ? Json(v.settings) : v.settings[0];
    plan.config_json["per_activation"] = per;
  }

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
    const std::vector<ActivationSpec> activations = std::move(config.activations);
    config.activations.clear();
    for (const auto& activation : activations) {
      const auto found = variants.find(activation.label);
      const ActivationVariants none;
      const ActivationVariants& v = found == variants.end() ? none : found->second;
      for (const Json& settings : v.settings) {
        PlannedRun run = planned_run(plan, tree, sources, config, point, activation, settings, v);
        if (!ids.insert(run.id).second) {
          throw InputError("two runs of the sweep have the same settings (" + run.name +
                           "); make the sweep's values and activations distinct");
        }
        plan.runs.push_back(std::move(run));
      }
    }
    size_t i = plan.axes.size();
    while (i > 0 && ++at[i - 1] == plan.axes[i - 1].values.size()) at[--i] = 0;
    if (i == 0) break;
  }
  add_trial_axes(plan, variants);
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
