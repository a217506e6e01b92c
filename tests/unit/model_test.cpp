// Model stage: the MLP's shape, parameter count and seeded initialisation.
#include <gtest/gtest.h>

#include <cmath>

#include <torch/torch.h>

#include "activations/registry.h"
#include "model/mlp.h"

namespace {

using actbench::MLP;
using actbench::MLPOptions;

actbench::ActivationSpec act(const actbench::Json& entry) {
  return actbench::resolve_activation(entry, "test");
}

MLP make(std::vector<int64_t> hidden, const actbench::Json& activation = "relu") {
  return MLP(MLPOptions(784, std::move(hidden), 10, act(activation)));
}

TEST(Model, TutorialMlpMapsABatchToTenLogits) {
  MLP model = make({128, 128});
  for (int64_t batch : {1, 7, 64}) {
    torch::Tensor y = model->forward(torch::rand({batch, 784}));
    EXPECT_EQ(y.sizes(), (std::vector<int64_t>{batch, 10}));
    EXPECT_EQ(y.scalar_type(), torch::kFloat);
  }
}

TEST(Model, TutorialMlpHasExactly118282Parameters) {
  // 784 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10: weights and biases of the three layers.
  EXPECT_EQ(actbench::count_parameters(*make({128, 128})), 118282);
  // Parameter-free activations add nothing.
  EXPECT_EQ(actbench::count_parameters(*make({128, 128}, "tanh")), 118282);
  EXPECT_EQ(actbench::count_parameters(*make({128, 128}, "rrelu")), 118282);
}

TEST(Model, PReLUAddsOneParameterPerHiddenLayer) {
  EXPECT_EQ(actbench::count_parameters(*make({128, 128}, "prelu")), 118282 + 2);
  EXPECT_EQ(actbench::count_parameters(*make({128, 128}, {{"name", "prelu"}, {"per_unit", true}})),
            118282 + 128 + 128);
}

TEST(Model, CountParametersSkipsFrozenTensors) {
  MLP model = make({128, 128});
  model->linears()[0]->bias.set_requires_grad(false);
  EXPECT_EQ(actbench::count_parameters(*model), 118282 - 128);
}

TEST(Model, OtherDepthsAndWidthsWork) {
  struct Case {
    std::vector<int64_t> hidden;
    int64_t params;
  };
  const std::vector<Case> cases{
      {{32}, 784 * 32 + 32 + 32 * 10 + 10},
      {{64, 32, 16}, 784 * 64 + 64 + 64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10},
  };
  for (const auto& c : cases) {
    MLP model = make(c.hidden, "gelu");
    EXPECT_EQ(actbench::count_parameters(*model), c.params);
    EXPECT_EQ(model->linears().size(), c.hidden.size() + 1);
    EXPECT_EQ(model->forward(torch::rand({5, 784})).sizes(), (std::vector<int64_t>{5, 10}));
  }
}

TEST(Model, ForwardIsLinearThenActivationPerLayer) {
  // With identity activations the network is one affine map; with relu it is not.
  torch::manual_seed(3);
  MLP model = make({16, 8}, "identity");
  torch::Tensor a = torch::rand({1, 784}), b = torch::rand({1, 784});
  torch::Tensor mid = model->forward((a + b) / 2);
  torch::Tensor avg = (model->forward(a) + model->forward(b)) / 2;
  EXPECT_TRUE(torch::allclose(mid, avg, 1e-4, 1e-5));

  torch::manual_seed(3);
  MLP relu = make({16, 8}, "relu");
  torch::Tensor x = torch::rand({1, 784});
  std::vector<torch::nn::Linear> fc = relu->linears();  // shared handles to the layers
  ASSERT_EQ(fc.size(), 3u);
  torch::Tensor h = torch::relu(fc[0]->forward(x));
  h = torch::relu(fc[1]->forward(h));
  EXPECT_TRUE(torch::allclose(relu->forward(x), fc[2]->forward(h)));
}

void expect_same_linears(const MLP& a, const MLP& b) {
  ASSERT_EQ(a->linears().size(), b->linears().size());
  for (size_t i = 0; i < a->linears().size(); ++i) {
    EXPECT_TRUE(torch::equal(a->linears()[i]->weight, b->linears()[i]->weight)) << "fc" << i + 1;
    EXPECT_TRUE(torch::equal(a->linears()[i]->bias, b->linears()[i]->bias)) << "fc" << i + 1;
  }
}

TEST(Model, SameSeedGivesIdenticalInitialWeightsForEveryActivation) {
  // A paired comparison: each activation starts from the same weights.
  torch::manual_seed(42);
  MLP relu = make({128, 128}, "relu");
  torch::manual_seed(42);
  MLP tanh = make({128, 128}, "tanh");
  torch::manual_seed(42);
  MLP prelu = make({128, 128}, {{"name", "prelu"}, {"per_unit", true}});
  torch::manual_seed(42);
  MLP rrelu = make({128, 128}, "rrelu");
  expect_same_linears(relu, tanh);
  expect_same_linears(relu, prelu);
  expect_same_linears(relu, rrelu);
}

TEST(Model, DifferentSeedsGiveDifferentInitialWeights) {
  torch::manual_seed(1);
  MLP a = make({32});
  torch::manual_seed(2);
  MLP b = make({32});
  EXPECT_FALSE(torch::equal(a->linears()[0]->weight, b->linears()[0]->weight));
}

// model.init: each scheme's statistics on a wide layer, zero biases, and the same weights for
// every activation at a given seed (paired comparisons stay paired).
TEST(Model, InitSchemesHaveTheirVariancesAndKeepRunsPaired) {
  auto build = [](const std::string& init, const actbench::Json& activation, uint64_t seed = 5) {
    torch::manual_seed(seed);
    return MLP(MLPOptions(784, {512, 512}, 10, act(activation))
                   .init(*actbench::parse_choice<actbench::Init>(init)));
  };
  const double fan_in = 784, fan_out = 512;
  struct Case {
    std::string init;
    double std;
  };
  for (const Case& c : std::vector<Case>{{"kaiming_normal", std::sqrt(2.0 / fan_in)},
                                         {"kaiming_uniform", std::sqrt(2.0 / fan_in)},
                                         {"xavier_normal", std::sqrt(2.0 / (fan_in + fan_out))},
                                         {"xavier_uniform", std::sqrt(2.0 / (fan_in + fan_out))}}) {
    SCOPED_TRACE(c.init);
    MLP m = build(c.init, "relu");
    const torch::Tensor w = m->linears()[0]->weight;
    EXPECT_NEAR(w.std().item<double>(), c.std, 0.02 * c.std);
    EXPECT_NEAR(w.mean().item<double>(), 0.0, 0.02 * c.std);
    EXPECT_EQ(m->linears()[0]->bias.abs().max().item<double>(), 0.0);
    // Paired: every activation gets the same weights for the same seed.
    for (const char* other : {"tanh", "rrelu", "prelu"}) {
      MLP o = build(c.init, other);
      for (size_t i = 0; i < 3; ++i) {
        EXPECT_TRUE(torch::equal(o->linears()[i]->weight, m->linears()[i]->weight)) << other;
      }
    }
  }
  // Kaiming's gain follows a leaky ReLU's slope: sqrt(2 / (1 + a^2)).
  MLP leaky =
      build("kaiming_normal", actbench::Json{{"name", "leaky_relu"}, {"negative_slope", 1.0}});
  EXPECT_NEAR(leaky->linears()[0]->weight.std().item<double>(), std::sqrt(1.0 / fan_in),
              0.02 * std::sqrt(1.0 / fan_in));
  // Orthogonal: the 512 x 784 weight's rows are orthonormal.
  MLP ortho = build("orthogonal", "relu");
  const torch::Tensor w = ortho->linears()[0]->weight;
  EXPECT_TRUE(torch::allclose(w.matmul(w.t()), torch::eye(512), 1e-4, 1e-4));
  // The default leaves LibTorch's own initialisation (uniform, non-zero biases).
  MLP def = build("default", "relu");
  torch::manual_seed(5);
  torch::nn::Linear reference(784, 512);
  EXPECT_TRUE(torch::equal(def->linears()[0]->weight, reference->weight));
  EXPECT_GT(def->linears()[0]->bias.abs().max().item<double>(), 0.0);
}

// Kaiming's gain follows the entry's init_slope: sqrt(2 / (1 + a^2)) for a leaky ReLU's slope a.
TEST(Model, KaimingGainTakesTheActivationsInitSlope) {
  torch::manual_seed(5);
  MLP m(MLPOptions(784, {512}, 10, act({{"name", "leaky_relu"}, {"negative_slope", 0.2}}))
            .init(actbench::Init::kKaimingNormal));
  const double expected = std::sqrt(2.0 / (1.0 + 0.2 * 0.2) / 784.0);
  const double got = m->linears()[0]->weight.std().item<double>();
  // 401k samples: the std's own sampling error is ~0.1%; slope 0 would be ~2% higher.
  EXPECT_NEAR(got, expected, 0.005 * expected);
  EXPECT_GT(std::sqrt(2.0 / 784.0) - got, 0.01 * expected);
}

// The observed forward is the forward, and reports every hidden layer's z and h in order.
TEST(Model, ObservedForwardIsTheForwardAndShowsEachHiddenLayer) {
  torch::manual_seed(3);
  MLP m = make({16, 8}, "tanh");
  const torch::Tensor x = torch::randn({5, 784});
  std::vector<size_t> seen;
  std::vector<torch::Tensor> z, h;
  const torch::Tensor logits =
      m->forward_observed(x, [&](size_t i, const torch::Tensor& zi, const torch::Tensor& hi) {
        seen.push_back(i);
        z.push_back(zi);
        h.push_back(hi);
      });
  EXPECT_TRUE(torch::equal(logits, m->forward(x)));
  ASSERT_EQ(seen, (std::vector<size_t>{0, 1}));
  std::vector<torch::nn::Linear> linears = m->linears();  // holders of the model's layers
  EXPECT_TRUE(torch::equal(z[0], linears[0]->forward(x)));
  EXPECT_TRUE(torch::equal(h[0], torch::tanh(z[0])));
  EXPECT_TRUE(torch::equal(z[1], linears[1]->forward(h[0])));
  EXPECT_TRUE(torch::equal(logits, linears[2]->forward(h[1])));
}

}  // namespace
