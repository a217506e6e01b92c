#include "results/table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "util/text.h"

namespace actbench {
namespace {

using Json = nlohmann::json;



std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// "98.04 ± 0.21", or "98.04" without an interval, or "-" without a value.
std::string with_interval(const Json& e, int decimals) {
  if (e.is_null() || e.at("mean").is_null()) return "-";
  std::string s = fixed(e.at("mean").get<double>(), decimals);
  if (!e.at("half_width").is_null()) {
    s += " \u00b1 " + fixed(e.at("half_width").get<double>(), decimals);
  }
  return s;
}

// Display width: "±" is two bytes in UTF-8 but one column.
size_t width(const std::string& s) {
  size_t w = 0;
  for (unsigned char ch : s) w += (ch & 0xC0) != 0x80;
  return w;
}

void print_rows(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - width(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

}  // namespace

void print_summary(std::ostream& out, const Json& summary) {
  std::vector<std::string> keys;  // swept keys shown as columns (the seed is what is averaged)
  for (const auto& k : summary.at("axes")) {
    if (k != "train.seed") keys.push_back(k.get<std::string>());
  }
  std::vector<const Json*> order;
  for (const auto& g : summary.at("groups")) order.push_back(&g);
  auto mean_acc = [](const Json* g) {
    const Json& e = g->at("final_test_accuracy");
    return e.is_null() ? -1.0 : e.at("mean").get<double>();
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](const Json* a, const Json* b) { return mean_acc(a) > mean_acc(b); });

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header{"rank", "activation"};
  for (const auto& k : keys) header.push_back(last_key_part(k));
  for (const char* h : {"n", "test acc %", "best acc %", "test loss", "s/epoch", "status"}) {
    header.push_back(h);
  }
  rows.push_back(header);
  int rank = 1;
  for (const Json* g : order) {
    std::vector<std::string> row{std::to_string(rank++), g->at("activation").get<std::string>()};
    for (const auto& k : keys) {
      row.push_back(g->at("point").contains(k) ? value_text(g->at("point").at(k)) : "-");
    }
    row.push_back(std::to_string(g->at("completed").get<int64_t>()));
    row.push_back(with_interval(g->at("final_test_accuracy"), 2));
    row.push_back(with_interval(g->at("best_test_accuracy"), 2));
    row.push_back(with_interval(g->at("final_test_loss"), 4));
    const Json& spe = g->at("seconds_per_epoch");
    row.push_back(spe.is_null() ? "-" : fixed(spe.at("mean").get<double>(), 2));
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
  print_rows(out, rows);

  const Json& diffs = summary.at("differences");
  if (diffs.empty()) return;
  const std::string baseline = summary.at("baseline").get<std::string>();
  out << "\nPaired differences in final test accuracy against " << baseline
      << " (same seeds, so the same initial weights and batches; 95% CI):\n";
  std::vector<std::vector<std::string>> lines;
  for (const auto& d : diffs) {
    const std::string where = describe_point(d.at("point"), keys);
    const Json& e = d.at("final_test_accuracy");
    std::vector<std::string> row{"  " + (where.empty() ? "" : "[" + where + "] ") +
                                 d.at("activation").get<std::string>()};
    if (e.is_null()) {
      row.push_back("no seed where both completed");
      lines.push_back(row);
      continue;
    }
    const double mean = e.at("mean").get<double>();
    const int64_t n = e.at("n").get<int64_t>();
    std::string text = "is " + fixed(std::fabs(mean), 2);
    if (!e.at("half_width").is_null()) {
      text += " \u00b1 " + fixed(e.at("half_width").get<double>(), 2);
    }
    text += std::string(" points ") + (mean < 0 ? "below " : "above ") + baseline;
    std::string note = std::to_string(n) + (n == 1 ? " seed" : " seeds");
    if (e.at("half_width").is_null()) {
      note += ": no interval; sweep train.seed for one";
    } else if (e.at("ci95")[0].get<double>() <= 0 && e.at("ci95")[1].get<double>() >= 0) {
      note += "; the interval includes 0";
    }
    row.push_back(text);
    row.push_back("(" + note + ")");
    lines.push_back(row);
  }
  print_rows(out, lines);
}

}  // namespace actbench
