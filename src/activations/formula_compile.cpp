#include "activations/formula_compile.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include <torch/autograd.h>
#include <torch/csrc/jit/api/compilation_unit.h>
#include <torch/csrc/jit/frontend/lexer.h>
#include <torch/csrc/jit/frontend/parser.h>
#include <torch/csrc/jit/frontend/resolver.h>

#include "activations/formula_numbers.h"
#include "util/error.h"
#include "util/text.h"

namespace actbench::formula_detail {

namespace jit = torch::jit;

namespace {

constexpr size_t kMaxCached = 256;  // compiled formulas kept
// The line the expression is compiled in: `def f(x: Tensor, c1: Tensor, ...) -> Tensor:` then
// this prefix and the expression. Error positions are counted from the expression's start.
constexpr const char* kReturnPrefix = "  return ";

}  // namespace

const std::vector<std::string>& allowed_functions() {
  static const std::vector<std::string> names{
      "abs",       "acos",       "acosh",   "asin",     "asinh",      "atan",        "atan2",
      "atanh",     "ceil",       "celu",    "clamp",    "clamp_max",  "clamp_min",   "cos",
      "cosh",      "elu",        "erf",     "erfc",     "exp",        "exp2",        "expm1",
      "floor",     "fmod",       "frac",    "gelu",     "hardshrink", "hardsigmoid", "hardswish",
      "hardtanh",  "leaky_relu", "log",     "log10",    "log1p",      "log2",        "log_sigmoid",
      "logaddexp", "maximum",    "minimum", "mish",     "pow",        "reciprocal",  "relu",
      "remainder", "round",      "rsqrt",   "selu",     "sigmoid",    "sign",        "silu",
      "sin",       "sinc",       "sinh",    "softplus", "softshrink", "sqrt",        "square",
      "tan",       "tanh",       "trunc",   "where",    "xlogy"};
  return names;
}

bool is_reserved(const std::string& name) {
  static const std::set<std::string> words{
      "x",      "pi",      "e",        "torch",  "math",   "Tensor", "None",   "True",     "False",
      "and",    "or",      "not",      "if",     "else",   "elif",   "for",    "while",    "in",
      "is",     "def",     "return",   "lambda", "class",  "import", "from",   "as",       "with",
      "pass",   "break",   "continue", "raise",  "assert", "del",    "global", "nonlocal", "try",
      "except", "finally", "yield",    "await",  "async",  "print",  "float",  "int",      "bool",
      "len",    "range",   "max",      "min",    "list",   "tuple",  "dict",   "str",      "self"};
  const auto& f = allowed_functions();
  return words.count(name) > 0 || std::find(f.begin(), f.end(), name) != f.end();
}

size_t char_position(const std::string& expr, size_t offset) {
  size_t chars = 0;
  for (size_t i = 0; i < offset && i < expr.size(); ++i) {
    if ((static_cast<unsigned char>(expr[i]) & 0xC0) != 0x80) ++chars;
  }
  return chars + 1;
}

// The first line of `text` that is not blank.
std::string first_line(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t") != std::string::npos) return line;
  }
  return text;
}

// The reason in an interpreter error: TorchScript reports "The following operation failed in the
// TorchScript interpreter." and a traceback, with the reason ("RuntimeError: ...") last.
std::string interpreter_reason(const std::string& text) {
  const std::string head = first_line(text);
  if (head.find("operation failed in the TorchScript interpreter") == std::string::npos) {
    return head;
  }
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t") != std::string::npos) last = line;
  }
  const size_t colon = last.find("Error: ");
  return colon == std::string::npos ? last : last.substr(colon + 7);
}

std::string at_position(const std::string& expr, std::optional<size_t> offset) {
  if (!offset) return "";
  if (*offset >= expr.size()) return " at the end";
  return " at position " + std::to_string(char_position(expr, *offset));
}

