// `actbench curves`: each activation's value and derivative on a grid, as JSON and a table.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <optional>

#include <spdlog/spdlog.h>

#include "activations/curves.h"
#include "catalog/catalog.h"
#include "cli/subcommands.h"
#include "config/config.h"
#include "sweep/sweep_dir.h"
#include "train/memory.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/text.h"

namespace actbench::cli {
namespace {

const char* kCurvesExamples = R"ex(
Examples:
  actbench curves --out results/curves.json                    every activation on [-6, 6]
  actbench curves -a relu,tanh,sigmoid --range -4:4 -o c.json
  actbench curves -a "[{name: elu, alpha: 2}]" --points 201 -o elu.json
  actbench curves -c configs/formulas.yaml -o f.json           a config's activations (formulas too)
  actbench curves -a '[{name: formula, expr: "x * tanh(softplus(x))"}]' -o mish.json
  actbench curves --sweep results/formulas                     at the constants it learned)ex";

struct CurvesOptions {
  std::string activations;           // as the config's `activations` (empty: all, or the config's)
  std::string config;                // a config file whose activations to draw
  std::optional<std::string> sweep;  // a sweep whose activations to draw at their learned constants
  CurveGrid grid;
  std::optional<std::string> out;  // default with --sweep: DIR/curves.json
};

// Per hidden layer, the last finite value of a summary.json per-layer series' means (NaN where
// there is none).
std::vector<double> last_per_layer(const Json& series) {
  std::vector<double> layers;
  for (const Json& epoch : series.value("mean", Json::array())) {
    if (!epoch.is_array()) continue;
    if (layers.size() < epoch.size()) layers.resize(epoch.size(), NAN);
    for (size_t l = 0; l < epoch.size(); ++l) {
      if (epoch[l].is_number() && std::isfinite(epoch[l].get<double>())) {
        layers[l] = epoch[l].get<double>();
      }
    }
  }
  return layers;
}

// A constant's last values, per group (point) and hidden layer, as one LearnedConstant: the mean
// over all of them, per layer the mean over the groups that have it.
LearnedConstant mean_of(const std::vector<std::vector<double>>& groups) {
  LearnedConstant c;
  c.groups = int64_t(groups.size());
  std::vector<size_t> counts;
  double sum = 0;
  size_t n = 0;
  for (const auto& layers : groups) {
    for (size_t l = 0; l < layers.size(); ++l) {
      if (!std::isfinite(layers[l])) continue;
      if (c.layers.size() <= l) {
        c.layers.resize(l + 1, 0.0);
        counts.resize(l + 1, 0);
      }
      c.layers[l] += layers[l];
      ++counts[l];
      sum += layers[l];
      ++n;
    }
  }
  for (size_t l = 0; l < c.layers.size(); ++l) {
    c.layers[l] = counts[l] > 0 ? c.layers[l] / double(counts[l]) : NAN;
  }
  c.value = sum / double(n);
  return c;
}

// The learnable constants of activation `label` as the sweep's summary.json groups left them
// (`learned`: per epoch and hidden layer, the mean over seeds): each group's last value per layer,
// averaged over the groups and layers.
LearnedConstants learned_constants(const Json& summary, const std::string& label) {
  std::map<std::string, std::vector<std::vector<double>>> lasts;  // constant -> group -> layer
  for (const Json& g : summary.value("groups", Json::array())) {
    if (g.value("activation", "") != label || !g.contains("learned")) continue;
    for (const auto& [name, series] : g.at("learned").items()) {
      std::vector<double> layers = last_per_layer(series);
      if (std::any_of(layers.begin(), layers.end(), [](double v) { return std::isfinite(v); })) {
        lasts[name].push_back(std::move(layers));
      }
    }
  }
  LearnedConstants out;
  for (const auto& [name, groups] : lasts) out[name] = mean_of(groups);
  return out;
}

// The activations of the sweep in `dir` (its config's, as its summary labels them), each with the
// constants it learned; InputError when DIR holds no sweep or no finished run.
std::vector<ActivationSpec> sweep_activations(const std::string& dir,
                                              std::vector<LearnedConstants>& learned) {
  const SweepView view = read_sweep(dir);
  if (view.summary.value("runs_finished", 0) == 0) {
    throw InputError("the sweep in " + dir +
                     " has no finished run, so no learned constants to draw; run it first "
                     "(`actbench show " +
                     dir + "` says how far it is)");
  }
  if (!view.note.empty()) spdlog::warn("{}", view.note);
  const Json& entries = view.config.is_object() ? view.config.value("activations", Json()) : Json();
  if (!entries.is_array()) {
    throw InputError(dir + ": its config (plan.json or results.json) lists no activations");
  }
  std::vector<ActivationSpec> specs;
  for (size_t i = 0; i < entries.size(); ++i) {
    specs.push_back(
        resolve_activation(entries[i], dir + ": activations[" + std::to_string(i) + "]"));
    learned.push_back(learned_constants(view.summary, specs.back().label));
  }
  return specs;
}

int run_curves(const CurvesOptions& o) {
  std::vector<ActivationSpec> specs;
  std::vector<LearnedConstants> learned;
  if (!o.config.empty() && !o.activations.empty()) {
    throw InputError("give --config or --activations, not both");
  }
  if (o.sweep && (!o.config.empty() || !o.activations.empty())) {
    throw InputError(std::string("give --sweep or ") +
                     (o.config.empty() ? "--activations" : "--config") + ", not both");
  }
  // Held while the sweep is read and curves.json written into it: no run moves DIR's files to
  // history/ meanwhile.
  std::optional<DirReaderLock> reading;
  if (o.sweep) {
    if (o.sweep->empty()) throw InputError("--sweep is empty; give a sweep's directory");
    std::error_code ec;
    if (std::filesystem::is_directory(*o.sweep, ec)) reading.emplace(*o.sweep);
    specs = sweep_activations(*o.sweep, learned);
  } else if (!o.out) {
    throw InputError("--out is required (e.g. --out results/curves.json), or give --sweep DIR");
  } else if (!o.config.empty()) {
    specs = load_config(std::filesystem::path(o.config), {}).activations;
  } else if (o.activations.empty()) {
    for (const auto& a : activation_registry())
      specs.push_back(resolve_activation(a.name, "curves"));
  } else {
    specs = load_config(std::nullopt, {"activations=" + o.activations}).activations;
  }
  const std::filesystem::path path =
      o.out ? std::filesystem::path(*o.out) : std::filesystem::path(*o.sweep) / "curves.json";
  std::error_code ec;
  if (path.filename().empty() || std::filesystem::is_directory(path, ec)) {
    throw InputError("--out must name a file (e.g. --out results/curves.json), got '" +
                     path.string() + "'");
  }
  check_own_file(path, "actbench.curves/", "choose another --out");
  check_curves_memory(specs, o.grid.points);
  const Json curves = activation_curves(specs, o.grid.lo, o.grid.hi, o.grid.points, learned);
  ec.clear();  // is_directory() above sets it when --out does not exist yet
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    throw InputError("cannot create " + path.parent_path().string() + ": " + ec.message() +
                     "; choose another --out");
  }
  write_file_atomic(path, curves.dump() + "\n");
  size_t at_learned = 0;
  for (const Json& a : curves.at("activations")) at_learned += a.contains("learned");
  spdlog::info("{} activation curve(s) on [{}, {}] ({} points) written to {}{}", specs.size(),
               format_number(o.grid.lo), format_number(o.grid.hi), o.grid.points, path.string(),
               o.sweep ? fmt::format("; {} drawn at the constants the sweep in {} learned",
                                     at_learned, *o.sweep)
                       : std::string());
  print_curves_table(std::cout, curves);
  return kExitOk;
}

}  // namespace

