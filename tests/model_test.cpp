// Model stage: the MLP's shape, parameter count and seeded initialisation.
#include <gtest/gtest.h>

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
  const int64_t expected = 784 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10;
  ASSERT_EQ(expected, 118282);
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

}  // namespace
