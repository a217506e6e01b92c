#include "summary/summary.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "activations/spec.h"
#include "config/keys.h"
#include "config/tree.h"
#include "stats/estimate.h"
#include "summary/differences.h"
#include "summary/rank_comparison.h"
#include "summary/summary_format.h"
#include "util/table.h"
#include "util/text.h"

namespace actbench {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();  // no value

// The metrics a summary reports, as (name in summary.json, where in a run entry's `final`).
const std::vector<std::pair<std::string, std::string>> kMetrics{
    {"final_test_accuracy", "test_accuracy"},
    {"best_test_accuracy", "best_test_accuracy"},
    {"final_test_loss", "test_loss"},
    {"seconds_per_epoch", "seconds_per_epoch"},
};

// Per-epoch values in a run entry: the epoch's own, then its diagnostics' (per layer or not).
const std::vector<std::string> kSeries{
    "train_loss",    "train_accuracy", "test_loss",       "test_accuracy",    "seconds",
    "train_seconds", "test_seconds",   "forward_seconds", "backward_seconds", "optimizer_seconds",
    "grad_norm",     "dead",           "saturated",       "act_mean",         "act_std"};

double metric(const Json& entry, const std::string& field) {
  const Json& final = entry.at("final");
  // The best epoch's test accuracy is an estimate only when the epoch was chosen on a validation
  // split; chosen on the test set itself it is optimistic, and not reported.
  if (field == "best_test_accuracy" && final.value("best_chosen_on", "") != "validation") {
    return kMissing;
  }
  // Absent: an entry of an actbench that did not record it.
  const auto v = final.find(field);
  return v != final.end() && v->is_number() ? v->get<double>() : kMissing;
}

// The estimate of the finite values (null when there is none).
Json estimate_or_null(const std::vector<double>& values) {
  std::vector<double> finite;
  for (double v : values) {
    if (std::isfinite(v)) finite.push_back(v);
  }
  return finite.empty() ? Json(nullptr) : estimate_to_json(estimate(finite, kConfidence));
}

double number_or_nan(const Json* v) {
  return v != nullptr && v->is_number() ? v->get<double>() : kMissing;
}

// An epoch's value `name`, from the epoch itself or its diagnostics; nullptr when absent.
const Json* epoch_value(const Json& epoch, const std::string& name) {
  if (epoch.contains(name)) return &epoch.at(name);
  if (epoch.contains("diagnostics") && epoch.at("diagnostics").contains(name)) {
    return &epoch.at("diagnostics").at(name);
  }
  return nullptr;
}

// {"mean": m, "std": s} of one value across runs (NaN: missing).
std::pair<Json, Json> mean_and_std(const std::vector<double>& values) {
  const Estimate e = mean_std(values);
  return {e.n > 0 ? finite_or_null(e.mean) : Json(nullptr),
          e.n > 1 ? finite_or_null(e.std) : Json(nullptr)};
}

// Mean and std across runs of one value per run (nullptr: missing): a number, or, when
// `layers` > 0, a list with one number per layer (mean and std then per layer).
std::pair<Json, Json> across_runs(const std::vector<const Json*>& values, size_t layers) {
  if (layers == 0) {
    std::vector<double> xs;
    for (const Json* v : values) xs.push_back(number_or_nan(v));
    return mean_and_std(xs);
  }
  Json means = Json::array(), stds = Json::array();
  for (size_t l = 0; l < layers; ++l) {
    std::vector<double> xs;
    for (const Json* v : values) {
      xs.push_back(v != nullptr && v->is_array() && l < v->size() ? number_or_nan(&(*v)[l])
                                                                  : kMissing);
    }
    auto [m, s] = mean_and_std(xs);
    means.push_back(m);
    stds.push_back(s);
  }
  return {means, stds};
}

// The number of layers of per-layer values (0 for plain numbers); nullopt when none is present.
std::optional<size_t> layers_of(const std::vector<const Json*>& values) {
  std::optional<size_t> layers;
  for (const Json* v : values) {
    if (v == nullptr || v->is_null()) continue;
    layers = std::max(layers.value_or(0), v->is_array() ? v->size() : size_t(0));
  }
  return layers;
}

// The per-epoch mean and std over `runs` of the epoch value `name`. Null when no run has it.
Json series(const std::vector<const Json*>& runs, const std::string& name) {
  size_t epochs = 0;
  std::vector<const Json*> all;
  for (const Json* r : runs) {
    epochs = std::max(epochs, r->at("epochs").size());
    for (const auto& e : r->at("epochs")) all.push_back(epoch_value(e, name));
  }
  const std::optional<size_t> layers = layers_of(all);
  if (!layers) return nullptr;
  Json means = Json::array(), stds = Json::array();
  for (size_t i = 0; i < epochs; ++i) {
    std::vector<const Json*> values;
    for (const Json* r : runs) {
      const Json& list = r->at("epochs");
      values.push_back(i < list.size() ? epoch_value(list[i], name) : nullptr);
    }
    auto [m, s] = across_runs(values, *layers);
    means.push_back(m);
    stds.push_back(s);
  }
  return {{"mean", means}, {"std", stds}};
}

Json group_series(const std::vector<const Json*>& runs) {
  Json out = Json::object();
  for (const auto& name : kSeries) {
    Json s = series(runs, name);
    if (!s.is_null()) out[name] = s;
  }
  return out;
}

// Per learned parameter of the activation (a formula's learnable constants, PReLU's slope), the
// per-epoch mean and std over `runs` of its value in each hidden layer (a per-unit parameter's
// mean over the units). Empty when the activation learns nothing.
Json learned_series(const std::vector<const Json*>& runs) {
  std::set<std::string> names;
  for (const Json* r : runs) {
    for (const auto& e : r->at("epochs")) {
      if (e.contains("learned") && e.at("learned").is_object()) {
        for (const auto& [name, v] : e.at("learned").items()) names.insert(name);
      }
    }
  }
  Json out = Json::object();
  for (const auto& name : names) {
    // Each run reduced to {"epochs": [{"v": [per layer]}]}, then the same series as the rest.
    std::vector<Json> reduced;
    for (const Json* r : runs) {
      Json epochs = Json::array();
      for (const auto& e : r->at("epochs")) {
        Json layers = Json::array();
        const Json* v = e.contains("learned") ? &e.at("learned") : nullptr;
        if (v != nullptr && v->contains(name)) {
          for (const Json& layer : v->at(name)) {
            std::vector<double> xs;
            for (const Json& x : layer.is_array() ? layer : Json::array({layer})) {
              xs.push_back(number_or_nan(&x));
            }
            layers.push_back(finite_or_null(mean_std(xs).mean));
          }
        }
        epochs.push_back({{"v", layers}});
      }
      reduced.push_back({{"epochs", epochs}});
    }
    std::vector<const Json*> ptrs;
    for (const Json& r : reduced) ptrs.push_back(&r);
    Json s = series(ptrs, "v");
    if (!s.is_null()) out[name] = s;
  }
  return out;
}

// Per Linear layer, the mean and std over `runs` of the gradient at the first step.
Json initial_grad_norm(const std::vector<const Json*>& runs) {
  std::vector<const Json*> values;
  for (const Json* r : runs) {
    values.push_back(r->contains("initial_grad_norm") ? &r->at("initial_grad_norm") : nullptr);
  }
  const std::optional<size_t> layers = layers_of(values);
  if (!layers) return nullptr;
  auto [m, s] = across_runs(values, *layers);
  return {{"mean", m}, {"std", s}};
}

// Per phase, the estimate over runs of each run's mean seconds per epoch in it (null where not
// measured: the forward/backward/optimizer split on CUDA).
Json phase_seconds(const std::vector<const Json*>& runs) {
  const std::vector<std::pair<std::string, std::string>> phases{{"forward", "forward_seconds"},
                                                                {"backward", "backward_seconds"},
                                                                {"optimizer", "optimizer_seconds"},
                                                                {"train", "train_seconds"},
                                                                {"test", "test_seconds"}};
  Json out = Json::object();
  for (const auto& [phase, field] : phases) {
    std::vector<double> per_run;
    for (const Json* r : runs) {
      std::vector<double> epochs;
      for (const auto& e : r->at("epochs")) epochs.push_back(number_or_nan(epoch_value(e, field)));
      const Estimate m = mean_std(epochs);
      if (m.n == int64_t(epochs.size()) && m.n > 0) per_run.push_back(m.mean);
    }
    out[phase] = per_run.empty() || per_run.size() != runs.size()
                     ? Json(nullptr)
                     : estimate_to_json(estimate(per_run, kConfidence));
  }
  return out;
}

struct Group {
  std::string activation;
  Json point;                      // without train.seed
  Json settings = Json::object();  // the activation's own (per_activation) settings
  std::vector<std::string> ids;
  std::vector<int64_t> seeds;
};

// The ranking table: groups by mean final test accuracy (groups with no completed run last).
Json ranking_table(const Json& groups, const std::vector<std::string>& keys, Spread spread,
                   const Json& comparison) {
  std::vector<const Json*> order;
  for (const auto& g : groups) order.push_back(&g);
  auto mean_acc = [](const Json* g) {
    const Json& e = g->at("final_test_accuracy");
    return e.is_null() ? -1.0 : e.at("mean").get<double>();
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](const Json* a, const Json* b) { return mean_acc(a) > mean_acc(b); });
  Json columns = {"rank", "activation"};
  for (const auto& k : keys) columns.push_back(last_key_part(k));
  // Each activation's own settings (per_activation, chosen by tuning), a column per key.
  std::vector<std::string> own;
  for (const auto& g : groups) {
    for (auto it = g.at("settings").begin(); it != g.at("settings").end(); ++it) {
      if (std::find(own.begin(), own.end(), it.key()) == own.end()) own.push_back(it.key());
    }
  }
  for (const auto& k : own) columns.push_back(last_key_part(k));
  // "best" only where a validation split chose the epoch (else it is chosen on the test set).
  const bool best = std::any_of(groups.begin(), groups.end(), [](const Json& g) {
    return !g.at("best_test_accuracy").is_null();
  });
  const std::string pm = " (" + spread_label(spread) + ")";
  columns.push_back("n");
  columns.push_back("test acc %" + pm);
  const bool letters = !comparison.is_null();
  if (letters) columns.push_back("group");
  if (best) columns.push_back("at best val epoch %");
  columns.push_back("test loss" + pm);
  columns.push_back("s/epoch");
  columns.push_back("status");
  Json rows = Json::array();
  int rank = 1;
  for (const Json* g : order) {
    Json row = {std::to_string(rank++), g->at("activation")};
    for (const auto& k : keys) {
      row.push_back(g->at("point").contains(k) ? value_text(g->at("point").at(k)) : "-");
    }
    for (const auto& k : own) {
      const Json& set = g->at("settings");
      row.push_back(set.contains(k) ? value_text(set.at(k)) : "-");
    }
    row.push_back(std::to_string(g->at("completed").get<int64_t>()));
    row.push_back(with_spread(g->at("final_test_accuracy"), 2, spread));
    if (letters)
      row.push_back(comparison.at("letters").value(g->at("activation").get<std::string>(), "-"));
    if (best) row.push_back(with_spread(g->at("best_test_accuracy"), 2, spread));
    row.push_back(with_spread(g->at("final_test_loss"), 4, spread));
    const Json& spe = g->at("seconds_per_epoch");
    const bool stored = g->at("timing").at("from_store").get<bool>();
    row.push_back(spe.is_null() ? "-"
                                : fixed(spe.at("mean").get<double>(), 2) + (stored ? "†" : ""));
    std::vector<std::string> status;
    if (g->at("diverged").get<int64_t>() > 0) {
      status.push_back(std::to_string(g->at("diverged").get<int64_t>()) + " diverged");
    }
    if (g->at("missing").get<int64_t>() > 0) {
      status.push_back(std::to_string(g->at("missing").get<int64_t>()) + " not run");
    }
    row.push_back(status.empty() ? "ok" : join(status, ", "));
    rows.push_back(row);
  }
  return {{"columns", columns}, {"rows", rows}};
}

