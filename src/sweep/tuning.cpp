#include "sweep/tuning.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <set>

#include <spdlog/spdlog.h>

#include "config/keys.h"
#include "config/tree.h"
#include "device/device.h"
#include "store/run_store.h"
#include "summary/summary_format.h"
#include "sweep/stages.h"
#include "sweep/sweep_dir.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_checksum.h"
#include "util/table.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;

namespace {

constexpr int64_t kMaxTrials = 1000;  // per activation
const std::vector<std::string> kTuneKeys{"space",   "epochs", "seeds", "seed",
                                         "halving", "eta",    "tie"};

// Reads tune.KEY with `read`, or returns `fallback` when the section does not set it.
template <typename T, typename Read>
T tune_value(const Json& tune, const std::string& key, T fallback, Read read) {
  const auto it = tune.find(key);
  return it == tune.end() ? fallback : read(*it);
}

// "<origin>: tune.<key> must be <what>, got <value>".
[[noreturn]] void bad_value(const std::string& origin, const std::string& key,
                            const std::string& what, const Json& got) {
  throw InputError(origin + ": tune." + key + " must be " + what + ", got " +
                   json_for_message(got));
}

int64_t integer_in(const std::string& origin, const std::string& key, const Json& v, int64_t lo,
                   int64_t hi) {
  if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
    bad_value(origin, key, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi),
              v);
  }
  return v.get<int64_t>();
}

// A value as a config would write it: 3 significant digits (0.000316, 0.001), an integer when the
// key's default is one.
Json rounded_value(double v, bool integer) {
  if (integer) return Json(int64_t(std::llround(v)));
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return Json(std::strtod(text, nullptr));
}

// {log: [lo, hi], trials: N} or {linear: [lo, hi], trials: N}: N values from lo to hi.
TuneAxis range_axis(const std::string& origin, const std::string& key, const Json& spec,
                    bool integer) {
  const std::string what =
      "a list of values, or {log: [low, high], trials: N} or {linear: "
      "[low, high], trials: N}";
  const std::string scale = spec.contains("log") ? "log" : "linear";
  const Json& bounds = spec.contains(scale) ? spec.at(scale) : Json();
  if (spec.size() != 2 || !spec.contains("trials") || !bounds.is_array() || bounds.size() != 2 ||
      !bounds[0].is_number() || !bounds[1].is_number()) {
    bad_value(origin, "space." + key, what, spec);
  }
  const double lo = bounds[0].get<double>(), hi = bounds[1].get<double>();
  const int64_t n =
      integer_in(origin, "space." + key + ".trials", spec.at("trials"), 2, kMaxTrials);
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi) || (scale == "log" && lo <= 0)) {
    bad_value(origin, "space." + key + "." + scale,
              "[low, high] with low < high" + std::string(scale == "log" ? " and low > 0" : ""),
              bounds);
  }
  TuneAxis axis{key, {}, scale, scale + " range " + format_number(lo) + ".." + format_number(hi)};
  for (int64_t i = 0; i < n; ++i) {
    const double t = double(i) / double(n - 1);
    const double v = scale == "log" ? lo * std::pow(hi / lo, t) : lo + (hi - lo) * t;
    const Json value = rounded_value(v, integer);
    if (std::find(axis.values.begin(), axis.values.end(), value) == axis.values.end()) {
      axis.values.push_back(value);
    }
  }
  axis.text += ", " + std::to_string(axis.values.size()) + " values";
  return axis;
}

