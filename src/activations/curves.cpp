#include "activations/curves.h"

#include <cmath>
#include <regex>

#include <fmt/format.h>

#include <torch/torch.h>

#include "activations/derivative.h"
#include "activations/registry.h"
#include "util/error.h"
#include "util/table.h"
#include "util/text.h"

namespace actbench {

namespace {

// Where a config entry (activation_to_json) holds the initial value of the learned parameter
// `name`: a formula's learnable constant's `init`, PReLU's `init` for its `weight`; nullptr when
// the activation learns no such parameter.
nlohmann::json* initial_value_of(nlohmann::json& entry, const std::string& name) {
  if (entry.at("name") == "prelu") return name == "weight" ? &entry["init"] : nullptr;
  if (!entry.contains("params") || !entry["params"].is_object()) return nullptr;
  nlohmann::json& constants = entry["params"];
  if (!constants.contains(name) || !constants[name].is_object()) return nullptr;
  nlohmann::json& constant = constants[name];
  if (!constant.value("learnable", false) || !constant.contains("init")) return nullptr;
  return &constant["init"];
}

nlohmann::json learned_json(const LearnedConstants& learned) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, c] : learned) {
    out[name] = {{"value", c.value}, {"layers", c.layers}, {"groups", c.groups}};
  }
  return out;
}

}  // namespace

ActivationSpec spec_at_learned(const ActivationSpec& spec, const LearnedConstants& learned,
                               LearnedConstants* applied) {
  nlohmann::json entry = activation_to_json(spec);
  for (const auto& [name, constant] : learned) {
    nlohmann::json* init = initial_value_of(entry, name);
    if (init == nullptr || !std::isfinite(constant.value)) continue;
    *init = constant.value;
    if (applied != nullptr) (*applied)[name] = constant;
  }
  return resolve_activation(entry, spec.label + " at its learned constants");
}

nlohmann::json activation_curves(const std::vector<ActivationSpec>& given, double lo, double hi,
                                 int64_t points, const std::vector<LearnedConstants>& learned) {
  std::vector<ActivationSpec> specs;
  std::vector<LearnedConstants> drawn(given.size());
  for (size_t i = 0; i < given.size(); ++i) {
    specs.push_back(i < learned.size() && !learned[i].empty()
                        ? spec_at_learned(given[i], learned[i], &drawn[i])
                        : given[i]);
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::linspace(lo, hi, points, torch::kDouble);
  const torch::Tensor x_in = x.to(torch::kFloat).unsqueeze(1);  // [points, 1]: one unit
  nlohmann::json acts = nlohmann::json::array();
  for (size_t i = 0; i < specs.size(); ++i) {
    const ActivationSpec& spec = specs[i];
    torch::nn::AnyModule act = make_activation(spec, 1);
    act.ptr()->eval();  // RReLU: its deterministic test-time slope
    auto [y, dy] = activation_with_derivative(act, x_in);
    const double max_d = max_abs_derivative(act, 1);
    const torch::Tensor y64 = y.squeeze(1).to(torch::kDouble).contiguous();
    const torch::Tensor d64 = dy.squeeze(1).to(torch::kDouble).contiguous();
    // Saturated: the output approaching a bound of the activation (saturation_bands).
    const double saturated =
        saturation_bands(act, 1).saturated(y).to(torch::kDouble).mean().item<double>();
    acts.push_back(
        {{"name", spec.name},
         {"label", spec.label},
         {"params", spec.params},
         {"formula", activation_formula(spec)},
         {"y", std::vector<double>(y64.data_ptr<double>(), y64.data_ptr<double>() + points)},
         {"dy", std::vector<double>(d64.data_ptr<double>(), d64.data_ptr<double>() + points)},
         {"max_derivative", max_d},
         {"saturated_fraction", saturated}});
    if (!drawn[i].empty()) acts.back()["learned"] = learned_json(drawn[i]);
  }
  const torch::Tensor xc = x.contiguous();
  return {{"schema", kCurvesSchema},
          {"range", {lo, hi}},
          {"points", points},
          {"x", std::vector<double>(xc.data_ptr<double>(), xc.data_ptr<double>() + points)},
          {"activations", acts}};
}

void parse_range(const std::string& text, CurveGrid& grid) {
  std::smatch m;
  const std::string number = "\\s*([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\\s*";
  if (!std::regex_match(text, m, std::regex(number + ":" + number))) {
    throw InputError("--range must be LO:HI, e.g. --range -6:6, got '" + text + "'");
  }
  const double lo = std::stod(m[1].str()), hi = std::stod(m[2].str());
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi)) {
    throw InputError("--range needs LO < HI, got '" + text + "'");
  }
  grid.lo = lo;
  grid.hi = hi;
}

void check_points(int64_t points) {
  if (points < 2 || points > 1000000) {
    throw InputError("--points must be between 2 and 1000000, got " + std::to_string(points));
  }
}

void print_curves_table(std::ostream& out, const nlohmann::json& curves) {
  const auto& x = curves.at("x");
  size_t zero = 0;  // the grid point nearest 0
  for (size_t i = 1; i < x.size(); ++i) {
    if (std::fabs(x[i].get<double>()) < std::fabs(x[zero].get<double>())) zero = i;
  }
  const double lo = curves.at("range")[0].get<double>(), hi = curves.at("range")[1].get<double>();
  using A = Table::Align;
  Table table({"activation", "min", "max", "f'(0)", "max |f'|", "saturated (near a bound)"},
              {A::kLeft, A::kRight, A::kRight, A::kRight, A::kRight});
  auto g4 = [](double v) { return fmt::format("{:.4g}", v); };
  for (const auto& a : curves.at("activations")) {
    double mn = INFINITY, mx = -INFINITY;
    for (const auto& v : a.at("y")) {
      mn = std::min(mn, v.get<double>());
      mx = std::max(mx, v.get<double>());
    }
    table.add({a.at("label").get<std::string>(), g4(mn), g4(mx), g4(a.at("dy")[zero].get<double>()),
               g4(a.at("max_derivative").get<double>()),
               fmt::format("{:5.1f}% of [{}, {}]", 100.0 * a.at("saturated_fraction").get<double>(),
                           format_number(lo), format_number(hi))});
  }
  table.print(out);
}

}  // namespace actbench
