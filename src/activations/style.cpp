#include "activations/style.h"
namespace actbench {
ActivationStyle activation_style(const ActivationSpec& spec) {
  static const std::vector<std::string> colors{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#e7ba52", "#ad494a", "#6b6ecf", "#000000"};
  const auto& reg = activation_registry();
  for (size_t i = 0; i < reg.size(); ++i) {
    if (reg[i].name == spec.name && reg[i].display == spec.label) {
      return {colors[i % colors.size()], i < 10 ? "solid" : i < 20 ? "dashed" : "dashdot", "o"};
    }
  }
  return {"#5254a3", nlohmann::json::array({5, 1}), "o"};
}
}  // namespace actbench