TuneAxis space_axis(const std::string& origin, const Json& defaults, const std::string& key,
                    const Json& spec) {
  if (key == "train.seed" || key == "train.epochs" || key == "activations") {
    throw InputError(origin + ": tune.space cannot tune '" + key + "' (" +
                     (key == "train.epochs" ? "the budget is tune.epochs"
                      : key == "train.seed" ? "seeds are tune.seeds and the final seeds"
                                            : "every activation is tuned on its own") +
                     ")");
  }
  check_sweep_key(defaults, key, origin + ": tune.space");
  if (spec.is_object()) {
    return range_axis(origin, key, spec, defaults.at(key_pointer(key)).is_number_integer());
  }
  if (!spec.is_array() || spec.empty()) {
    bad_value(origin, "space." + key,
              "a non-empty list of values, or {log: [low, high], trials: N} or {linear: [low, "
              "high], trials: N}",
              spec);
  }
  TuneAxis axis{key, {}, "list", ""};
  for (const Json& v : spec) {
    if (std::find(axis.values.begin(), axis.values.end(), v) != axis.values.end()) {
      bad_value(origin, "space." + key, "a list of distinct values", spec);
    }
    axis.values.push_back(v);
  }
  axis.text = std::to_string(axis.values.size()) + " values";
  return axis;
}

// The space's product, the last key fastest.
std::vector<Json> trial_settings(const std::vector<TuneAxis>& space, const std::string& origin) {
  double count = 1;
  for (const auto& a : space) count *= double(a.values.size());
  if (count > double(kMaxTrials)) {
    throw InputError(origin + ": tune.space has " + format_number(count) +
                     " trials per activation; at most " + std::to_string(kMaxTrials));
  }
  std::vector<Json> trials{Json::object()};
  for (const auto& a : space) {
    std::vector<Json> next;
    for (const Json& t : trials) {
      for (const Json& v : a.values) {
        Json s = t;
        s[a.key] = v;
        next.push_back(std::move(s));
      }
    }
    trials = std::move(next);
  }
  return trials;
}

// Successive halving's rungs: rung i of R = 1 + ceil(log_eta(trials)) trains E / eta^(R-1-i)
// epochs (rounded down, at least 1) with ceil(trials / eta^i) trials; a rung with as many epochs
// as the one before it is left out (the earlier one, with more trials, stands for it).
std::vector<TuneRung> halving_rungs(int64_t trials, int64_t epochs, int64_t eta, bool halving) {
  if (!halving || trials == 1) return {{epochs, trials}};
  int64_t rungs = 1;
  for (double reach = 1; reach < double(trials); reach *= double(eta)) ++rungs;
  std::vector<TuneRung> out;
  for (int64_t i = 0; i < rungs; ++i) {
    const double scale = std::pow(double(eta), double(rungs - 1 - i));
    const int64_t e = std::max<int64_t>(1, int64_t(std::floor(double(epochs) / scale)));
    const int64_t t = int64_t(std::ceil(double(trials) / std::pow(double(eta), double(i))));
    if (!out.empty() && out.back().epochs == e) continue;
    out.push_back({e, i == 0 ? trials : t});
  }
  return out;
}

// The final comparison's seeds: the config's train.seed, or the values it sweeps.
std::vector<int64_t> final_seeds(const ConfigSource& source, const Config& base) {
  for (const auto& a : source.sweep) {
    if (a.key != "train.seed") continue;
    std::vector<int64_t> seeds;
    for (const Json& v : a.values) {
      if (v.is_number_integer()) seeds.push_back(v.get<int64_t>());
    }
    return seeds;
  }
  return {base.train.seed};
}

void check_tunable_config(const ConfigSource& source, const Config& base,
                          const std::string& origin) {
  for (const auto& a : source.sweep) {
    if (a.key != "train.seed") {
      throw InputError(origin + ": a tuned config sweeps only train.seed (the final seeds), not '" +
                       a.key + "' (" + a.origin +
                       "); tune it under tune.space, or run one tuned config per value");
    }
  }
  if (base.seeds.until > 0) {
    throw InputError(origin +
                     ": tune and adaptive seeds (seeds.until) do not go together; list "
                     "the final seeds under sweep: train.seed");
  }
  if (base.data.validation <= 0) {
    throw InputError(origin +
                     ": tune chooses on the validation split, and data.validation is 0; hold "
                     "some training examples out (e.g. data.validation=5000)");
  }
  if (!source.per_activation.empty()) {
    throw InputError(origin +
                     ": tune chooses each activation's settings itself; remove the "
                     "per_activation section");
  }
}

