// Formulas compute in floating point only (formula_numbers.h).
#include "activations/formula_numbers.h"

#include <algorithm>
#include <optional>
#include <string>

#include <torch/csrc/jit/frontend/tree_views.h>

#include "activations/formula_compile.h"
#include "util/error.h"

namespace actbench::formula_detail {

namespace jit = torch::jit;

namespace {

// `text` (the expression's text from `offset`) with the parentheses around it that it opens or
// closes: TorchScript's range of `(a) * b` starts at a.
std::string balanced(const std::string& expr, std::optional<size_t>& offset, std::string text) {
  auto depth = [](const std::string& t) {
    return std::count(t.begin(), t.end(), ')') - std::count(t.begin(), t.end(), '(');
  };
  while (offset && *offset > 0 && depth(text) > 0 && expr[*offset - 1] == '(') {
    --*offset;
    text.insert(text.begin(), '(');
  }
  while (offset && depth(text) < 0 && *offset + text.size() < expr.size() &&
         expr[*offset + text.size()] == ')') {
    text.push_back(')');
  }
  return text;
}

// The refusal of what computes with whole numbers: `text` at `offset`, of `type`.
[[noreturn]] void refuse_whole_numbers(const std::string& expr, std::optional<size_t> offset,
                                       const std::string& text, const std::string& where,
                                       const std::string& type) {
  const std::string shown = text.empty() ? expr : balanced(expr, offset, text);
  throw InputError(where + ": '" + shown + "'" + at_position(expr, offset) +
                   " computes with whole numbers (" + type +
                   "); a formula computes in floating point: write 2.0 for 2, and compare "
                   "(x > 0) rather than count with its result");
}

// Whether `t` is a whole number written with literals alone (1, -2, True, 3 * 4), which
// TorchScript computes while compiling.
bool whole_literal(const jit::TreeRef& t) {
  switch (t->kind()) {
    case jit::TK_CONST:
      return jit::Const(t).isIntegral();
    case jit::TK_TRUE:
    case jit::TK_FALSE:
      return true;
    case jit::TK_UNARY_MINUS:
      return whole_literal(t->trees().at(0));
    case '+':
    case '-':
    case '*':
    case '%':
    case '&':
    case '|':
    case '^':
    case jit::TK_FLOOR_DIV:
    case jit::TK_POW:
    case jit::TK_LSHIFT:
    case jit::TK_RSHIFT:
      return whole_literal(t->trees().at(0)) && whole_literal(t->trees().at(1));
    default:
      return false;
  }
}

// Widens [start, end) to the source of `t` and everything under it (an operator's own range
// need not cover its operands).
void span_of(const jit::TreeRef& t, size_t& start, size_t& end) {
  if (t->isAtom()) return;  // a string: its range is its parent's
  start = std::min(start, t->range().start());
  end = std::max(end, t->range().end());
  for (const auto& kid : t->trees()) span_of(kid, start, end);
}

// The refusal of a node that computes with whole numbers.
[[noreturn]] void refuse_integers(const jit::Node* node, const std::string& expr, size_t expr_start,
                                  const std::string& where, const std::string& type) {
  std::optional<size_t> offset;
  const std::string text = node_text(node, expr, expr_start, offset);
  refuse_whole_numbers(expr, offset, text, where, type);
}

}  // namespace

// Refuses arithmetic on whole-number literals anywhere in the parsed expression, before
// TorchScript folds it while compiling (the smallest integer // -1 faults there).
void check_literal_arithmetic(const jit::TreeRef& t, const std::string& expr,
                              const std::string& where) {
  if (t->isAtom()) return;
  const auto& kids = t->trees();
  if (kids.size() == 2 && t->kind() != jit::TK_CONST && whole_literal(t)) {
    size_t start = expr.size(), end = 0;
    span_of(t, start, end);
    std::optional<size_t> offset = start;
    refuse_whole_numbers(expr, offset, expr.substr(start, end - start), where, "ints");
  }
  for (const auto& kid : kids) check_literal_arithmetic(kid, expr, where);
}

// Formulas compute in floating point only: integer arithmetic can fault (the smallest integer
// divided by -1 ends the process with SIGFPE). Refuses a scalar operation with an int result (a
// negative literal aside) and any tensor operation whose result is an integer tensor. Tensor
// types are found by running the formula once on an empty x, which computes nothing.
void check_no_integers(const std::shared_ptr<jit::Graph>& graph,
                       const std::vector<FormulaConstant>& constants, const std::string& expr,
                       size_t expr_start, const std::string& where) {
  std::shared_ptr<jit::Graph> traced = graph->copy();
  std::vector<const jit::Node*> producers;
  for (jit::Node* node : traced->nodes()) {
    for (jit::Value* out : node->outputs()) {
      const bool int_scalar = out->type()->kind() == c10::TypeKind::IntType;
      const bool negative_literal = node->kind() == c10::Symbol::aten("neg") &&
                                    node->input(0)->node()->kind() == c10::prim::Constant;
      if (int_scalar && node->kind() != c10::prim::Constant && !negative_literal) {
        refuse_integers(node, expr, expr_start, where, "an int");
      }
      if (out->type()->kind() == c10::TypeKind::TensorType) {
        traced->registerOutput(out);
        producers.push_back(node);
      }
    }
  }
  jit::Stack stack;
  stack.emplace_back(torch::empty({0, 3}));
  for (const auto& c : constants) stack.emplace_back(constant_tensor(c, 3));
  try {
    jit::InterpreterState(jit::Code(traced, "formula types")).run(stack);
  } catch (const std::exception& e) {
    throw InputError(where + ": the formula cannot be evaluated: " + interpreter_reason(e.what()));
  }
  // The stack ends with the traced values, in `producers`' order.
  const size_t first = stack.size() - producers.size();
  for (size_t i = 0; i < producers.size(); ++i) {
    const c10::IValue& v = stack[first + i];
    if (!v.isTensor()) continue;
    const c10::ScalarType t = v.toTensor().scalar_type();
    if (c10::isIntegralType(t, /*includeBool=*/false)) {
      refuse_integers(producers[i], expr, expr_start, where,
                      std::string("a tensor of ") + c10::toString(t));
    }
  }
}

}  // namespace actbench::formula_detail