// The expression's text at a graph node (its call), when it lies in the formula's own line.
std::string node_text(const jit::Node* node, const std::string& expr, size_t expr_start,
                      std::optional<size_t>& offset) {
  const jit::SourceRange& r = node->sourceRange();
  if (r.source() && r.start() >= expr_start && r.end() <= expr_start + expr.size() &&
      r.source()->text_str().str().compare(expr_start, expr.size(), expr) == 0) {
    offset = r.start() - expr_start;
    return expr.substr(r.start() - expr_start, r.end() - r.start());
  }
  return "";
}

namespace {

// What the operators + - * / ** % and comparisons compile to.
const std::set<std::string>& operator_ops() {
  static const std::set<std::string> ops{
      "add",          "sub",     "mul",    "div",     "neg",         "rsub",       "pow",
      "remainder",    "gt",      "lt",     "ge",      "le",          "eq",         "ne",
      "floor_divide", "__and__", "__or__", "__xor__", "bitwise_not", "logical_not"};
  return ops;
}

bool is_allowed_op(const std::string& name) {
  const auto& f = allowed_functions();
  return operator_ops().count(name) > 0 || std::find(f.begin(), f.end(), name) != f.end();
}

// The names the formula's source resolves besides x and its constants.
struct FormulaResolver : jit::Resolver {
  std::shared_ptr<jit::SugaredValue> resolveValue(const std::string& name, jit::GraphFunction& m,
                                                  const jit::SourceRange&) override {
    const auto& f = allowed_functions();
    if (std::find(f.begin(), f.end(), name) != f.end()) {
      return std::make_shared<jit::BuiltinFunction>(c10::Symbol::aten(name), c10::nullopt);
    }
    if (name == "pi") return std::make_shared<jit::SimpleValue>(m.graph()->insertConstant(M_PI));
    if (name == "e") return std::make_shared<jit::SimpleValue>(m.graph()->insertConstant(M_E));
    // torch.NAME reaches every builtin; the graph check below keeps the elementwise ones.
    if (name == "torch") return std::make_shared<jit::BuiltinModule>("aten");
    return nullptr;
  }
  c10::TypePtr resolveType(const std::string&, const jit::SourceRange&) override { return nullptr; }
};

// A TorchScript error report: its first line (without the trailing "here:") and the position its
// "~~~ <--- HERE" marker points at in the expression, if any.
struct Diagnosis {
  std::string what;
  std::optional<size_t> offset;  // bytes from the expression's start
};

Diagnosis diagnose(const std::string& report, const std::string& expr) {
  Diagnosis d;
  d.what = first_line(report);
  for (const char* tail : {" here:", ":"}) {
    const std::string t = tail;
    if (d.what.size() > t.size() && d.what.compare(d.what.size() - t.size(), t.size(), t) == 0) {
      d.what.resize(d.what.size() - t.size());
      break;
    }
  }
  std::istringstream in(report);
  std::string previous, line;
  while (std::getline(in, line)) {
    const size_t here = line.find("<--- HERE");
    const size_t tilde = line.find('~');
    if (here != std::string::npos && tilde != std::string::npos && tilde < here) {
      const std::string prefix = kReturnPrefix;
      long col = long(tilde);
      if (previous.compare(0, prefix.size(), prefix) == 0) col -= long(prefix.size());
      if (col >= 0 && size_t(col) <= expr.size()) d.offset = size_t(col);
      break;
    }
    previous = line;
  }
  return d;
}

// The UTF-8 character of `expr` at byte `offset`.
std::string char_at(const std::string& expr, size_t offset) {
  size_t end = offset + 1;
  while (end < expr.size() && (static_cast<unsigned char>(expr[end]) & 0xC0) == 0x80) ++end;
  return expr.substr(offset, end - offset);
}

// A syntax error: TorchScript's lexer says "expected a valid token" for a character it has no
// token for; that is said plainly.
std::string syntax_error(const std::string& where, const std::string& expr, const Diagnosis& d) {
  const size_t offset = d.offset.value_or(expr.size());
  if (d.what.find("expected a valid token") != std::string::npos && offset < expr.size()) {
    return where + ": syntax error" + at_position(expr, offset) + ": '" + char_at(expr, offset) +
           "' is not part of a formula (names are ASCII letters, digits and '_')";
  }
  return where + ": syntax error" + at_position(expr, offset) + ": " + d.what;
}

}  // namespace

