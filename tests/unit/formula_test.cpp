// Formula activations (activations/formula.h): what they compute, what they refuse, and their
// place in runs, identities, curves, sweeps and the recorded learned constants. (Through the
// binary: the run store, results, summary and resume, e2e/formula_cli_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "activations/curves.h"
#include "activations/formula.h"
#include "activations/registry.h"
#include "config/keys.h"
#include "plan/plan.h"
#include "test_support.h"
#include "train/preflight.h"
#include "train/trainer.h"

namespace {

using actbench::ActivationSpec;
using actbench_test::input_error_message;
using actbench_test::TempDir;
using actbench_test::write_text;
namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

ActivationSpec formula(const std::string& expr, const json& params = nullptr,
                       const std::string& label = "") {
  json entry = {{"name", "formula"}, {"expr", expr}};
  if (!params.is_null()) entry["params"] = params;
  if (!label.empty()) entry["label"] = label;
  return actbench::resolve_activation(entry, "test");
}

std::string refusal(const std::string& expr, const json& params = nullptr) {
  return input_error_message([&] { formula(expr, params); });
}

// Value and derivative (by autograd) of `spec` on z, a [rows, width] grid.
std::pair<torch::Tensor, torch::Tensor> value_and_derivative(const ActivationSpec& spec,
                                                             const torch::Tensor& z) {
  torch::nn::AnyModule act = actbench::make_activation(spec, z.size(1));
  torch::Tensor leaf = z.clone().requires_grad_(true);
  torch::Tensor y = act.forward(leaf);
  torch::Tensor dy = torch::autograd::grad({y.sum()}, {leaf})[0];
  return {y.detach(), dy};
}

torch::Tensor grid() {
  return torch::cat(
             {torch::linspace(-12, 12, 2401), torch::tensor({0.0f, -0.0f, 1e-8f, -50.0f, 50.0f})})
      .view({-1, 1})
      .repeat({1, 3});
}

TEST(Formula, SwishFormulaEqualsBuiltInSiLUToFloatRounding) {
  const auto [y, dy] = value_and_derivative(formula("x * sigmoid(x)"), grid());
  const auto [ys, dys] = value_and_derivative(actbench::resolve_activation("silu", "test"), grid());
  EXPECT_TRUE(torch::allclose(y, ys, /*rtol=*/1e-6, /*atol=*/1e-6));
  EXPECT_TRUE(torch::allclose(dy, dys, 1e-6, 1e-6));
  EXPECT_LT((y - ys).abs().max().item<double>(), 1e-5);
}

TEST(Formula, TanhApproximationEqualsGeluTanhWithin1e6) {
  const auto [y, dy] = value_and_derivative(
      formula("0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x ** 3)))"), grid());
  const auto [yg, dyg] = value_and_derivative(
      actbench::resolve_activation(json{{"name", "gelu"}, {"approximate", "tanh"}}, "test"),
      grid());
  EXPECT_LE((y - yg).abs().max().item<double>(), 1e-6);
  EXPECT_LE((dy - dyg).abs().max().item<double>(), 1e-5);
}

TEST(Formula, ConstantsArePassedAndLearnableOnesAreParameters) {
  const ActivationSpec spec =
      formula("x * sigmoid(beta * x) + gamma",
              {{"beta", {{"init", 2.0}, {"learnable", true}}}, {"gamma", 0.5}});
  torch::nn::AnyModule act = actbench::make_activation(spec, 4);
  ASSERT_EQ(act.ptr()->parameters().size(), 1u);  // beta; gamma is a buffer
  EXPECT_EQ(act.ptr()->named_parameters().begin()->key(), "beta");
  EXPECT_EQ(act.ptr()->buffers().size(), 1u);
  const torch::Tensor x = torch::linspace(-3, 3, 8).view({2, 4});
  const torch::Tensor expected = x * torch::sigmoid(2 * x) + 0.5;
  EXPECT_TRUE(torch::allclose(act.forward(x), expected, 1e-6, 1e-6));
  // One beta per unit with per_unit, and every one gets its gradient.
  const ActivationSpec per_unit =
      formula("x * sigmoid(beta * x)",
              {{"beta", {{"init", 1.0}, {"learnable", true}, {"per_unit", true}}}});
  torch::nn::AnyModule pu = actbench::make_activation(per_unit, 4);
  ASSERT_EQ(pu.ptr()->parameters().at(0).numel(), 4);
  pu.forward(x).sum().backward();
  const torch::Tensor g = pu.ptr()->parameters().at(0).grad();
  ASSERT_TRUE(g.defined());
  // d/dbeta of x sigmoid(beta x) = x^2 s (1 - s), summed over the batch, per unit.
  const torch::Tensor s = torch::sigmoid(x);
  EXPECT_TRUE(torch::allclose(g, (x * x * s * (1 - s)).sum(0), 1e-5, 1e-6));
}

TEST(Formula, SyntaxErrorsNameThePosition) {
  EXPECT_THAT(refusal("x * (1 + "), HasSubstr("syntax error at the end"));
  EXPECT_THAT(refusal("x $ 2"), HasSubstr("syntax error at position 3"));
  EXPECT_THAT(refusal("x) + (x"), HasSubstr("syntax error at position 2: unexpected ')'"));
  EXPECT_THAT(refusal("x x"), HasSubstr("syntax error at position 3"));
  EXPECT_THAT(refusal("x * σ(x)"),
              HasSubstr("syntax error at position 5: 'σ' is not part of a formula"));
  // Everything the user wrote is in the line, and it starts with where the entry is.
  const std::string m = refusal("x * (1 + ");
  EXPECT_THAT(m, HasSubstr("test: formula 'x * (1 + '"));
}

TEST(Formula, UnknownFunctionsAndNamesAreNamedWithAGuess) {
  std::string m = refusal("x * sigmod(x)");
  EXPECT_THAT(m, HasSubstr("unknown function 'sigmod' at position 5"));
  EXPECT_THAT(m, HasSubstr("did you mean 'sigmoid'"));
  m = refusal("x * sigmoid(beta * x)");
  EXPECT_THAT(m, HasSubstr("unknown name 'beta' at position 13"));
  EXPECT_THAT(m, HasSubstr("params"));
  m = refusal("x * bta", {{"beta", 1.0}});
  EXPECT_THAT(m, HasSubstr("unknown name 'bta'"));
  EXPECT_THAT(m, HasSubstr("did you mean 'beta'"));
}

TEST(Formula, AnythingButElementwiseFunctionsIsRefusedNamingIt) {
  EXPECT_THAT(refusal("x.sum()"), HasSubstr("calls sum, which is not an elementwise function"));
  EXPECT_THAT(refusal("torch.softmax(x, 1)"), HasSubstr("calls softmax"));
  EXPECT_THAT(refusal("x[0]"), HasSubstr("'x[0]' at position 1 calls select"));
  EXPECT_THAT(refusal("x * torch.zeros(3)"), HasSubstr("not an elementwise function"));
  EXPECT_THAT(refusal("x.t()"), HasSubstr("calls t,"));
  EXPECT_THAT(refusal("x.new_zeros(3)"), HasSubstr("calls new_zeros"));
  EXPECT_THAT(refusal("x.grad"), HasSubstr("uses prim::grad"));
  EXPECT_THAT(refusal("x.numpy()"), HasSubstr("at position 1: 'Tensor' object has no attribute"));
  EXPECT_THAT(refusal("x.exp_()"), HasSubstr("calls exp_"));  // in place
  EXPECT_THAT(refusal("x.detach()"), HasSubstr("calls detach"));
  EXPECT_THAT(refusal("print(x)"), HasSubstr("test: formula 'print(x)'"));
  EXPECT_THAT(refusal("x if x > 0 else 0"), HasSubstr("test: formula"));
  // A second statement, another line, a lambda: not one expression.
  EXPECT_THAT(refusal("x; x"), HasSubstr("syntax error"));
  EXPECT_THAT(refusal("x\nimport os"), HasSubstr("must be one line"));
  EXPECT_THAT(refusal("lambda: x"), HasSubstr("syntax error"));
  // Allowed: operators, comparisons inside where, methods of the allowed functions, abs.
  EXPECT_EQ(formula("where(x > 0, x, 0.1 * x) + abs(x) % 2 - x.tanh() ** 2").name, "formula");
}

TEST(Formula, ResultsThatAreNotXsShapeAreRefused) {
  EXPECT_THAT(refusal("1.0"), HasSubstr("not a tensor of x's shape"));
  EXPECT_THAT(refusal("beta", {{"beta", 1.0}}), HasSubstr("has shape [1] for x of shape [2, 3]"));
  EXPECT_THAT(refusal("x > 0"), HasSubstr("not a real number per element"));
}

// Formulas compute in floating point: the smallest integer divided by -1 faults (SIGFPE) in
// integer arithmetic, whether TorchScript folds it while compiling or a tensor computes it.
TEST(Formula, WholeNumberArithmeticIsRefusedBeforeItRuns) {
  const std::string kWhole = "computes with whole numbers";
  EXPECT_THAT(refusal("x + (-9223372036854775807 - 1) // -1"), HasSubstr(kWhole + " (ints)"));
  EXPECT_THAT(refusal("x + (-9223372036854775807 - 1) % -1"), HasSubstr(kWhole + " (ints)"));
  EXPECT_THAT(refusal("x * (2 ** 3)"), HasSubstr("'2 ** 3' at position 6 " + kWhole));
  EXPECT_THAT(refusal("x * (True + 1)"), HasSubstr("'True + 1' at position 6 " + kWhole));
  EXPECT_THAT(refusal("((x > 0) * (-9223372036854775807 - 1)) // -1"), HasSubstr(kWhole));
  EXPECT_THAT(refusal("x * ((x > 0) * -9223372036854775807) // -1"),
              HasSubstr("'(x > 0) * -9223372036854775807' at position 6 " + kWhole +
                        " (a tensor of Long)"));
  EXPECT_THAT(refusal("((x > 0) * 1) // 0"), HasSubstr("write 2.0 for 2"));
  // Floating point, negative literals, powers of x and comparisons stay allowed.
  for (const char* ok : {"x * -1", "x ** 2", "x + 7.0 // 2.0", "x * ((x > 0) + (x > 1))",
                         "0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x ** 3)))"}) {
    EXPECT_EQ(formula(ok).name, "formula") << ok;
  }
}

// What the interpreter says is the reason, not its "operation failed" preamble; a formula that
// autograd cannot differentiate is refused before it is trained.
TEST(Formula, EvaluationErrorsGiveTheReasonAndAFormulaNeedsADerivative) {
  const std::string m = refusal("(x > 0) // (x > 5)");
  EXPECT_THAT(m, HasSubstr("cannot be evaluated: \"div_floor_cpu\" not implemented for 'Bool'"));
  EXPECT_THAT(m, Not(HasSubstr("operation failed")));
  EXPECT_THAT(refusal("x * 1e3 // 2"),
              HasSubstr("has no derivative to train with: derivative for aten::floor_divide is "
                        "not implemented"));
  // Where the floor division only chooses, there is a derivative.
  EXPECT_EQ(formula("where(x // 1.0 > 0, x, 0.0)").name, "formula");
}

TEST(Formula, ConstantsWithoutValuesOrBadOnesAreRefused) {
  EXPECT_THAT(refusal("beta * x", {{"beta", nullptr}}),
              HasSubstr("params.beta: the constant has no value"));
  EXPECT_THAT(refusal("beta * x", {{"beta", {{"learnable", true}}}}), HasSubstr("has no value"));
  EXPECT_THAT(refusal("beta * x", {{"beta", "one"}}), HasSubstr("must be a number or {init"));
  EXPECT_THAT(refusal("beta * x", {{"beta", {{"init", 1}, {"learnable", "yes"}}}}),
              HasSubstr("learnable must be true or false"));
  EXPECT_THAT(refusal("beta * x", {{"beta", {{"init", 1}, {"per_unit", true}}}}),
              HasSubstr("per_unit needs learnable: true"));
  EXPECT_THAT(refusal("beta * x", {{"beta", {{"init", 1}, {"lr", 2}}}}),
              HasSubstr("unknown key 'lr'"));
  EXPECT_THAT(refusal("x", {{"beta", 1.0}}),
              HasSubstr("'beta' is given under params but the formula does not use it"));
  EXPECT_THAT(refusal("sigmoid * x", {{"sigmoid", 1.0}}), HasSubstr("'sigmoid' is taken"));
  EXPECT_THAT(refusal("x * x", {{"x", 1.0}}), HasSubstr("'x' is taken"));
  EXPECT_THAT(refusal("x", {{"2b", 1.0}}), HasSubstr("is not a name"));
  EXPECT_THAT(refusal("where(x > t, x, 0 * x)", {{"t", {{"init", 0.0}, {"learnable", true}}}}),
              HasSubstr("learnable constant 't' gets no gradient"));
  EXPECT_THAT(input_error_message([] {
                actbench::resolve_activation(json{{"name", "formula"}}, "test");
              }),
              HasSubstr("a formula needs 'expr'"));
  EXPECT_THAT(input_error_message([] {
                actbench::resolve_activation(json{{"name", "formula"}, {"expr", 3}}, "test");
              }),
              HasSubstr("'expr' must be a non-empty string"));
  EXPECT_THAT(input_error_message([] {
                actbench::resolve_activation(json{{"name", "formula"}, {"expr", "x"}, {"alpha", 1}},
                                             "test");
              }),
              HasSubstr("unknown key 'alpha' for formula"));
  EXPECT_THAT(refusal(std::string(1001, 'x')), HasSubstr("at most 1000"));
}

TEST(Formula, IdentityIsTheNormalisedTextAndTheConstants) {
  const json beta = {{"beta", {{"init", 1.0}, {"learnable", true}}}};
  const ActivationSpec a = formula("x*sigmoid(beta*x)", beta);
  const ActivationSpec b = formula("  x * sigmoid( beta *x )", beta);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.params.at("expr"), "x * sigmoid(beta * x)");
  EXPECT_EQ(formula("-x + (-2) * x ** -1 + x.tanh()").params.at("expr"),
            "-x + (-2) * x ** -1 + x.tanh()");
  // Spacing aside, the run's identity is the same; another formula or constant is another run.
  const auto identity = [](const std::string& entry) {
    return actbench::run_identity(actbench_test::plan_of({"activations=[" + entry + "]"}).base);
  };
  const json same = identity("{name: formula, expr: 'x*sigmoid(beta*x)', params: {beta: 1.5}}");
  EXPECT_EQ(same, identity("{name: formula, expr: 'x * sigmoid(beta * x)', params: {beta: 1.5}}"));
  EXPECT_NE(same, identity("{name: formula, expr: 'x * sigmoid(beta * x)', params: {beta: 2}}"));
  EXPECT_NE(same, identity("{name: formula, expr: 'x * sigmoid(beta * x)', "
                           "params: {beta: {init: 1.5, learnable: true}}}"));
  EXPECT_NE(same, identity("{name: formula, expr: 'x * tanh(beta * x)', params: {beta: 1.5}}"));
  EXPECT_THAT(same.dump(), HasSubstr("x * sigmoid(beta * x)"));
  // Written back, the spec reads as the same spec (results.json's config is a valid config).
  EXPECT_EQ(actbench::resolve_activation(actbench::activation_to_json(a), "again").params,
            a.params);
}