// What the sweep trained, in words, for figure titles and captions: the data set, the model's
// hidden layers (each value when swept), and how many activations and seeds.
Json setup_json(const Plan& plan, const std::string& dataset, size_t activations, size_t seeds) {
  std::vector<std::string> hidden;
  for (const auto& r : plan.runs) {
    std::vector<std::string> widths;
    for (int64_t w : r.config.model.hidden) widths.push_back(std::to_string(w));
    const std::string text = "[" + join(widths, ", ") + "]";
    if (std::find(hidden.begin(), hidden.end(), text) == hidden.end()) hidden.push_back(text);
  }
  std::string model = "MLP with hidden layers ";
  for (size_t i = 0; i < hidden.size(); ++i) {
    model += (i == 0 ? "" : i + 1 == hidden.size() ? " or " : ", ") + hidden[i];
  }
  auto count = [](size_t n, const std::string& what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  const std::string acts = count(activations, "activation"), seed_text = count(seeds, "seed");
  return {{"model", model},
          {"activations", acts},
          {"seeds", seed_text},
          {"text", join({dataset, model, acts, seed_text}, "; ")}};
}

// The plan's runs grouped by activation and swept point (seeds pooled), in the order of their
// first run; the activations with their styles, the data sets and seeds met on the way.
struct PlanGroups {
  std::vector<std::string> keys;  // swept keys but the seed: what a group is
  std::vector<Group> groups;
  Json activations = Json::array();
  std::vector<std::string> datasets;
  std::set<int64_t> seeds;
};

PlanGroups group_runs(const Plan& plan) {
  PlanGroups out;
  for (const auto& k : axis_keys(plan.axes)) {
    if (k != "train.seed") out.keys.push_back(k);
  }
  std::map<std::string, size_t> group_of;
  std::set<std::string> labels, datasets_seen;
  std::vector<ActivationSpec> specs;  // one per label, in plan order
  // The keys some activation sets for itself: every group shows its value of each.
  std::set<std::string> own_keys;
  const Json per_activation = plan.config_json.value("per_activation", Json::object());
  for (const auto& own : per_activation) {
    for (auto it = own.begin(); own.is_object() && it != own.end(); ++it) own_keys.insert(it.key());
  }
  for (const auto& r : plan.runs) {
    const ActivationSpec& spec = r.config.activations.front();
    Json point = r.point;
    point.erase("train.seed");
    const std::string key = spec.label + "\n" + point.dump();
    auto it = group_of.find(key);
    if (it == group_of.end()) {
      it = group_of.emplace(key, out.groups.size()).first;
      Json own = Json::object();
      if (!own_keys.empty()) {
        const Json config = config_to_json(r.config);
        for (const auto& k : own_keys) own[k] = config.at(key_pointer(k));
      }
      out.groups.push_back({spec.label, point, own, {}, {}});
    }
    out.groups[it->second].ids.push_back(r.id);
    out.groups[it->second].seeds.push_back(r.config.train.seed);
    out.seeds.insert(r.config.train.seed);
    if (labels.insert(spec.label).second) specs.push_back(spec);
    const std::string& dataset = choice_name(r.config.data.dataset);
    if (datasets_seen.insert(dataset).second) out.datasets.push_back(dataset);
  }
  // Styles told apart within the sweep: no two of its labels drawn alike.
  const std::vector<ActivationStyle> styles = distinct_styles(specs);
  for (size_t i = 0; i < specs.size(); ++i) {
    out.activations.push_back({{"label", specs[i].label},
                               {"name", specs[i].name},
                               {"color", styles[i].color},
                               {"dash", styles[i].dash},
                               {"marker", styles[i].marker}});
  }
  return out;
}

// A group's completed runs' entries, keyed by seed for pairing.
std::map<int64_t, const Json*> completed_runs(const Group& g,
                                              const std::map<std::string, Json>& entries) {
  std::map<int64_t, const Json*> by_seed;
  for (size_t i = 0; i < g.ids.size(); ++i) {
    auto e = entries.find(g.ids[i]);
    if (e != entries.end() && e->second.at("status") == "completed") {
      by_seed[g.seeds[i]] = &e->second;
    }
  }
  return by_seed;
}

// One group of summary.json: its counts, estimates, their text, per-epoch series and timings.
// Adds its runs with a file to `finished`.
Json group_json(const Group& g, const std::map<std::string, Json>& entries,
                const std::vector<std::string>& keys, Spread spread, size_t& finished) {
  int64_t diverged = 0, missing = 0;
  for (const auto& id : g.ids) {
    auto e = entries.find(id);
    if (e == entries.end()) {
      ++missing;
    } else {
      ++finished;
      if (e->second.at("status") != "completed") ++diverged;
    }
  }
  const auto runs = completed_runs(g, entries);
  Json run_seeds = Json::array();
  std::vector<const Json*> run_entries;
  for (const auto& kv : runs) {
    run_seeds.push_back(kv.first);
    run_entries.push_back(kv.second);
  }
  const std::string where = describe_point(g.point, keys);
  Json group = {
      {"activation", g.activation}, {"name", g.activation + (where.empty() ? "" : " " + where)},
      {"point", g.point},           {"point_text", where},
      {"settings", g.settings},     {"runs", g.ids.size()},
      {"completed", runs.size()},   {"diverged", diverged},
      {"missing", missing},         {"seeds", run_seeds}};
  // Timings only of runs timed alike: those trained for this sweep when there are any, else
  // those taken from the run store (timed when another sweep trained them).
  std::vector<const Json*> timed;
  for (const Json* e : run_entries) {
    if (!e->value("from_store", false)) timed.push_back(e);
  }
  const bool timed_from_store = timed.empty() && !run_entries.empty();
  if (timed.empty()) timed = run_entries;
  for (const auto& [name, field] : kMetrics) {
    std::vector<double> values;
    for (const Json* e : name == "seconds_per_epoch" ? timed : run_entries) {
      values.push_back(metric(*e, field));
    }
    group[name] = estimate_or_null(values);
  }
  // Each seed's value, for pairing runs across sweeps by seed (compare).
  Json per_seed = Json::object();
  for (const auto& [name, field] : kMetrics) {
    if (name != "final_test_accuracy" && name != "final_test_loss") continue;
    per_seed[name] = Json::array();
    for (const Json* e : run_entries) per_seed[name].push_back(finite_or_null(metric(*e, field)));
  }
  group["per_seed"] = per_seed;
  group["timing"] = {
      {"runs", timed.size()},
      {"from_store", timed_from_store},
      {"runs_from_store", run_entries.size() - (timed_from_store ? 0 : timed.size())}};
  Json parts = Json::object();
  for (const auto& [key, part] : point_parts(g.point, keys)) parts[key] = part;
  group["point_parts"] = parts;
  group["text"] = {{"final_test_accuracy", with_spread(group["final_test_accuracy"], 2, spread)},
                   {"best_test_accuracy", with_spread(group["best_test_accuracy"], 2, spread)},
                   {"final_test_loss", with_spread(group["final_test_loss"], 4, spread)}};
  group["phase_seconds"] = phase_seconds(timed);
  group["series"] = group_series(run_entries);
  if (Json learned = learned_series(run_entries); !learned.empty()) group["learned"] = learned;
  group["initial_grad_norm"] = initial_grad_norm(run_entries);
  return group;
}

// The paired difference of group `g` against the baseline at its point (seeds both completed);
// null when `g` is the baseline or the point has no baseline group.
Json difference_to_baseline(const Group& g, const PlanGroups& plan_groups,
                            const std::map<std::string, Json>& entries,
                            const SummaryOptions& options) {
  const std::string& baseline = options.baseline;
  if (g.activation == baseline) return nullptr;
  const Group* base = nullptr;
  for (const auto& b : plan_groups.groups) {
    if (b.activation == baseline && b.point == g.point) base = &b;
  }
  if (base == nullptr) return nullptr;
  const auto runs = completed_runs(g, entries);
  const auto base_runs = completed_runs(*base, entries);
  Json paired = Json::array();
  std::vector<const Json*> a, b;
  for (const auto& kv : runs) {
    auto other = base_runs.find(kv.first);
    if (other == base_runs.end()) continue;
    paired.push_back(kv.first);
    a.push_back(kv.second);
    b.push_back(other->second);
  }
  std::map<std::string, std::vector<double>> by_metric;
  for (const auto& [name, field] : kMetrics) {
    if (name == "seconds_per_epoch") continue;
    std::vector<double> d;
    for (size_t i = 0; i < a.size(); ++i) {
      const double v = metric(*a[i], field) - metric(*b[i], field);
      if (std::isfinite(v)) d.push_back(v);
    }
    by_metric[name] = d;
  }
  return paired_difference(g.activation, baseline, g.point,
                           describe_point(g.point, plan_groups.keys), paired, by_metric,
                           options.until, options.min_seeds);
}

// Every activation against every other (summary.json's `comparison`): a block is one seed at one
// swept point, where the activations' runs share initial weights and batches.
Json comparison_json(const PlanGroups& pg, const std::map<std::string, Json>& entries) {
  std::vector<std::string> labels;
  for (const auto& a : pg.activations) labels.push_back(a.at("label").get<std::string>());
  std::vector<Json> points;
  for (const auto& g : pg.groups) {
    if (std::find(points.begin(), points.end(), g.point) == points.end()) points.push_back(g.point);
  }
  std::vector<std::vector<double>> values;
  for (const Json& point : points) {
    std::vector<std::map<int64_t, const Json*>> runs(labels.size());
    for (const auto& g : pg.groups) {
      if (g.point != point) continue;
      const size_t j =
          size_t(std::find(labels.begin(), labels.end(), g.activation) - labels.begin());
      runs[j] = completed_runs(g, entries);
    }
    for (int64_t seed : pg.seeds) {
      std::vector<double> row;
      for (const auto& by_seed : runs) {
        const auto it = by_seed.find(seed);
        row.push_back(it == by_seed.end() ? kMissing : metric(*it->second, "test_accuracy"));
      }
      values.push_back(std::move(row));
    }
  }
  std::string blocks =
      std::to_string(pg.seeds.size()) + " seed" + (pg.seeds.size() == 1 ? "" : "s");
  if (points.size() > 1) blocks += " x " + std::to_string(points.size()) + " swept points";
  return rank_comparison(labels, values, blocks);
}

// What the timings are, when not all were measured in this sweep: "" when they were.
std::string timing_note(const Json& groups) {
  size_t stored_rows = 0, left_out = 0;
  for (const auto& g : groups) {
    const Json& t = g.at("timing");
    if (t.at("from_store").get<bool>()) {
      ++stored_rows;
    } else {
      left_out += t.at("runs_from_store").get<size_t>();
    }
  }
  std::vector<std::string> parts;
  if (stored_rows > 0) {
    parts.push_back(
        "\u2020 s/epoch of runs taken from the run store: timed when another sweep trained them, "
        "under another load; not comparable with times measured in this sweep");
  }
  if (left_out > 0) {
    parts.push_back(std::string(stored_rows > 0 ? "s/epoch of the other rows" : "s/epoch") +
                    ": only runs trained in this sweep (" + std::to_string(left_out) +
                    " taken from the run store left out)");
  }
  return join(parts, "; ");
}

}  // namespace