std::string normalised_text(const std::string& expr, const std::string& where) {
  std::vector<std::string> tokens;
  try {
    jit::Lexer lexer(std::make_shared<jit::Source>(expr));
    while (true) {
      jit::Token t = lexer.next();
      if (t.kind == jit::TK_EOF) break;
      if (t.kind == jit::TK_NEWLINE || t.kind == jit::TK_INDENT || t.kind == jit::TK_DEDENT)
        continue;
      tokens.push_back(t.text());
    }
  } catch (const std::exception& e) {
    throw InputError(syntax_error(where, expr, diagnose(e.what(), expr)));
  }
  static const std::set<std::string> openers{"(", "["}, closers{")", "]", ","}, tight{"."};
  static const std::set<std::string> binary{
      "+", "-", "*", "/", "**", "%", "<", ">", "<=", ">=", "==", "!=", "&", "|", "^", "//", "="};
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    const std::string prev = i > 0 ? tokens[i - 1] : "";
    // A sign is unary at the start, after an opening bracket, a comma or another operator.
    const bool prev_unary = i > 0 && (prev == "-" || prev == "+" || prev == "~") &&
                            (i == 1 || openers.count(tokens[i - 2]) || tokens[i - 2] == "," ||
                             binary.count(tokens[i - 2]));
    const bool call = t == "(" && i > 0 && !binary.count(prev) && !openers.count(prev) &&
                      prev != "," && prev != "not" && prev != "and" && prev != "or";
    const bool space = i > 0 && !closers.count(t) && !openers.count(prev) && !tight.count(t) &&
                       !tight.count(prev) && !call && !(t == "[" && i > 0) && !prev_unary &&
                       prev != "~";
    if (space) out += ' ';
    out += t;
  }
  return out;
}

