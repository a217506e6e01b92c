#include "catalog/catalog.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "config/key_reader.h"
#include "config/keys.h"
#include "summary/summary.h"
#include "sweep/sweep_dir.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_flat.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// The JSON in `path`; nullopt when absent; InputError when unreadable.
std::optional<Json> read_json_or_fail(const fs::path& path) {
  std::string why;
  std::optional<Json> j = read_json_file(path, why);
  if (!why.empty()) throw InputError(path.string() + ": " + why);
  return j;
}

void check_sweep_dir(const fs::path& dir) {
  check_path(dir, PathKind::kDirectory, "sweep directory",
             "sweep directory " + dir.string() + " (" + fs::absolute(dir).string() +
                 ") not found; `actbench ls` lists the sweeps under results/",
             "give a sweep's directory (its --out)");
}

// A file's modification time as "2026-11-28T08:30:00Z"; "" when unknown.
std::string modified_text(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  std::tm tm{};
  gmtime_r(&st.st_mtime, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The group with the best mean final test accuracy, as "GELU 98.07 ± 0.11" ("" when none).
std::string best_text(const Json& summary) {
  const Json* best = nullptr;
  double best_mean = 0;
  if (!summary.contains("groups") || !summary["groups"].is_array()) return "";
  for (const auto& g : summary["groups"]) {
    const Json& acc = g.value("final_test_accuracy", Json());
    if (!acc.is_object() || !acc.value("mean", Json()).is_number()) continue;
    const double mean = acc["mean"].get<double>();
    if (best == nullptr || mean > best_mean) {
      best = &g;
      best_mean = mean;
    }
  }
  if (best == nullptr) return "";
  return best->value("name", "?") + " " +
         best->value("text", Json::object()).value("final_test_accuracy", "");
}

// A group's full settings: the sweep's config with the group's swept values.
std::map<std::string, Json> group_settings(const SweepView& s, const Json& group) {
  std::map<std::string, Json> flat;
  Json config = s.config;
  if (config.is_object()) {
    config.erase("sweep");
    config.erase("activations");
    config.erase("out");
    config.erase("name");
    flatten_json(config, "", flat);
  }
  // A named copy: items() of the temporary value() returns would outlive it in the loop.
  const Json point = group.value("point", Json::object());
  for (const auto& [k, v] : point.items()) flat[k] = v;
  return flat;
}

std::string sweep_label(const std::vector<SweepView>& sweeps, size_t i) {
  const std::string base = sweeps[i].dir.filename().string();
  for (size_t j = 0; j < sweeps.size(); ++j) {
    if (j != i && sweeps[j].dir.filename().string() == base) return sweeps[i].dir.string();
  }
  return base.empty() ? sweeps[i].dir.string() : base;
}

}  // namespace

SweepView read_sweep(const fs::path& dir, const std::optional<std::string>& baseline,
                     const std::optional<Spread>& spread) {
  check_sweep_dir(dir);
  const DirReaderLock reading(dir);  // no run moves DIR's files to history meanwhile
  SweepView view;
  view.dir = dir;
  std::error_code ec;
  const bool has_summary = fs::exists(dir / "summary.json", ec);
  if (fs::exists(dir / "plan.json", ec)) {
    try {
      const Plan plan = read_plan_file(dir);
      const std::string base =
          baseline ? match_activation_label(plan, *baseline, "--baseline") : plan.base.baseline;
      RunEnvironment env;
      view.summary = collect_outputs(dir, plan, {}, env,
                                     {base, spread.value_or(plan.base.spread),
                                      plan.base.seeds.until, plan.base.seeds.min},
                                     false)
                         .summary;
      view.config = plan.config_json;
      return view;
    } catch (const InputError& e) {
      if (!has_summary || baseline || spread) throw;
      view.note =
          std::string(e.what()) + "; showing " + (dir / "summary.json").string() + " as it is";
    }
  }
  if (!has_summary) {
    throw InputError(dir.string() +
                     " holds no sweep (no plan.json or summary.json); `actbench ls` lists the "
                     "sweeps under results/");
  }
  if (baseline || spread) {
    throw InputError(std::string(baseline ? "--baseline" : "--spread") +
                     " needs the sweep's plan.json and runs/, which " + dir.string() +
                     " lacks; it shows its summary.json as it is");
  }
  view.summary = *read_json_or_fail(dir / "summary.json");
  // What show and compare read (the table, the sentences, each group's activation, point and
  // text) is in every summary version since 2, so a sweep made by an earlier actbench still reads.
  const std::string schema = view.summary.is_object() ? view.summary.value("schema", "") : "";
  const bool readable = (schema == kSummarySchema || schema == "actbench.summary/2") &&
                        view.summary.contains("table") && view.summary.contains("groups") &&
                        view.summary.contains("differences");
  if (!readable) {
    throw InputError((dir / "summary.json").string() + ": not an " + kSummarySchema +
                     " file; rerun the sweep into " + dir.string() + " to rebuild it");
  }
  if (auto results = read_json_or_fail(dir / "results.json"); results && results->is_object()) {
    view.config = results->value("config", Json());
  }
  return view;
}

std::vector<SweepListing> list_sweeps(const fs::path& root) {
  std::error_code ec;
  check_path(root, PathKind::kDirectory, "results root",
             "results root " + root.string() + " (" + fs::absolute(root).string() +
                 ") not found; give the folder holding your sweeps (default: results)",
             "give the folder holding your sweeps (default: results)");
  constexpr int kMaxDepth = 4;  // results/<group>/<sweep>, with room to spare
  std::vector<SweepListing> out;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code e2;
    if (!it->is_directory(e2)) continue;
    // A sweep's own folders and hidden ones (the run store) are not experiments.
    if (name.empty() || name[0] == '.' || name == "history" || name == "runs" || name == "plots" ||
        it.depth() >= kMaxDepth) {
      it.disable_recursion_pending();
      continue;
    }
    const fs::path dir = it->path();
    if (!fs::exists(dir / "plan.json", e2)) continue;
    SweepListing l;
    l.path = dir.lexically_relative(root).string();
    try {
      const Json plan = *read_json_or_fail(dir / "plan.json");
      const Json& config = plan.at("config");
      l.name = config.value("name", "");
      l.dataset = dataset_label(*parse_choice<DatasetKind>(config.at("data").at("dataset")));
      for (const auto& r : plan.at("runs")) {
        ++l.planned;
        if (fs::exists(run_file(dir, r.at("id").get<std::string>()), e2)) ++l.finished;
      }
      std::optional<Json> results = read_json_or_fail(dir / "results.json");
      l.when = results && results->is_object() && results->value("complete", false)
                   ? results->value("finished_at", "")
                   : modified_text(dir / "plan.json");
      if (l.finished > 0) l.best = best_text(read_sweep(dir).summary);
    } catch (const std::exception& e) {
      spdlog::warn("{}: cannot be read ({}); skipped", dir.string(), e.what());
      continue;
    }
    for (auto h = fs::directory_iterator(dir / "history", e2); !e2 && h != fs::directory_iterator();
         h.increment(e2)) {
      if (h->is_directory()) ++l.history;
    }
    it.disable_recursion_pending();  // a sweep holds no other sweep
    out.push_back(std::move(l));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const SweepListing& a, const SweepListing& b) { return a.when > b.when; });
  return out;
}

