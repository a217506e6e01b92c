// torch::data views of a Split, and the per-epoch order both pipelines share.
//
//  - BatchDataset: a batch-level torch::data dataset. One request is a tensor of row indices; the
//    answer is one gather of those rows, scaled to float (on the CPU by one hand-written loop,
//    elsewhere by index_select + the scaling operations). This is what training uses.
//  - ExampleDataset: the textbook per-example dataset (get(i) returns one image), meant for
//    torch::data::make_data_loader(...map(Stack<>())). Kept as the baseline the benchmark compares
//    against, and selectable with data.pipeline: example.
//  - PermutationSampler: a torch::data sampler over the same per-epoch permutation, so both
//    pipelines visit the same examples in the same order and give the same numbers.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/data/datasets/base.h>
#include <torch/data/example.h>
#include <torch/data/samplers/base.h>
#include <torch/types.h>

#include "data/dataset.h"

namespace actbench {

struct SparseRows;

// One training batch: labels y [B] and its inputs, either as x [B, D] (float) or, for an engine
// that reads a split's sparse rows (Split::sparse_rows), as the batch's row numbers into them (x
// then undefined).
struct Batch {
  torch::Tensor x, y;
  const SparseRows* sparse = nullptr;
  const int64_t* rows = nullptr;  // [B], with sparse
  int64_t size() const { return y.size(0); }
};

// The permutation of 0..n-1 for one epoch, drawn on the CPU from `generator` (so the order is the
// same on every device).
torch::Tensor epoch_permutation(int64_t n, at::Generator& generator);

class BatchDataset
    : public torch::data::datasets::BatchDataset<BatchDataset, torch::data::Example<>,
                                                 torch::Tensor> {
 public:
  explicit BatchDataset(const Split& split) : split_(&split) {}

  // Rows `indices` (int64, on the split's device) as {float inputs [B, D], labels [B]}.
  torch::data::Example<> get_batch(torch::Tensor indices) override;

  // The same, into `images` and `labels`, reusing their storage when large enough.
  void get_batch_into(const torch::Tensor& indices, torch::Tensor& images, torch::Tensor& labels);

  // Only the labels of rows `indices`, into `labels` (for a batch whose inputs are read from the
  // split's sparse rows).
  void get_labels_into(const torch::Tensor& indices, torch::Tensor& labels);
  // The same for `count` row numbers on the host: gathered here where the labels are int64 on the
  // CPU (the per-step dispatch of index_select costs more than the 64 copies), else by
  // index_select, which also reports a row out of range.
  void get_labels_into(const int64_t* rows, int64_t count, torch::Tensor& labels);

  torch::optional<size_t> size() const override { return size_t(split_->size()); }

 private:
  const Split* split_;
};

class ExampleDataset : public torch::data::datasets::Dataset<ExampleDataset> {
 public:
  explicit ExampleDataset(const Split& split) : split_(&split) {}

  // One example: {float inputs [D], label (a 0-dimensional int64 tensor)}.
  torch::data::Example<> get(size_t index) override;
  torch::optional<size_t> size() const override { return size_t(split_->size()); }

 private:
  const Split* split_;
};

// Yields the indices of epoch_permutation(n, generator) in batches; reset() draws the next epoch's.
class PermutationSampler : public torch::data::samplers::Sampler<> {
 public:
  PermutationSampler(int64_t n, at::Generator generator)
      : n_(n), generator_(std::move(generator)) {}

  void reset(torch::optional<size_t> new_size = torch::nullopt) override;
  torch::optional<std::vector<size_t>> next(size_t batch_size) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

 private:
  int64_t n_;
  at::Generator generator_;
  std::vector<int64_t> order_;
  size_t next_ = 0;
};

}  // namespace actbench