TEST(Formula, CurvesDrawTheFormulaAndItsDerivative) {
  const json curves = actbench::activation_curves(
      {formula("x * sigmoid(x)", nullptr, "mine"), actbench::resolve_activation("silu", "t")}, -4,
      4, 81);
  const json& mine = curves.at("activations").at(0);
  const json& silu = curves.at("activations").at(1);
  EXPECT_EQ(mine.at("label"), "mine");
  EXPECT_EQ(mine.at("formula"), "x * sigmoid(x)");
  for (size_t i = 0; i < 81; ++i) {
    EXPECT_NEAR(mine.at("y")[i].get<double>(), silu.at("y")[i].get<double>(), 1e-6);
    EXPECT_NEAR(mine.at("dy")[i].get<double>(), silu.at("dy")[i].get<double>(), 1e-6);
  }
}

TEST(Formula, NotFiniteOnTheDataAtInitialisationIsRefusedBeforeTraining) {
  const actbench::Config config = actbench_test::synthetic_config({"model.hidden=[16,16]"});
  const actbench::Dataset& data = actbench_test::cpu_dataset(config.data);
  std::string m = input_error_message(
      [&] { actbench::check_activation_at_init(config, formula("log(x)"), data, "run log"); });
  EXPECT_THAT(m, HasSubstr("run log: the formula 'log(x)' gives NaN at x = -"));
  EXPECT_THAT(m, HasSubstr("hidden layer 1"));
  m = input_error_message([&] {
    actbench::check_activation_at_init(config, formula("log(x - c)", {{"c", 0.25}}), data, "r");
  });
  EXPECT_THAT(m, HasSubstr("with c = 0.25 gives"));
  // The value is finite at 0 but the derivative is not.
  m = input_error_message(
      [&] { actbench::check_activation_at_init(config, formula("sqrt(x * x)"), data, "r"); });
  EXPECT_THAT(m, HasSubstr("has derivative NaN at x = 0"));
  EXPECT_NO_THROW(actbench::check_activation_at_init(config, formula("x * sigmoid(x)"), data, "r"));
}

