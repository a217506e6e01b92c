#include "activations/formula.h"

#include <cmath>
#include <regex>
#include <utility>

#include <torch/nn/cloneable.h>
#include <torch/types.h>

#include "activations/formula_compile.h"
#include "activations/registry.h"
#include "util/error.h"
#include "util/text.h"

namespace actbench {
namespace {

namespace jit = torch::jit;
using formula_detail::char_position;
using formula_detail::compiled;
using formula_detail::CompiledFormula;
using formula_detail::constant_tensor;
using formula_detail::is_reserved;
using formula_detail::normalised_text;
using formula_detail::run_graph;
using Json = nlohmann::json;

constexpr size_t kMaxExprBytes = 1000;
constexpr size_t kMaxConstants = 16;

std::vector<FormulaConstant> read_constants(const Json& given, const std::string& where) {
  std::vector<FormulaConstant> out;
  if (!given.contains("params")) return out;
  const Json& ps = given.at("params");
  if (!ps.is_object()) {
    throw InputError(where +
                     ": 'params' must be a mapping of constant names to values (e.g. "
                     "{beta: 1.0} or {beta: {init: 1.0, learnable: true}}), got " +
                     json_for_message(ps));
  }
  if (ps.size() > kMaxConstants) {
    throw InputError(where + ": a formula has at most " + std::to_string(kMaxConstants) +
                     " constants, got " + std::to_string(ps.size()));
  }
  static const std::regex ident("[A-Za-z_][A-Za-z0-9_]{0,31}");
  for (auto it = ps.begin(); it != ps.end(); ++it) {
    const std::string& name = it.key();
    const std::string at = where + ": params." + name;
    if (!std::regex_match(name, ident)) {
      throw InputError(where + ": constant name " + json_for_message(Json(name)) +
                       " is not a name (letters, digits and '_', at most 32, not starting with "
                       "a digit)");
    }
    if (is_reserved(name)) {
      throw InputError(at + ": '" + name +
                       "' is taken (x, pi, e, a function or a keyword); name the constant "
                       "something else");
    }
    FormulaConstant c;
    c.name = name;
    const Json& v = it.value();
    const Json* init = nullptr;
    if (v.is_number()) {
      init = &v;
    } else if (v.is_object()) {
      for (auto k = v.begin(); k != v.end(); ++k) {
        if (k.key() != "init" && k.key() != "learnable" && k.key() != "per_unit") {
          throw InputError(at + ": unknown key '" + k.key() +
                           "'; a constant takes init (a number), learnable and per_unit "
                           "(true or false)");
        }
      }
      if (v.contains("init")) init = &v.at("init");
      for (const char* flag : {"learnable", "per_unit"}) {
        if (v.contains(flag) && !v.at(flag).is_boolean()) {
          throw InputError(at + "." + flag + " must be true or false, got " +
                           json_for_message(v.at(flag)));
        }
      }
      c.learnable = v.value("learnable", false);
      c.per_unit = v.value("per_unit", false);
    } else if (!v.is_null()) {
      throw InputError(at +
                       " must be a number or {init: <number>, learnable: true|false, "
                       "per_unit: true|false}, got " +
                       json_for_message(v));
    }
    if (init == nullptr || init->is_null()) {
      throw InputError(at + ": the constant has no value; give it one, e.g. params: {" + name +
                       ": 1.0} or {" + name + ": {init: 1.0, learnable: true}}");
    }
    if (!init->is_number() || !std::isfinite(init->get<double>())) {
      throw InputError(at + ": the value must be a finite number, got " + json_for_message(*init));
    }
    c.init = init->get<double>();
    if (c.per_unit && !c.learnable) {
      throw InputError(at + ": per_unit needs learnable: true (a fixed constant is one number)");
    }
    out.push_back(c);
  }
  return out;
}

class FormulaActivationImpl : public torch::nn::Cloneable<FormulaActivationImpl> {
 public:
  FormulaActivationImpl(std::shared_ptr<const CompiledFormula> formula, int64_t width)
      : formula_(std::move(formula)), width_(width) {
    reset();
  }
  void reset() override {
    values_.clear();
    for (const auto& c : formula_->constants) {
      torch::Tensor t = constant_tensor(c, width_);
      values_.push_back(c.learnable ? register_parameter(c.name, t) : register_buffer(c.name, t));
    }
    // Its own copy of the graph: the compiled one is shared by every module built from it.
    code_ = std::make_shared<jit::Code>(formula_->graph->copy(), "formula");
  }
  torch::Tensor forward(const torch::Tensor& x) { return run_graph(*code_, x, values_); }
  void pretty_print(std::ostream& os) const override { os << "Formula(" << formula_->expr << ")"; }

