#include "analysis/curves.h"

#include <cmath>
#include <cstdio>

#include <torch/torch.h>

#include "activations/derivative.h"
#include "activations/registry.h"
#include "util/text.h"

namespace actbench {

nlohmann::json activation_curves(const std::vector<ActivationSpec>& specs, double lo, double hi,
                                 int64_t points) {
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::linspace(lo, hi, points, torch::kDouble);
  const torch::Tensor x_in = x.to(torch::kFloat).unsqueeze(1);  // [points, 1]: one unit
  nlohmann::json acts = nlohmann::json::array();
  for (const auto& spec : specs) {
    torch::nn::AnyModule act = make_activation(spec, 1);
    act.ptr()->eval();  // RReLU: its deterministic test-time slope
    auto [y, dy] = activation_with_derivative(act, x_in);
    const double max_d = max_abs_derivative(act, 1);
    const torch::Tensor y64 = y.squeeze(1).to(torch::kDouble).contiguous();
    const torch::Tensor d64 = dy.squeeze(1).to(torch::kDouble).contiguous();
    const double saturated = d64.abs().lt(0.05 * max_d).to(torch::kDouble).mean().item<double>();
    const ActivationInfo* info = find_activation(spec.name);
    acts.push_back(
        {{"name", spec.name},
         {"label", spec.label},
         {"params", spec.params},
         {"formula", info ? info->formula : ""},
         {"y", std::vector<double>(y64.data_ptr<double>(), y64.data_ptr<double>() + points)},
         {"dy", std::vector<double>(d64.data_ptr<double>(), d64.data_ptr<double>() + points)},
         {"max_derivative", max_d},
         {"saturated_fraction", saturated}});
  }
  const torch::Tensor xc = x.contiguous();
  return {{"schema", kCurvesSchema},
          {"range", {lo, hi}},
          {"points", points},
          {"x", std::vector<double>(xc.data_ptr<double>(), xc.data_ptr<double>() + points)},
          {"activations", acts}};
}

void print_curves_table(std::ostream& out, const nlohmann::json& curves) {
  const auto& x = curves.at("x");
  size_t zero = 0;  // the grid point nearest 0
  for (size_t i = 1; i < x.size(); ++i) {
    if (std::fabs(x[i].get<double>()) < std::fabs(x[zero].get<double>())) zero = i;
  }
  size_t label_w = 10;
  for (const auto& a : curves.at("activations")) {
    label_w = std::max(label_w, a.at("label").get<std::string>().size());
  }
  char line[512];
  std::snprintf(line, sizeof line, "%-*s  %10s  %10s  %10s  %13s  %s\n", int(label_w), "activation",
                "min", "max", "f'(0)", "max |f'|", "saturated (|f'| < 5% of max)");
  out << line;
  const double lo = curves.at("range")[0].get<double>(), hi = curves.at("range")[1].get<double>();
  for (const auto& a : curves.at("activations")) {
    double mn = INFINITY, mx = -INFINITY;
    for (const auto& v : a.at("y")) {
      mn = std::min(mn, v.get<double>());
      mx = std::max(mx, v.get<double>());
    }
    std::snprintf(line, sizeof line, "%-*s  %10.4g  %10.4g  %10.4g  %13.4g  %5.1f%% of [%s, %s]\n",
                  int(label_w), a.at("label").get<std::string>().c_str(), mn, mx,
                  a.at("dy")[zero].get<double>(), a.at("max_derivative").get<double>(),
                  100.0 * a.at("saturated_fraction").get<double>(), format_number(lo).c_str(),
                  format_number(hi).c_str());
    out << line;
  }
}

}  // namespace actbench
