// `actbench curves`: each activation's value and derivative on a grid, as JSON and a table.
#include <iostream>

#include <spdlog/spdlog.h>

#include "activations/curves.h"
#include "cli/subcommands.h"
#include "config/config.h"
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
  actbench curves -a '[{name: formula, expr: "x * tanh(softplus(x))"}]' -o mish.json)ex";

struct CurvesOptions {
  std::string activations;  // as the config's `activations` (empty: all, or the config's)
  std::string config;       // a config file whose activations to draw
  CurveGrid grid;
  std::string out;
};

int run_curves(const CurvesOptions& o) {
  std::vector<ActivationSpec> specs;
  if (!o.config.empty() && !o.activations.empty()) {
    throw InputError("give --config or --activations, not both");
  }
  if (!o.config.empty()) {
    specs = load_config(std::filesystem::path(o.config), {}).activations;
  } else if (o.activations.empty()) {
    for (const auto& a : activation_registry())
      specs.push_back(resolve_activation(a.name, "curves"));
  } else {
    specs = load_config(std::nullopt, {"activations=" + o.activations}).activations;
  }
  const std::filesystem::path path(o.out);
  std::error_code ec;
  if (path.filename().empty() || std::filesystem::is_directory(path, ec)) {
    throw InputError("--out must name a file (e.g. --out results/curves.json), got '" + o.out +
                     "'");
  }
  check_own_file(path, "actbench.curves/", "choose another --out");
  const Json curves = activation_curves(specs, o.grid.lo, o.grid.hi, o.grid.points);
  ec.clear();  // is_directory() above sets it when --out does not exist yet
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    throw InputError("cannot create " + path.parent_path().string() + ": " + ec.message() +
                     "; choose another --out");
  }
  write_file_atomic(path, curves.dump() + "\n");
  spdlog::info("{} activation curve(s) on [{}, {}] ({} points) written to {}", specs.size(),
               format_number(o.grid.lo), format_number(o.grid.hi), o.grid.points, path.string());
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
  cmd->add_option("--out,-o", options->out, "JSON file to write")->required()->type_name("FILE");
}

}  // namespace actbench::cli
