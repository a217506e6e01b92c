// Activation registry: every entry computes its documented function (checked against closed forms
// written here, independently of LibTorch), names resolve the way users write them, and bad
// entries give errors that list what is valid.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "activations/registry.h"
#include "test_support.h"
#include "util/error.h"
#include "util/text.h"

namespace {

using actbench::ActivationSpec;
using actbench::Json;
using actbench_test::input_error_message;
using ::testing::HasSubstr;

using ClosedForm = std::function<double(double x, const Json& params)>;

double p(const Json& params, const char* key) {
  return params.at(key).get<double>();
}
double sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}
double softplus(double x) {
  return std::log1p(std::exp(x));
}

// One closed form per registry entry, from the textbook definitions (PyTorch's documentation).
const std::map<std::string, ClosedForm>& closed_forms() {
  static const std::map<std::string, ClosedForm> forms{
      {"relu", [](double x, const Json&) { return x > 0 ? x : 0.0; }},
      {"sigmoid", [](double x, const Json&) { return sigmoid(x); }},
      {"tanh", [](double x, const Json&) { return std::tanh(x); }},
      {"leaky_relu",
       [](double x, const Json& q) { return x >= 0 ? x : p(q, "negative_slope") * x; }},
      {"elu",
       [](double x, const Json& q) { return x > 0 ? x : p(q, "alpha") * (std::exp(x) - 1.0); }},
      {"selu",
       [](double x, const Json&) {
         const double scale = 1.0507009873554804934193349852946;
         const double alpha = 1.6732632423543772848170429916717;
         return scale * (x > 0 ? x : alpha * (std::exp(x) - 1.0));
       }},
      {"celu",
       [](double x, const Json& q) {
         const double a = p(q, "alpha");
         return std::max(0.0, x) + std::min(0.0, a * (std::exp(x / a) - 1.0));
       }},
      {"gelu",
       [](double x, const Json& q) {
         if (q.at("approximate") == "tanh") {
           const double k = std::sqrt(2.0 / M_PI);
           return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
         }
         return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
       }},
      {"silu", [](double x, const Json&) { return x * sigmoid(x); }},
      {"mish", [](double x, const Json&) { return x * std::tanh(softplus(x)); }},
      {"softplus",
       [](double x, const Json& q) {
         const double b = p(q, "beta");
         return b * x > p(q, "threshold") ? x : std::log1p(std::exp(b * x)) / b;
       }},
      {"softsign", [](double x, const Json&) { return x / (1.0 + std::fabs(x)); }},
      {"hardtanh",
       [](double x, const Json& q) {
         return std::min(std::max(x, p(q, "min_val")), p(q, "max_val"));
       }},
      {"relu6", [](double x, const Json&) { return std::min(std::max(0.0, x), 6.0); }},
      {"hardsigmoid",
       [](double x, const Json&) { return std::min(std::max(x / 6.0 + 0.5, 0.0), 1.0); }},
      {"hardswish",
       [](double x, const Json&) { return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0; }},
      {"logsigmoid", [](double x, const Json&) { return std::log(sigmoid(x)); }},
      {"tanhshrink", [](double x, const Json&) { return x - std::tanh(x); }},
      {"hardshrink",
       [](double x, const Json& q) { return std::fabs(x) > p(q, "lambda") ? x : 0.0; }},
      {"softshrink",
       [](double x, const Json& q) {
         const double l = p(q, "lambda");
         return x > l ? x - l : x < -l ? x + l : 0.0;
       }},
      {"threshold",
       [](double x, const Json& q) { return x > p(q, "threshold") ? x : p(q, "value"); }},
      {"rrelu",  // in eval mode: the mean slope
       [](double x, const Json& q) {
         return x >= 0 ? x : x * (p(q, "lower") + p(q, "upper")) / 2.0;
       }},
      {"prelu", [](double x, const Json& q) { return x >= 0 ? x : p(q, "init") * x; }},
      {"identity", [](double x, const Json&) { return x; }},
  };
  return forms;
}

const std::vector<double> kPoints{-7, -3, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 3, 7};

