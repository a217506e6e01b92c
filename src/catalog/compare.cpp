#include "catalog/compare.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "config/keys.h"
#include "summary/summary_format.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_checksum.h"
#include "util/json_flat.h"
#include "util/text.h"

namespace actbench {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

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
    if ((by && k == *by) || !key_changes_numbers(k)) continue;
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

// A cell: the metric as the sweep's table writes it; seconds per epoch with a dagger where every
// run of the group was taken from the run store (timed when another sweep trained it).
std::string cell_text(const Json& g, const std::string& metric) {
  if (metric != "seconds_per_epoch") return g.value("text", Json::object()).value(metric, "-");
  const Json& e = g.value(metric, Json());
  if (!e.is_object() || !e.contains("mean") || !e["mean"].is_number()) return "-";
  const bool stored = g.value("timing", Json::object()).value("from_store", false);
  return fixed(e["mean"].get<double>(), 2) + (stored ? " \u2020" : "");
}

Cells collect_cells(const std::vector<SweepView>& sweeps, const std::optional<std::string>& by,
                    const std::string& metric) {
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
      std::string text = cell_text(g, metric);
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

// What a sweep's timings depend on besides its runs: the machine, the BLAS kernel, the build and
// how many runs shared the machine (its results.json, else a run file); empty when unknown.
std::map<std::string, Json> timing_conditions(const SweepView& s) {
  std::string why;
  std::optional<Json> doc = read_json_file(s.dir / "results.json", why);
  if (!doc || !doc->is_object()) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(s.dir / "runs", ec);
         !doc && !ec && it != fs::directory_iterator(); it.increment(ec)) {
      if (it->path().extension() == ".json") doc = read_json_file(it->path(), why);
    }
  }
  std::map<std::string, Json> out;
  if (!doc || !doc->is_object()) return out;
  check_damaged(*doc, (s.dir / "results.json").string(), kDamagedSweepFileFix);
  const Json p = doc->value("provenance", Json::object());
  std::map<std::string, Json> flat;
  flatten_json(p, "", flat);
  for (const char* k : {"host", "cpu.model", "cpu.usable_cores", "blas.core", "build.build_type",
                        "build.compiler", "libtorch"}) {
    if (flat.count(k)) out[k] = flat[k];
  }
  for (const char* k : {"device", "device_name", "jobs", "threads"}) {
    if (doc->contains(k)) out[k] = (*doc)[k];
  }
  return out;
}

// Whether the sweeps' timings can be set side by side: timed on one machine, kernel and build,
// with as many runs at once -- else what differs.
std::string timing_verdict(const std::vector<SweepView>& sweeps) {
  const auto first = timing_conditions(sweeps.front());
  if (first.empty())
    return "timings: cannot tell how " + sweeps.front().dir.string() +
           " was timed (no results.json or run file); compare them with care";
  std::vector<std::string> differ;
  for (size_t i = 1; i < sweeps.size(); ++i) {
    const auto other = timing_conditions(sweeps[i]);
    if (other.empty()) {
      return "timings: cannot tell how " + sweeps[i].dir.string() +
             " was timed (no results.json or run file); compare them with care";
    }
    for (const auto& d : flat_differences(first, other)) {
      differ.push_back(d.key + " " + d.a + " vs " + d.b + " (" + sweeps[i].dir.string() + ")");
    }
  }
  if (differ.empty()) {
    return "timings: every sweep was timed under the same recorded conditions (host, CPU, BLAS "
           "kernel, build, device, jobs, threads); the machine's other load is not recorded";
  }
  return "timings NOT comparable: the sweeps were timed differently -- " + join(differ, "; ");
}

// Under the table: each column's sweeps (with --by), each sweep's data and seeds, what a cell is.
std::vector<std::string> comparison_notes(const std::vector<SweepView>& sweeps, const Cells& c,
                                          bool by, const std::string& metric) {
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
  if (metric == "seconds_per_epoch") {
    notes.push_back(
        "cells: seconds per epoch, the mean over the runs each sweep trained itself (\u2020: all "
        "of its runs were taken from the run store, timed when another sweep trained them)");
    notes.push_back(timing_verdict(sweeps));
    return notes;
  }
  const std::string what = metric == "final_test_loss"      ? "final test loss"
                           : metric == "best_test_accuracy" ? "test accuracy % at the best "
                                                              "validation epoch"
                                                            : "final test accuracy %";
  notes.push_back("cells: " + what + ", the mean over seeds ± the half-width of its " +
                  std::to_string(confidence) + "% confidence interval (several seeds)");
  return notes;
}

}  // namespace

Comparison compare_sweeps(const std::vector<SweepView>& sweeps,
                          const std::optional<std::string>& by, const std::string& metric) {
  check_by_key(by);
  const Cells c = collect_cells(sweeps, by, metric);
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
  out.notes = comparison_notes(sweeps, c, by.has_value(), metric);
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
