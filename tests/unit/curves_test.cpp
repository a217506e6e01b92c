// The activation curves (activations/curves.h): each activation's values and derivatives against
// closed forms, and the saturated fractions the diagnostics use. (The `curves` command:
// e2e/curves_cli_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "activations/curves.h"
#include "activations/registry.h"
#include "test_support.h"

namespace {

using actbench::Json;

double phi(double x) {
  return std::exp(-x * x / 2) / std::sqrt(2 * M_PI);
}
double Phi(double x) {
  return 0.5 * (1 + std::erf(x / std::sqrt(2.0)));
}
double sigm(double x) {
  return 1 / (1 + std::exp(-x));
}

TEST(Curves, DerivativesMatchTheirClosedForms) {
  std::vector<actbench::ActivationSpec> specs;
  for (const Json& e :
       {Json("relu"), Json("sigmoid"), Json("tanh"),
        Json{{"name", "leaky_relu"}, {"negative_slope", 0.2}}, Json("elu"), Json("softplus"),
        Json("silu"), Json("gelu"), Json("hardtanh"), Json("identity")}) {
    specs.push_back(actbench::resolve_activation(e, "test"));
  }
  const Json c = actbench::activation_curves(specs, -3.0, 3.0, 61);
  EXPECT_EQ(c["schema"], "actbench.curves/1");
  ASSERT_EQ(c["x"].size(), 61u);
  EXPECT_DOUBLE_EQ(c["x"][0].get<double>(), -3.0);
  EXPECT_DOUBLE_EQ(c["x"][60].get<double>(), 3.0);
  const std::map<std::string, std::function<double(double)>> value{
      {"relu", [](double x) { return std::max(0.0, x); }},
      {"sigmoid", sigm},
      {"tanh", [](double x) { return std::tanh(x); }},
      {"leaky_relu", [](double x) { return x > 0 ? x : 0.2 * x; }},
      {"elu", [](double x) { return x > 0 ? x : std::exp(x) - 1; }},
      {"softplus", [](double x) { return std::log1p(std::exp(x)); }},
      {"silu", [](double x) { return x * sigm(x); }},
      {"gelu", [](double x) { return x * Phi(x); }},
      {"hardtanh", [](double x) { return std::clamp(x, -1.0, 1.0); }},
      {"identity", [](double x) { return x; }},
  };
  const std::map<std::string, std::function<double(double)>> derivative{
      {"relu", [](double x) { return x > 0 ? 1.0 : 0.0; }},
      {"sigmoid", [](double x) { return sigm(x) * (1 - sigm(x)); }},
      {"tanh", [](double x) { return 1 - std::tanh(x) * std::tanh(x); }},
      {"leaky_relu", [](double x) { return x > 0 ? 1.0 : 0.2; }},
      {"elu", [](double x) { return x > 0 ? 1.0 : std::exp(x); }},
      {"softplus", sigm},
      {"silu", [](double x) { return sigm(x) * (1 + x * (1 - sigm(x))); }},
      {"gelu", [](double x) { return Phi(x) + x * phi(x); }},
      {"hardtanh", [](double x) { return std::fabs(x) < 1 ? 1.0 : 0.0; }},
      {"identity", [](double) { return 1.0; }},
  };
  ASSERT_EQ(c["activations"].size(), specs.size());
  for (const auto& a : c["activations"]) {
    const std::string name = a["name"];
    SCOPED_TRACE(name);
    for (size_t i = 0; i < 61; ++i) {
      const double x = c["x"][i].get<double>();
      if (std::fabs(x) < 1e-9 || std::fabs(std::fabs(x) - 1) < 1e-9) continue;  // kinks
      EXPECT_NEAR(a["y"][i].get<double>(), value.at(name)(x), 2e-6) << "x=" << x;
      EXPECT_NEAR(a["dy"][i].get<double>(), derivative.at(name)(x), 2e-6) << "x=" << x;
    }
  }
  // Saturation as the diagnostics define it: the output within 5% of the way from f(0) to a
  // finite limit of f. Sigmoid: y >= 0.975 only for |x| > ln 39 = 3.66: never on [-3, 3]. Tanh:
  // |y| >= 0.95 for |x| >= atanh 0.95 = 1.83: the grid points +-1.9 ... +-3.0, 24 of 61. ReLU:
  // y = 0, x <= 0: 30 or 31 of 61. LeakyReLU and identity have no bound: never.
  const Json& s = c["activations"][1];
  EXPECT_NEAR(s["max_derivative"].get<double>(), 0.25, 1e-6);
  EXPECT_EQ(s["saturated_fraction"].get<double>(), 0.0);
  EXPECT_NEAR(c["activations"][2]["saturated_fraction"].get<double>(), 24.0 / 61.0, 1e-12);
  size_t nonpositive = 0;  // the grid's 0 may land a hair above 0 in float
  for (const auto& x : c["x"]) nonpositive += static_cast<float>(x.get<double>()) <= 0.0f;
  EXPECT_GE(nonpositive, 30u);
  EXPECT_NEAR(c["activations"][0]["saturated_fraction"].get<double>(), nonpositive / 61.0, 1e-12);
  EXPECT_EQ(c["activations"][3]["saturated_fraction"].get<double>(), 0.0);      // leaky_relu
  EXPECT_EQ(c["activations"].back()["saturated_fraction"].get<double>(), 0.0);  // identity
  EXPECT_EQ(c["activations"][3]["params"]["negative_slope"], 0.2);
}

}  // namespace