ActivationSpec resolve(const Json& entry) {
  return actbench::resolve_activation(entry, "test");
}

// Builds `entry` through the registry and compares it with its closed form at kPoints.
void expect_matches_closed_form(const Json& entry) {
  const int64_t width = int64_t(kPoints.size());
  SCOPED_TRACE(entry.dump());
  const ActivationSpec spec = resolve(entry);
  auto form = closed_forms().find(spec.name);
  ASSERT_NE(form, closed_forms().end()) << "no closed form for " << spec.name;
  torch::nn::AnyModule module = actbench::make_activation(spec, width);
  module.ptr()->eval();  // rrelu: deterministic mean slope
  // One row of kPoints.size() units: a hidden layer's activations for one example.
  torch::Tensor x = torch::tensor(std::vector<float>(kPoints.begin(), kPoints.end()))
                        .reshape({1, int64_t(kPoints.size())});
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    y = module.forward(x);
  }
  ASSERT_EQ(y.sizes(), x.sizes());
  y = y.reshape({-1});
  ASSERT_EQ(y.scalar_type(), torch::kFloat);
  for (size_t i = 0; i < kPoints.size(); ++i) {
    const double want = form->second(kPoints[i], spec.params);
    const double got = y[int64_t(i)].item<double>();
    EXPECT_NEAR(got, want, 1e-5 * std::max(1.0, std::fabs(want)))
        << spec.name << "(" << kPoints[i] << ")";
  }
}

TEST(Activations, EveryRegistryEntryHasAClosedFormHere) {
  std::set<std::string> registry;
  for (const auto& a : actbench::activation_registry()) {
    registry.insert(a.name);
    EXPECT_EQ(closed_forms().count(a.name), 1u)
        << "registry entry '" << a.name << "' has no closed form in activations_test.cpp";
  }
  for (const auto& [name, form] : closed_forms()) {
    EXPECT_EQ(registry.count(name), 1u) << "closed form for '" << name << "' not in registry";
  }
  EXPECT_GE(registry.size(), 20u);
}

TEST(Activations, EveryEntryMatchesItsClosedFormWithDefaultParams) {
  for (const auto& a : actbench::activation_registry()) expect_matches_closed_form(a.name);
}

TEST(Activations, NonDefaultParamsAreApplied) {
  expect_matches_closed_form({{"name", "leaky_relu"}, {"negative_slope", 0.2}});
  expect_matches_closed_form({{"name", "elu"}, {"alpha", 0.5}});
  expect_matches_closed_form({{"name", "celu"}, {"alpha", 2.0}});
  expect_matches_closed_form({{"name", "hardtanh"}, {"min_val", -2.0}, {"max_val", 0.5}});
  expect_matches_closed_form({{"name", "softplus"}, {"beta", 2.0}});
  expect_matches_closed_form({{"name", "softplus"}, {"beta", 1.0}, {"threshold", 0.5}});
  expect_matches_closed_form({{"name", "gelu"}, {"approximate", "tanh"}});
  expect_matches_closed_form({{"name", "hardshrink"}, {"lambda", 1.0}});
  expect_matches_closed_form({{"name", "softshrink"}, {"lambda", 1.0}});
  expect_matches_closed_form({{"name", "threshold"}, {"threshold", 0.5}, {"value", -2.0}});
  expect_matches_closed_form({{"name", "rrelu"}, {"lower", 0.1}, {"upper", 0.5}});
  expect_matches_closed_form({{"name", "prelu"}, {"init", 0.1}});
  expect_matches_closed_form({{"name", "prelu"}, {"init", -0.5}, {"per_unit", true}});
}

TEST(Activations, NonDefaultParamsChangeTheOutput) {
  // Guards the test above: a registry that ignored the parameter would fail here even if the
  // closed form had the same bug.
  auto at = [](const Json& entry, float x) {
    auto m = actbench::make_activation(resolve(entry), 1);
    m.ptr()->eval();
    return m.forward(torch::tensor({x})).item<double>();
  };
  EXPECT_NEAR(at({{"name", "leaky_relu"}, {"negative_slope", 0.2}}, -1.0f), -0.2, 1e-6);
  EXPECT_NEAR(at("leaky_relu", -1.0f), -0.01, 1e-6);
  EXPECT_NEAR(at({{"name", "hardshrink"}, {"lambda", 1.0}}, 0.75f), 0.0, 1e-6);
  EXPECT_NEAR(at("hardshrink", 0.75f), 0.75, 1e-6);
}