namespace {

void check_by_key(const std::optional<std::string>& by) {
  if (!by || find_config_key(*by) != nullptr) return;
  std::vector<std::string> names;
  for (const auto& k : config_keys()) names.push_back(k.name);
  const std::string guess = closest_match(*by, names);
  throw InputError("--by " + *by + ": not a config key" +
                   (guess.empty() ? "" : " (did you mean " + guess + "?)") +
                   "; `actbench list keys` lists them");
}

// The column a group of sweep `i` goes into: the value of `by`, else the sweep (and its point).
std::string column_of(const std::vector<SweepView>& sweeps, size_t i, const Json& g,
                      const std::optional<std::string>& by) {
  const SweepView& s = sweeps[i];
  if (!by) {
    const std::string where = g.value("point_text", "");
    return sweep_label(sweeps, i) + (where.empty() ? "" : " " + where);
  }
  Json value;
  const Json point = g.value("point", Json::object());
  const Json axes = s.summary.value("axes", Json::array());
  if (!point.contains(*by) && std::find(axes.begin(), axes.end(), *by) != axes.end()) {
    throw InputError("--by " + *by + ": " + s.dir.string() + " sweeps " + *by +
                     " and reports means over it, not one value per column; compare --by "
                     "another key");
  }
  if (point.contains(*by)) {
    value = point[*by];
  } else if (s.config.is_object() && s.config.contains(key_pointer(*by))) {
    value = s.config.at(key_pointer(*by));
  } else {
    throw InputError("--by " + *by + ": " + s.dir.string() +
                     " does not record its config (no plan.json or results.json)");
  }
  return last_key_part(*by) + "=" + value_text(value);
}

// The comparison's cells: a column per value (or sweep), a row per activation.
struct Cells {
  struct Cell {
    std::string text;
    size_t sweep;
    const Json* group;
  };
  std::vector<std::string> columns, rows;
  std::map<std::string, std::map<std::string, Cell>> cells;  // column -> activation -> cell
  std::map<std::string, std::set<std::string>> sources;      // column -> sweep directories
  // column -> each setting of its groups (null where they disagree): what labels it.
  std::map<std::string, std::map<std::string, Json>> settings;
};

// Marks `column`'s settings with `group`'s: a key its groups disagree on becomes "mixed".
void add_column_settings(Cells& c, const std::string& column,
                         const std::map<std::string, Json>& group) {
  const bool first = !c.settings.count(column);
  auto& mine = c.settings[column];
  if (first) {
    mine = group;
    return;
  }
  for (auto& [k, v] : mine) {
    const auto it = group.find(k);
    if (it == group.end() || it->second != v) v = "mixed";
  }
  for (const auto& [k, v] : group) {
    if (!mine.count(k)) mine[k] = "mixed";
  }
}

// The settings that tell the columns apart (any value differing between two columns), but
// `by` (already in the names) and the activation's own (per_activation, shown in the cells).
std::vector<std::string> differing_settings(const Cells& c, const std::optional<std::string>& by) {
  std::set<std::string> keys;
  for (const auto& [column, settings] : c.settings) {
    for (const auto& [k, v] : settings) keys.insert(k);
  }
  std::vector<std::string> out;
  for (const auto& k : keys) {
    if ((by && k == *by) || k.rfind("per_activation", 0) == 0) continue;
    // Keys that change no number (threads, jobs, out, spread, ...) do not tell results apart.
    if (const KeyInfo* info = find_config_key(k); info != nullptr && !info->identity) continue;
    std::set<std::string> values;
    for (const auto& [column, settings] : c.settings) {
      const auto it = settings.find(k);
      values.insert(it == settings.end() ? "-" : it->second.dump());
    }
    if (values.size() > 1) out.push_back(k);
  }
  return out;
}

// Two results for one cell: an error naming what tells them apart.
[[noreturn]] void throw_two_results(const std::vector<SweepView>& sweeps, const Cells::Cell& other,
                                    size_t i, const Json& g, const std::string& activation,
                                    const std::string& column, bool by) {
  const auto a = group_settings(sweeps[other.sweep], *other.group);
  const auto b = group_settings(sweeps[i], g);
  std::vector<std::string> differ;
  for (const auto& [k, v] : a) {
    if (!b.count(k) || b.at(k) != v) differ.push_back(k);
  }
  for (const auto& [k, v] : b) {
    if (!a.count(k)) differ.push_back(k);
  }
  throw InputError(activation + " at " + column + " is in " + sweeps[other.sweep].dir.string() +
                   " and in " + sweeps[i].dir.string() +
                   (differ.empty() ? "" : " (they differ in " + join(differ, ", ") + ")") +
                   (by ? "; compare --by one of the keys that differ" : "; give each sweep once"));
}

Cells collect_cells(const std::vector<SweepView>& sweeps, const std::optional<std::string>& by) {
  Cells c;
  for (size_t i = 0; i < sweeps.size(); ++i) {
    for (const auto& g : sweeps[i].summary.at("groups")) {
      const std::string column = column_of(sweeps, i, g, by);
      const std::string activation = g.value("activation", "?");
      if (std::find(c.columns.begin(), c.columns.end(), column) == c.columns.end()) {
        c.columns.push_back(column);
      }
      if (std::find(c.rows.begin(), c.rows.end(), activation) == c.rows.end()) {
        c.rows.push_back(activation);
      }
      auto& column_cells = c.cells[column];
      if (auto other = column_cells.find(activation); other != column_cells.end()) {
        throw_two_results(sweeps, other->second, i, g, activation, column, by.has_value());
      }
      std::string text = g.value("text", Json::object()).value("final_test_accuracy", "-");
      // The activation's own settings (tuning's choice), beside its accuracy.
      if (const Json own = g.value("settings", Json::object()); own.is_object() && !own.empty()) {
        std::vector<std::string> keys;
        for (auto it = own.begin(); it != own.end(); ++it) keys.push_back(it.key());
        text += " (" + describe_point(own, keys) + ")";
      }
      column_cells[activation] = {text, i, &g};
      c.sources[column].insert(sweeps[i].dir.string());
      auto settings = group_settings(sweeps[i], g);
      settings["seeds"] = g.value("seeds", Json::array()).size();
      add_column_settings(c, column, settings);
    }
  }
  return c;
}

// Under the table: each column's sweeps (with --by), each sweep's data and seeds, what a cell is.
std::vector<std::string> comparison_notes(const std::vector<SweepView>& sweeps, const Cells& c,
                                          bool by) {
  std::vector<std::string> notes;
  for (const auto& column : c.columns) {
    if (!by) break;  // the column names its sweep
    const auto& sources = c.sources.at(column);
    notes.push_back(column + ": " + join({sources.begin(), sources.end()}, ", "));
  }
  for (const auto& s : sweeps) {
    const Json& sm = s.summary;
    const size_t seeds = sm.value("seeds", Json::array()).size();
    notes.push_back(s.dir.string() + ": " + sm.value("dataset_label", "?") + ", " +
                    std::to_string(seeds) + " seed(s), " +
                    std::to_string(sm.value("runs_finished", 0)) + " of " +
                    std::to_string(sm.value("runs_planned", 0)) + " runs finished");
  }
  const int confidence = int(100 * sweeps.front().summary.value("confidence", 0.95) + 0.5);
  notes.push_back("cells: final test accuracy %, the mean over seeds ± the half-width of its " +
                  std::to_string(confidence) + "% confidence interval (several seeds)");
  return notes;
}

}  // namespace

