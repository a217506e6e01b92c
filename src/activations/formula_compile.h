// The TorchScript side of formula activations (formula.h): compiling an expression with
// LibTorch's compiler, checking the compiled graph against the allow-list of elementwise
// operations, and running it. Internal to src/activations/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/runtime/interpreter.h>
#include <torch/types.h>

#include "activations/formula.h"

namespace actbench::formula_detail {

// Elementwise functions a formula may call by name (or as torch.NAME, or as x.NAME()).
const std::vector<std::string>& allowed_functions();

// Names a constant may not take: x, the functions, the named numbers and TorchScript's words.
bool is_reserved(const std::string& name);

// A byte offset into the expression as a 1-based character position (UTF-8 aware).
size_t char_position(const std::string& expr, size_t offset);

// The expression's tokens, spaced canonically: two spellings that differ only in spaces are one
// run identity. InputError (prefixed by `where`) for a character TorchScript has no token for.
std::string normalised_text(const std::string& expr, const std::string& where);

// The first line of `text` that is not blank.
std::string first_line(const std::string& text);

// The reason in a TorchScript interpreter error (its last line), or its first line otherwise.
std::string interpreter_reason(const std::string& text);

// " at position N" (1-based characters) for a byte offset into `expr`, " at the end", or "".
std::string at_position(const std::string& expr, std::optional<size_t> offset);

// The expression's text at a graph node (its call), when it lies in the formula's own line of
// the compiled source (which starts at `expr_start`); sets `offset` to where it starts.
std::string node_text(const torch::jit::Node* node, const std::string& expr, size_t expr_start,
                      std::optional<size_t>& offset);

// A compiled formula: its graph and constants, shared by every module built from it.
struct CompiledFormula {
  std::string expr;
  std::vector<FormulaConstant> constants;
  std::shared_ptr<torch::jit::Graph> graph;
};

// Compiles and checks `expr` with `constants` as its arguments (cached by the expression and the
// constants' names and flags); InputError (prefixed by `where`) names what is wrong.
std::shared_ptr<const CompiledFormula> compiled(const std::string& expr,
                                                const std::vector<FormulaConstant>& constants,
                                                const std::string& where);

// A constant's tensor for a layer of `width` units: [1], or [width] per unit.
torch::Tensor constant_tensor(const FormulaConstant& c, int64_t width);

// The formula on `x` with the constants' current values, by the TorchScript interpreter.
torch::Tensor run_graph(const torch::jit::Code& code, const torch::Tensor& x,
                        const std::vector<torch::Tensor>& constants);

}  // namespace actbench::formula_detail