TEST(Activations, RReLUTrainingModeDrawsSlopesWithinBounds) {
  auto m =
      actbench::make_activation(resolve({{"name", "rrelu"}, {"lower", 0.1}, {"upper", 0.3}}), 1);
  m.ptr()->train();
  torch::Tensor x = -torch::ones({1000});
  torch::Tensor y = m.forward(x);
  EXPECT_GE(y.min().item<double>(), -0.3 - 1e-6);
  EXPECT_LE(y.max().item<double>(), -0.1 + 1e-6);
  EXPECT_GT((y.max() - y.min()).item<double>(), 0.05);  // really random in training
}

TEST(Activations, LookupIgnoresCaseUnderscoresAndHyphens) {
  auto name_of = [](const std::string& n) {
    const auto* info = actbench::find_activation(n);
    return info ? info->name : std::string("<none>");
  };
  EXPECT_EQ(name_of("LeakyReLU"), "leaky_relu");
  EXPECT_EQ(name_of("leaky-relu"), "leaky_relu");
  EXPECT_EQ(name_of("LEAKY_RELU"), "leaky_relu");
  EXPECT_EQ(name_of("lrelu"), "leaky_relu");
  EXPECT_EQ(name_of("ReLU"), "relu");
  EXPECT_EQ(name_of("GELU"), "gelu");
  EXPECT_EQ(name_of("swish"), "silu");
  EXPECT_EQ(name_of("linear"), "identity");
  EXPECT_EQ(name_of("none"), "identity");
  EXPECT_EQ(name_of("logistic"), "sigmoid");
  EXPECT_EQ(name_of("Hard-Swish"), "hardswish");
  EXPECT_EQ(name_of("relu7"), "<none>");
  EXPECT_EQ(name_of(""), "<none>");
}

TEST(Activations, EveryCanonicalNameAndAliasResolvesToItsEntry) {
  std::set<std::string> seen;
  for (const auto& a : actbench::activation_registry()) {
    EXPECT_TRUE(seen.insert(actbench::name_key(a.name)).second) << a.name;
    EXPECT_EQ(actbench::find_activation(a.name), &a);
    for (const auto& alias : a.aliases) EXPECT_EQ(actbench::find_activation(alias), &a) << alias;
  }
}

TEST(Activations, UnknownNameListsValidNames) {
  std::string msg = input_error_message([] { resolve("tanhh"); });
  EXPECT_THAT(msg, HasSubstr("test: unknown activation 'tanhh'"));
  EXPECT_THAT(msg, HasSubstr("did you mean 'tanh'"));
  for (const auto& a : actbench::activation_registry()) EXPECT_THAT(msg, HasSubstr(a.name));
  msg = input_error_message([] { resolve(Json{{"alpha", 1.0}}); });
  EXPECT_THAT(msg, HasSubstr("missing 'name'"));
  msg = input_error_message([] { resolve(Json(3)); });
  EXPECT_THAT(msg, HasSubstr("test:"));
}

TEST(Activations, UnknownParamListsValidParams) {
  std::string msg = input_error_message([] { resolve({{"name", "softplus"}, {"alpha", 1}}); });
  EXPECT_THAT(msg, HasSubstr("unknown parameter 'alpha' for softplus"));
  EXPECT_THAT(msg, HasSubstr("beta, threshold"));
  msg = input_error_message([] { resolve({{"name", "relu"}, {"negative_slope", 0.1}}); });
  EXPECT_THAT(msg, HasSubstr("unknown parameter 'negative_slope' for relu"));
  EXPECT_THAT(msg, HasSubstr("relu takes no parameters"));
}