// "train.lr log range 0.0001..0.01, 9 values".
std::string describe_space(const TuneSpec& spec) {
  std::vector<std::string> parts;
  for (const auto& a : spec.space) parts.push_back(a.key + " " + a.text);
  return join(parts, "; ");
}

}  // namespace

bool tuned(const ConfigSource& source) {
  return !source.tune.is_null();
}

TuneSpec tune_spec(const ConfigSource& source) {
  const std::string origin = source.tune_origin.empty() ? "config" : source.tune_origin;
  const Config base = config_from_json(source.tree, source.sources);
  check_tunable_config(source, base, origin);
  const Json& t = source.tune;
  for (auto it = t.begin(); it != t.end(); ++it) {
    if (std::find(kTuneKeys.begin(), kTuneKeys.end(), it.key()) == kTuneKeys.end()) {
      const std::string near = closest_match(it.key(), kTuneKeys);
      throw InputError(origin + ": unknown key 'tune." + it.key() + "'" +
                       (near.empty() ? "" : " (did you mean 'tune." + near + "'?)") +
                       "; tune takes " + join(kTuneKeys, ", "));
    }
  }
  const Json space = t.value("space", Json());
  if (!space.is_object() || space.empty()) {
    bad_value(origin, "space",
              "a map of the keys to tune to their values (e.g. train.lr: {log: "
              "[0.0001, 0.01], trials: 9})",
              space);
  }
  TuneSpec spec;
  const Json defaults = default_config_json();
  for (auto it = space.begin(); it != space.end(); ++it) {
    spec.space.push_back(space_axis(origin, defaults, it.key(), it.value()));
  }
  spec.trials = trial_settings(spec.space, origin);
  auto integer = [&](const std::string& key, int64_t lo, int64_t hi) {
    return [&origin, key, lo, hi](const Json& v) { return integer_in(origin, key, v, lo, hi); };
  };
  spec.epochs = tune_value(t, "epochs", base.train.epochs, integer("epochs", 1, 100000));
  const int64_t count = tune_value(t, "seeds", int64_t(1), integer("seeds", 1, 100));
  const int64_t first = tune_value(t, "seed", int64_t(1000), integer("seed", 0, int64_t(1) << 40));
  spec.eta = tune_value(t, "eta", int64_t(3), integer("eta", 2, 100));
  spec.halving = tune_value(t, "halving", true, [&](const Json& v) {
    if (!v.is_boolean()) bad_value(origin, "halving", "true or false", v);
    return v.get<bool>();
  });
  spec.tie = tune_value(t, "tie", 0.1, [&](const Json& v) {
    if (!v.is_number() || !(v.get<double>() >= 0) || v.get<double>() > 100) {
      bad_value(origin, "tie", "a number of points from 0 to 100", v);
    }
    return v.get<double>();
  });
  const std::vector<int64_t> finals = final_seeds(source, base);
  for (int64_t i = 0; i < count; ++i) {
    if (std::find(finals.begin(), finals.end(), first + i) != finals.end()) {
      throw InputError(origin + ": tuning seed " + std::to_string(first + i) +
                       " is also a final seed; the final comparison must use seeds the tuning "
                       "did not (move tune.seed, now " +
                       std::to_string(first) + ")");
    }
    spec.seeds.push_back(first + i);
  }
  spec.rungs = halving_rungs(int64_t(spec.trials.size()), spec.epochs, spec.eta, spec.halving);
  return spec;
}

