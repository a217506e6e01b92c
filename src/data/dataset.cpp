#include "data/dataset.h"

#include <torch/data/datasets/mnist.h>

#include "data/idx.h"
#include "util/error.h"

namespace actbench {
namespace fs = std::filesystem;

const char* const kIdxFileNames[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

namespace {

// torch::data::datasets::MNIST reads exactly this layout.
constexpr int64_t kTrainCount = 60000;
constexpr int64_t kTestCount = 10000;
constexpr int64_t kSide = 28;

struct Stats {
  double mean, std;
};

// The usual per-data-set statistics of the training images scaled to [0, 1].
Stats dataset_stats(const std::string& dataset) {
  return dataset == "fashion-mnist" ? Stats{0.2860, 0.3530} : Stats{0.1307, 0.3081};
}

void check_pair(const fs::path& dir, int images_idx, int64_t expected, const std::string& hint) {
  const fs::path images = dir / kIdxFileNames[images_idx];
  const fs::path labels = dir / kIdxFileNames[images_idx + 1];
  IdxInfo im = check_idx_file(images, 3, hint);
  IdxInfo lb = check_idx_file(labels, 1, hint);
  if (im.dims[1] != kSide || im.dims[2] != kSide) {
    throw InputError("unexpected IDX file " + images.string() + ": images are " +
                     std::to_string(im.dims[1]) + "x" + std::to_string(im.dims[2]) +
                     ", MNIST-format data sets have 28x28");
  }
  if (im.dims[0] != expected || lb.dims[0] != expected) {
    throw InputError("unexpected IDX files in " + dir.string() + ": " + kIdxFileNames[images_idx] +
                     " has " + std::to_string(im.dims[0]) + " images and " +
                     kIdxFileNames[images_idx + 1] + " " + std::to_string(lb.dims[0]) +
                     " labels; an MNIST-format split has " + std::to_string(expected) +
                     " (use data.train_limit / data.test_limit for fewer)");
  }
  check_idx_labels(labels, lb, 10);
}

Split load_split(const DataConfig& config, bool train, int64_t limit, const Stats* norm,
                 const torch::Device& device) {
  using torch::data::datasets::MNIST;
  MNIST mnist(config.dir, train ? MNIST::Mode::kTrain : MNIST::Mode::kTest);
  const int64_t n =
      limit > 0 ? std::min<int64_t>(limit, mnist.targets().size(0)) : mnist.targets().size(0);
  Split split;
  // MNIST gives [N, 1, 28, 28] scaled to [0, 1]. Keep only what is used (a limit frees the rest).
  split.images = mnist.images().narrow(0, 0, n).reshape({n, kSide * kSide});
  split.labels = mnist.targets().narrow(0, 0, n).to(torch::kLong);
  if (n < mnist.targets().size(0)) {
    split.images = split.images.clone();
    split.labels = split.labels.clone();
  }
  if (norm) split.images.sub_(norm->mean).div_(norm->std);
  split.images = split.images.to(device).contiguous();
  split.labels = split.labels.to(device).contiguous();
  return split;
}

}  // namespace

std::string fetch_command(const std::string& dataset, const std::string& dir) {
  return "scripts/fetch_data.sh " + dataset + " " + dir;
}

void check_dataset_files(const DataConfig& config) {
  const fs::path dir(config.dir);
  const std::string hint = fetch_command(config.dataset, config.dir);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw InputError("data directory " + config.dir + " not found; fetch the data with: " + hint);
  }
  check_pair(dir, 0, kTrainCount, hint);
  check_pair(dir, 2, kTestCount, hint);
}

Dataset load_dataset(const DataConfig& config, const torch::Device& device) {
  check_dataset_files(config);
  Dataset ds;
  ds.name = config.dataset;
  Stats stats = dataset_stats(config.dataset);
  const Stats* norm = config.normalize ? &stats : nullptr;
  if (norm) {
    ds.mean = stats.mean;
    ds.std = stats.std;
  }
  ds.train = load_split(config, true, config.train_limit, norm, device);
  ds.test = load_split(config, false, config.test_limit, norm, device);
  ds.input_size = kSide * kSide;
  return ds;
}

}  // namespace actbench
