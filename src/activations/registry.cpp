#include "activations/registry.h"

#include <limits>
#include <stdexcept>
#include <utility>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include "activations/formula.h"
#include "util/error.h"
#include "util/text.h"

namespace actbench {
namespace {

namespace nn = torch::nn;

// For activations LibTorch has as functions but not as C++ modules (Hardsigmoid, Hardswish).
class FunctionalActivationImpl : public nn::Cloneable<FunctionalActivationImpl> {
 public:
  FunctionalActivationImpl(std::string name, std::function<torch::Tensor(const torch::Tensor&)> fn)
      : name_(std::move(name)), fn_(std::move(fn)) {}
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& x) { return fn_(x); }
  void pretty_print(std::ostream& os) const override { os << name_ << "()"; }

 private:
  std::string name_;
  std::function<torch::Tensor(const torch::Tensor&)> fn_;
};
TORCH_MODULE(FunctionalActivation);

// RReLU whose random slopes come from its own generator, seeded from the global one when the
// module is built (under the run's seed). LibTorch's nn::RReLU draws from the process-wide
// generator at every step, so two runs training side by side would change each other's numbers.
class SeededRReLUImpl : public nn::Cloneable<SeededRReLUImpl> {
 public:
  SeededRReLUImpl(double lower, double upper) : lower_(lower), upper_(upper) { reset(); }
  void reset() override {
    const auto seed =
        torch::randint(std::numeric_limits<int64_t>::max(), {1}, torch::kLong).item<int64_t>();
    generator_ = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    // The CPU generator serves CPU tensors; on CUDA the device's default generator is used.
    if (x.is_cpu()) return torch::rrelu(x, lower_, upper_, is_training(), generator_);
    return torch::rrelu(x, lower_, upper_, is_training());
  }
  void pretty_print(std::ostream& os) const override {
    os << "RReLU(lower=" << lower_ << ", upper=" << upper_ << ")";
  }
  at::Generator& generator() { return generator_; }