namespace {

std::string function_source(const std::string& expr, const std::vector<FormulaConstant>& cs) {
  std::string src = "def f(x: Tensor";
  for (const auto& c : cs) src += ", " + c.name + ": Tensor";
  return src + ") -> Tensor:\n" + kReturnPrefix + expr + "\n";
}

std::string allowed_list() {
  return join(allowed_functions(), ", ");
}

// Refuses any node but constants and the allowed elementwise operations.
void check_graph(const jit::Graph& graph, const std::string& expr, size_t expr_start,
                 const std::string& where) {
  // The operations first (x.new_zeros(3) is named by its call, not by the list it builds).
  std::vector<const jit::Node*> nodes;
  for (const jit::Node* node : graph.nodes()) {
    if (node->kind().is_aten()) nodes.push_back(node);
  }
  for (const jit::Node* node : graph.nodes()) {
    if (!node->kind().is_aten()) nodes.push_back(node);
  }
  for (const jit::Node* node : nodes) {
    const c10::Symbol kind = node->kind();
    // prim::abs is Python's abs(), elementwise on a tensor like torch.abs.
    if (kind == c10::prim::Constant || kind == c10::Symbol::prim("abs")) continue;
    if (kind.is_aten() && is_allowed_op(kind.toUnqualString()) && node->blocks().empty()) continue;
    std::optional<size_t> offset;
    const std::string text = node_text(node, expr, expr_start, offset);
    std::string what = kind.is_aten() ? std::string("calls ") + kind.toUnqualString()
                                      : std::string("uses ") + kind.toQualString();
    throw InputError(where + ": '" + (text.empty() ? expr : text) + "'" +
                     at_position(expr, offset) + " " + what +
                     ", which is not an elementwise function a formula may use; it may use x, its "
                     "constants, pi, e, numbers, + - * / ** % and comparisons, and " +
                     allowed_list());
  }
}

// Compiles `expr` with `constants` as the function's arguments; InputError names what is wrong.
std::shared_ptr<jit::Graph> compile(const std::string& expr,
                                    const std::vector<FormulaConstant>& constants,
                                    const std::string& where) {
  // Parse the expression alone first: a syntax error's position is then the expression's own,
  // and anything after a complete expression (a second statement) is refused.
  try {
    jit::Parser parser(std::make_shared<jit::Source>(expr));
    const jit::Expr tree = parser.parseExp();
    jit::Token& next = parser.lexer().cur();
    if (next.kind != jit::TK_EOF && next.kind != jit::TK_NEWLINE) {
      throw InputError(where + ": syntax error" + at_position(expr, next.range.start()) +
                       ": unexpected '" + next.text() + "' after a complete expression");
    }
    check_literal_arithmetic(tree, expr, where);
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(syntax_error(where, expr, diagnose(e.what(), expr)));
  }
  const std::string src = function_source(expr, constants);
  const size_t expr_start = src.find('\n') + 1 + std::string(kReturnPrefix).size();
  jit::CompilationUnit cu;
  try {
    cu.define(c10::nullopt, src, std::make_shared<FormulaResolver>(), nullptr);
  } catch (const std::exception& e) {
    const Diagnosis d = diagnose(e.what(), expr);
    static const std::regex undefined("undefined value ([A-Za-z_][A-Za-z0-9_]*)");
    std::smatch m;
    if (std::regex_search(d.what, m, undefined)) {
      const std::string name = m[1];
      const size_t end = d.offset ? *d.offset + name.size() : expr.size();
      const size_t after = expr.find_first_not_of(' ', end);
      std::vector<std::string> names = allowed_functions();
      if (after != std::string::npos && expr[after] == '(') {
        const std::string guess = closest_match(name, names);
        throw InputError(where + ": unknown function '" + name + "'" + at_position(expr, d.offset) +
                         (guess.empty() ? "" : " (did you mean '" + guess + "'?)") +
                         "; a formula may call " + allowed_list());
      }
      std::vector<std::string> known{"x", "pi", "e"};
      for (const auto& c : constants) known.push_back(c.name);
      const std::string guess = closest_match(name, known);
      throw InputError(where + ": unknown name '" + name + "'" + at_position(expr, d.offset) +
                       (guess.empty() ? "" : " (did you mean '" + guess + "'?)") +
                       "; a formula uses x, pi, e and its constants, each given a value under "
                       "params (e.g. params: {" +
                       name + ": 1.0})");
    }
    if (d.what.find("Return value was annotated") != std::string::npos) {
      throw InputError(where + ": the formula's result is not a tensor of x's shape (" + d.what +
                       "); an activation is an elementwise function of x");
    }
    std::string what = d.what;
    while (!what.empty() && (what.back() == '.' || what.back() == ' ')) what.pop_back();
    const std::string at = at_position(expr, d.offset);
    throw InputError(where + ":" + at + (at.empty() ? " " : ": ") + what);
  }
  auto& fn = jit::toGraphFunction(cu.get_function("f"));
  std::shared_ptr<jit::Graph> graph = fn.graph()->copy();
  check_graph(*graph, expr, expr_start, where);
  check_no_integers(graph, constants, expr, expr_start, where);
  for (size_t i = 0; i < constants.size(); ++i) {
    if (graph->inputs().at(i + 1)->uses().empty()) {
      throw InputError(where + ": constant '" + constants[i].name +
                       "' is given under params but the formula does not use it");
    }
  }
  return graph;
}

}  // namespace

torch::Tensor constant_tensor(const FormulaConstant& c, int64_t width) {
  return torch::full({c.per_unit ? width : 1}, c.init, torch::kFloat);
}