TEST(Activations, BadParamTypeOrRangeIsRejected) {
  struct Case {
    Json entry;
    std::string expected;
  };
  const std::vector<Case> cases{
      {{{"name", "elu"}, {"alpha", "big"}}, "parameter 'alpha' must be a number"},
      {{{"name", "leaky_relu"}, {"negative_slope", true}}, "parameter 'negative_slope' must be"},
      {{{"name", "gelu"}, {"approximate", "fast"}}, "must be one of none, tanh"},
      {{{"name", "gelu"}, {"approximate", 1}}, "parameter 'approximate' must be a string"},
      {{{"name", "prelu"}, {"per_unit", "yes"}}, "parameter 'per_unit' must be true or false"},
      {{{"name", "hardshrink"}, {"lambda", -1}}, "parameter 'lambda' must be >= 0"},
      {{{"name", "softplus"}, {"beta", 0}}, "parameter 'beta' must be >="},
      {{{"name", "hardtanh"}, {"min_val", 1}, {"max_val", -1}},
       "min_val must be less than max_val"},
      {{{"name", "rrelu"}, {"lower", 0.5}, {"upper", 0.1}}, "lower must not exceed upper"},
      {{{"name", "celu"}, {"alpha", 0}}, "alpha must not be 0"},
      {{{"name", "relu"}, {"label", ""}}, "'label' must be a non-empty string"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.entry.dump());
    std::string msg = input_error_message([&] { resolve(c.entry); });
    EXPECT_THAT(msg, HasSubstr("test:"));
    EXPECT_THAT(msg, HasSubstr(c.expected));
  }
}

TEST(Activations, PReLUHasOneParameterPerLayerOrPerUnit) {
  auto count = [](const torch::nn::AnyModule& m) {
    int64_t n = 0;
    for (const auto& t : m.ptr()->parameters()) n += t.numel();
    return n;
  };
  EXPECT_EQ(count(actbench::make_activation(resolve("prelu"), 128)), 1);
  EXPECT_EQ(count(actbench::make_activation(resolve({{"name", "prelu"}, {"per_unit", true}}), 128)),
            128);
  // Every other entry has no parameters of its own, and `learnable` says so.
  for (const auto& a : actbench::activation_registry()) {
    const int64_t n = count(actbench::make_activation(resolve(a.name), 16));
    EXPECT_EQ(n > 0, a.learnable) << a.name;
  }
}

TEST(Activations, PReLUSlopeReceivesGradient) {
  auto m = actbench::make_activation(resolve({{"name", "prelu"}, {"per_unit", true}}), 3);
  torch::Tensor x = torch::tensor({{-1.0f, -2.0f, 3.0f}, {-4.0f, 5.0f, 6.0f}});
  m.forward(x).sum().backward();
  auto params = m.ptr()->parameters();
  ASSERT_EQ(params.size(), 1u);
  ASSERT_TRUE(params[0].grad().defined());
  // d/da sum(a_j * x_ij for x_ij < 0) = sum of the negative inputs per unit.
  torch::Tensor expected = torch::tensor({-5.0f, -2.0f, 0.0f});
  EXPECT_TRUE(torch::allclose(params[0].grad(), expected)) << params[0].grad();
}

TEST(Activations, DefaultLabelsUseDisplayNameAndNonDefaultParams) {
  EXPECT_EQ(resolve("leaky_relu").label, "LeakyReLU");
  EXPECT_EQ(resolve("LeakyReLU").label, "LeakyReLU");
  EXPECT_EQ(resolve({{"name", "leaky_relu"}, {"negative_slope", 0.01}}).label, "LeakyReLU");
  EXPECT_EQ(resolve({{"name", "leaky_relu"}, {"negative_slope", 0.2}}).label,
            "LeakyReLU(negative_slope=0.2)");
  EXPECT_EQ(resolve({{"name", "hardtanh"}, {"min_val", -2}, {"max_val", 2}}).label,
            "Hardtanh(min_val=-2, max_val=2)");
  EXPECT_EQ(resolve({{"name", "gelu"}, {"approximate", "tanh"}}).label, "GELU(approximate=tanh)");
  EXPECT_EQ(resolve({{"name", "prelu"}, {"per_unit", true}}).label, "PReLU(per_unit=true)");
  EXPECT_EQ(resolve({{"name", "swish"}, {"label", "mine"}}).label, "mine");
  EXPECT_EQ(resolve("swish").label, "SiLU");
  EXPECT_EQ(resolve("swish").name, "silu");
}

