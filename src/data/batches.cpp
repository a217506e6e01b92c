#include "data/batches.h"

#include <torch/serialize/archive.h>

#include "kernels/pixels.h"

namespace actbench {

torch::Tensor epoch_permutation(int64_t n, at::Generator& generator) {
  return torch::randperm(n, generator, torch::kLong);
}

torch::data::Example<> BatchDataset::get_batch(torch::Tensor indices) {
  torch::Tensor images, labels;
  get_batch_into(indices, images, labels);
  return {images, labels};
}

void BatchDataset::get_batch_into(const torch::Tensor& indices, torch::Tensor& images,
                                  torch::Tensor& labels) {
  const Split& s = *split_;
  const int64_t rows = indices.size(0);
  const int64_t width = s.pixels.size(1);
  const auto float_opts = s.pixels.options().dtype(torch::kFloat);
  if (!images.defined()) images = torch::empty({rows, width}, float_opts);
  if (!labels.defined()) labels = torch::empty({rows}, s.labels.options());
  images.resize_({rows, width});
  labels.resize_({rows});
  torch::index_select_out(labels, s.labels, 0, indices);
  if (s.pixels.is_cpu() && s.pixels.scalar_type() == torch::kByte) {
    torch::Tensor idx = indices.contiguous();
    kernels::gather_scale_u8(s.pixels.data_ptr<uint8_t>(), width, idx.data_ptr<int64_t>(), rows,
                             s.scale.normalize, s.scale.mean, s.scale.std,
                             images.data_ptr<float>());
  } else {
    images.copy_(s.to_inputs(s.pixels.index_select(0, indices)));
  }
}

void BatchDataset::get_labels_into(const torch::Tensor& indices, torch::Tensor& labels) {
  if (!labels.defined()) labels = torch::empty({indices.size(0)}, split_->labels.options());
  labels.resize_({indices.size(0)});
  torch::index_select_out(labels, split_->labels, 0, indices);
}

void BatchDataset::get_labels_into(const int64_t* rows, int64_t count, torch::Tensor& labels) {
  const torch::Tensor& all = split_->labels;
  if (!labels.defined() || labels.dim() != 1 || labels.scalar_type() != all.scalar_type() ||
      labels.device() != all.device()) {
    labels = torch::empty({count}, all.options());
  }
  if (labels.size(0) != count) labels.resize_({count});
  if (all.is_cpu() && all.scalar_type() == torch::kLong && all.dim() == 1 && all.is_contiguous() &&
      labels.is_contiguous()) {
    const int64_t n = all.size(0);
    const int64_t* from = all.data_ptr<int64_t>();
    int64_t* to = labels.data_ptr<int64_t>();
    int64_t r = 0;
    for (; r < count && rows[r] >= 0 && rows[r] < n; ++r) to[r] = from[rows[r]];
    if (r == count) return;
  }
  const torch::Tensor indices =
      torch::from_blob(const_cast<int64_t*>(rows), {count}, torch::kLong).to(all.device());
  torch::index_select_out(labels, all, 0, indices);
}

torch::data::Example<> ExampleDataset::get(size_t index) {
  const Split& s = *split_;
  const auto i = static_cast<int64_t>(index);
  return {s.to_inputs(s.pixels[i]), s.labels[i]};
}

void PermutationSampler::reset(torch::optional<size_t> new_size) {
  if (new_size) n_ = static_cast<int64_t>(*new_size);
  torch::Tensor perm = epoch_permutation(n_, generator_);
  order_.assign(perm.data_ptr<int64_t>(), perm.data_ptr<int64_t>() + n_);
  next_ = 0;
}

torch::optional<std::vector<size_t>> PermutationSampler::next(size_t batch_size) {
  if (next_ >= order_.size()) return torch::nullopt;
  const size_t end = std::min(order_.size(), next_ + batch_size);
  std::vector<size_t> batch(order_.begin() + long(next_), order_.begin() + long(end));
  next_ = end;
  return batch;
}

void PermutationSampler::save(torch::serialize::OutputArchive&) const {
  throw std::logic_error("PermutationSampler cannot be saved");
}

void PermutationSampler::load(torch::serialize::InputArchive&) {
  throw std::logic_error("PermutationSampler cannot be loaded");
}

}  // namespace actbench