torch::Tensor run_graph(const jit::Code& code, const torch::Tensor& x,
                        const std::vector<torch::Tensor>& constants) {
  jit::Stack stack;
  stack.reserve(1 + constants.size());
  stack.emplace_back(x);
  for (const auto& c : constants) stack.emplace_back(c);
  jit::InterpreterState(code).run(stack);
  return stack.back().toTensor();
}

namespace {

// Runs the compiled formula once on a small batch: the result must have x's shape and a floating
// type, and every learnable constant must get a gradient.
void check_result(const std::shared_ptr<jit::Graph>& graph,
                  const std::vector<FormulaConstant>& constants, const std::string& where) {
  constexpr int64_t kWidth = 3;
  torch::Tensor x = torch::linspace(-3, 3, 2 * kWidth).view({2, kWidth}).requires_grad_();
  std::vector<torch::Tensor> values;
  for (const auto& c : constants) {
    values.push_back(constant_tensor(c, kWidth).requires_grad_(c.learnable));
  }
  torch::Tensor y;
  try {
    jit::Code code(graph, "formula");
    y = run_graph(code, x, values);
  } catch (const std::exception& e) {
    throw InputError(where + ": the formula cannot be evaluated: " + interpreter_reason(e.what()));
  }
  if (y.sizes() != x.sizes()) {
    std::ostringstream shape;
    shape << y.sizes();
    throw InputError(where + ": the formula's result has shape " + shape.str() +
                     " for x of shape [2, 3]; an activation is elementwise: its result has x's "
                     "shape");
  }
  if (!y.is_floating_point()) {
    throw InputError(where + ": the formula's result is " +
                     std::string(c10::toString(y.scalar_type())) +
                     ", not a real number per element (a comparison alone is not an activation; "
                     "use where(x > 0, x, 0.1 * x) for example)");
  }
  if (y.requires_grad()) {
    try {
      torch::autograd::grad({y.sum()}, {x}, {}, true, false, /*allow_unused=*/true);
    } catch (const std::exception& e) {
      throw InputError(
          where + ": the formula has no derivative to train with: " + interpreter_reason(e.what()));
    }
  }
  std::vector<torch::Tensor> learnable;
  std::vector<std::string> names;
  for (size_t i = 0; i < constants.size(); ++i) {
    if (constants[i].learnable) {
      learnable.push_back(values[i]);
      names.push_back(constants[i].name);
    }
  }
  if (learnable.empty()) return;
  if (!y.requires_grad()) {
    throw InputError(where + ": no learnable constant gets a gradient from the formula");
  }
  auto grads = torch::autograd::grad({y.sum()}, learnable, {}, false, false, /*allow_unused=*/true);
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) {
      throw InputError(where + ": learnable constant '" + names[i] +
                       "' gets no gradient from the formula (it is used only where nothing is "
                       "differentiable, e.g. in a comparison); make it fixed (learnable: false)");
    }
  }
}

}  // namespace

std::shared_ptr<const CompiledFormula> compiled(const std::string& expr,
                                                const std::vector<FormulaConstant>& constants,
                                                const std::string& where) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const CompiledFormula>> cache;
  // The checks depend on the names and on which constants are learnable or per unit, not on
  // their values.
  std::string key = expr;
  for (const auto& c : constants) {
    key += "\n" + c.name + (c.learnable ? " learnable" : "") + (c.per_unit ? " per_unit" : "");
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) {
      auto copy = std::make_shared<CompiledFormula>(*it->second);
      copy->constants = constants;  // same names, possibly other values
      return copy;
    }
  }
  auto f = std::make_shared<CompiledFormula>();
  f->expr = expr;
  f->constants = constants;
  f->graph = compile(expr, constants, where);
  check_result(f->graph, constants, where);
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= kMaxCached) cache.clear();  // a config has a handful; a fuzzer, millions
  cache.emplace(key, f);
  return f;
}

}  // namespace actbench::formula_detail
