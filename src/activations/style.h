// TEMPORARY until the registry carries styles (branch model-forward).
#pragma once
#include <string>
#include <nlohmann/json.hpp>
#include "activations/registry.h"
namespace actbench {
struct ActivationStyle {
  std::string color;
  nlohmann::json dash;
  std::string marker;
};
ActivationStyle activation_style(const ActivationSpec& spec);
}  // namespace actbench