TEST(Activations, ResolvedSpecHasEveryParamFilledIn) {
  const ActivationSpec s = resolve({{"name", "softplus"}, {"beta", 2}});
  EXPECT_EQ(s.params, (Json{{"beta", 2.0}, {"threshold", 20.0}}));
  const Json j = actbench::activation_to_json(s);
  EXPECT_EQ(j, (Json{{"name", "softplus"},
                     {"label", "Softplus(beta=2)"},
                     {"beta", 2.0},
                     {"threshold", 20.0}}));
}

// The fused engine differentiates with the entries' backward kernels: each gives exactly the dz
// autograd gets through the entry's module (same LibTorch kernel), at kinks, zeros and saturation.
TEST(Activations, BackwardKernelsEqualAutogradThroughTheModule) {
  torch::manual_seed(8);
  const torch::Tensor z =
      torch::cat({torch::randn({6, 5}) * 3, torch::tensor({{0.0f, -0.0f, 1e-8f, -50.0f, 50.0f}})});
  const torch::Tensor dh = torch::randn({7, 5});
  std::vector<ActivationSpec> specs;
  for (const auto& info : actbench::activation_registry()) specs.push_back(resolve(info.name));
  specs.push_back(resolve({{"name", "leaky_relu"}, {"negative_slope", 0.2}}));
  std::set<std::string> with_kernel;
  for (const ActivationSpec& spec : specs) {
    const actbench::ActivationInfo& info = actbench::activation_info(spec);
    if (!info.backward) continue;
    SCOPED_TRACE(spec.label);
    with_kernel.insert(spec.label);
    torch::nn::AnyModule act = actbench::make_activation(spec, 5);
    const torch::Tensor leaf = z.clone().requires_grad_(true);
    const torch::Tensor expected = torch::autograd::grad({act.forward(leaf)}, {leaf}, {dh})[0];
    torch::NoGradGuard no_grad;
    const torch::Tensor h = act.forward(z);
    EXPECT_TRUE(torch::equal(info.backward(dh, z, h, spec.params), expected));
  }
  EXPECT_EQ(with_kernel, (std::set<std::string>{"ReLU", "Sigmoid", "Tanh", "LeakyReLU",
                                                "LeakyReLU(negative_slope=0.2)", "Identity"}));
  // Learnable activations need autograd for their own parameters.
  EXPECT_FALSE(actbench::find_activation("prelu")->backward);
}

TEST(Activations, InitSlopeIsTheLeakySlopeAndZeroElsewhere) {
  EXPECT_EQ(
      actbench::activation_init_slope(resolve({{"name", "leaky_relu"}, {"negative_slope", 0.2}})),
      0.2);
  EXPECT_EQ(actbench::activation_init_slope(resolve("leaky_relu")), 0.01);
  for (const char* name : {"relu", "tanh", "prelu", "rrelu", "identity"}) {
    EXPECT_EQ(actbench::activation_init_slope(resolve(name)), 0.0) << name;
  }
}

// 64-bit FNV-1a, written out independently of the registry's.
uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