void setup_curves(CLI::App& app, int& status) {
  auto options = std::make_shared<CurvesOptions>();
  CLI::App* cmd = add_command(
      app, "curves", "Each activation's value and derivative (by autograd) on a grid, as JSON",
      kCurvesExamples, status, [options] { return run_curves(*options); });
  cmd->add_option("--activations,-a", options->activations,
                  "comma list or YAML list, e.g. relu,tanh or \"[{name: elu, alpha: 2}]\" "
                  "(default: every registered activation)");
  cmd->add_option_function<std::string>(
      "--range", [options](const std::string& text) { parse_range(text, options->grid); },
      "LO:HI (default -6:6)");
  cmd->add_option_function<int64_t>(
      "--points",
      [options](int64_t points) {
        check_points(points);
        options->grid.points = points;
      },
      "grid points (default 601)");
  cmd->add_option("--config,-c", options->config,
                  "draw this config's activations (YAML or JSON), formulas included")
      ->type_name("CONFIG");
  cmd->add_option("--sweep", options->sweep,
                  "draw this sweep's activations at the constants they learned")
      ->type_name("DIR");
  cmd->add_option("--out,-o", options->out,
                  "JSON file to write (with --sweep, default DIR/curves.json)")
      ->type_name("FILE");
}

}  // namespace actbench::cli