Json build_summary(const Plan& plan, const std::map<std::string, Json>& entries,
                   const SummaryOptions& options) {
  const Spread spread = options.spread;
  const PlanGroups pg = group_runs(plan);
  Json out_groups = Json::array();
  Json differences = Json::array();
  size_t finished = 0;
  for (const auto& g : pg.groups) {
    out_groups.push_back(group_json(g, entries, pg.keys, spread, finished));
    if (Json diff = difference_to_baseline(g, pg, entries, options); !diff.is_null()) {
      differences.push_back(std::move(diff));
    }
  }
  conclude_differences(differences, spread);
  const Json comparison = comparison_json(pg, entries);
  const std::string timing = timing_note(out_groups);
  const size_t planned = plan.runs.size();
  std::vector<std::string> dataset_labels;
  for (const auto& d : pg.datasets)
    dataset_labels.push_back(dataset_label(*parse_choice<DatasetKind>(d)));
  const std::string datasets_text = join(dataset_labels, ", ");
  return {{"schema", kSummarySchema},
          {"confidence", kConfidence},
          {"spread", choice_name(spread)},
          {"spread_label", spread_label(spread)},
          {"spread_sentence", spread_sentence(spread)},
          {"baseline", options.baseline},
          {"axes", axis_keys(plan.axes)},
          {"dataset", join(pg.datasets, ",")},
          {"dataset_label", datasets_text},
          {"setup", setup_json(plan, datasets_text, pg.activations.size(), pg.seeds.size())},
          {"seeds", pg.seeds},
          {"runs_planned", planned},
          {"runs_finished", finished},
          {"complete", finished == planned},
          {"activations", pg.activations},
          {"groups", out_groups},
          {"differences", differences},
          {"table", ranking_table(out_groups, pg.keys, spread, comparison)},
          {"comparison", comparison},
          {"timing_note", timing},
          {"differences_title", differences_title(options.baseline, spread, differences)},
          {"differences_table", differences_table(differences, pg.keys, spread)}};
}