TEST(Activations, EveryEntryHasItsOwnStyleInDisplayOrder) {
  const auto& r = actbench::activation_registry();
  const std::vector<std::string> tutorial{"relu", "sigmoid", "tanh", "leaky_relu"};
  const std::vector<std::string> markers{"o", "s", "^", "D", "v", "P",
                                         "X", "*", "<", ">", "h", "p"};
  const std::vector<std::string> dashes{"solid", "dashed", "dashdot", "dotted"};
  ASSERT_GE(r.size(), tutorial.size());
  std::set<std::string> colors;
  std::set<std::pair<std::string, std::string>> dash_and_marker;
  for (size_t i = 0; i < r.size(); ++i) {
    SCOPED_TRACE(r[i].name);
    if (i < tutorial.size()) {
      EXPECT_EQ(r[i].name, tutorial[i]);
    }
    const ActivationSpec spec = resolve(r[i].name);
    EXPECT_EQ(actbench::activation_order(spec), i);
    const actbench::ActivationStyle s = actbench::activation_style(spec);
    EXPECT_EQ(s.color, r[i].style.color);
    EXPECT_EQ(s.dash, r[i].style.dash);
    EXPECT_EQ(s.marker, markers[i % markers.size()]);
    EXPECT_EQ(s.dash, dashes[(i + i / markers.size()) % dashes.size()]);
    EXPECT_THAT(s.color, ::testing::MatchesRegex("#[0-9a-f]{6}"));
    colors.insert(s.color);
    // In grey scale an entry is told apart by its line style and marker: no two share both.
    EXPECT_TRUE(dash_and_marker.insert({s.dash.get<std::string>(), s.marker}).second);
  }
  EXPECT_EQ(colors.size(), r.size());
  // The tutorial's four keep Okabe and Ito's colours; the rest are spread apart (below).
  const std::vector<std::string> okabe_ito{"#0072b2", "#d55e00", "#009e73", "#e69f00"};
  for (size_t i = 0; i < okabe_ito.size(); ++i) EXPECT_EQ(r[i].style.color, okabe_ito[i]);
  EXPECT_EQ(r[7].style.color, "#332288");
  EXPECT_EQ(actbench::activation_style(resolve("identity")).color, "#aa4499");
  // The tutorial's four: four line styles and four markers, so ReLU shows beside LeakyReLU.
  for (size_t i = 0; i < tutorial.size(); ++i) {
    EXPECT_EQ(r[i].style.dash, dashes[i]);
    EXPECT_EQ(r[i].style.marker, markers[i]);
  }
  EXPECT_EQ(actbench::activation_style(resolve("relu")).dash, "solid");
  EXPECT_EQ(actbench::activation_style(resolve("leaky_relu")).dash, "dotted");
  EXPECT_EQ(actbench::activation_style(resolve("leaky_relu")).marker, "D");
}

// The palette is a function, not a list as long as the registry: an entry added past the named
// colours still gets a style of its own.
TEST(Activations, PaletteServesAnyNumberOfEntriesEachDistinct) {
  const auto& r = actbench::activation_registry();
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(actbench::palette_style(i).color, r[i].style.color);
    EXPECT_EQ(actbench::palette_style(i).marker, r[i].style.marker);
  }
  std::set<std::string> colors;
  std::set<std::pair<std::string, std::string>> dash_and_marker;
  for (size_t i = 0; i < 200; ++i) {
    const actbench::ActivationStyle s = actbench::palette_style(i);
    EXPECT_THAT(s.color, ::testing::MatchesRegex("#[0-9a-f]{6}")) << i;
    EXPECT_TRUE(colors.insert(s.color).second) << i << " repeats colour " << s.color;
    if (i < 48) {
      EXPECT_TRUE(dash_and_marker.insert({s.dash.get<std::string>(), s.marker}).second) << i;
    }
  }
}

double delta_e(const std::string& a, const std::string& b) {
  return actbench::colour_difference(a, b);
}

// Twelve or more activations in one figure stay apart: no two of the first 16 entries' colours
// closer than 27 Delta E (the eye tells 10 apart in thin lines only with effort), none of 24
// closer than 15, none too light to read on white.
TEST(Activations, PaletteColoursStayApartOnWhite) {
  // The distance itself is right: black to white, and a published sRGB -> CIELAB pair.
  EXPECT_NEAR(delta_e("#000000", "#ffffff"), 100.0, 1e-3);
  const auto red = actbench::cielab("#ff0000");
  EXPECT_NEAR(red[0], 53.24, 0.05);
  EXPECT_NEAR(red[1], 80.09, 0.1);
  EXPECT_NEAR(red[2], 67.20, 0.1);
  for (size_t n : {16, 24}) {
    double closest = 1e9;
    for (size_t i = 0; i < n; ++i) {
      EXPECT_LE(actbench::cielab(actbench::palette_style(i).color)[0], 72.5) << i;
      for (size_t j = 0; j < i; ++j) {
        closest = std::min(
            closest, delta_e(actbench::palette_style(i).color, actbench::palette_style(j).color));
      }
    }
    EXPECT_GE(closest, n == 16 ? 27.0 : 15.0) << "the first " << n << " entries";
  }
}

