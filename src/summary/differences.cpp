#include "summary/differences.h"

#include <algorithm>
#include <cmath>

#include "stats/estimate.h"
#include "stats/paired.h"
#include "summary/summary_format.h"
#include "util/text.h"

namespace actbench {
using Json = nlohmann::json;

namespace {

double number(const Json& j, const char* key) {
  return j.contains(key) && j.at(key).is_number() ? j.at(key).get<double>() : std::nan("");
}

// A table cell: "0.003", "< 0.001"; "-" without a value.
std::string p_cell(double p) {
  if (!std::isfinite(p)) return "-";
  if (p < 0.001) return "< 0.001";
  return fixed(p, 3);
}

std::string number_cell(double v, int decimals) {
  return std::isfinite(v) ? fixed(v, decimals) : "-";
}

}  // namespace

Json paired_difference(const std::string& activation, const std::string& baseline,
                       const Json& point, const std::string& where, const Json& seeds,
                       const std::map<std::string, std::vector<double>>& differences, double until,
                       int64_t min_seeds) {
  Json diff = {{"activation", activation},
               {"baseline", baseline},
               {"point", point},
               {"name", (where.empty() ? "" : "[" + where + "] ") + activation},
               {"seeds", seeds}};
  for (const auto& [name, d] : differences) {
    diff[name] = d.empty() ? Json(nullptr) : estimate_to_json(estimate(d, kConfidence));
  }
  const auto acc = differences.find("final_test_accuracy");
  const std::vector<double>& d = acc == differences.end() ? std::vector<double>{} : acc->second;
  Json tests = {{"n", d.size()}};
  if (d.size() >= 2) {
    const Estimate e = estimate(d, kConfidence);
    const WilcoxonResult w = wilcoxon_signed_rank(d);
    tests["t_p"] = finite_or_null(paired_t_p_value(d));
    tests["wilcoxon_p"] = finite_or_null(w.p_value);
    tests["wilcoxon_exact"] = w.exact;
    tests["wilcoxon_w_plus"] = w.w_plus;
    tests["effect_size_dz"] = finite_or_null(cohens_dz(d));
    // What these seeds could see: the smallest true difference detected with 80% power, and how
    // many seeds the observed difference would need.
    tests["detectable_difference"] =
        finite_or_null(detectable_difference(int64_t(d.size()), e.std, kAlpha, kPower));
    const int64_t needed = seeds_to_detect(e.mean, e.std, kAlpha, kPower);
    tests["seeds_to_detect"] = needed > 10000 ? Json(nullptr) : Json(needed);
  }
  if (until > 0) {
    // The first prefix of the seeds (in seed order) whose interval is within the target.
    Json reached = nullptr;
    for (size_t k = size_t(std::max<int64_t>(2, min_seeds)); k <= d.size(); ++k) {
      const Estimate e = estimate({d.begin(), d.begin() + std::ptrdiff_t(k)}, kConfidence);
      if (e.half_width <= until) {
        reached = k;
        break;
      }
    }
    tests["target_half_width"] = until;
    tests["seeds_to_target"] = reached;
  }
  diff["tests"] = tests;
  return diff;
}

void conclude_differences(Json& differences, Spread spread) {
  // Holm over the whole sweep, and over each point's comparisons.
  std::vector<double> p;
  std::map<std::string, std::vector<size_t>> by_point;
  for (size_t i = 0; i < differences.size(); ++i) {
    p.push_back(number(differences[i]["tests"], "t_p"));
    by_point[differences[i]["point"].dump()].push_back(i);
  }
  const std::vector<double> holm = holm_adjust(p);
  std::vector<double> holm_point(p.size(), std::nan(""));
  for (const auto& [key, members] : by_point) {
    std::vector<double> part;
    for (size_t i : members) part.push_back(p[i]);
    const std::vector<double> adjusted = holm_adjust(part);
    for (size_t k = 0; k < members.size(); ++k) holm_point[members[k]] = adjusted[k];
  }
  size_t tested = 0;
  for (double v : p) tested += std::isfinite(v);

  for (size_t i = 0; i < differences.size(); ++i) {
    Json& diff = differences[i];
    Json& tests = diff["tests"];
    tests["holm_p"] = finite_or_null(holm[i]);
    tests["holm_p_point"] = finite_or_null(holm_point[i]);
    tests["comparisons"] = tested;
    const std::string activation = diff.at("activation").get<std::string>();
    const std::string baseline = diff.at("baseline").get<std::string>();
    const Json& e = diff.at("final_test_accuracy");
    if (e.is_null()) {
      diff["verdict"] = "too few seeds";
      diff["sentence"] = activation + ": no seed where both completed";
      diff["note"] = "";
      continue;
    }
    const double mean = e.at("mean").get<double>();
    const int64_t n = e.at("n").get<int64_t>();
    std::string sentence = activation + " is " + fixed(std::fabs(mean), 2);
    const Json& by = e.at(spread_field(spread));
    if (!by.is_null()) sentence += " \u00b1 " + fixed(by.get<double>(), 2);
    sentence += std::string(" points ") + (mean < 0 ? "below " : "above ") + baseline;
    std::string note = std::to_string(n) + (n == 1 ? " seed" : " seeds");
    if (n < 2) {
      diff["verdict"] = "too few seeds";
      note += ": no test; sweep train.seed for one";
    } else if (std::isfinite(holm[i]) && holm[i] < kAlpha) {
      diff["verdict"] = mean > 0 ? "better" : "worse";
      note += ", significant: paired t " + p_text(number(tests, "t_p")) + ", Holm " +
              p_text(holm[i]) + "; Wilcoxon " + p_text(number(tests, "wilcoxon_p")) + "; d_z " +
              fixed(number(tests, "effect_size_dz"), 1);
    } else {
      diff["verdict"] = "no detectable difference";
      note += ": no detectable difference (Holm " + p_text(holm[i]) + ")";
      const double detectable = number(tests, "detectable_difference");
      if (std::isfinite(detectable)) {
        note += "; they detect only differences above " + fixed(detectable, 2) + " points";
      }
    }
    if (tests.contains("target_half_width")) {
      const std::string target = "\u00b1" + fixed(number(tests, "target_half_width"), 2);
      note += tests["seeds_to_target"].is_null()
                  ? "; not within " + target + " after " + std::to_string(n) + " seeds"
                  : "; within " + target + " after " +
                        std::to_string(tests["seeds_to_target"].get<int64_t>()) + " seeds";
    }
    diff["sentence"] = sentence;
    diff["note"] = note;
  }
  // The tests as the report's table and the figures show them.
  for (Json& diff : differences) {
    const Json& tests = diff.at("tests");
    const double holm_p = number(tests, "holm_p");
    diff["text"] = {
        {"t_p", p_cell(number(tests, "t_p"))},
        {"holm_p", p_cell(holm_p)},
        {"wilcoxon_p", p_cell(number(tests, "wilcoxon_p"))},
        {"effect_size_dz", number_cell(number(tests, "effect_size_dz"), 2)},
        {"detectable_difference", number_cell(number(tests, "detectable_difference"), 2)},
        {"holm", std::isfinite(holm_p) ? "Holm " + p_text(holm_p) : "no test"}};
  }
}

Json differences_table(const Json& differences, const std::vector<std::string>& keys,
                       Spread spread) {
  Json columns = Json::array();
  for (const auto& k : keys) columns.push_back(last_key_part(k));
  for (const char* c :
       {"n", "t-test p", "Holm p", "Wilcoxon p", "d_z", "detectable (points)", "verdict"}) {
    columns.push_back(c);
  }
  columns.insert(columns.begin() + Json::difference_type(keys.size()),
                 "paired difference in final test accuracy (" + spread_label(spread) + ")");
  Json rows = Json::array();
  for (const Json& d : differences) {
    Json row = Json::array();
    for (const auto& k : keys) {
      row.push_back(d.at("point").contains(k) ? value_text(d.at("point").at(k)) : "-");
    }
    const Json& text = d.at("text");
    row.push_back(d.at("sentence"));
    row.push_back(std::to_string(d.at("tests").at("n").get<int64_t>()));
    for (const char* k :
         {"t_p", "holm_p", "wilcoxon_p", "effect_size_dz", "detectable_difference"}) {
      row.push_back(text.at(k));
    }
    row.push_back(d.at("verdict"));
    rows.push_back(row);
  }
  return {{"columns", columns}, {"rows", rows}};
}

bool differences_within(const Json& differences, double until) {
  for (const auto& d : differences) {
    const Json& e = d.at("final_test_accuracy");
    if (e.is_null()) continue;  // no completed pair (diverged runs): more seeds do not decide it
    if (e.at("ci95_half_width").is_null() || e.at("ci95_half_width").get<double>() > until) {
      return false;
    }
  }
  return true;
}

std::string differences_title(const std::string& baseline, Spread spread,
                              const nlohmann::json& differences) {
  size_t tested = 0;
  for (const auto& d : differences) tested += d.at("tests").contains("t_p");
  std::string title = "Paired differences in final test accuracy against " + baseline +
                      " (same seeds; " + spread_label(spread) + " of the mean difference";
  if (tested == 0) return title + "; no test with one seed):";
  return title + "; significant: paired t-test at the 5% level, Holm-adjusted over " +
         std::to_string(tested) + " comparison" + (tested == 1 ? "" : "s") + "):";
}

}  // namespace actbench
