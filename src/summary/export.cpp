#include "summary/export.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "config/choices.h"
#include "summary/summary.h"
#include "summary/summary_format.h"
#include "util/error.h"
#include "util/text.h"

namespace actbench {
using Json = nlohmann::json;

namespace {

struct Row {
  const Json* group;
  const Json* diff;  // against the baseline; nullptr for the baseline itself
};

double mean_of(const Json& estimate) {
  return estimate.is_object() && estimate.at("mean").is_number() ? estimate.at("mean").get<double>()
                                                                 : -1e300;
}

// The groups ranked by mean final test accuracy, each with its difference against the baseline.
std::vector<Row> ranked_rows(const Json& summary) {
  std::vector<Row> rows;
  for (const auto& g : summary.at("groups")) {
    const Json* diff = nullptr;
    for (const auto& d : summary.at("differences")) {
      if (d.at("activation") == g.at("activation") && d.at("point") == g.at("point")) diff = &d;
    }
    rows.push_back({&g, diff});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return mean_of(a.group->at("final_test_accuracy")) >
           mean_of(b.group->at("final_test_accuracy"));
  });
  return rows;
}

std::string point_value(const Json& group, const std::string& key) {
  const Json& p = group.at("point");
  return p.contains(key) ? value_text(p.at(key)) : "";
}

bool significant(const Row& r) {
  if (r.diff == nullptr) return false;
  const std::string v = r.diff->value("verdict", "");
  return v == "better" || v == "worse";
}

// "97.76 ± 0.06" for an estimate, with ± its `field` (std or ci95_half_width); with `plus`, a
// positive mean is signed too ("+0.02 ± 0.12", a difference). "" without a mean.
std::string with_pm(const Json& e, int decimals, const std::string& field, const std::string& pm,
                    const std::string& minus, bool plus = false) {
  if (!e.is_object() || !e.at("mean").is_number()) return "";
  const double m = e.at("mean").get<double>();
  std::string s = (m < 0  ? minus
                   : plus ? "+"
                          : "") +
                  fmt::format("{:.{}f}", std::fabs(m), decimals);
  if (e.at(field).is_number())
    s += pm + fmt::format("{:.{}f}", e.at(field).get<double>(), decimals);
  return s;
}

// A Greek letter (UTF-8 at text[i], two bytes) as LaTeX math ("$\\beta$"), or "" for any other
// character: pdflatex's default fonts have no Greek text glyphs (an activation named Swish-β).
std::string greek_as_math(const std::string& text, size_t i) {
  static const char* const lower[] = {
      "alpha", "beta",   "gamma",   "delta", "epsilon", "zeta", "eta",  "theta", "iota",
      "kappa", "lambda", "mu",      "nu",    "xi",      "o",    "pi",   "rho",   "varsigma",
      "sigma", "tau",    "upsilon", "phi",   "chi",     "psi",  "omega"};
  static const char* const upper[] = {
      "A",  "B", "Gamma", "Delta", "E", "Z",     "H", "Theta",   "I",   "K", "Lambda", "M",    "N",
      "Xi", "O", "Pi",    "P",     "",  "Sigma", "T", "Upsilon", "Phi", "X", "Psi",    "Omega"};
  if (i + 1 >= text.size()) return "";
  const unsigned c0 = static_cast<unsigned char>(text[i]),
                 c1 = static_cast<unsigned char>(text[i + 1]);
  if ((c0 & 0xE0) != 0xC0 || (c1 & 0xC0) != 0x80) return "";
  const unsigned cp = ((c0 & 0x1F) << 6) | (c1 & 0x3F);
  std::string name;
  if (cp >= 0x3B1 && cp <= 0x3C9) name = lower[cp - 0x3B1];
  if (cp >= 0x391 && cp <= 0x3A9) name = upper[cp - 0x391];
  if (name.empty()) return "";
  return name.size() == 1 ? name : "$\\" + name + "$";
}

std::string latex_escape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (const std::string greek = greek_as_math(text, i); !greek.empty()) {
      out += greek;
      ++i;
      continue;
    }
    const char c = text[i];
    switch (c) {
      case '&':
      case '%':
      case '$':
      case '#':
      case '_':
      case '{':
      case '}':
        out += '\\';
        out += c;
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '\\':
        out += "\\textbackslash{}";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string q = "\"";
  for (char c : text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_number(const Json& v) {
  return v.is_number() ? v.dump() : "";
}

// The keys some activation has its own value of (per_activation: tuning's choice), in order.
std::vector<std::string> setting_keys(const Json& summary) {
  std::vector<std::string> keys;
  for (const auto& g : summary.at("groups")) {
    const Json settings = g.value("settings", Json::object());
    for (auto it = settings.begin(); it != settings.end(); ++it) {
      if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
    }
  }
  return keys;
}

std::string setting_value(const Json& group, const std::string& key) {
  const Json settings = group.value("settings", Json::object());
  return settings.contains(key) ? value_text(settings.at(key)) : "";
}

// The group's letters (summary.json's comparison), "" without a comparison.
std::string letters_of(const Json& summary, const Json& group) {
  const auto c = summary.find("comparison");
  if (c == summary.end() || !c->is_object()) return "";
  return c->at("letters").value(group.at("activation").get<std::string>(), "");
}

bool has_letters(const Json& summary) {
  const auto c = summary.find("comparison");
  return c != summary.end() && c->is_object();
}

// What the table shows, in one sentence (the caption or a comment line).
std::string caption(const Json& summary) {
  const size_t seeds = summary.value("seeds", Json::array()).size();
  std::string c =
      summary.value("dataset_label", "") + ", " + std::to_string(seeds) +
      (seeds == 1 ? " seed" : " seeds") + "; " + summary.value("spread_sentence", std::string("")) +
      "; the difference is paired by seed against " + summary.value("baseline", std::string(""));
  size_t tested = 0;
  for (const auto& d : summary.at("differences")) tested += d.at("tests").contains("t_p");
  if (tested > 0) {
    c += "; * significant: paired t-test at the 5% level, Holm-adjusted over " +
         std::to_string(tested) + " comparison" + (tested == 1 ? "" : "s");
  }
  if (has_letters(summary)) {
    c += "; activations sharing a letter are not told apart (paired t-test, Holm-adjusted over "
         "every pair, p < 0.05)";
  }
  return c;
}

void write_csv(std::ostream& out, const Json& summary) {
  const auto keys = summary_keys(summary);
  std::vector<std::string> header{"activation"};
  for (const auto& k : keys) header.push_back(k);
  const auto own = setting_keys(summary);
  for (const auto& k : own) header.push_back(k);
  header.push_back("letters");
  for (const char* h :
       {"n", "test_accuracy_mean", "test_accuracy_std", "test_accuracy_ci95_low",
        "test_accuracy_ci95_high", "test_loss_mean", "test_loss_std", "difference_mean",
        "difference_ci95_low", "difference_ci95_high", "t_p", "holm_p", "wilcoxon_p",
        "effect_size_dz", "detectable_difference", "verdict"}) {
    header.push_back(h);
  }
  out << join(header, ",") << "\n";
  for (const Row& r : ranked_rows(summary)) {
    const Json& g = *r.group;
    const Json& acc = g.at("final_test_accuracy");
    const Json& loss = g.at("final_test_loss");
    std::vector<std::string> f{csv_field(g.at("activation").get<std::string>())};
    for (const auto& k : keys) f.push_back(csv_field(point_value(g, k)));
    for (const auto& k : own) f.push_back(csv_field(setting_value(g, k)));
    f.push_back(letters_of(summary, g));
    f.push_back(std::to_string(g.at("completed").get<int64_t>()));
    auto part = [](const Json& e, const char* k) {
      return e.is_object() ? csv_number(e.at(k)) : "";
    };
    auto ci = [](const Json& e, size_t i) {
      return e.is_object() && e.at("ci95").is_array() ? csv_number(e.at("ci95")[i]) : "";
    };
    f.insert(f.end(), {part(acc, "mean"), part(acc, "std"), ci(acc, 0), ci(acc, 1),
                       part(loss, "mean"), part(loss, "std")});
    const Json none;
    const Json& d = r.diff ? r.diff->at("final_test_accuracy") : none;
    const Json& t = r.diff ? r.diff->at("tests") : none;
    auto test = [&](const char* k) {
      return t.is_object() && t.contains(k) ? csv_number(t.at(k)) : "";
    };
    f.insert(f.end(), {part(d, "mean"), ci(d, 0), ci(d, 1), test("t_p"), test("holm_p"),
                       test("wilcoxon_p"), test("effect_size_dz"), test("detectable_difference"),
                       r.diff ? csv_field(r.diff->value("verdict", "")) : "baseline"});
    out << join(f, ",") << "\n";
  }
}

// The table's cells, as LaTeX or Markdown writes them (the header first); `columns` the count
// of left-aligned columns (activation, swept keys, own settings).
struct TableCells {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  size_t left = 1;
  bool letters = false;
};

TableCells table_cells(const Json& summary, bool latex) {
  const auto keys = summary_keys(summary);
  const std::string field = spread_field(summary_spread(summary));
  const std::string pm = latex ? " $\\pm$ " : " \u00b1 ";
  const std::string minus = latex ? "$-$" : "\u2212";
  const std::string baseline = summary.value("baseline", std::string(""));
  auto text = [latex](const std::string& t) { return latex ? latex_escape(t) : t; };
  TableCells t;
  t.header = {"Activation"};
  const auto own = setting_keys(summary);
  for (const auto& k : keys) t.header.push_back(text(last_key_part(k)));
  for (const auto& k : own) t.header.push_back(text(last_key_part(k)));
  t.left = t.header.size();
  t.header.push_back(latex ? "$n$" : "n");
  t.header.push_back(latex ? "Test acc.\\ (\\%)" : "Test acc. (%)");
  t.letters = has_letters(summary);
  if (t.letters) t.header.push_back("Group");
  t.header.push_back("Test loss");
  t.header.push_back(latex ? "$\\Delta$ acc.\\ vs " + latex_escape(baseline)
                           : "\u0394 acc. vs " + baseline);
  bool first = true;
  for (const Row& r : ranked_rows(summary)) {
    const Json& g = *r.group;
    const std::string label = g.at("activation").get<std::string>();
    std::vector<std::string> row{text(label)};
    for (const auto& k : keys) row.push_back(text(point_value(g, k)));
    for (const auto& k : own) row.push_back(text(setting_value(g, k)));
    row.push_back(std::to_string(g.at("completed").get<int64_t>()));
    // The best mean accuracy (the first row) in bold.
    const std::string acc = with_pm(g.at("final_test_accuracy"), 2, field, pm, minus);
    row.push_back(!first || acc.empty() ? acc
                  : latex               ? "\\textbf{" + acc + "}"
                                        : "**" + acc + "**");
    first = false;
    if (t.letters) row.push_back(letters_of(summary, g));
    row.push_back(with_pm(g.at("final_test_loss"), 4, field, pm, minus));
    std::string d = r.diff == nullptr
                        ? (label == baseline ? "baseline" : "")
                        : with_pm(r.diff->at("final_test_accuracy"), 2, field, pm, minus, true);
    if (significant(r)) d += latex ? "$^{*}$" : " *";
    row.push_back(d);
    t.rows.push_back(row);
  }
  return t;
}

// A complete LaTeX table (booktabs): caption, label, the tabular.
void write_latex(std::ostream& out, const Json& summary, const std::string& label) {
  const TableCells t = table_cells(summary, true);
  std::string note = latex_escape(caption(summary) + "; bold: the highest mean test accuracy");
  for (size_t at; (at = note.find("\u00b1")) != std::string::npos;) note.replace(at, 2, "$\\pm$");
  out << "% actbench export: needs \\usepackage{booktabs}\n";
  out << "\\begin{table}[t]\n  \\centering\n  \\caption{" << note << ".}\n  \\label{"
      << latex_escape(label) << "}\n";
  out << "  \\begin{tabular}{" << std::string(t.left, 'l') << "rr" << (t.letters ? "l" : "")
      << "rr}\n  \\toprule\n";
  out << "  " << join(t.header, " & ") << " \\\\\n  \\midrule\n";
  for (const auto& r : t.rows) out << "  " << join(r, " & ") << " \\\\\n";
  out << "  \\bottomrule\n  \\end{tabular}\n\\end{table}\n";
}

void write_markdown(std::ostream& out, const Json& summary) {
  const TableCells t = table_cells(summary, false);
  auto escape = [](const std::string& s) {
    std::string o;
    for (char c : s) o += c == '|' ? std::string("\\|") : std::string(1, c);
    return o;
  };
  std::vector<std::string> h;
  for (const auto& x : t.header) h.push_back(escape(x));
  out << "| " << join(h, " | ") << " |\n|";
  for (size_t i = 0; i < t.header.size(); ++i) out << (i < t.left ? " --- |" : " ---: |");
  out << "\n";
  for (const auto& r : t.rows) {
    std::vector<std::string> c;
    for (const auto& x : r) c.push_back(escape(x));
    out << "| " << join(c, " | ") << " |\n";
  }
  out << "\n" << caption(summary) << "; bold: the highest mean test accuracy.\n";
}

}  // namespace

ExportFormat parse_export_format(const std::string& name) {
  if (name == "csv") return ExportFormat::kCsv;
  if (name == "latex") return ExportFormat::kLatex;
  if (name == "markdown") return ExportFormat::kMarkdown;
  throw InputError("--format must be csv, latex or markdown, got '" + name + "'");
}

void export_summary(std::ostream& out, const Json& summary, ExportFormat format,
                    const std::string& label) {
  if (format == ExportFormat::kCsv) {
    write_csv(out, summary);
  } else if (format == ExportFormat::kLatex) {
    write_latex(out, summary, label);
  } else {
    write_markdown(out, summary);
  }
}

}  // namespace actbench