Comparison compare_sweeps(const std::vector<SweepView>& sweeps,
                          const std::optional<std::string>& by) {
  check_by_key(by);
  const Cells c = collect_cells(sweeps, by);
  const std::vector<std::string> differ = differing_settings(c, by);
  std::vector<std::string> header{"activation"};
  std::vector<Table::Align> align{Table::Align::kLeft};
  for (const auto& column : c.columns) {
    // Named by every setting in which the columns differ, never by one key alone.
    std::vector<std::string> parts;
    for (const auto& k : differ) {
      const auto& settings = c.settings.at(column);
      const auto it = settings.find(k);
      parts.push_back(last_key_part(k) + "=" +
                      (it == settings.end() ? "-" : value_text(it->second)));
    }
    header.push_back(parts.empty() ? column : column + " (" + join(parts, ", ") + ")");
    align.push_back(Table::Align::kRight);
  }
  Comparison out{Table(header, align), {}, {}};
  for (const auto& r : c.rows) {
    std::vector<std::string> row{r};
    for (const auto& column : c.columns) {
      const auto& column_cells = c.cells.at(column);
      auto it = column_cells.find(r);
      row.push_back(it == column_cells.end() ? "-" : it->second.text);
    }
    out.table.add(row);
  }
  out.notes = comparison_notes(sweeps, c, by.has_value());
  std::vector<ComparedColumn> columns;
  for (const auto& column : c.columns) {
    ComparedColumn cc{column, c.settings.at(column), {}};
    for (const auto& [activation, cell] : c.cells.at(column)) cc.groups[activation] = cell.group;
    columns.push_back(std::move(cc));
  }
  out.paired = pair_columns(columns, c.rows);
  return out;
}

}  // namespace actbench