 private:
  std::shared_ptr<const CompiledFormula> formula_;
  int64_t width_;
  std::vector<torch::Tensor> values_;
  std::shared_ptr<jit::Code> code_;
};
TORCH_MODULE(FormulaActivation);

}  // namespace

const ActivationInfo& formula_activation_info() {
  static const ActivationInfo info = [] {
    ActivationInfo f;
    f.name = "formula";
    f.display = "Formula";
    f.formula =
        "your own expression of x, e.g. x * sigmoid(beta * x) (README: Formula activations)";
    f.resolve = resolve_formula;
    f.make = make_formula_activation;
    f.style = {"#bb5566", "solid", "o"};  // Paul Tol's high-contrast red; labels differ anyway
    return f;
  }();
  return info;
}

const std::vector<std::string>& formula_functions() {
  return formula_detail::allowed_functions();
}

Json resolve_formula(const Json& given, const std::string& where) {
  for (auto it = given.begin(); it != given.end(); ++it) {
    if (it.key() != "name" && it.key() != "label" && it.key() != "expr" && it.key() != "params") {
      throw InputError(where + ": unknown key '" + it.key() +
                       "' for formula; valid: expr, params (and 'label')");
    }
  }
  if (!given.contains("expr")) {
    throw InputError(where +
                     ": a formula needs 'expr', an expression of x, e.g. "
                     "{name: formula, expr: \"x * sigmoid(beta * x)\", params: {beta: 1.0}}");
  }
  const Json& e = given.at("expr");
  if (!e.is_string() || e.get<std::string>().find_first_not_of(" \t") == std::string::npos) {
    throw InputError(where + ": 'expr' must be a non-empty string (an expression of x), got " +
                     json_for_message(e));
  }
  const std::string expr = e.get<std::string>();
  if (expr.size() > kMaxExprBytes) {
    throw InputError(where + ": 'expr' is " + std::to_string(expr.size()) + " bytes; at most " +
                     std::to_string(kMaxExprBytes));
  }
  for (size_t i = 0; i < expr.size(); ++i) {
    if (static_cast<unsigned char>(expr[i]) < 0x20 && expr[i] != '\t') {
      throw InputError(where + ": 'expr' must be one line (a control character at position " +
                       std::to_string(char_position(expr, i)) + ")");
    }
  }
  const std::string label = where + ": formula '" + expr + "'";
  std::vector<FormulaConstant> constants = read_constants(given, where);
  const std::string text = normalised_text(expr, label);
  // Compile what was written (error positions are the user's), then check the normalised text
  // compiles to the same function (it is what modules are built from).
  compiled(expr, constants, label);
  compiled(text, constants, label);
  Json params = Json::object();
  for (const auto& c : constants) {
    params[c.name] = {{"init", c.init}, {"learnable", c.learnable}, {"per_unit", c.per_unit}};
  }
  return {{"expr", text}, {"params", params}};
}

std::vector<FormulaConstant> formula_constants(const Json& params) {
  std::vector<FormulaConstant> out;
  for (auto it = params.at("params").begin(); it != params.at("params").end(); ++it) {
    FormulaConstant c;
    c.name = it.key();
    c.init = it.value().at("init").get<double>();
    c.learnable = it.value().at("learnable").get<bool>();
    c.per_unit = it.value().at("per_unit").get<bool>();
    out.push_back(c);
  }
  return out;
}

torch::nn::AnyModule make_formula_activation(const Json& params, int64_t width) {
  const std::string expr = params.at("expr").get<std::string>();
  return torch::nn::AnyModule(FormulaActivation(
      compiled(expr, formula_constants(params), "formula '" + expr + "'"), width));
}

}  // namespace actbench