 private:
  double lower_, upper_;
  at::Generator generator_;
};
TORCH_MODULE(SeededRReLU);

double num(const Json& p, const char* key) {
  return p.at(key).get<double>();
}

ParamInfo number(std::string name, double def, std::string help, std::optional<double> min = {},
                 std::optional<double> max = {}) {
  return {std::move(name), ParamKind::kNumber, def, std::move(help), min, max, {}};
}

ActivationInfo entry(std::string name, std::string display, std::string formula,
                     std::vector<std::string> aliases = {}) {
  ActivationInfo info;
  info.name = std::move(name);
  info.display = std::move(display);
  info.formula = std::move(formula);
  info.aliases = std::move(aliases);
  return info;
}

// An activation without parameters, built by its LibTorch module's default constructor.
template <typename Module>
ActivationInfo simple(std::string name, std::string display, std::string formula,
                      std::vector<std::string> aliases = {}) {
  ActivationInfo info =
      entry(std::move(name), std::move(display), std::move(formula), std::move(aliases));
  info.make = [](const Json&, int64_t) { return nn::AnyModule(Module()); };
  return info;
}

ActivationInfo with(ActivationInfo info, std::vector<ParamInfo> params,
                    std::function<nn::AnyModule(const Json&, int64_t)> make,
                    std::function<std::string(const Json&)> check = nullptr) {
  info.params = std::move(params);
  info.make = std::move(make);
  info.check = std::move(check);
  return info;
}

ActivationInfo functional(std::string name, std::string display, std::string formula,
                          torch::Tensor (*fn)(const torch::Tensor&)) {
  ActivationInfo info = entry(std::move(name), std::move(display), std::move(formula));
  std::string label = info.display;
  info.make = [label, fn](const Json&, int64_t) {
    return nn::AnyModule(
        FunctionalActivation(label, [fn](const torch::Tensor& x) { return fn(x); }));
  };
  return info;
}

// An entry whose derivative the fused engine takes from LibTorch's kernel, the one autograd's
// formula calls, so both engines compute the same numbers.
ActivationInfo with_backward(ActivationInfo info, BackwardKernel backward) {
  info.backward = std::move(backward);
  return info;
}

void assign_styles(std::vector<ActivationInfo>& r) {
  for (size_t i = 0; i < r.size(); ++i) r[i].style = palette_style(i);
}

std::vector<ActivationInfo> build_registry() {
  std::vector<ActivationInfo> r;
  // The tutorial's four.
  r.push_back(
      with_backward(simple<nn::ReLU>("relu", "ReLU", "max(0, x)"),
                    [](const torch::Tensor& dh, const torch::Tensor&, const torch::Tensor& h,
                       const Json&) { return torch::threshold_backward(dh, h, 0); }));
  r.push_back(
      with_backward(simple<nn::Sigmoid>("sigmoid", "Sigmoid", "1 / (1 + exp(-x))", {"logistic"}),
                    [](const torch::Tensor& dh, const torch::Tensor&, const torch::Tensor& h,
                       const Json&) { return torch::sigmoid_backward(dh, h); }));
  r.push_back(
      with_backward(simple<nn::Tanh>("tanh", "Tanh", "tanh(x)"),
                    [](const torch::Tensor& dh, const torch::Tensor&, const torch::Tensor& h,
                       const Json&) { return torch::tanh_backward(dh, h); }));
  {
    ActivationInfo leaky = with_backward(
        with(entry("leaky_relu", "LeakyReLU", "x if x >= 0 else negative_slope * x", {"lrelu"}),
             {number("negative_slope", 0.01, "slope for x < 0")},
             [](const Json& p, int64_t) {
               return nn::AnyModule(
                   nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(num(p, "negative_slope"))));
             }),
        [](const torch::Tensor& dh, const torch::Tensor& z, const torch::Tensor&, const Json& p) {
          return torch::leaky_relu_backward(dh, z, num(p, "negative_slope"), false);
        });
    leaky.init_slope = [](const Json& p) { return num(p, "negative_slope"); };
    r.push_back(std::move(leaky));
  }
  // Exponential family.
  r.push_back(with(entry("elu", "ELU", "x if x > 0 else alpha * (exp(x) - 1)"),
                   {number("alpha", 1.0, "value approached as x -> -inf is -alpha")},
                   [](const Json& p, int64_t) {
                     return nn::AnyModule(nn::ELU(nn::ELUOptions().alpha(num(p, "alpha"))));
                   }));
  r.push_back(simple<nn::SELU>("selu", "SELU",
                               "scale * (x if x > 0 else alpha * (exp(x) - 1)), "
                               "scale = 1.0507009873554804934193349852946, "
                               "alpha = 1.6732632423543772848170429916717"));
  r.push_back(with(
      entry("celu", "CELU", "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))"),
      {number("alpha", 1.0, "scale, must not be 0")},
      [](const Json& p, int64_t) {
        return nn::AnyModule(nn::CELU(nn::CELUOptions().alpha(num(p, "alpha"))));
      },
      [](const Json& p) {
        return num(p, "alpha") == 0.0 ? std::string("alpha must not be 0") : "";
      }));
  // Smooth gates.
  {
    ParamInfo approx{"approximate",
                     ParamKind::kString,
                     "none",
                     "'none': x * Phi(x) exactly; 'tanh': the tanh approximation",
                     {},
                     {},
                     {"none", "tanh"}};
    r.push_back(with(entry("gelu", "GELU",
                           "x * Phi(x), Phi the standard normal CDF; approximate=tanh: "
                           "0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))"),
                     {approx}, [](const Json& p, int64_t) {
                       return nn::AnyModule(nn::GELU(
                           nn::GELUOptions().approximate(p.at("approximate").get<std::string>())));
                     }));
  }
  r.push_back(simple<nn::SiLU>("silu", "SiLU", "x * sigmoid(x)", {"swish"}));
  r.push_back(simple<nn::Mish>("mish", "Mish", "x * tanh(softplus(x))"));
  r.push_back(
      with(entry("softplus", "Softplus",
                 "log(1 + exp(beta * x)) / beta, or x where beta * x > threshold"),
           {number("beta", 1.0, "sharpness", 1e-12),
            number("threshold", 20.0, "linear above beta * x > threshold")},
           [](const Json& p, int64_t) {
             return nn::AnyModule(nn::Softplus(
                 nn::SoftplusOptions().beta(num(p, "beta")).threshold(num(p, "threshold"))));
           }));
  r.push_back(simple<nn::Softsign>("softsign", "Softsign", "x / (1 + |x|)"));
  // Piecewise-linear.
  r.push_back(with(
      entry("hardtanh", "Hardtanh", "clamp(x, min_val, max_val)"),
      {number("min_val", -1.0, "lower clamp"), number("max_val", 1.0, "upper clamp")},
      [](const Json& p, int64_t) {
        return nn::AnyModule(nn::Hardtanh(
            nn::HardtanhOptions().min_val(num(p, "min_val")).max_val(num(p, "max_val"))));
      },
      [](const Json& p) {
        return num(p, "min_val") < num(p, "max_val") ? std::string()
                                                     : "min_val must be less than max_val";
      }));
  r.push_back(simple<nn::ReLU6>("relu6", "ReLU6", "min(max(0, x), 6)"));
  r.push_back(functional("hardsigmoid", "Hardsigmoid", "clamp(x / 6 + 1 / 2, 0, 1)",
                         [](const torch::Tensor& x) { return torch::hardsigmoid(x); }));
  r.push_back(functional("hardswish", "Hardswish", "x * clamp(x + 3, 0, 6) / 6",
                         [](const torch::Tensor& x) { return torch::hardswish(x); }));
  r.push_back(simple<nn::LogSigmoid>("logsigmoid", "LogSigmoid", "log(sigmoid(x))"));
  r.push_back(simple<nn::Tanhshrink>("tanhshrink", "Tanhshrink", "x - tanh(x)"));
  r.push_back(
      with(entry("hardshrink", "Hardshrink", "x if |x| > lambda else 0"),
           {number("lambda", 0.5, "dead zone half-width", 0.0)}, [](const Json& p, int64_t) {
             return nn::AnyModule(nn::Hardshrink(nn::HardshrinkOptions().lambda(num(p, "lambda"))));
           }));
  r.push_back(
      with(entry("softshrink", "Softshrink",
                 "x - lambda if x > lambda, x + lambda if x < -lambda, else 0"),
           {number("lambda", 0.5, "dead zone half-width", 0.0)}, [](const Json& p, int64_t) {
             return nn::AnyModule(nn::Softshrink(nn::SoftshrinkOptions().lambda(num(p, "lambda"))));
           }));
  r.push_back(with(
      entry("threshold", "Threshold", "x if x > threshold else value"),
      {number("threshold", 0.0, "cut-off"), number("value", 0.0, "output at or below the cut-off")},
      [](const Json& p, int64_t) {
        return nn::AnyModule(
            nn::Threshold(nn::ThresholdOptions(num(p, "threshold"), num(p, "value"))));
      }));
  // Randomised and learnable leaky variants.
  r.push_back(with(
      entry("rrelu", "RReLU",
            "leaky ReLU, slope ~ U(lower, upper) in training, (lower+upper)/2 in eval"),
      {number("lower", 1.0 / 8.0, "lower bound of the random slope", 0.0),
       number("upper", 1.0 / 3.0, "upper bound of the random slope", 0.0)},
      [](const Json& p, int64_t) {
        return nn::AnyModule(SeededRReLU(num(p, "lower"), num(p, "upper")));
      },
      [](const Json& p) {
        return num(p, "lower") <= num(p, "upper") ? std::string() : "lower must not exceed upper";
      }));
  {
    ActivationInfo prelu = with(entry("prelu", "PReLU", "x if x >= 0 else a * x, a learned"),
                                {number("init", 0.25, "initial slope a"),
                                 {"per_unit",
                                  ParamKind::kBoolean,
                                  false,
                                  "true: one slope per hidden unit; false: one slope per layer",
                                  {},
                                  {},
                                  {}}},
                                [](const Json& p, int64_t width) {
                                  int64_t n = p.at("per_unit").get<bool>() ? width : 1;
                                  return nn::AnyModule(nn::PReLU(
                                      nn::PReLUOptions().num_parameters(n).init(num(p, "init"))));
                                });
    prelu.learnable = true;
    r.push_back(std::move(prelu));
  }
  // The linear network the tutorial's argument starts from.
  r.push_back(with_backward(
      simple<nn::Identity>("identity", "Identity", "x (no non-linearity)", {"linear", "none"}),
      [](const torch::Tensor& dh, const torch::Tensor&, const torch::Tensor&, const Json&) {
        return dh;  // the fused engine gives each layer its own dh buffer: no aliasing
      }));
  assign_styles(r);
  return r;
}

