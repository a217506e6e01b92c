// Data stage: the four IDX files of MNIST or Fashion-MNIST, checked, loaded once through
// torch::data::datasets::MNIST, flattened, scaled and moved to the training device once.
#pragma once

#include <cstdint>
#include <string>

#include <torch/types.h>

#include "config/config.h"

namespace actbench {

struct Split {
  torch::Tensor images;  // [N, 784] float32, on the training device
  torch::Tensor labels;  // [N] int64, on the training device
  int64_t size() const { return labels.size(0); }
};

struct Dataset {
  std::string name;
  Split train;
  Split test;
  int64_t input_size = 0;
  int64_t num_classes = 10;
  double mean = 0.0;  // normalisation applied, if any (0 and 1 when none)
  double std = 1.0;
};

// The four file names every MNIST-format data set uses.
extern const char* const kIdxFileNames[4];

// The command that fetches a data set into `dir`, shown in "not found" errors.
std::string fetch_command(const std::string& dataset, const std::string& dir);

// Checks the four files (presence, headers, sizes, labels) without loading them. Throws InputError.
void check_dataset_files(const DataConfig& config);

// Checks, loads, applies limits and normalisation, and moves the tensors to `device`.
Dataset load_dataset(const DataConfig& config, const torch::Device& device);

}  // namespace actbench
