#include "catalog/paired_columns.h"

#include <set>

#include "config/keys.h"
#include "summary/differences.h"
#include "summary/summary_format.h"
#include "util/text.h"

namespace actbench {
using Json = nlohmann::json;

namespace {

// The settings that change numbers in which two columns differ.
std::vector<std::string> differing_keys(const ComparedColumn& a, const ComparedColumn& b) {
  std::set<std::string> keys;
  for (const auto& [k, v] : a.settings) keys.insert(k);
  for (const auto& [k, v] : b.settings) keys.insert(k);
  std::vector<std::string> out;
  for (const auto& k : keys) {
    if (k == "seeds" || !key_changes_numbers(k)) continue;
    const auto ia = a.settings.find(k), ib = b.settings.find(k);
    const bool same = ia != a.settings.end() && ib != b.settings.end() &&
                      ia->second == ib->second && ia->second != "mixed";
    if (!same) out.push_back(k);
  }
  return out;
}

std::string setting_text(const ComparedColumn& c, const std::string& key) {
  const auto it = c.settings.find(key);
  return last_key_part(key) + "=" + (it == c.settings.end() ? "-" : value_text(it->second));
}

// Seed -> per-seed value of `metric` in a group (null values skipped).
std::map<int64_t, double> by_seed(const Json& group, const char* metric) {
  std::map<int64_t, double> out;
  const Json& seeds = group.value("seeds", Json::array());
  const Json per_seed = group.value("per_seed", Json::object()).value(metric, Json::array());
  for (size_t i = 0; i < seeds.size() && i < per_seed.size(); ++i) {
    if (seeds[i].is_number_integer() && per_seed[i].is_number()) {
      out[seeds[i].get<int64_t>()] = per_seed[i].get<double>();
    }
  }
  return out;
}

// The paired difference of `row` in column `b` against column `a`; null without a shared seed.
Json row_difference(const std::string& row, const ComparedColumn& a, const ComparedColumn& b,
                    const std::string& key) {
  const auto ga = a.groups.find(row), gb = b.groups.find(row);
  if (ga == a.groups.end() || gb == b.groups.end()) return nullptr;
  std::map<std::string, std::vector<double>> differences;
  Json seeds = Json::array();
  for (const char* metric : {"final_test_accuracy", "final_test_loss"}) {
    const auto va = by_seed(*ga->second, metric), vb = by_seed(*gb->second, metric);
    auto& d = differences[metric];
    for (const auto& [seed, value] : vb) {
      const auto other = va.find(seed);
      if (other == va.end()) continue;
      d.push_back(value - other->second);
      if (std::string(metric) == "final_test_accuracy") seeds.push_back(seed);
    }
  }
  if (seeds.empty()) return nullptr;
  return paired_difference(row + " at " + setting_text(b, key), row + " at " + setting_text(a, key),
                           {{"column", b.name}}, b.name, seeds, differences);
}

}  // namespace

bool key_changes_numbers(const std::string& key) {
  if (key.rfind("per_activation", 0) == 0) return false;
  const KeyInfo* info = find_config_key(key);
  return info == nullptr || info->identity;
}

PairedColumns pair_columns(const std::vector<ComparedColumn>& columns,
                           const std::vector<std::string>& rows) {
  PairedColumns out;
  if (columns.size() < 2) return out;
  const ComparedColumn& first = columns.front();
  for (size_t j = 1; j < columns.size(); ++j) {
    const std::vector<std::string> keys = differing_keys(first, columns[j]);
    if (keys.size() != 1) {
      out.notes.push_back("not tested: " + columns[j].name + " against " + first.name +
                          (keys.empty()
                               ? " (no setting differs)"
                               : " (they differ in " + join(keys, ", ") + ", not in one setting)"));
      continue;
    }
    size_t tested = 0;
    for (const auto& row : rows) {
      Json d = row_difference(row, first, columns[j], keys.front());
      if (d.is_null()) continue;
      out.differences.push_back(std::move(d));
      ++tested;
    }
    if (tested == 0) {
      out.notes.push_back("not tested: " + columns[j].name + " shares no seed with " + first.name +
                          " (or a sweep's summary predates per-seed values: rerun actbench show)");
    }
  }
  if (out.differences.empty()) return out;
  conclude_differences(out.differences, Spread::kCi95);
  out.title = "Paired differences in final test accuracy against " + first.name +
              " (runs paired by seed: same initial weights and batches; " +
              spread_label(Spread::kCi95) +
              " of the mean difference; significant: paired t-test at the 5% level, "
              "Holm-adjusted over " +
              std::to_string(out.differences.size()) + " tests):";
  out.table = Table(
      {"column", "paired difference", "n", "t-test p", "Holm p", "Wilcoxon p", "d_z", "verdict"},
      {Table::Align::kLeft, Table::Align::kLeft, Table::Align::kRight, Table::Align::kRight,
       Table::Align::kRight, Table::Align::kRight, Table::Align::kRight, Table::Align::kLeft});
  for (const Json& d : out.differences) {
    const Json& text = d.at("text");
    out.table.add({d.at("point").at("column").get<std::string>(), d.at("sentence"),
                   std::to_string(d.at("tests").at("n").get<int64_t>()), text.at("t_p"),
                   text.at("holm_p"), text.at("wilcoxon_p"), text.at("effect_size_dz"),
                   d.at("verdict")});
  }
  return out;
}

}  // namespace actbench