std::string kind_name(ParamKind k) {
  static const char* const kNames[] = {"a number", "an integer", "true or false", "a string"};
  return kNames[static_cast<size_t>(k)];
}

std::vector<std::string> all_names() {
  std::vector<std::string> names;
  for (const auto& a : activation_registry()) names.push_back(a.name);
  names.push_back(formula_activation_info().name);
  return names;
}

Json check_param(const ParamInfo& p, const Json& v, const std::string& where) {
  auto bad = [&](const std::string& why) {
    return InputError(where + ": parameter '" + p.name + "' " + why);
  };
  switch (p.kind) {
    case ParamKind::kNumber:
    case ParamKind::kInteger: {
      if (!v.is_number())
        throw bad("must be " + kind_name(p.kind) + ", got " + json_for_message(v));
      if (p.kind == ParamKind::kInteger && !v.is_number_integer())
        throw bad("must be an integer, got " + json_for_message(v));
      double d = v.get<double>();
      if (!std::isfinite(d)) throw bad("must be finite, got " + json_for_message(v));
      if (p.min && d < *p.min)
        throw bad("must be >= " + format_number(*p.min) + ", got " + json_for_message(v));
      if (p.max && d > *p.max)
        throw bad("must be <= " + format_number(*p.max) + ", got " + json_for_message(v));
      return p.kind == ParamKind::kInteger ? Json(v.get<int64_t>()) : Json(d);
    }
    case ParamKind::kBoolean:
      if (!v.is_boolean()) throw bad("must be true or false, got " + json_for_message(v));
      return v;
    case ParamKind::kString:
      if (!v.is_string()) throw bad("must be a string, got " + json_for_message(v));
      if (!p.choices.empty() &&
          std::find(p.choices.begin(), p.choices.end(), v.get<std::string>()) == p.choices.end())
        throw bad("must be one of " + join(p.choices, ", ") + ", got " + json_for_message(v));
      return v;
  }
  return v;
}

