// The batch pipeline (data/batches.h) against the per-example DataLoader: the same batches bit
// for bit and the same training numbers, and both engines reaching the same accuracy.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <torch/torch.h>

#include "data/batches.h"
#include "data/dataset.h"
#include "test_support.h"
#include "train/trainer.h"

namespace {

using actbench::Config;
using actbench::RunResult;
using actbench_test::synthetic_config;

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

// The labels of host row numbers (the sparse first layer's batches) are index_select's, into a
// buffer of any earlier size; a row out of range is index_select's error, not a read past the end.
TEST(Pipelines, LabelsOfHostRowsAreIndexSelects) {
  const actbench::Dataset& data = actbench_test::cpu_dataset(synthetic_config({}).data);
  actbench::BatchDataset batches(data.train);
  const std::vector<int64_t> rows{5, 2999, 0, 17, 17, 1234};
  torch::Tensor labels;
  for (const int64_t count : {6, 2, 6}) {
    batches.get_labels_into(rows.data(), count, labels);
    const torch::Tensor want = data.train.labels.index_select(
        0, torch::tensor(std::vector<int64_t>(rows.begin(), rows.begin() + count)));
    EXPECT_TRUE(torch::equal(labels, want)) << count << " rows";
  }
  const std::vector<int64_t> bad{1, data.train.size()};
  EXPECT_THROW(batches.get_labels_into(bad.data(), 2, labels), c10::Error);
  const std::vector<int64_t> negative{-1};
  EXPECT_THROW(batches.get_labels_into(negative.data(), 1, labels), c10::Error);
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

}  // namespace
