// Fast paths against their textbook counterparts: the fused engine's hand-written backward and
// flat Adam against autograd and torch::optim, the CPU kernels against the tensor operations they
// replace, the batch pipeline against the per-example DataLoader, and a run's numbers whatever
// the number of runs trained beside it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "activations/registry.h"
#include "data/batches.h"
#include "data/dataset.h"
#include "device/device.h"
#include "kernels/cpu_kernels.h"
#include "model/mlp.h"
#include "test_support.h"
#include "train/engine.h"
#include "train/flat_adam.h"
#include "train/trainer.h"

namespace {

using actbench::Config;
using actbench::MLP;
using actbench::MLPOptions;
using actbench::RunResult;
using actbench_test::synthetic_config;

using actbench_test::kCpu;

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

TEST(Kernels, SparseLinearMatchesDenseProducts) {
  torch::manual_seed(6);
  torch::Tensor x = torch::relu(torch::randn({9, 31}));  // ~half zeros
  x[4].zero_();                                          // and an all-zero row
  torch::Tensor w_t = torch::randn({31, 7}), bias = torch::randn({7}), dz = torch::randn({9, 7});
  std::vector<int32_t> offsets(10), idx(9 * 31);
  std::vector<float> val(9 * 31);
  actbench::kernels::compress_rows(x.data_ptr<float>(), 9, 31, offsets.data(), idx.data(),
                                   val.data());
  EXPECT_EQ(offsets[9], x.ne(0).sum().item<int64_t>());
  EXPECT_EQ(offsets[4], offsets[5]);
  torch::Tensor out = torch::empty({9, 7}), grad = torch::full({31, 7}, 99.0);
  actbench::kernels::sparse_linear_forward(offsets.data(), idx.data(), val.data(), 9,
                                           w_t.data_ptr<float>(), bias.data_ptr<float>(), 7,
                                           out.data_ptr<float>());
  actbench::kernels::sparse_linear_weight_grad(offsets.data(), idx.data(), val.data(), 9, 31,
                                               dz.data_ptr<float>(), 7, grad.data_ptr<float>());
  EXPECT_TRUE(torch::allclose(out, torch::addmm(bias, x, w_t), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(grad, torch::mm(x.t(), dz), 1e-5, 1e-5));
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

TEST(FlatAdam, MatchesTorchOptimAdamAndAdamW) {
  for (bool decoupled : {false, true}) {
    SCOPED_TRACE(decoupled ? "adamw" : "adam");
    torch::manual_seed(3);
    torch::Tensor p = torch::randn({1000}), p_ref = p.clone().requires_grad_(true);
    const torch::Tensor initial = p.clone();
    torch::Tensor g = torch::zeros({1000});
    actbench::FlatAdam adam(p, g, 0.01, 0.1, decoupled);
    std::unique_ptr<torch::optim::Optimizer> ref;
    if (decoupled) {
      ref = std::make_unique<torch::optim::AdamW>(
          std::vector<torch::Tensor>{p_ref}, torch::optim::AdamWOptions(0.01).weight_decay(0.1));
    } else {
      ref = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{p_ref},
                                                 torch::optim::AdamOptions(0.01).weight_decay(0.1));
    }
    for (int step = 0; step < 20; ++step) {
      torch::Tensor grad = torch::randn({1000}) * (step + 1);
      g.copy_(grad);
      p_ref.mutable_grad() = grad.clone();
      adam.step();
      ref->step();
      EXPECT_TRUE(torch::allclose(p, p_ref.detach(), 1e-5, 1e-6)) << "step " << step;
    }
    // The agreement means something only if twenty steps of lr 0.01 moved the weights far beyond
    // the tolerance (about 1e-5 here).
    EXPECT_GT((p - initial).abs().mean().item<double>(), 1e-2);
  }
}

TEST(FlatAdam, PiecewiseUpdateEqualsOneStep) {
  torch::manual_seed(4);
  torch::Tensor p1 = torch::randn({300}), p2 = p1.clone(), g = torch::randn({300});
  actbench::FlatAdam whole(p1, g, 0.01, 0.0, false), pieces(p2, g, 0.01, 0.0, false);
  for (int step = 0; step < 3; ++step) {
    whole.step();
    pieces.begin_step();
    pieces.update(200, 100);
    pieces.update(0, 200);
  }
  EXPECT_TRUE(torch::equal(p1, p2));
}

TEST(Kernels, SoftmaxCrossEntropyMatchesAutograd) {
  torch::manual_seed(5);
  torch::Tensor logits = (torch::randn({13, 10}) * 3).requires_grad_(true);
  torch::Tensor y = torch::randint(10, {13}, torch::kLong);
  logits.data()[2][7] = 50.0;  // a confident row
  y[2] = 7;
  torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
  loss.backward();
  torch::Tensor grad = torch::empty({13, 10});
  int64_t correct = -1;
  const torch::Tensor z = logits.detach().contiguous();
  const double mine = actbench::kernels::softmax_xent(z.data_ptr<float>(), y.data_ptr<int64_t>(),
                                                      13, 10, grad.data_ptr<float>(), &correct);
  EXPECT_NEAR(mine, loss.item<double>(), 1e-6);
  EXPECT_TRUE(torch::allclose(grad, logits.grad(), 1e-5, 1e-7));
  EXPECT_EQ(correct, z.argmax(1).eq(y).sum().item<int64_t>());
  EXPECT_GE(correct, 1);
}

TEST(Pipelines, BatchDatasetEqualsPerExampleStackBitForBit) {
  for (bool normalize : {false, true}) {
    Config config =
        synthetic_config({std::string("data.normalize=") + (normalize ? "true" : "false")});
    const actbench::Dataset& data = actbench_test::cpu_dataset(config.data);
    ASSERT_EQ(data.train.pixels.scalar_type(), torch::kByte);
    actbench::BatchDataset batches(data.train);
    actbench::ExampleDataset examples(data.train);
    torch::Tensor idx = torch::tensor({5, 2999, 0, 17, 17, 1234}, torch::kLong);
    auto batch = batches.get_batch(idx);
    std::vector<torch::data::Example<>> items;
    for (int64_t i = 0; i < idx.size(0); ++i)
      items.push_back(examples.get(size_t(idx[i].item<int64_t>())));
    auto stacked = torch::data::transforms::Stack<>().apply_batch(items);
    EXPECT_TRUE(torch::equal(batch.data, stacked.data));
    EXPECT_TRUE(torch::equal(batch.target, stacked.target));
    // And both equal the tensor operations on the whole split.
    EXPECT_TRUE(torch::equal(batch.data, data.train.images().index_select(0, idx)));
  }
}

TEST(Pipelines, ExamplePipelineTrainsToTheSameNumbers) {
  for (const char* engine : {"autograd", "fused"}) {
    SCOPED_TRACE(engine);
    const Config batch = synthetic_config({std::string("train.engine=") + engine});
    const Config example =
        synthetic_config({std::string("train.engine=") + engine, "data.pipeline=example"});
    const RunResult a = actbench_test::train_cpu(batch);
    const RunResult b = actbench_test::train_cpu(example);
    ASSERT_EQ(a.epochs.size(), b.epochs.size());
    for (size_t i = 0; i < a.epochs.size(); ++i) {
      EXPECT_EQ(a.epochs[i].train_loss, b.epochs[i].train_loss);
      EXPECT_EQ(a.epochs[i].test_loss, b.epochs[i].test_loss);
      EXPECT_EQ(a.epochs[i].test_accuracy, b.epochs[i].test_accuracy);
    }
  }
}

TEST(Pipelines, EnginesReachTheSameAccuracy) {
  const Config fused = synthetic_config({"activations=tanh"});
  const Config autograd = synthetic_config({"activations=tanh", "train.engine=autograd"});
  const RunResult a = actbench_test::train_cpu(fused);
  const RunResult b = actbench_test::train_cpu(autograd);
  EXPECT_NEAR(a.epochs.back().test_accuracy, b.epochs.back().test_accuracy, 1.0);
  EXPECT_NEAR(a.epochs.back().train_loss, b.epochs.back().train_loss,
              0.2 * b.epochs.back().train_loss);
}

// The "runs" of a results.json without the timings.
nlohmann::json metrics_of(const std::string& results_json) {
  return actbench_test::without_keys(nlohmann::json::parse(results_json).at("runs"));
}

TEST(Parallel, RunsGiveTheSameNumbersWhateverTheNumberOfJobs) {
  actbench_test::TempDir tmp;
  const auto config =
      actbench_test::write_tiny_config(tmp / "tiny.yaml", actbench_test::synthetic_mnist_dir());
  std::vector<nlohmann::json> seen;
  for (const char* jobs : {"1", "2", "4"}) {
    const auto out = tmp / (std::string("jobs") + jobs);
    auto r = actbench_test::run_actbench(
        {"run", "--config", config.string(), "--out", out.string(), "--jobs", jobs,
         "train.epochs=2", "activations=[relu, rrelu, sigmoid, {name: prelu, per_unit: true}]"},
        tmp.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    seen.push_back(metrics_of(actbench_test::read_text(out / "results.json")));
  }
  ASSERT_EQ(seen[0].size(), 4u);
  EXPECT_EQ(seen[0], seen[1]);
  EXPECT_EQ(seen[0], seen[2]);
}

}  // namespace
