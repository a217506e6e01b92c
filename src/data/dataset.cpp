#include "data/dataset.h"

#include <atomic>
#include <fstream>
#include <mutex>
#include <numeric>

#include <torch/types.h>

#include "data/idx.h"
#include "data/sparse_rows.h"
#include "kernels/pixels.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/huge_pages.h"
#include "util/shipped.h"

namespace actbench {
namespace fs = std::filesystem;

const char* const kIdxFileNames[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

namespace {

struct Stats {
  double mean, std;
};

// The usual per-data-set statistics of the training images scaled to [0, 1].
Stats dataset_stats(const std::string& dataset) {
  return dataset == "fashion-mnist" ? Stats{0.2860, 0.3530} : Stats{0.1307, 0.3081};
}

// The first `count` items (of `item_bytes` each) of an IDX file of `rank` dimensions that
// check_pair has already checked.
torch::Tensor read_payload(const fs::path& path, int rank, int64_t count, int64_t item_bytes) {
  torch::Tensor mapped = map_file_bytes(path.string(), 4 + 4 * rank, count, item_bytes);
  if (mapped.defined()) return mapped;
  torch::Tensor out = empty_huge({count, item_bytes}, torch::kByte);
  std::ifstream in(path, std::ios::binary);
  in.seekg(4 + 4 * rank);
  if (!in.read(reinterpret_cast<char*>(out.data_ptr<uint8_t>()), count * item_bytes)) {
    throw InputError("cannot read data file " + path.string());
  }
  return out;
}

void check_pair(const fs::path& dir, int images_idx, int64_t expected, const std::string& hint) {
  const fs::path images = dir / kIdxFileNames[images_idx];
  const fs::path labels = dir / kIdxFileNames[images_idx + 1];
  IdxInfo im = check_idx_file(images, 3, hint);
  IdxInfo lb = check_idx_file(labels, 1, hint);
  if (im.dims[1] != kMnistSide || im.dims[2] != kMnistSide) {
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

Split load_split(const DataConfig& config, bool train, int64_t limit, const PixelScale& scale,
                 const torch::Device& device) {
  const fs::path dir(config.dir);
  const int base = train ? 0 : 2;
  const int64_t total = train ? kMnistTrainCount : kMnistTestCount;
  const int64_t n = limit > 0 ? std::min(limit, total) : total;
  Split split;
  split.pixels = read_payload(dir / kIdxFileNames[base], 3, n, kMnistPixels).to(device);
  split.labels =
      read_payload(dir / kIdxFileNames[base + 1], 1, n, 1).view({n}).to(torch::kLong).to(device);
  split.scale = scale;
  return split;
}

}  // namespace

// The fetch script as this binary finds it (installed, or its source tree's), so that the
// command works from any directory.
std::string fetch_command(const std::string& dataset, const std::string& dir) {
  const std::optional<fs::path> script = shipped_script("fetch_data.sh");
  return (script ? script->string() : std::string("scripts/fetch_data.sh")) + " " + dataset + " " +
         dir;
}

void check_dataset_files(const DataConfig& config) {
  const fs::path dir(config.dir);
  const std::string hint = fetch_command(choice_name(config.dataset), config.dir);
  check_path(dir, PathKind::kDirectory, "data directory",
             "data directory " + config.dir + " (" + fs::absolute(dir).string() +
                 ") not found; fetch the data with: " + hint +
                 ", or point data.dir (or ACTBENCH_DATA) at a copy",
             "point data.dir (or ACTBENCH_DATA) at the folder holding the data files");
  std::error_code ec;
  check_pair(dir, 0, kMnistTrainCount, hint);
  check_pair(dir, 2, kMnistTestCount, hint);
  const std::string name = choice_name(config.dataset);
  if (config.train_limit > kMnistTrainCount) {
    throw InputError("data.train_limit is " + std::to_string(config.train_limit) +
                     ", more than the " + std::to_string(kMnistTrainCount) +
                     " training examples of " + name + "; give at most " +
                     std::to_string(kMnistTrainCount) + ", or 0 for all");
  }
  if (config.test_limit > kMnistTestCount) {
    throw InputError("data.test_limit is " + std::to_string(config.test_limit) +
                     ", more than the " + std::to_string(kMnistTestCount) + " test examples of " +
                     name + "; give at most " + std::to_string(kMnistTestCount) + ", or 0 for all");
  }
  const int64_t train = config.train_limit > 0 ? config.train_limit : kMnistTrainCount;
  if (config.validation >= train) {
    throw InputError("data.validation " + std::to_string(config.validation) +
                     " leaves nothing to train on: the training set has " + std::to_string(train) +
                     " examples (data.train_limit " + std::to_string(config.train_limit) +
                     "); hold out fewer");
  }
}

void check_dataset_identity(const DataConfig& config,
                            const std::map<std::string, std::string>& hashes) {
  // The SHA-256 of the official files (as scripts/fetch_data.sh checks them).
  static const std::map<std::string, std::map<std::string, std::string>> kKnown{
      {"mnist",
       {{"train-images-idx3-ubyte",
         "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"},
        {"train-labels-idx1-ubyte",
         "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"},
        {"t10k-images-idx3-ubyte",
         "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"},
        {"t10k-labels-idx1-ubyte",
         "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"}}},
      {"fashion-mnist",
       {{"train-images-idx3-ubyte",
         "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"},
        {"train-labels-idx1-ubyte",
         "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"},
        {"t10k-images-idx3-ubyte",
         "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"},
        {"t10k-labels-idx1-ubyte",
         "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"}}}};
  const std::string want = choice_name(config.dataset);
  for (const auto& [file, sha] : hashes) {
    for (const auto& [dataset, files] : kKnown) {
      auto it = files.find(file);
      if (dataset == want || it == files.end() || it->second != sha) continue;
      throw InputError("data.dir " + config.dir + " holds " + dataset + "'s " + file +
                       ", but data.dataset is " + want + "; set data.dataset: " + dataset +
                       ", or point data.dir at " + want + "'s files (" +
                       fetch_command(want, "DIR") + ")");
    }
  }
}

namespace {

// uint8 pixel rows as model inputs (float rows are inputs already): the same operations, in the
// same order, as torch::data::datasets::MNIST followed by normalisation, so every pixel gets the
// same float whichever path scales it.
torch::Tensor scaled_inputs(const torch::Tensor& rows, const PixelScale& scale) {
  if (rows.scalar_type() != torch::kByte) return rows;
  torch::Tensor x = rows.to(torch::kFloat).div_(255);
  if (scale.normalize) x.sub_(scale.mean).div_(scale.std);
  return x;
}

}  // namespace

torch::Tensor Split::to_inputs(const torch::Tensor& rows) const {
  return scaled_inputs(rows, scale);
}

// Every row's float32 inputs, scaled once and kept, for a split whose rows are read as dense
// inputs epoch after epoch (the test pass without the sparse first layer). One read dense only
// now and then (the sparse test pass checks its first batch of a shape against the dense product)
// should not pay for all of them, nor for the memory: rows are scaled as asked until the rows
// asked for add up to the split's size, and only from then on all at once and kept.
class InputsCache {
 public:
  torch::Tensor get(const Split& split, int64_t start, int64_t len) {
    if (asked_.fetch_add(len) + len <= split.size()) {
      return split.to_inputs(split.pixels.narrow(0, start, len));
    }
    std::call_once(once_, [&] { inputs_ = scaled_rows(split.pixels, split.scale); });
    return inputs_.narrow(0, start, len);
  }

 private:
  // All of `pixels` as inputs (the same floats as to_inputs), into huge pages on the CPU.
  static torch::Tensor scaled_rows(const torch::Tensor& pixels, const PixelScale& scale) {
    if (!pixels.is_cpu() || pixels.scalar_type() != torch::kByte || pixels.dim() != 2) {
      return scaled_inputs(pixels, scale);
    }
    // One pass through the scaling table (the roundings of to_inputs, kernels/pixels.h).
    const torch::Tensor p = pixels.contiguous();
    const int64_t n = p.size(0), d = p.size(1);
    std::vector<int64_t> rows(static_cast<size_t>(n));
    std::iota(rows.begin(), rows.end(), int64_t(0));
    torch::Tensor x = empty_huge({n, d}, torch::kFloat);
    kernels::gather_scale_u8(p.data_ptr<uint8_t>(), d, rows.data(), n, scale.normalize, scale.mean,
                             scale.std, x.data_ptr<float>());
    return x;
  }

  std::atomic<int64_t> asked_{0};
  std::once_flag once_;
  torch::Tensor inputs_;
};

torch::Tensor Split::images(int64_t start, int64_t len) const {
  if (inputs_cache) return inputs_cache->get(*this, start, len);
  return to_inputs(pixels.narrow(0, start, len));
}

const SparseRows* Split::sparse_rows() const {
  if (!sparse_cache || !pixels.is_cpu() || pixels.scalar_type() != torch::kByte ||
      pixels.dim() != 2 || pixels.size(1) > 65536 || scale.normalize) {
    return nullptr;
  }
  return &sparse_cache->get(pixels, scale);
}

Dataset load_dataset(const DataConfig& config, const torch::Device& device) {
  check_dataset_files(config);
  Dataset ds;
  ds.name = choice_name(config.dataset);
  PixelScale scale;
  if (config.normalize) {
    const Stats stats = dataset_stats(choice_name(config.dataset));
    ds.mean = stats.mean;
    ds.std = stats.std;
    scale = {true, static_cast<float>(stats.mean), static_cast<float>(stats.std)};
  }
  ds.train = load_split(config, true, config.train_limit, scale, device);
  ds.test = load_split(config, false, config.test_limit, scale, device);
  ds.validation.scale = scale;
  ds.validation.pixels = ds.train.pixels.narrow(0, 0, 0);
  ds.validation.labels = ds.train.labels.narrow(0, 0, 0);
  if (config.validation > 0) {
    // The last rows, as views: the same examples for every run, and no copy of the data.
    const int64_t keep = ds.train.size() - config.validation;
    ds.validation.pixels = ds.train.pixels.narrow(0, keep, config.validation);
    ds.validation.labels = ds.train.labels.narrow(0, keep, config.validation);
    ds.train.pixels = ds.train.pixels.narrow(0, 0, keep);
    ds.train.labels = ds.train.labels.narrow(0, 0, keep);
  }
  ds.train.sparse_cache = std::make_shared<SparseRowsCache>();
  ds.test.sparse_cache = std::make_shared<SparseRowsCache>();
  ds.validation.sparse_cache = std::make_shared<SparseRowsCache>();
  ds.test.inputs_cache = std::make_shared<InputsCache>();
  ds.validation.inputs_cache = std::make_shared<InputsCache>();
  ds.input_size = kMnistPixels;
  return ds;
}

}  // namespace actbench