TEST(Formula, LearnedConstantsMoveAndAreRecordedEveryEpochByBothEngines) {
  const std::string swish =
      "activations=[{name: formula, expr: 'x * sigmoid(beta * x)', "
      "params: {beta: {init: 1.0, learnable: true}}}]";
  std::vector<actbench::RunResult> runs;
  for (const char* engine : {"train.engine=fused", "train.engine=autograd"}) {
    runs.push_back(actbench_test::train_cpu(
        actbench_test::synthetic_config({swish, "model.hidden=[16,16]", engine})));
  }
  for (const auto& run : runs) {
    ASSERT_EQ(run.epochs.size(), 2u);
    for (const auto& e : run.epochs) {
      ASSERT_TRUE(e.learned.contains("beta")) << e.learned.dump();
      ASSERT_EQ(e.learned.at("beta").size(), 2u);  // one per hidden layer
      for (const auto& v : e.learned.at("beta")) EXPECT_NE(v.get<double>(), 1.0);
    }
  }
  // The fused engine differentiates the formula by autograd: the same numbers as the reference.
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(runs[0].epochs[i].learned, runs[1].epochs[i].learned);
    EXPECT_NEAR(runs[0].epochs[i].train_loss, runs[1].epochs[i].train_loss, 1e-5);
  }
  // Per unit: a list per layer, one value per unit.
  const actbench::RunResult pu = actbench_test::train_cpu(actbench_test::synthetic_config(
      {"activations=[{name: formula, expr: 'x * sigmoid(beta * x)', params: {beta: {init: 1.0, "
       "learnable: true, per_unit: true}}}]",
       "model.hidden=[16,8]", "train.epochs=1"}));
  ASSERT_EQ(pu.epochs.at(0).learned.at("beta").size(), 2u);
  EXPECT_EQ(pu.epochs.at(0).learned.at("beta")[0].size(), 16u);
  EXPECT_EQ(pu.epochs.at(0).learned.at("beta")[1].size(), 8u);
  // An activation that learns nothing records nothing.
  const actbench::RunResult relu =
      actbench_test::train_cpu(actbench_test::synthetic_config({"train.epochs=1"}));
  EXPECT_TRUE(relu.epochs.at(0).learned.is_null());
}

