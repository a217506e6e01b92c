// Diagnostics: the per-layer weight-gradient norms against a hand-written backward pass, dead and
// saturated units and activation moments on hand-set networks, and diagnostics never changing the
// training numbers. (The activation curves: curves_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include <torch/torch.h>

#include "activations/curves.h"
#include "data/dataset.h"
#include "device/device.h"
#include "model/mlp.h"
#include "test_support.h"
#include "train/engine.h"
#include "train/trainer.h"

namespace {

namespace fs = std::filesystem;
using actbench::Json;
using actbench::MLP;
using actbench::MLPOptions;
using ::testing::HasSubstr;

MLP tiny_mlp(const std::string& activation, std::vector<int64_t> hidden, int64_t seed = 4) {
  torch::manual_seed(uint64_t(seed));
  return MLP(MLPOptions(6, std::move(hidden), 3, actbench::resolve_activation(activation, "test")));
}

// ||dLoss/dW|| per Linear layer for mean cross-entropy, by the chain rule written out:
// dz_L = (softmax(z_L) - onehot(y)) / B, dW_i = dz_i^T a_{i-1}, dz_{i-1} = (dz_i W_i) *
// f'(z_{i-1}).
std::vector<double> hand_grad_norms(const std::vector<torch::Tensor>& w,
                                    const std::vector<torch::Tensor>& b, const torch::Tensor& x,
                                    const torch::Tensor& y, const std::string& act) {
  auto f = [&](const torch::Tensor& z) {
    return act == "relu" ? z.clamp_min(0) : torch::sigmoid(z);
  };
  auto df = [&](const torch::Tensor& z) {
    if (act == "relu") return z.gt(0).to(z.dtype());
    const torch::Tensor s = torch::sigmoid(z);
    return s * (1 - s);
  };
  std::vector<torch::Tensor> a{x.to(torch::kDouble)}, z;
  for (size_t i = 0; i < w.size(); ++i) {
    z.push_back(a.back().matmul(w[i].to(torch::kDouble).t()) + b[i].to(torch::kDouble));
    if (i + 1 < w.size()) a.push_back(f(z.back()));
  }
  const int64_t B = x.size(0);
  torch::Tensor dz =
      torch::softmax(z.back(), 1) - torch::one_hot(y, z.back().size(1)).to(torch::kDouble);
  dz = dz / double(B);
  std::vector<double> norms(w.size());
  for (size_t i = w.size(); i-- > 0;) {
    norms[i] = dz.t().matmul(a[i]).norm().item<double>();
    if (i > 0) dz = dz.matmul(w[i].to(torch::kDouble)) * df(z[i - 1]);
  }
  return norms;
}

// One engine's diagnostics on a network of `act`: three SGD steps, the mean gradient norms and the
// first step's against hand_grad_norms.
void expect_grad_norms_by_hand(const std::string& engine_name, const std::string& act) {
  SCOPED_TRACE(engine_name + " engine, " + act);
  MLP model = tiny_mlp(act, {5, 4});
  actbench::TrainConfig tc = actbench::default_config().train;
  tc.optimizer = actbench::Optimizer::kSgd;
  tc.lr = 0.5;
  tc.momentum = 0.0;
  auto engine =
      actbench::make_engine(*actbench::parse_choice<actbench::Engine>(engine_name), model, tc);
  engine->enable_diagnostics(3, torch::Device(torch::kCPU));
  torch::manual_seed(9);
  std::vector<double> expected(3, 0.0), first;
  const int kSteps = 3;
  EXPECT_TRUE(engine->first_step_grad_norm().empty());
  for (int s = 0; s < kSteps; ++s) {
    const torch::Tensor x = torch::randn({8, 6});
    const torch::Tensor y = torch::randint(0, 3, {8}, torch::kLong);
    std::vector<torch::Tensor> w, b;
    for (const auto& l : model->linears()) {
      w.push_back(l->weight.detach().clone());
      b.push_back(l->bias.detach().clone());
    }
    const auto norms = hand_grad_norms(w, b, x, y, act);
    for (size_t i = 0; i < 3; ++i) expected[i] += norms[i] / kSteps;
    if (s == 0) first = norms;
    engine->step(x, y, torch::zeros({}), torch::zeros({}, torch::kLong));
  }
  const actbench::StepDiagnostics d = engine->take_diagnostics();
  EXPECT_EQ(d.steps, kSteps);
  ASSERT_EQ(d.grad_norm.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(d.grad_norm[i], expected[i], 1e-5 * expected[i] + 1e-7) << "layer " << i;
    EXPECT_GT(d.grad_norm[i], 0.0);
  }
  ASSERT_TRUE(d.forward_seconds && d.backward_seconds && d.optimizer_seconds);
  EXPECT_GT(*d.forward_seconds, 0.0);
  EXPECT_GT(*d.backward_seconds, 0.0);
  EXPECT_GE(*d.optimizer_seconds, 0.0);
  // The first step's norms: the gradient of the initial weights.
  const std::vector<double> initial = engine->first_step_grad_norm();
  ASSERT_EQ(initial.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(initial[i], first[i], 1e-5 * first[i] + 1e-7);
  // Taking them starts afresh.
  EXPECT_EQ(engine->take_diagnostics().steps, 0);
}

TEST(Diagnostics, GradNormsAreTheMeanOverStepsOfEachLayersWeightGradientNorm) {
  for (const std::string engine : {"fused", "autograd"}) {
    for (const std::string act : {"relu", "sigmoid"}) expect_grad_norms_by_hand(engine, act);
  }
}

// A split of hand-made float inputs.
actbench::Split split_of(const torch::Tensor& x) {
  actbench::Split s;
  s.pixels = x.to(torch::kFloat);
  s.labels = torch::zeros({x.size(0)}, torch::kLong);
  return s;
}

TEST(Diagnostics, LayerStatsCountDeadAndSaturatedUnitsAndMomentsOnAHandSetNetwork) {
  // One hidden layer of 3 units on 2 inputs: z = (x0 + 10, -x0 - 10, x0 * 10). With x0 in
  // {-1, 0, 1, 2}: unit 0 always > 0, unit 1 always < 0 (a dead ReLU), unit 2 in {-10, 0, 10, 20}.
  for (const std::string act : {"relu", "sigmoid"}) {
    SCOPED_TRACE(act);
    torch::manual_seed(1);
    MLP m2(MLPOptions(2, {3}, 3, actbench::resolve_activation(act, "test")));
    {
      torch::NoGradGuard no_grad;
      m2->linears()[0]->weight.copy_(torch::tensor({{1.0f, 0.0f}, {-1.0f, 0.0f}, {10.0f, 0.0f}}));
      m2->linears()[0]->bias.copy_(torch::tensor({10.0f, -10.0f, 0.0f}));
    }
    const torch::Tensor x =
        torch::tensor({{-1.0f, 0.0f}, {0.0f, 0.0f}, {1.0f, 0.0f}, {2.0f, 0.0f}});
    std::vector<actbench::LayerStats> layers;
    const auto with = actbench::evaluate(m2, split_of(x), 3, &layers);
    const auto without = actbench::evaluate(m2, split_of(x), 3);
    EXPECT_EQ(with.loss, without.loss);
    EXPECT_EQ(with.accuracy, without.accuracy);
    ASSERT_EQ(layers.size(), 1u);
    // Pre-activations, row by row: (9,-9,-10), (10,-10,0), (11,-11,10), (12,-12,20).
    const torch::Tensor z = torch::tensor(
        {{9.0, -9.0, -10.0}, {10.0, -10.0, 0.0}, {11.0, -11.0, 10.0}, {12.0, -12.0, 20.0}});
    torch::Tensor h, saturated;
    if (act == "relu") {
      h = z.clamp_min(0);
      // Saturated = approaching a bound: within 5% of the way from f(0) to a limit of f. ReLU's
      // limit at -inf is f(0) = 0 itself: only outputs equal to 0.
      saturated = h.eq(0);
    } else {
      h = torch::sigmoid(z);
      saturated = h.le(0.025).logical_or(h.ge(0.975));  // limits 0 and 1, f(0) = 0.5
    }
    // Dead: units whose derivative is 0 on every example. ReLU: unit 1 (z < 0 throughout).
    // Sigmoid: none (its derivative is never 0 at these inputs in float).
    EXPECT_DOUBLE_EQ(layers[0].dead, act == "relu" ? 1.0 / 3.0 : 0.0);
    EXPECT_DOUBLE_EQ(layers[0].saturated, saturated.to(torch::kDouble).mean().item<double>());
    EXPECT_NEAR(layers[0].saturated, act == "relu" ? 6.0 / 12.0 : 11.0 / 12.0, 1e-12);
    EXPECT_NEAR(layers[0].mean, h.mean().item<double>(), 1e-6);
    EXPECT_NEAR(layers[0].std, h.std(/*unbiased=*/false).item<double>(), 1e-5);
  }
}

TEST(Diagnostics, NeverChangeTheTrainingNumbers) {
  for (const char* engine : {"fused", "autograd"}) {
    const auto on = actbench_test::synthetic_config(
        {"activations=[relu, {name: prelu, per_unit: true}]", std::string("train.engine=") + engine,
         "data.train_limit=1000"});
    auto off = on;
    off.train.diagnostics = false;
    actbench::configure_cpu_threads(1);
    const torch::Device cpu(torch::kCPU);
    const actbench::Dataset& data = actbench_test::cpu_dataset(on.data);
    for (const auto& act : on.activations) {
      const auto a = actbench::train_run(on, act, data, cpu);
      const auto b = actbench::train_run(off, act, data, cpu);
      ASSERT_EQ(a.epochs.size(), b.epochs.size());
      for (size_t e = 0; e < a.epochs.size(); ++e) {
        EXPECT_EQ(a.epochs[e].train_loss, b.epochs[e].train_loss);
        EXPECT_EQ(a.epochs[e].test_loss, b.epochs[e].test_loss);
        EXPECT_EQ(a.epochs[e].test_accuracy, b.epochs[e].test_accuracy);
        ASSERT_TRUE(a.epochs[e].diagnostics.has_value());
        EXPECT_FALSE(b.epochs[e].diagnostics.has_value());
        const auto& d = *a.epochs[e].diagnostics;
        EXPECT_EQ(d.grad_norm.size(), on.model.hidden.size() + 1);
        EXPECT_EQ(d.layers.size(), on.model.hidden.size());
      }
    }
  }
}

}  // namespace
