// Formulas compute in floating point only: integer arithmetic can fault (the smallest integer
// divided by -1 ends the process with SIGFPE), so a formula that computes with whole numbers is
// refused before it runs, naming the part that does. Internal to src/activations/ (used by
// formula_compile.cpp).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <torch/csrc/jit/frontend/tree.h>
#include <torch/csrc/jit/ir/ir.h>

#include "activations/formula.h"

namespace actbench::formula_detail {

// Before compiling: refuses arithmetic on whole-number literals anywhere in the parsed expression
// `tree`, which TorchScript would fold while compiling. InputError prefixed by `where`.
void check_literal_arithmetic(const torch::jit::TreeRef& tree, const std::string& expr,
                              const std::string& where);

// After compiling: refuses a scalar operation with an int result and any integer tensor among the
// graph's values (found by running it once on an empty x). `expr_start` is where the expression
// begins in the compiled source.
void check_no_integers(const std::shared_ptr<torch::jit::Graph>& graph,
                       const std::vector<FormulaConstant>& constants, const std::string& expr,
                       size_t expr_start, const std::string& where);

}  // namespace actbench::formula_detail
