// The fused engine (train/fused_engine.h) against autograd: its hand-written backward pass, step
// by step, for every activation and optimizer, learnable and deep networks and the sparse first
// layer (a batch compressed on the spot, or read from a split's sparse rows: the same bits); the
// model sees the weights it trains.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "activations/registry.h"
#include "data/batches.h"
#include "data/dataset.h"
#include "data/sparse_rows.h"
#include "model/mlp.h"
#include "test_support.h"
#include "train/engine.h"

namespace {

using actbench::Config;
using actbench::MLP;
using actbench::MLPOptions;
using actbench_test::synthetic_config;

// The largest difference between two models' parameters, relative to the parameters' scale.
double max_param_diff(MLP& a, MLP& b) {
  auto pa = a->parameters(), pb = b->parameters();
  EXPECT_EQ(pa.size(), pb.size());
  double worst = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    worst = std::max(worst, (pa[i] - pb[i]).abs().max().item<double>());
  }
  return worst;
}

MLP make_model(const actbench::ActivationSpec& spec, std::vector<int64_t> hidden) {
  torch::manual_seed(7);
  return MLP(MLPOptions(20, std::move(hidden), 10, spec));
}

// Three steps of both engines from the same weights on the same batches (the last one shorter):
// the per-step losses and correct counts agree, and so do the weights after each step.
void expect_engines_agree(const actbench::ActivationSpec& spec, const std::string& optimizer,
                          std::vector<int64_t> hidden = {16, 12}, bool sparse = false) {
  SCOPED_TRACE(spec.name + " with " + optimizer);
  // Large enough steps that the first layer's weights move well beyond the tolerance.
  const std::string lr = optimizer == "sgd" ? "0.5" : "0.01";
  Config config = synthetic_config({"train.optimizer=" + optimizer, "train.lr=" + lr});
  MLP slow = make_model(spec, hidden);
  MLP fast = make_model(spec, hidden);
  ASSERT_EQ(max_param_diff(slow, fast), 0.0);
  auto slow_engine = actbench::make_engine(actbench::Engine::kAutograd, slow, config.train);
  auto fast_engine = actbench::make_engine(actbench::Engine::kFused, fast, config.train, sparse);
  torch::manual_seed(11);
  double moved = 0;
  for (int step = 0; step < 3; ++step) {
    const int64_t b = step == 2 ? 5 : 9;
    // Inputs like pixels: about half exact zeros (what the sparse first layer skips).
    torch::Tensor x = torch::relu(torch::randn({b, 20})) * 2;
    torch::Tensor y = torch::randint(10, {b}, torch::kLong);
    torch::Tensor loss = torch::zeros({2}), correct = torch::zeros({2}, torch::kLong);
    torch::Tensor before = fast->parameters()[0].clone();
    slow_engine->step(x, y, loss[0], correct[0]);
    fast_engine->step(x, y, loss[1], correct[1]);
    moved = std::max(moved, (fast->parameters()[0] - before).abs().max().item<double>());
    EXPECT_NEAR(loss[0].item<double>(), loss[1].item<double>(), 1e-5) << "step " << step;
    EXPECT_EQ(correct[0].item<int64_t>(), correct[1].item<int64_t>()) << "step " << step;
    EXPECT_LT(max_param_diff(slow, fast), 2e-5) << "step " << step;
  }
  // The comparison means something only if the weights moved well beyond the tolerance.
  EXPECT_GT(moved, 1e-3);
}

// SGD: the update is linear in the gradient, so float rounding stays at rounding level. (Adam
// divides by the gradient's own magnitude: an entry that is 0 on one side and 1e-9 on the other
// moves by a visible fraction of lr, so Adam is compared where gradients are not near zero.)
TEST(FusedEngine, MatchesAutogradForEveryActivation) {
  for (const auto& info : actbench::activation_registry()) {
    expect_engines_agree(actbench::resolve_activation(info.name, "test"), "sgd");
  }
  // A backward kernel that reads its entry's parameters.
  expect_engines_agree(actbench::resolve_activation(
                           nlohmann::json{{"name", "leaky_relu"}, {"negative_slope", 0.2}}, "test"),
                       "sgd");
}

TEST(FusedEngine, MatchesAutogradWithEveryOptimizer) {
  for (const char* optimizer : {"adam", "adamw", "sgd", "rmsprop"}) {
    expect_engines_agree(actbench::resolve_activation("tanh", "test"), optimizer);
  }
}