// One sweep's labels never share a look: formulas and variants each get a colour of their own
// while there are free ones, and a (dash, marker) of their own always; the registry's labels
// keep their entry's style.
TEST(Activations, DistinctStylesWithinOneSweep) {
  std::vector<ActivationSpec> specs{resolve("relu"), resolve("tanh")};
  for (int i = 0; i < 14; ++i) {
    specs.push_back(
        resolve({{"name", "formula"}, {"expr", "x * sigmoid(" + std::to_string(i + 1) + " * x)"}}));
  }
  for (double slope : {0.1, 0.2, 0.3}) {
    specs.push_back(resolve({{"name", "leaky_relu"}, {"negative_slope", slope}}));
  }
  const auto styles = actbench::distinct_styles(specs);
  ASSERT_EQ(styles.size(), specs.size());
  EXPECT_EQ(styles[0].color, actbench::activation_style(specs[0]).color);
  EXPECT_EQ(styles[1].marker, actbench::activation_style(specs[1]).marker);
  std::set<std::pair<std::string, std::string>> lines;
  std::set<std::string> markers;
  size_t far_apart = 0;  // labels whose colour is far from every earlier label's
  for (size_t i = 0; i < styles.size(); ++i) {
    EXPECT_TRUE(lines.insert({styles[i].dash.dump(), styles[i].marker}).second) << i;
    bool far = true;
    for (size_t j = 0; j < i; ++j) far = far && delta_e(styles[i].color, styles[j].color) >= 12;
    far_apart += far;
    if (specs[i].name == "formula") markers.insert(styles[i].marker);
  }
  // ReLU, Tanh, and then a far colour for each label while the hashed colours far from the
  // sweep's last (those near #0072b2 or #009e73 are skipped, not used).
  EXPECT_GE(far_apart, 2u + 9u);
  EXPECT_GT(markers.size(), 1u);  // formulas are not all circles
  // A label alone keeps its own hashed style; the first of a list too.
  EXPECT_EQ(actbench::distinct_styles({specs[2]})[0].color,
            actbench::activation_style(specs[2]).color);
}

TEST(Activations, OtherLabelsGetAHashedColourAndDashAndTheEntrysMarker) {
  const std::vector<std::string> colors{"#ee7733", "#0077bb", "#33bbee", "#ee3377",
                                        "#cc3311", "#009988", "#77aadd", "#aaaa00",
                                        "#44bb99", "#bbcc33", "#ee8866", "#ffaabb"};
  const std::vector<Json> dashes{{1, 1}, {5, 1}, {3, 1, 1, 1}, {6, 2, 2, 2}};
  for (const Json& entry : {Json{{"name", "leaky_relu"}, {"negative_slope", 0.2}},
                            Json{{"name", "relu"}, {"label", "mine"}},
                            Json{{"name", "gelu"}, {"approximate", "tanh"}}}) {
    const ActivationSpec spec = resolve(entry);
    SCOPED_TRACE(spec.label);
    const uint64_t h = fnv1a(spec.label);
    const actbench::ActivationStyle s = actbench::activation_style(spec);
    EXPECT_EQ(s.color, colors[h % 12]);
    EXPECT_EQ(s.dash, dashes[(h / 12) % 4]);
    EXPECT_EQ(s.marker, actbench::activation_info(spec).style.marker);
    EXPECT_NE(s.color, actbench::activation_info(spec).style.color);
  }
  // Colours no entry uses.
  for (const auto& entry : actbench::activation_registry()) {
    EXPECT_EQ(std::count(colors.begin(), colors.end(), entry.style.color), 0) << entry.name;
  }
  EXPECT_EQ(fnv1a("a"), 0xaf63dc4c8601ec8cull);  // the published test vector
}

}  // namespace