std::string param_text(const Json& v) {
  return v.is_number()   ? format_number(v.get<double>())
         : v.is_string() ? v.get<std::string>()
                         : v.dump();
}

std::string check_label(const Json& label, const std::string& where) {
  if (!label.is_string() || label.get<std::string>().empty())
    throw InputError(where + ": 'label' must be a non-empty string");
  return label.get<std::string>();
}

}  // namespace

const std::vector<ActivationInfo>& activation_registry() {
  static const std::vector<ActivationInfo> registry = build_registry();
  return registry;
}

const ActivationInfo* find_activation(const std::string& name) {
  const std::string key = name_key(name);
  for (const auto& a : activation_registry()) {
    if (name_key(a.name) == key) return &a;
    for (const auto& alias : a.aliases)
      if (name_key(alias) == key) return &a;
  }
  if (name_key(formula_activation_info().name) == key) return &formula_activation_info();
  return nullptr;
}

std::string activation_display_name(const std::string& name) {
  const ActivationInfo* info = find_activation(name);
  return info ? info->display : "";
}

ActivationSpec resolve_activation(const Json& entry, const std::string& where) {
  Json given = Json::object();
  if (entry.is_string()) {
    given["name"] = entry;
  } else if (entry.is_object()) {
    given = entry;
  } else {
    throw InputError(where + ": an activation is a name or a mapping with 'name', got " +
                     entry.dump());
  }
  if (!given.contains("name") || !given["name"].is_string()) {
    throw InputError(where +
                     ": missing 'name' (a string); valid names: " + join(all_names(), ", "));
  }
  const std::string raw = given["name"].get<std::string>();
  const ActivationInfo* info = find_activation(raw);
  if (!info) {
    std::string msg = where + ": unknown activation '" + raw + "'";
    std::string guess = closest_match(name_key(raw), all_names());
    if (!guess.empty()) msg += " (did you mean '" + guess + "'?)";
    throw InputError(msg + "; valid names: " + join(all_names(), ", ") +
                     " (see `actbench list activations`)");
  }
  ActivationSpec spec;
  spec.name = info->name;
  if (info->resolve) {
    spec.params = info->resolve(given, where);
    spec.label = spec.params.value("expr", info->display);
    if (given.contains("expr") && given["expr"].is_string()) spec.written = given["expr"];
    if (given.contains("label")) spec.label = check_label(given["label"], where);
    return spec;
  }
  std::vector<std::string> differing;
  for (const auto& p : info->params) {
    Json value = p.default_value;
    if (given.contains(p.name)) value = check_param(p, given[p.name], where);
    if (value != p.default_value) differing.push_back(p.name + "=" + param_text(value));
    spec.params[p.name] = value;
  }
  for (auto it = given.begin(); it != given.end(); ++it) {
    if (it.key() == "name" || it.key() == "label") continue;
    if (!spec.params.contains(it.key())) {
      std::vector<std::string> valid;
      for (const auto& p : info->params) valid.push_back(p.name);
      throw InputError(
          where + ": unknown parameter '" + it.key() + "' for " + info->name + "; " +
          (valid.empty() ? info->name + " takes no parameters" : "valid: " + join(valid, ", ")) +
          " (and 'label')");
    }
  }
  if (info->check) {
    std::string why = info->check(spec.params);
    if (!why.empty()) throw InputError(where + ": " + info->name + ": " + why);
  }
  if (given.contains("label")) {
    spec.label = check_label(given["label"], where);
  } else {
    spec.label = info->display;
    if (!differing.empty()) spec.label += "(" + join(differing, ", ") + ")";
  }
  return spec;
}