TEST(FusedEngine, MatchesAutogradForLearnableAndDeepNetworks) {
  expect_engines_agree(
      actbench::resolve_activation(nlohmann::json{{"name", "prelu"}, {"per_unit", true}}, "t"),
      "adam", {16, 16, 8});
  expect_engines_agree(actbench::resolve_activation("relu", "test"), "adam", {});  // no hidden
  expect_engines_agree(actbench::resolve_activation("identity", "test"), "sgd", {8, 8, 8});
}

TEST(FusedEngine, SparseFirstLayerMatchesAutograd) {
  for (const char* name : {"relu", "tanh", "gelu"}) {
    expect_engines_agree(actbench::resolve_activation(name, "test"), "sgd", {16, 12}, true);
  }
  expect_engines_agree(actbench::resolve_activation("sigmoid", "test"), "adam", {16}, true);
}

// A split's sparse rows, read in place, train exactly as the same batches gathered and compressed
// step by step: same losses, same weights, bit for bit.
TEST(FusedEngine, SplitSparseRowsTrainLikeGatheredBatchesBitForBit) {
  torch::manual_seed(4);
  actbench::Split split;
  split.pixels = torch::randint(0, 256, {40, 20}, torch::kByte);
  split.pixels.masked_fill_(torch::rand({40, 20}).lt(0.7), 0);
  split.pixels[3].zero_();  // an all-zero example
  split.labels = torch::randint(10, {40}, torch::kLong);
  split.sparse_cache = std::make_shared<actbench::SparseRowsCache>();
  const actbench::SparseRows* rows = split.sparse_rows();
  ASSERT_NE(rows, nullptr);
  EXPECT_EQ(split.sparse_rows(), rows);  // extracted once
  const Config config = synthetic_config({"train.optimizer=adam", "train.lr=0.01"});
  const auto spec = actbench::resolve_activation("tanh", "test");
  MLP gathered = make_model(spec, {16}), in_place = make_model(spec, {16});
  auto gathered_engine =
      actbench::make_engine(actbench::Engine::kFused, gathered, config.train, true);
  auto in_place_engine =
      actbench::make_engine(actbench::Engine::kFused, in_place, config.train, true);
  EXPECT_TRUE(in_place_engine->reads_sparse_rows());
  MLP dense = make_model(spec, {16});  // an engine rebinds its model's parameters: its own
  EXPECT_FALSE(actbench::make_engine(actbench::Engine::kFused, dense, config.train, false)
                   ->reads_sparse_rows());
  actbench::BatchDataset dataset(split);
  const torch::Tensor order = torch::randperm(40, torch::kLong);
  torch::Tensor loss = torch::zeros({2}), correct = torch::zeros({2}, torch::kLong);
  for (int64_t start = 0; start < 40; start += 16) {  // 16, 16, then 8
    const torch::Tensor batch_rows = order.narrow(0, start, std::min<int64_t>(16, 40 - start));
    torch::Tensor x, y, labels;
    dataset.get_batch_into(batch_rows, x, y);
    dataset.get_labels_into(batch_rows, labels);
    EXPECT_TRUE(torch::equal(labels, y));
    gathered_engine->step(x, y, loss[0], correct[0]);
    in_place_engine->step(
        actbench::Batch{torch::Tensor(), labels, rows, batch_rows.data_ptr<int64_t>()}, loss[1],
        correct[1]);
    EXPECT_EQ(loss[0].item<float>(), loss[1].item<float>()) << "rows from " << start;
    EXPECT_EQ(correct[0].item<int64_t>(), correct[1].item<int64_t>());
    for (size_t k = 0; k < gathered->parameters().size(); ++k) {
      EXPECT_TRUE(torch::equal(gathered->parameters()[k], in_place->parameters()[k]))
          << "parameter " << k << ", rows from " << start;
    }
  }
  // A normalised split has hardly a zero to skip: no sparse rows.
  split.scale.normalize = true;
  EXPECT_EQ(split.sparse_rows(), nullptr);
}

TEST(FusedEngine, ModelSeesTheTrainedWeights) {
  const Config config = synthetic_config();
  MLP model = make_model(config.activations[0], {16});
  auto engine = actbench::make_engine(actbench::Engine::kFused, model, config.train);
  torch::Tensor before = model->linears()[0]->weight.clone();
  torch::Tensor loss = torch::zeros({}), correct = torch::zeros({}, torch::kLong);
  engine->step(torch::randn({8, 20}), torch::randint(10, {8}, torch::kLong), loss, correct);
  EXPECT_FALSE(torch::equal(before, model->linears()[0]->weight));
  EXPECT_EQ(model->linears()[0]->weight.sizes(), before.sizes());
}

}  // namespace