Plan rung_plan(const ConfigSource& source, const TuneSpec& spec, size_t rung,
               const std::map<std::string, std::vector<size_t>>& promoted) {
  ConfigSource s = source;
  s.tune = nullptr;
  const std::string origin = "tune (rung " + std::to_string(rung + 1) + ")";
  SweepAxis seeds{"train.seed", {}, "tune.seeds"};
  for (int64_t seed : spec.seeds) seeds.values.push_back(seed);
  s.sweep = {seeds};
  const fs::path dir = config_from_json(source.tree, source.sources).out;
  set_dotted(s.tree, "train.epochs", spec.rungs[rung].epochs, origin, s.sources);
  set_dotted(s.tree, "out", (dir / "tuning" / ("rung-" + std::to_string(rung + 1))).string(),
             origin, s.sources);
  s.per_activation = Json::object();
  for (const auto& [label, trials] : promoted) {
    Json list = Json::array();
    for (size_t t : trials) list.push_back(spec.trials.at(t));
    s.per_activation[label] = list;
  }
  return make_plan(s);
}

Plan final_plan(const ConfigSource& source, const std::map<std::string, Json>& chosen) {
  ConfigSource s = source;
  s.tune = nullptr;
  s.per_activation = Json::object();
  for (const auto& [label, settings] : chosen) s.per_activation[label] = settings;
  return make_plan(s);
}

size_t choose_trial(const std::vector<TrialScore>& scores, double tie) {
  double best = -INFINITY;
  for (const auto& s : scores) {
    if (std::isfinite(s.val_accuracy)) best = std::max(best, s.val_accuracy);
  }
  size_t chosen = 0;
  bool found = false;
  for (size_t i = 0; i < scores.size(); ++i) {
    const TrialScore& s = scores[i];
    if (!std::isfinite(s.val_accuracy) || s.val_accuracy < best - tie) continue;
    const TrialScore& c = scores[chosen];
    const bool lower_loss = std::isfinite(s.val_loss) && !(c.val_loss <= s.val_loss);
    if (!found || lower_loss) chosen = i;
    found = true;
  }
  return chosen;
}

std::vector<size_t> promote(const std::vector<TrialScore>& scores, double tie, size_t keep) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t(0));
  auto key = [&](size_t i) {
    const double a = scores[i].val_accuracy, l = scores[i].val_loss;
    return std::make_pair(std::isfinite(a) ? -a : INFINITY, std::isfinite(l) ? l : INFINITY);
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
  if (!scores.empty()) {
    const size_t chosen = choose_trial(scores, tie);
    order.erase(std::find(order.begin(), order.end(), chosen));
    order.insert(order.begin(), chosen);
  }
  order.resize(std::min(keep, order.size()));
  return order;
}

std::map<std::string, std::map<size_t, TrialScore>> rung_scores(
    const Plan& plan, const TuneSpec& spec, const std::map<std::string, Json>& entries) {
  // Sums over the tuning seeds, then means; a diverged or missing run makes the trial NaN.
  std::map<std::string, std::map<size_t, std::pair<TrialScore, int64_t>>> sums;
  for (const auto& r : plan.runs) {
    size_t trial = spec.trials.size();
    for (size_t t = 0; t < spec.trials.size() && trial == spec.trials.size(); ++t) {
      bool same = true;
      for (auto it = spec.trials[t].begin(); same && it != spec.trials[t].end(); ++it) {
        same = r.point.contains(it.key()) && r.point.at(it.key()) == it.value();
      }
      if (same) trial = t;
    }
    if (trial == spec.trials.size()) continue;
    auto& [sum, n] = sums[r.config.activations.front().label][trial];
    const auto e = entries.find(r.id);
    const Json* last = nullptr;
    if (e != entries.end() && e->second.at("status") == "completed" &&
        !e->second.at("epochs").empty()) {
      last = &e->second.at("epochs").back();
    }
    auto value = [&](const char* field) {
      return last != nullptr && last->contains(field) && last->at(field).is_number()
                 ? last->at(field).get<double>()
                 : NAN;
    };
    sum.val_accuracy += value("val_accuracy");
    sum.val_loss += value("val_loss");
    ++n;
  }
  std::map<std::string, std::map<size_t, TrialScore>> out;
  for (const auto& [label, trials] : sums) {
    for (const auto& [t, sn] : trials) {
      out[label][t] = {sn.first.val_accuracy / double(sn.second),
                       sn.first.val_loss / double(sn.second)};
    }
  }
  return out;
}

