// Train/test stage: short runs on the synthetic data learn it, are bit-for-bit reproducible, and
// `evaluate` computes exactly the mean cross-entropy and accuracy.
#include <gtest/gtest.h>

#include <cmath>

#include <torch/torch.h>

#include "data/dataset.h"
#include "device/device.h"
#include "test_support.h"
#include "train/trainer.h"

namespace {

using actbench::Config;
using actbench::RunResult;
using actbench_test::synthetic_config;

using actbench_test::kCpu;
using actbench_test::train_cpu;

TEST(Train, ShortRunLearnsTheSyntheticTask) {
  const Config config = synthetic_config();  // relu, hidden [64], 3000/1000, 2 epochs, adam
  const RunResult r = train_cpu(config);
  EXPECT_EQ(r.status, "completed");
  EXPECT_EQ(r.activation.name, "relu");
  EXPECT_EQ(r.seed, 0);
  EXPECT_EQ(r.parameters, 784 * 64 + 64 + 64 * 10 + 10);
  ASSERT_EQ(r.epochs.size(), 2u);
  EXPECT_EQ(r.epochs[0].epoch, 1);
  EXPECT_EQ(r.epochs[1].epoch, 2);
  EXPECT_GE(r.epochs[1].test_accuracy, 95.0);
  EXPECT_LT(r.epochs[1].train_loss, r.epochs[0].train_loss);
  // A freshly initialised 10-class model starts near ln(10) = 2.3: the first epoch's mean must
  // be below it (it learned) and above 0.
  EXPECT_LT(r.epochs[0].train_loss, 2.3);
  EXPECT_GT(r.epochs[1].test_loss, 0.0);
  for (const auto& e : r.epochs) {
    EXPECT_GE(e.train_accuracy, 0.0);
    EXPECT_LE(e.train_accuracy, 100.0);
    EXPECT_LE(e.test_accuracy, 100.0);
    EXPECT_GT(e.train_seconds, 0.0);
    EXPECT_GT(e.test_seconds, 0.0);
    EXPECT_DOUBLE_EQ(e.seconds, e.train_seconds + e.test_seconds);
  }
}

// With data.validation the run is evaluated on the held-out examples every epoch (what evaluate()
// gives for them), and it trains on the rest only: the same as a run whose training set is the
// first examples (train_limit = 3000 - 1000).
TEST(Train, ValidationSplitIsEvaluatedEveryEpochAndNotTrainedOn) {
  const Config config = synthetic_config({"data.validation=1000"});
  const RunResult r = train_cpu(config);
  ASSERT_EQ(r.epochs.size(), 2u);
  for (const auto& e : r.epochs) {
    ASSERT_TRUE(e.val_accuracy.has_value());
    EXPECT_GE(*e.val_accuracy, 50.0);  // the synthetic task is learnt in one epoch
    EXPECT_LE(*e.val_accuracy, 100.0);
    EXPECT_GT(*e.val_loss, 0.0);
  }
  const RunResult fewer = train_cpu(synthetic_config({"data.train_limit=2000"}));
  ASSERT_EQ(fewer.epochs.size(), 2u);
  EXPECT_EQ(r.epochs[1].train_loss, fewer.epochs[1].train_loss);
  EXPECT_EQ(r.epochs[1].test_accuracy, fewer.epochs[1].test_accuracy);
  EXPECT_FALSE(fewer.epochs[0].val_accuracy.has_value());
}

struct OptimizerCase {
  const char* optimizer;
  const char* lr;
};
// One optimizer's short run on the synthetic task: it completes, learns it, and lowers the loss.
void expect_learns_the_synthetic_task(const OptimizerCase& c) {
  SCOPED_TRACE(std::string(c.optimizer) + " lr " + c.lr);
  const Config config = synthetic_config(
      {std::string("train.optimizer=") + c.optimizer, std::string("train.lr=") + c.lr});
  const RunResult r = train_cpu(config);
  EXPECT_EQ(r.status, "completed");
  EXPECT_GE(r.epochs.back().test_accuracy, 90.0) << c.optimizer;
  EXPECT_LT(r.epochs.back().train_loss, r.epochs.front().train_loss) << c.optimizer;
}

TEST(Train, EveryOptimizerLearnsTheSyntheticTask) {
  for (const OptimizerCase& c : {OptimizerCase{"adam", "0.001"}, OptimizerCase{"adamw", "0.001"},
                                 OptimizerCase{"sgd", "0.01"}, OptimizerCase{"rmsprop", "0.001"}}) {
    expect_learns_the_synthetic_task(c);
  }
}

void expect_identical(const RunResult& a, const RunResult& b) {
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (size_t i = 0; i < a.epochs.size(); ++i) {
    SCOPED_TRACE("epoch " + std::to_string(i + 1));
    EXPECT_EQ(a.epochs[i].train_loss, b.epochs[i].train_loss);
    EXPECT_EQ(a.epochs[i].train_accuracy, b.epochs[i].train_accuracy);
    EXPECT_EQ(a.epochs[i].test_loss, b.epochs[i].test_loss);
    EXPECT_EQ(a.epochs[i].test_accuracy, b.epochs[i].test_accuracy);
  }
}

TEST(Train, SameConfigTwiceGivesBitIdenticalMetrics) {
  const Config config = synthetic_config({"activations=rrelu"});  // rrelu draws random slopes too
  expect_identical(train_cpu(config), train_cpu(config));
}

TEST(Train, SameSeedIsReproducibleAfterOtherRandomWork) {
  const Config config = synthetic_config();
  const RunResult first = train_cpu(config);
  torch::rand({1000});  // disturb the global generator: train_run must reseed it
  (void)torch::randperm(5000);
  expect_identical(first, train_cpu(config));
}

TEST(Train, DifferentSeedsGiveDifferentMetrics) {
  const RunResult a = train_cpu(synthetic_config({"train.seed=0"}));
  const RunResult b = train_cpu(synthetic_config({"train.seed=1"}));
  EXPECT_EQ(b.seed, 1);
  EXPECT_NE(a.epochs[0].train_loss, b.epochs[0].train_loss);
  EXPECT_NE(a.epochs[1].test_loss, b.epochs[1].test_loss);
}

TEST(Train, CallbacksSeeEveryStepAndEpoch) {
  const Config config = synthetic_config({"data.train_limit=1000", "train.batch_size=300"});
  std::vector<std::tuple<int64_t, int64_t, int64_t>> steps;
  std::vector<int64_t> epochs;
  actbench::RunCallbacks cb;
  cb.on_step = [&](int64_t step, int64_t total, int64_t epoch) {
    steps.emplace_back(step, total, epoch);
  };
  cb.on_epoch = [&](const RunResult& run, const actbench::EpochMetrics& m) {
    EXPECT_EQ(run.epochs.size(), size_t(m.epoch));
    epochs.push_back(m.epoch);
  };
  train_cpu(config, cb);
  // 1000 examples in batches of 300: 4 steps (the last one short), for each of 2 epochs.
  std::vector<std::tuple<int64_t, int64_t, int64_t>> want;
  for (int64_t e = 1; e <= 2; ++e)
    for (int64_t s = 1; s <= 4; ++s) want.emplace_back(s, 4, e);
  EXPECT_EQ(steps, want);
  EXPECT_EQ(epochs, (std::vector<int64_t>{1, 2}));
}

TEST(Train, TrainLossIsWeightedByBatchSize) {
  // One example per epoch beyond a full batch: the short last batch must count for 1/n of the
  // mean, not 1/steps. With lr tiny the model barely moves, so the epoch's mean training loss
  // must be close to the loss of the initial model over all examples.
  const Config config = synthetic_config(
      {"data.train_limit=129", "train.batch_size=128", "train.lr=1e-9", "train.epochs=1"});
  actbench::configure_cpu_threads(1);
  const actbench::Dataset& data = actbench_test::cpu_dataset(config.data);
  torch::manual_seed(0);
  actbench::MLP initial(actbench::MLPOptions(784, config.model.hidden, 10, config.activations[0]));
  const double full = actbench::evaluate(initial, data.train, 1000).loss;
  const RunResult r = actbench::train_run(config, config.activations[0], data, kCpu);
  EXPECT_NEAR(r.epochs[0].train_loss, full, 1e-4);
}

TEST(Train, EvaluateComputesExactMeanCrossEntropyAndAccuracy) {
  // 2 -> [2] (relu) -> 3, weights set by hand, 5 examples evaluated in batches of 2 (2 + 2 + 1).
  actbench::MLP model(
      actbench::MLPOptions(2, {2}, 3, actbench::resolve_activation("relu", "test")));
  const double w1[2][2] = {{1.0, -1.0}, {0.5, 2.0}};
  const double b1[2] = {0.0, -1.0};
  const double w2[3][2] = {{1.0, 0.0}, {0.0, 1.0}, {-1.0, 1.5}};
  const double b2[3] = {0.1, 0.0, -0.2};
  {
    torch::NoGradGuard no_grad;
    auto& fc1 = model->linears()[0];
    auto& fc2 = model->linears()[1];
    for (int i = 0; i < 2; ++i) {
      fc1->bias[i] = b1[i];
      for (int j = 0; j < 2; ++j) fc1->weight[i][j] = w1[i][j];
    }
    for (int i = 0; i < 3; ++i) {
      fc2->bias[i] = b2[i];
      for (int j = 0; j < 2; ++j) fc2->weight[i][j] = w2[i][j];
    }
  }
  const double xs[5][2] = {{2.0, 0.0}, {0.0, 1.0}, {-1.0, 2.0}, {1.0, 1.0}, {0.5, -3.0}};
  const int64_t ys[5] = {0, 1, 2, 2, 0};
  actbench::Split split;
  split.pixels = torch::empty({5, 2});
  split.labels = torch::empty({5}, torch::kLong);
  double loss_sum = 0.0;
  int correct = 0;  // by the argmax of the hand-computed logits
  for (int n = 0; n < 5; ++n) {
    split.pixels[n][0] = xs[n][0];
    split.pixels[n][1] = xs[n][1];
    split.labels[n] = ys[n];
    double h[2], z[3];
    for (int i = 0; i < 2; ++i) {
      h[i] = std::max(0.0, w1[i][0] * xs[n][0] + w1[i][1] * xs[n][1] + b1[i]);
    }
    int best = 0;
    for (int k = 0; k < 3; ++k) {
      z[k] = w2[k][0] * h[0] + w2[k][1] * h[1] + b2[k];
      if (z[k] > z[best]) best = k;
    }
    const double lse = std::log(std::exp(z[0]) + std::exp(z[1]) + std::exp(z[2]));
    loss_sum += lse - z[ys[n]];
    correct += best == ys[n];
  }
  // (The predictions are 0, 2, 2, 2, 0 against labels 0, 1, 2, 2, 0: 4 of 5 right.)
  model->train();
  const actbench::EvalMetrics m = actbench::evaluate(model, split, 2);
  EXPECT_NEAR(m.loss, loss_sum / 5.0, 1e-6);
  EXPECT_DOUBLE_EQ(m.accuracy, 100.0 * correct / 5.0);
  EXPECT_TRUE(model->is_training()) << "evaluate must restore the training mode";
  // The batch size does not change the result.
  const actbench::EvalMetrics one = actbench::evaluate(model, split, 1000);
  EXPECT_NEAR(one.loss, m.loss, 1e-6);
  EXPECT_EQ(one.accuracy, m.accuracy);
}

TEST(Train, HugeLearningRateDivergesAndStopsEarly) {
  // lr 1e38 overflows float weights within the first epoch whatever the activation (a smaller
  // one such as 1e6 can leave a dead ReLU network with huge but finite losses).
  for (const char* activation : {"relu", "tanh"}) {
    SCOPED_TRACE(activation);
    const Config config =
        synthetic_config({"train.optimizer=sgd", "train.lr=1e38", "train.momentum=0.9",
                          "train.epochs=4", std::string("activations=") + activation});
    int epochs_seen = 0;
    actbench::RunCallbacks cb;
    cb.on_epoch = [&](const RunResult& run, const actbench::EpochMetrics&) {
      ++epochs_seen;
      EXPECT_EQ(run.status, "diverged") << "on_epoch must see the status of that epoch";
    };
    const RunResult r = train_cpu(config, cb);
    EXPECT_EQ(r.status, "diverged");
    ASSERT_EQ(r.epochs.size(), 1u) << "training must stop after the epoch that diverged";
    EXPECT_EQ(epochs_seen, 1);
    EXPECT_FALSE(std::isfinite(r.epochs[0].train_loss) && std::isfinite(r.epochs[0].test_loss));
  }
}

}  // namespace
