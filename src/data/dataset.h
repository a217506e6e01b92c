// Data stage: the four IDX files of MNIST or Fashion-MNIST, checked, read once as bytes (one byte
// per pixel: 47 MB for MNIST's training split instead of the 188 MB of float32 that
// torch::data::datasets::MNIST materialises) and moved to the training device once. Batches are
// served by the torch::data datasets in data/batches.h, which scale the bytes to float on the fly
// exactly as torch::data::datasets::MNIST does (x / 255), then normalise if asked.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <torch/types.h>

#include "config/config.h"

namespace actbench {

struct SparseRows;
class SparseRowsCache;
class InputsCache;

// The MNIST layout (Fashion-MNIST's too; torch::data::datasets::MNIST accepts exactly this).
constexpr int64_t kMnistTrainCount = 60000;
constexpr int64_t kMnistTestCount = 10000;
constexpr int64_t kMnistSide = 28;
constexpr int64_t kMnistPixels = kMnistSide * kMnistSide;
constexpr int64_t kMnistClasses = 10;

// How stored pixels become model inputs.
struct PixelScale {
  bool normalize = false;  // false: x / 255; true: (x / 255 - mean) / std
  float mean = 0.0f;
  float std = 1.0f;
};

struct Split {
  // [N, D] on the training device: uint8 pixels, scaled on the fly, or float32 inputs used as they
  // are (for hand-made test data).
  torch::Tensor pixels;
  torch::Tensor labels;  // [N] int64, on the training device
  PixelScale scale;
  int64_t size() const { return labels.size(0); }
  // Rows start..start+len as float32 model inputs (from inputs scaled once, where the split keeps
  // them: inputs_cache). Thread-safe.
  torch::Tensor images(int64_t start, int64_t len) const;
  // All rows as float32 (a copy for uint8 pixels; for tests and tools, not the training loop).
  torch::Tensor images() const { return images(0, size()); }
  // Scales rows already gathered from `pixels` (uint8 or float) to model inputs.
  torch::Tensor to_inputs(const torch::Tensor& rows) const;

  // The nonzero inputs of every row, for a sparse first layer: extracted at the first call and
  // shared by every run (and every copy of this split); nullptr where the split offers none
  // (no cache, pixels not uint8 on the CPU, or normalised: hardly a zero among them).
  const SparseRows* sparse_rows() const;
  std::shared_ptr<SparseRowsCache> sparse_cache;  // set by load_dataset for every split
  // Every row's float32 inputs, scaled once and kept when the rows read dense add up to the
  // split's size (every epoch's dense test pass reads them all); set by load_dataset for the test
  // and validation splits.
  std::shared_ptr<InputsCache> inputs_cache;
};

struct Dataset {
  std::string name;
  Split train;       // without the validation rows
  Split validation;  // the last data.validation rows of the training set; size 0 without
  Split test;
  int64_t input_size = 0;
  int64_t num_classes = 10;
  double mean = 0.0;  // normalisation applied, if any (0 and 1 when none)
  double std = 1.0;
};

// The four file names every MNIST-format data set uses.
extern const char* const kIdxFileNames[4];

// Refuses (InputError) data files that are, by their SHA-256 (`hashes`: file name -> hex), the
// official files of another data set than `config.dataset` (MNIST's files with dataset
// fashion-mnist, say): the run would train on one and record the other. Files that are no known
// data set's (a subset, a synthetic set) are used as they are; the store key records their hashes.
void check_dataset_identity(const DataConfig& config,
                            const std::map<std::string, std::string>& hashes);

// The command that fetches a data set into `dir`, shown in "not found" errors.
std::string fetch_command(const std::string& dataset, const std::string& dir);

// Checks the four files (presence, headers, sizes, labels) without loading them, and that the
// validation split leaves examples to train on. Throws InputError.
void check_dataset_files(const DataConfig& config);

// Checks, loads, applies limits, and moves the tensors to `device`.
Dataset load_dataset(const DataConfig& config, const torch::Device& device);

}  // namespace actbench