namespace {

Json number_or_null(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

// The search's record so far (DIR/tuning.json; summary.json's `tuning`).
struct SearchRecord {
  Json activations = Json::object();  // label -> {"label", "trials": [{settings, rungs}]}
  std::vector<std::string> order;     // the labels in the config's order
  int64_t epochs_trained = 0;
};

void record_rung(SearchRecord& record, const TuneSpec& spec, size_t rung,
                 const std::map<std::string, std::map<size_t, TrialScore>>& scores,
                 const std::map<std::string, std::vector<size_t>>& promoted_next) {
  for (const auto& [label, trials] : scores) {
    Json& a = record.activations[label];
    if (a.is_null()) {
      a = {{"label", label}, {"trials", Json::array()}};
      for (const Json& t : spec.trials) {
        a["trials"].push_back({{"settings", t}, {"rungs", Json::array()}});
      }
    }
    const auto next = promoted_next.find(label);
    for (const auto& [t, score] : trials) {
      const bool promoted =
          next != promoted_next.end() &&
          std::find(next->second.begin(), next->second.end(), t) != next->second.end();
      a["trials"][t]["rungs"].push_back({{"rung", rung + 1},
                                         {"epochs", spec.rungs[rung].epochs},
                                         {"val_accuracy", number_or_null(score.val_accuracy)},
                                         {"val_loss", number_or_null(score.val_loss)},
                                         {"promoted", promoted}});
      record.epochs_trained += spec.rungs[rung].epochs * int64_t(spec.seeds.size());
    }
  }
}

Json record_json(const SearchRecord& record, const TuneSpec& spec,
                 const std::map<std::string, Json>& chosen,
                 const std::map<std::string, size_t>& chosen_trial) {
  Json space = Json::array();
  for (const auto& a : spec.space) {
    space.push_back({{"key", a.key}, {"values", a.values}, {"scale", a.scale}, {"text", a.text}});
  }
  Json rungs = Json::array();
  for (size_t i = 0; i < spec.rungs.size(); ++i) {
    rungs.push_back(
        {{"rung", i + 1}, {"epochs", spec.rungs[i].epochs}, {"trials", spec.rungs[i].trials}});
  }
  Json activations = Json::array();
  Json chosen_settings = Json::object();
  for (const std::string& label : record.order) {
    Json entry = record.activations.at(label);
    entry["chosen"] = chosen.at(label);
    entry["chosen_trial"] = chosen_trial.at(label);
    activations.push_back(entry);
    chosen_settings[label] = chosen.at(label);
  }
  const int64_t full = int64_t(spec.trials.size()) * spec.epochs * int64_t(spec.seeds.size()) *
                       int64_t(record.activations.size());
  return with_checksum(
      {{"schema", kTuningSchema},
       {"space", space},
       {"metric_label",
        "validation accuracy (%) at the rung's last epoch, mean over the tuning seeds"},
       {"tie_rule", "the highest validation accuracy; trials within " + format_number(spec.tie) +
                        " points of it count as tied, and of those the lowest validation loss "
                        "wins, then the first in the space's order"},
       {"seeds", spec.seeds},
       {"budget_epochs", spec.epochs},
       {"halving", spec.halving},
       {"eta", spec.eta},
       {"rungs", rungs},
       {"epochs_trained", record.epochs_trained},
       {"epochs_full_grid", full},
       {"activations", activations},
       {"chosen_settings", chosen_settings}});
}

// Walks the rungs from their finished runs; with `train`, trains what a rung lacks (this shard's
// part) before deciding the next. Exit status as run_sweep's.
int walk_rungs(const ConfigSource& source, const TuneSpec& spec, const SweepOptions& options,
               bool train, TuningState& state) {
  const Config base = config_from_json(source.tree, source.sources);
  const torch::Device device = resolve_device(base.device);
  const fs::path store_dir = resolve_store_dir(options.store, base.out);
  std::map<std::string, std::vector<size_t>> promoted;
  std::vector<size_t> all(spec.trials.size());
  std::iota(all.begin(), all.end(), size_t(0));
  for (const auto& a : base.activations) promoted[a.label] = all;
  SweepOptions rung_options = options;
  rung_options.print_summary = false;
  if (!train) rung_options.fresh = false;
  SearchRecord record;
  for (const auto& a : base.activations) record.order.push_back(a.label);
  for (size_t rung = 0; rung < spec.rungs.size(); ++rung) {
    state.rungs.push_back(rung_plan(source, spec, rung, promoted));
    const Plan& plan = state.rungs.back();
    std::optional<std::map<std::string, Json>> entries =
        rung_options.fresh ? std::nullopt : finished_entries(plan, store_dir, device);
    // A rung finished in the store but not in DIR/tuning is copied there (nothing trained).
    const bool copied = entries && fs::exists(fs::path(plan.base.out) / "results.json");
    if (train && (!entries || rung_options.fresh || !copied)) {
      spdlog::info("tuning: rung {} of {}: {} trial(s) per activation at {} epoch(s)", rung + 1,
                   spec.rungs.size(), promoted.begin()->second.size(), spec.rungs[rung].epochs);
      const int status = run_stage(plan, rung_options, store_dir, device,
                                   "tuning rung " + std::to_string(rung + 1), entries);
      if (status != kExitOk) return status;
      for (const auto& r : plan.runs) rung_options.fresh_done.insert(r.id);
    }
    if (!entries) return kExitOk;
    const auto scores = rung_scores(plan, spec, *entries);
    std::map<std::string, std::vector<size_t>> next;
    for (const auto& [label, trials] : scores) {
      std::vector<size_t> index;
      std::vector<TrialScore> values;
      for (const auto& [t, s] : trials) {
        index.push_back(t);
        values.push_back(s);
      }
      const bool last = rung + 1 == spec.rungs.size();
      const size_t keep = last ? 1 : size_t(spec.rungs[rung + 1].trials);
      for (size_t i : promote(values, spec.tie, keep)) next[label].push_back(index[i]);
    }
    record_rung(
        record, spec, rung, scores,
        rung + 1 == spec.rungs.size() ? std::map<std::string, std::vector<size_t>>{} : next);
    promoted = std::move(next);
  }
  std::map<std::string, size_t> chosen_trial;
  for (const auto& [label, trials] : promoted) {
    chosen_trial[label] = trials.front();
    state.chosen[label] = spec.trials[trials.front()];
  }
  state.record = record_json(record, spec, state.chosen, chosen_trial);
  state.done = true;
  return kExitOk;
}

// The search's outcome as a table on stdout: per activation the chosen settings and their
// validation accuracy at the last rung.
void print_tuning(std::ostream& out, const Json& record) {
  out << "Tuning on the validation split (" << record.at("metric_label").get<std::string>()
      << "):\n";
  std::vector<std::string> columns{"activation"};
  for (const auto& a : record.at("space")) columns.push_back(last_key_part(a.at("key")));
  columns.push_back("val acc %");
  Table table(columns);
  for (const auto& a : record.at("activations")) {
    std::vector<std::string> row{a.at("label").get<std::string>()};
    for (const auto& k : record.at("space")) {
      row.push_back(value_text(a.at("chosen").at(k.at("key").get<std::string>())));
    }
    const Json& rungs = a.at("trials").at(a.at("chosen_trial").get<size_t>()).at("rungs");
    const Json& acc = rungs.back().at("val_accuracy");
    row.push_back(acc.is_number() ? fixed(acc.get<double>(), 2) : "diverged");
    table.add(row);
  }
  table.print(out);
  out << (record.at("halving").get<bool>() ? "Successive halving trained " : "The grid trained ")
      << record.at("epochs_trained").get<int64_t>()
      << " epochs (the full grid: " << record.at("epochs_full_grid").get<int64_t>() << ").\n\n";
}

}  // namespace

SweepOptions with_sweep_store(const ConfigSource& source, SweepOptions options) {
  // DIR's store (not the one next to DIR/tuning/rung-R), so the search is reused across configs.
  const Config base = config_from_json(source.tree, source.sources);
  options.store = resolve_store_dir(options.store, base.out).string();
  return options;
}

TuningState tuning_state(const ConfigSource& source, const SweepOptions& options) {
  const TuneSpec spec = tune_spec(source);
  TuningState state;
  walk_rungs(source, spec, with_sweep_store(source, options), false, state);
  return state;
}

TuningOutlook tuning_outlook(const ConfigSource& source, const TuneSpec& spec,
                             const TuningState& state) {
  const Config base = config_from_json(source.tree, source.sources);
  const int64_t activations = int64_t(base.activations.size());
  const int64_t seeds = int64_t(spec.seeds.size());
  TuningOutlook o;
  int64_t halving = 0;
  const size_t done = state.done ? spec.rungs.size() : state.rungs.size() - 1;
  o.lines.push_back("tuning: " + std::to_string(spec.trials.size()) + " trial(s) per activation (" +
                    describe_space(spec) + "), " + std::to_string(seeds) + " tuning seed(s), " +
                    (spec.halving ? "successive halving (eta " + std::to_string(spec.eta) + ")"
                                  : "every trial at the full budget") +
                    ", chosen on the validation split");
  for (size_t i = 0; i < spec.rungs.size(); ++i) {
    const TuneRung& r = spec.rungs[i];
    const int64_t epochs = r.trials * r.epochs * seeds * activations;
    halving += epochs;
    if (i >= done) o.remaining_epochs += epochs;
    o.lines.push_back("  rung " + std::to_string(i + 1) + ": " + std::to_string(r.trials) +
                      " trial(s) x " + std::to_string(r.epochs) + " epoch(s) per activation  " +
                      (i < done    ? "done"
                       : i == done ? "next"
                                   : "to come"));
  }
  const int64_t grid = int64_t(spec.trials.size()) * spec.epochs * seeds * activations;
  o.lines.push_back("  the search trains " + std::to_string(halving) +
                    " epochs in all; the full grid would train " + std::to_string(grid));
  int64_t finals = 1;
  for (const auto& a : source.sweep) finals *= int64_t(a.values.size());
  o.remaining_epochs += finals * activations * base.train.epochs;
  o.lines.push_back("final comparison: " + std::to_string(finals * activations) + " run(s) (" +
                    std::to_string(activations) + " activation(s) x " + std::to_string(finals) +
                    " seed(s)) at each activation's chosen settings" +
                    (state.done ? "" : ", once the search is done"));
  return o;
}

int run_tuned_sweep(const ConfigSource& source, const SweepOptions& given) {
  const TuneSpec spec = tune_spec(source);
  const SweepOptions options = with_sweep_store(source, given);
  TuningState state;
  if (const int status = walk_rungs(source, spec, options, true, state); status != kExitOk) {
    return status;
  }
  if (!state.done) return kExitOk;  // a rung's run failed: run_sweep said which
  const Plan plan = final_plan(source, state.chosen);
  const fs::path dir(plan.base.out);
  std::error_code ec;
  fs::create_directories(dir, ec);
  write_file_atomic(tuning_record_file(dir), state.record.dump(2) + "\n");
  spdlog::info("tuning: done; {} written; the final comparison: {} run(s)",
               tuning_record_file(dir).string(), plan.runs.size());
  if (options.print_summary) print_tuning(std::cout, state.record);
  // A shard waits for the other shards' final runs, or trains those of shards not running.
  std::optional<std::map<std::string, Json>> entries;
  const Config base = config_from_json(source.tree, source.sources);
  return run_stage(plan, options, resolve_store_dir(options.store, base.out),
                   resolve_device(base.device), "the final comparison", entries);
}

}  // namespace actbench