Json activation_to_json(const ActivationSpec& spec) {
  Json j = {{"name", spec.name}, {"label", spec.label}};
  for (auto it = spec.params.begin(); it != spec.params.end(); ++it) j[it.key()] = it.value();
  return j;
}

const ActivationInfo& activation_info(const ActivationSpec& spec) {
  const ActivationInfo* info = find_activation(spec.name);
  if (!info) throw InputError("unknown activation '" + spec.name + "'");
  return *info;
}

torch::nn::AnyModule make_activation(const ActivationSpec& spec, int64_t width) {
  return activation_info(spec).make(spec.params, width);
}

std::string activation_formula(const ActivationSpec& spec) {
  const ActivationInfo* info = find_activation(spec.name);
  if (spec.params.contains("expr") && spec.params.at("expr").is_string()) {
    return spec.params.at("expr").get<std::string>();
  }
  return info ? info->formula : "";
}

double activation_init_slope(const ActivationSpec& spec) {
  const ActivationInfo& info = activation_info(spec);
  return info.init_slope ? info.init_slope(spec.params) : 0.0;
}

size_t activation_order(const ActivationSpec& spec) {
  const ActivationInfo* info = find_activation(spec.name);
  const auto& r = activation_registry();
  return info && info != &formula_activation_info() ? size_t(info - r.data()) : r.size();
}

at::Generator* activation_generator(nn::AnyModule& module) {
  if (auto* rrelu = dynamic_cast<SeededRReLUImpl*>(module.ptr().get())) return &rrelu->generator();
  return nullptr;
}

}  // namespace actbench
