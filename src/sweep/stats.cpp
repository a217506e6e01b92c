#include "sweep/stats.h"

#include <cmath>
#include <limits>

#include <boost/math/distributions/students_t.hpp>

namespace actbench {
namespace {

using Json = nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Json num(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

// The metrics a summary reports, as (name in summary.json, where in a run entry's `final`).
const std::vector<std::pair<std::string, std::string>> kMetrics{
    {"final_test_accuracy", "test_accuracy"},
    {"best_test_accuracy", "best_test_accuracy"},
    {"final_test_loss", "test_loss"},
    {"seconds_per_epoch", "seconds_per_epoch"},
};

double metric(const Json& entry, const std::string& field) {
  const Json& v = entry.at("final").at(field);
  return v.is_number() ? v.get<double>() : kNaN;
}

struct Group {
  std::string activation;
  Json point;  // without train.seed
  std::vector<std::string> ids;
  std::vector<int64_t> seeds;
};

}  // namespace

double student_t_quantile(double p, double df) {
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

Estimate estimate(const std::vector<double>& values, double confidence) {
  Estimate e;
  e.n = int64_t(values.size());
  double sum = 0;
  for (double v : values) sum += v;
  e.mean = sum / double(e.n);
  if (e.n < 2) {
    e.std = e.half_width = kNaN;
    return e;
  }
  double ss = 0;
  for (double v : values) ss += (v - e.mean) * (v - e.mean);
  e.std = std::sqrt(ss / double(e.n - 1));
  e.half_width = student_t_quantile(1 - (1 - confidence) / 2, double(e.n - 1)) * e.std /
                 std::sqrt(double(e.n));
  return e;
}

Json estimate_to_json(const Estimate& e) {
  Json ci = std::isfinite(e.half_width) ? Json::array({e.low(), e.high()}) : Json(nullptr);
  return {{"n", e.n},
          {"mean", num(e.mean)},
          {"std", num(e.std)},
          {"half_width", num(e.half_width)},
          {"ci95", ci}};
}

Json build_summary(const Json& plan, const std::map<std::string, Json>& entries,
                   const std::string& baseline) {
  // Groups in the order of their first run in the plan.
  std::vector<Group> groups;
  std::map<std::string, size_t> group_of;  // activation + point text -> index
  for (const auto& r : plan.at("runs")) {
    Json point = r.at("point");
    point.erase("train.seed");
    const std::string key = r.at("activation").get<std::string>() + "\n" + point.dump();
    auto it = group_of.find(key);
    if (it == group_of.end()) {
      it = group_of.emplace(key, groups.size()).first;
      groups.push_back({r.at("activation").get<std::string>(), point, {}, {}});
    }
    groups[it->second].ids.push_back(r.at("id").get<std::string>());
    groups[it->second].seeds.push_back(r.at("seed").get<int64_t>());
  }

  // Completed runs' metrics by group, keyed by seed for pairing.
  auto completed = [&](const Group& g) {
    std::map<int64_t, const Json*> by_seed;
    for (size_t i = 0; i < g.ids.size(); ++i) {
      auto e = entries.find(g.ids[i]);
      if (e != entries.end() && e->second.at("status") == "completed") {
        by_seed[g.seeds[i]] = &e->second;
      }
    }
    return by_seed;
  };

  Json out_groups = Json::array();
  Json differences = Json::array();
  size_t finished = 0;
  for (const auto& g : groups) {
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
    const auto runs = completed(g);
    Json seeds = Json::array();
    for (const auto& kv : runs) seeds.push_back(kv.first);
    Json group = {{"activation", g.activation},
                  {"point", g.point},
                  {"runs", g.ids.size()},
                  {"completed", runs.size()},
                  {"diverged", diverged},
                  {"missing", missing},
                  {"seeds", seeds}};
    for (const auto& [name, field] : kMetrics) {
      std::vector<double> values;
      for (const auto& kv : runs) values.push_back(metric(*kv.second, field));
      group[name] = values.empty() ? Json(nullptr) : estimate_to_json(estimate(values));
    }
    out_groups.push_back(group);

    if (g.activation == baseline) continue;
    const Group* base = nullptr;
    for (const auto& b : groups) {
      if (b.activation == baseline && b.point == g.point) base = &b;
    }
    if (base == nullptr) continue;
    const auto base_runs = completed(*base);
    Json diff = {{"activation", g.activation}, {"baseline", baseline}, {"point", g.point}};
    Json paired = Json::array();
    std::vector<const Json*> a, b;
    for (const auto& kv : runs) {
      auto other = base_runs.find(kv.first);
      if (other == base_runs.end()) continue;
      paired.push_back(kv.first);
      a.push_back(kv.second);
      b.push_back(other->second);
    }
    diff["seeds"] = paired;
    for (const auto& [name, field] : kMetrics) {
      if (name == "seconds_per_epoch") continue;
      std::vector<double> d;
      for (size_t i = 0; i < a.size(); ++i)
        d.push_back(metric(*a[i], field) - metric(*b[i], field));
      diff[name] = d.empty() ? Json(nullptr) : estimate_to_json(estimate(d));
    }
    differences.push_back(diff);
  }
  const size_t planned = plan.at("runs").size();
  Json axes = Json::array();
  for (const auto& a : plan.at("axes")) axes.push_back(a.at("key"));
  return {{"schema", kSummarySchema},
          {"confidence", 0.95},
          {"baseline", baseline},
          {"axes", axes},
          {"runs_planned", planned},
          {"runs_finished", finished},
          {"complete", finished == planned},
          {"groups", out_groups},
          {"differences", differences}};
}

}  // namespace actbench