// activations.LABEL.PARAM sets one entry's parameter; with several values (KEY=a,b or under
// sweep:) the entry becomes one activation per value.
TEST(Formula, AnEntrysParameterIsSetOrSweptLikeAnyKey) {
  const std::string swish =
      "activations=[relu, {name: formula, expr: 'x * sigmoid(beta * x)', params: {beta: {init: "
      "1.0, learnable: true}}, label: Swish}]";
  auto labels = [](const actbench::Plan& plan) {
    std::vector<std::string> out;
    for (const auto& a : plan.base.activations) out.push_back(a.label);
    return out;
  };
  actbench::Plan plan = actbench_test::plan_of({swish, "activations.Swish.params.beta.init=0.5,2"});
  EXPECT_EQ(labels(plan), (std::vector<std::string>{"ReLU", "Swish(beta=0.5)", "Swish(beta=2)"}));
  EXPECT_EQ(plan.base.activations[2].params.at("params").at("beta").at("init"), 2.0);
  EXPECT_EQ(plan.base.activations[2].params.at("params").at("beta").at("learnable"), true);
  EXPECT_EQ(plan.runs.size(), 3u);
  // One value: that entry's parameter, its label kept.
  plan = actbench_test::plan_of({swish, "activations.swish.params.beta.learnable=false"});
  EXPECT_EQ(labels(plan), (std::vector<std::string>{"ReLU", "Swish"}));
  EXPECT_EQ(plan.base.activations[1].params.at("params").at("beta").at("learnable"), false);
  // Under sweep: in a file, a built-in's parameter too, and a plain name is found by its name.
  plan = actbench_test::plan_of(
      {},
      "activations: [relu, leaky_relu]\n"
      "sweep:\n  activations.LeakyReLU.negative_slope: [0.01, 0.2]\n  train.seed: [0, 1]\n");
  EXPECT_EQ(labels(plan), (std::vector<std::string>{"ReLU", "LeakyReLU(negative_slope=0.01)",
                                                    "LeakyReLU(negative_slope=0.2)"}));
  EXPECT_EQ(plan.runs.size(), 6u);
  EXPECT_EQ(plan.base.activations[2].params.at("negative_slope"), 0.2);
  // What is wrong is named.
  EXPECT_THAT(input_error_message([&] {
                actbench_test::plan_of({swish, "activations.Swosh.params.beta.init=1,2"});
              }),
              HasSubstr("no activation is labelled 'Swosh' (the activations: ReLU, Swish)"));
  EXPECT_THAT(input_error_message([&] {
                actbench_test::plan_of({swish, "activations.Swish=1"});
              }),
              HasSubstr("names no parameter"));
  EXPECT_THAT(input_error_message([&] {
                actbench_test::plan_of({swish, "activations.Swish.params.beta.init=x,2"});
              }),
              HasSubstr("params.beta: the value must be a finite number"));
  EXPECT_THAT(input_error_message([&] {
                actbench_test::plan_of({swish, "activations.ReLU.negative_slope=0.1,0.2"});
              }),
              HasSubstr("unknown parameter 'negative_slope' for relu"));
}

}  // namespace