std::vector<std::string> summary_keys(const Json& summary) {
  std::vector<std::string> keys;
  for (const auto& k : summary.at("axes")) {
    if (k != "train.seed") keys.push_back(k.get<std::string>());
  }
  return keys;
}

void print_summary(std::ostream& out, const Json& summary) {
  const Json& t = summary.at("table");
  Table table(t.at("columns").get<std::vector<std::string>>());
  for (const auto& row : t.at("rows")) table.add(row.get<std::vector<std::string>>());
  table.print(out);
  if (const std::string note = summary.value("timing_note", ""); !note.empty()) {
    out << note << "\n";
  }
  if (const auto it = summary.find("comparison"); it != summary.end()) {
    for (const auto& line : comparison_lines(*it)) out << line << "\n";
  }
  const Json& diffs = summary.at("differences");
  if (diffs.empty()) return;
  out << "\n" << summary.at("differences_title").get<std::string>() << "\n";
  Table lines = Table::headless({}, "  ");
  for (const auto& d : diffs) {
    const std::string where = describe_point(d.at("point"), summary_keys(summary));
    const std::string note = d.at("note").get<std::string>();
    std::vector<std::string> row{(where.empty() ? "" : "[" + where + "] ") +
                                 d.at("sentence").get<std::string>()};
    if (!note.empty()) row.push_back("(" + note + ")");
    lines.add(row);
  }
  lines.print(out);
}

}  // namespace actbench
