// Formula activations: an elementwise expression of x and named constants, written in the config
// ({name: formula, expr: "x * sigmoid(beta * x)", params: {beta: {init: 1.0, learnable: true}}})
// and compiled by LibTorch's TorchScript compiler. Only elementwise functions and operators on
// tensors are allowed (an allow-list, checked on the compiled graph); the gradient comes from
// autograd. Learnable constants are parameters of the module (one per layer, or one per unit).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/modules/container/any.h>
#include <nlohmann/json.hpp>

namespace actbench {

struct ActivationInfo;  // registry.h

// One named constant of a formula, as resolved: its initial value and whether training changes it
// (a parameter of the module) and whether each hidden unit has its own.
struct FormulaConstant {
  std::string name;
  double init = 0;
  bool learnable = false;
  bool per_unit = false;
};

// Checks a `{name: formula, expr, params, label}` entry and compiles its expression; returns the
// resolved parameters: {"expr": normalised text, "params": {name: {init, learnable, per_unit}}}.
// The normalised text is the expression's tokens with canonical spacing, so two spellings that
// differ only in spaces are one run identity. Throws InputError (prefixed by `where`) naming the
// offending part: a syntax error and its position, an unknown name or function, a call that is
// not an allowed elementwise function, a result that is not x's shape, a constant without a value.
nlohmann::json resolve_formula(const nlohmann::json& given, const std::string& where);

// The constants of resolved parameters, in the order the formula's function takes them.
std::vector<FormulaConstant> formula_constants(const nlohmann::json& params);

// A module computing the formula for a hidden layer of `width` units: learnable constants are
// its parameters, fixed ones its buffers, named as in the config.
torch::nn::AnyModule make_formula_activation(const nlohmann::json& params, int64_t width);

// The registry's `formula` entry (registry.h): found by name like the built-ins, not listed among
// them in activation_registry(), whose entries each stand for one function.
const ActivationInfo& formula_activation_info();

// The functions a formula may call by name (besides the operators + - * / ** and comparisons).
const std::vector<std::string>& formula_functions();

}  // namespace actbench
