// Data stage: the four IDX files are checked before LibTorch reads them, so every problem with
// them is one InputError that names the file (never a c10::Error), and loading gives flat,
// scaled tensors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "data/dataset.h"
#include "data/idx.h"
#include "test_support.h"
#include "util/error.h"
#include "util/huge_pages.h"

namespace {

namespace fs = std::filesystem;
using actbench::DataConfig;
using actbench::kIdxFileNames;
using actbench_test::input_error_message;
using actbench_test::link_synthetic_mnist;
using actbench_test::synthetic_mnist_dir;
using actbench_test::TempDir;
using ::testing::HasSubstr;

using actbench_test::kCpu;

DataConfig config_for(const fs::path& dir, int64_t train_limit = 0, int64_t test_limit = 0) {
  DataConfig c = actbench::default_config().data;
  c.dir = dir.string();
  c.train_limit = train_limit;
  c.test_limit = test_limit;
  return c;
}

std::string dataset_load_error(const fs::path& dir) {
  return input_error_message([&] { actbench::load_dataset(config_for(dir), kCpu); });
}

// The raw bytes of an IDX file (header + payload).
std::string idx_bytes(const std::vector<int64_t>& dims, const std::vector<uint8_t>& data,
                      uint8_t type = 0x08) {
  std::string out{char(0), char(0), char(type), char(dims.size())};
  for (int64_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(char((d >> shift) & 0xff));
  }
  out.append(data.begin(), data.end());
  return out;
}

// A data dir whose file `name` is replaced by `bytes`; the other three link to the good ones.
struct BrokenDir {
  TempDir tmp;
  fs::path file;
  BrokenDir(const std::string& name, const std::string& bytes) {
    link_synthetic_mnist(tmp.path());
    file = tmp / name;
    fs::remove(file);
    actbench_test::write_text(file, bytes);
  }
};

std::vector<uint8_t> labels(int64_t n) {
  return actbench_test::synthetic_labels(1, n, true);
}

TEST(Data, LoadsFlatScaledImagesAndInt64Labels) {
  const actbench::Dataset ds = actbench::load_dataset(config_for(synthetic_mnist_dir()), kCpu);
  EXPECT_EQ(ds.input_size, 784);
  EXPECT_EQ(ds.num_classes, 10);
  // images() converts the whole split: once per split here.
  const torch::Tensor train = ds.train.images();
  EXPECT_EQ(train.sizes(), (std::vector<int64_t>{60000, 784}));
  EXPECT_EQ(ds.test.images().sizes(), (std::vector<int64_t>{10000, 784}));
  EXPECT_EQ(train.scalar_type(), torch::kFloat);
  EXPECT_EQ(ds.train.labels.scalar_type(), torch::kLong);
  EXPECT_EQ(ds.train.labels.sizes(), (std::vector<int64_t>{60000}));
  EXPECT_EQ(ds.test.size(), 10000);
  EXPECT_GE(train.min().item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(train.max().item<float>(), 1.0f);
  EXPECT_TRUE(train.is_contiguous());
  EXPECT_EQ(ds.mean, 0.0);
  EXPECT_EQ(ds.std, 1.0);
}

// The test split's inputs, scaled as asked and (once the rows asked for add up to the split) kept,
// are the floats a batch scaled on its own gets: with and without normalisation, from any row on.
TEST(Data, KeptTestInputsEqualInputsScaledBatchByBatch) {
  for (const bool normalize : {false, true}) {
    DataConfig c = config_for(synthetic_mnist_dir(), 0, 3000);
    c.normalize = normalize;
    const actbench::Dataset ds = actbench::load_dataset(c, kCpu);
    ASSERT_TRUE(ds.test.inputs_cache);
    // Pass 0 asks for 2005 rows one batch at a time (scaled as asked), then for all 3000 (past the
    // split's size: scaled and kept); pass 1 reads the kept inputs.
    for (const int64_t pass : {0, 1}) {
      for (const auto& [start, len] :
           {std::pair<int64_t, int64_t>{0, 1000}, {1000, 1000}, {2997, 3}}) {
        const torch::Tensor got = ds.test.images(start, len);
        const torch::Tensor alone = ds.test.to_inputs(ds.test.pixels.narrow(0, start, len));
        EXPECT_TRUE(torch::equal(got, alone))
            << "rows " << start << ", normalize " << normalize << ", pass " << pass;
      }
      if (pass == 0) {
        // Not kept yet: each call scales its rows on its own.
        EXPECT_NE(ds.test.images(5, 1).data_ptr(), ds.test.images(5, 1).data_ptr());
        EXPECT_TRUE(torch::equal(ds.test.images(), ds.test.to_inputs(ds.test.pixels)));
      }
    }
    EXPECT_EQ(ds.test.images(5, 1).data_ptr(), ds.test.images(5, 1).data_ptr());  // kept once
  }
}

TEST(Data, PixelsAndLabelsAreTheFilesInOrder) {
  const actbench::Dataset ds = actbench::load_dataset(config_for(synthetic_mnist_dir()), kCpu);
  for (bool train : {true, false}) {
    const actbench::Split& split = train ? ds.train : ds.test;
    const torch::Tensor images = split.images();
    const int64_t n = train ? actbench_test::kTrainCount : actbench_test::kTestCount;
    const auto want_labels = actbench_test::synthetic_labels(1, n, train);
    const auto want_images = actbench_test::synthetic_images(1, want_labels, train);
    for (int64_t i : {int64_t(0), int64_t(1), int64_t(12345 % n), n - 1}) {
      EXPECT_EQ(split.labels[i].item<int64_t>(), want_labels[size_t(i)]);
      for (int64_t px : {int64_t(0), int64_t(100),
                         int64_t(2 * 28 * want_labels[size_t(i)] + 4 * 28), int64_t(783)}) {
        EXPECT_FLOAT_EQ(images[i][px].item<float>(),
                        float(want_images[size_t(i * 784 + px)]) / 255.0f)
            << (train ? "train" : "test") << " image " << i << " pixel " << px;
      }
      // A row read alone is the same row.
      EXPECT_TRUE(torch::equal(split.images(i, 1)[0], images[i]));
    }
  }
}

// The pixels are the page cache's copy of the file, mapped: the right bytes, private to the
// process, and no mapping (so the caller reads, and reports) when the file is short or missing.
TEST(Data, MappedFileBytesAreTheFileAndNeverWriteIt) {
  TempDir tmp;
  const fs::path file = tmp / "bytes";
  actbench_test::write_text(file, "0123456789abcdef");
  torch::Tensor mapped = actbench::map_file_bytes(file.string(), 4, 2, 3);
  ASSERT_TRUE(mapped.defined());
  EXPECT_EQ(mapped.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(mapped.scalar_type(), torch::kByte);
  EXPECT_EQ(mapped[0][0].item<int>(), '4');
  EXPECT_EQ(mapped[1][2].item<int>(), '9');
  mapped[0][0] = 'X';
  EXPECT_EQ(mapped[0][0].item<int>(), 'X');
  EXPECT_EQ(actbench_test::read_text(file), "0123456789abcdef");
  EXPECT_TRUE(actbench::map_file_bytes(file.string(), 4, 2, 6).defined());
  EXPECT_FALSE(actbench::map_file_bytes(file.string(), 4, 2, 7).defined());  // past the end
  EXPECT_FALSE(actbench::map_file_bytes((tmp / "missing").string(), 0, 1, 1).defined());
  EXPECT_FALSE(actbench::map_file_bytes(tmp.path().string(), 0, 1, 1).defined());  // a directory
}

// A mapped file cut short under the process: one line and exit code 2, not "Bus error".
TEST(DataDeathTest, MappedFileCutShortEndsWithOneLineAndExitCode2) {
  TempDir tmp;
  const fs::path file = tmp / "bytes";
  actbench_test::write_text(file, std::string(3 * 4096, 'x'));
  torch::Tensor mapped = actbench::map_file_bytes(file.string(), 0, 3, 4096);
  ASSERT_TRUE(mapped.defined());
  EXPECT_EXIT(
      {
        fs::resize_file(file, 0);
        volatile uint8_t b = mapped.data_ptr<uint8_t>()[2 * 4096];
        (void)b;
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(2),
      "file mapped into memory was cut short.*a data file.*run the command again");
}

TEST(Data, LimitsTakeTheFirstExamples) {
  const actbench::Dataset all = actbench::load_dataset(config_for(synthetic_mnist_dir()), kCpu);
  const actbench::Dataset few =
      actbench::load_dataset(config_for(synthetic_mnist_dir(), 3000, 1000), kCpu);
  EXPECT_EQ(few.train.size(), 3000);
  EXPECT_EQ(few.test.size(), 1000);
  EXPECT_EQ(few.train.images().sizes(), (std::vector<int64_t>{3000, 784}));
  EXPECT_TRUE(torch::equal(few.train.images(), all.train.images().narrow(0, 0, 3000)));
  EXPECT_TRUE(torch::equal(few.test.labels, all.test.labels.narrow(0, 0, 1000)));
  // A limit above the split size is refused (it was once capped silently and recorded as asked).
  EXPECT_THAT(input_error_message([] {
                actbench::load_dataset(config_for(synthetic_mnist_dir(), 100000, 0), kCpu);
              }),
              HasSubstr("more than the 60000 training examples"));
  EXPECT_THAT(input_error_message([] {
                actbench::load_dataset(config_for(synthetic_mnist_dir(), 0, 20000), kCpu);
              }),
              HasSubstr("more than the 10000 test examples"));
  const actbench::Dataset exact =
      actbench::load_dataset(config_for(synthetic_mnist_dir(), 60000, 10000), kCpu);
  EXPECT_EQ(exact.train.size(), 60000);
  EXPECT_EQ(exact.test.size(), 10000);
}

// data.validation: the last N examples of the (limited) training set, held out of training.
TEST(Data, ValidationSplitIsTheLastTrainingExamplesHeldOut) {
  DataConfig c = config_for(synthetic_mnist_dir(), 3000, 1000);
  const actbench::Dataset all = actbench::load_dataset(c, kCpu);
  c.validation = 500;
  const actbench::Dataset split = actbench::load_dataset(c, kCpu);
  EXPECT_EQ(all.validation.size(), 0);
  EXPECT_EQ(split.train.size(), 2500);
  EXPECT_EQ(split.validation.size(), 500);
  EXPECT_EQ(split.test.size(), 1000);
  EXPECT_TRUE(torch::equal(split.train.images(), all.train.images().narrow(0, 0, 2500)));
  EXPECT_TRUE(torch::equal(split.validation.images(), all.train.images().narrow(0, 2500, 500)));
  EXPECT_TRUE(torch::equal(split.validation.labels, all.train.labels.narrow(0, 2500, 500)));
  // Nothing left to train on: refused, naming the key and the sizes.
  c.validation = 3000;
  EXPECT_THAT(input_error_message([&] { actbench::load_dataset(c, kCpu); }),
              HasSubstr("data.validation 3000 leaves nothing to train on: the training set has "
                        "3000 examples"));
}

TEST(Data, NormalizeUsesMnistStatistics) {
  DataConfig c = config_for(synthetic_mnist_dir(), 500, 500);
  const actbench::Dataset raw = actbench::load_dataset(c, kCpu);
  c.normalize = true;
  const actbench::Dataset norm = actbench::load_dataset(c, kCpu);
  EXPECT_DOUBLE_EQ(norm.mean, 0.1307);
  EXPECT_DOUBLE_EQ(norm.std, 0.3081);
  EXPECT_TRUE(
      torch::allclose(norm.train.images(), (raw.train.images() - 0.1307) / 0.3081, 1e-5, 1e-6));
  EXPECT_TRUE(
      torch::allclose(norm.test.images(), (raw.test.images() - 0.1307) / 0.3081, 1e-5, 1e-6));
  EXPECT_TRUE(torch::equal(norm.train.labels, raw.train.labels));
}

TEST(Data, NormalizeWithoutLimitAlsoApplies) {
  DataConfig c = config_for(synthetic_mnist_dir());
  c.normalize = true;
  const actbench::Dataset norm = actbench::load_dataset(c, kCpu);
  // A 255 pixel becomes (1 - 0.1307) / 0.3081.
  EXPECT_NEAR(norm.train.images().max().item<double>(), (1.0 - 0.1307) / 0.3081, 1e-5);
  EXPECT_NEAR(norm.test.images().min().item<double>(), (0.0 - 0.1307) / 0.3081, 1e-5);
}

TEST(Data, FashionMnistUsesItsOwnStatistics) {
  DataConfig c = config_for(synthetic_mnist_dir(), 10, 10);
  c.dataset = actbench::DatasetKind::kFashionMnist;
  c.normalize = true;
  const actbench::Dataset ds = actbench::load_dataset(c, kCpu);
  EXPECT_EQ(ds.name, "fashion-mnist");
  EXPECT_DOUBLE_EQ(ds.mean, 0.2860);
  EXPECT_DOUBLE_EQ(ds.std, 0.3530);
}

TEST(Data, MissingDirectoryPointsToFetchScript) {
  TempDir tmp;
  const fs::path dir = tmp / "no-such-dir";
  std::string msg = dataset_load_error(dir);
  EXPECT_THAT(msg, HasSubstr(dir.string()));
  EXPECT_THAT(msg, HasSubstr("not found"));
  EXPECT_THAT(msg, HasSubstr("scripts/fetch_data.sh mnist " + dir.string()));
  DataConfig fashion = config_for(dir);
  fashion.dataset = actbench::DatasetKind::kFashionMnist;
  msg = input_error_message([&] { actbench::load_dataset(fashion, kCpu); });
  EXPECT_THAT(msg, HasSubstr("scripts/fetch_data.sh fashion-mnist " + dir.string()));
}

TEST(Data, EmptyDirectoryNamesTheFirstMissingFile) {
  TempDir tmp;
  std::string msg = dataset_load_error(tmp.path());
  EXPECT_THAT(msg, HasSubstr((tmp / "train-images-idx3-ubyte").string()));
  EXPECT_THAT(msg, HasSubstr("scripts/fetch_data.sh"));
}

TEST(Data, MissingSingleFileIsNamed) {
  for (const char* name : kIdxFileNames) {
    SCOPED_TRACE(name);
    TempDir tmp;
    link_synthetic_mnist(tmp.path());
    fs::remove(tmp / name);
    std::string msg = dataset_load_error(tmp.path());
    EXPECT_THAT(msg, HasSubstr((tmp / name).string() + " not found"));
    EXPECT_THAT(msg, HasSubstr("scripts/fetch_data.sh"));
  }
}

TEST(Data, BadMagicNumberIsReported) {
  // Images where labels belong (rank 3 instead of 1), and a non-IDX file.
  BrokenDir wrong_rank("train-labels-idx1-ubyte", idx_bytes({10, 2, 2}, std::vector<uint8_t>(40)));
  std::string msg = dataset_load_error(wrong_rank.tmp.path());
  EXPECT_THAT(msg, HasSubstr("corrupt IDX file " + wrong_rank.file.string()));
  EXPECT_THAT(msg, HasSubstr("bad magic number 0x00000803"));
  EXPECT_THAT(msg, HasSubstr("expected 0x00000801"));

  BrokenDir html("t10k-images-idx3-ubyte", "<html><body>404 Not Found</body></html>\n");
  msg = dataset_load_error(html.tmp.path());
  EXPECT_THAT(msg, HasSubstr("corrupt IDX file " + html.file.string()));
  EXPECT_THAT(msg, HasSubstr("bad magic number"));

  BrokenDir floats("t10k-images-idx3-ubyte",
                   idx_bytes({10000, 28, 28}, std::vector<uint8_t>(10000 * 784), 0x0D));
  msg = dataset_load_error(floats.tmp.path());
  EXPECT_THAT(msg, HasSubstr("bad magic number 0x00000d03"));
}

TEST(Data, FileShorterThanItsHeaderIsReported) {
  BrokenDir d("train-images-idx3-ubyte", std::string("\0\0\x08", 3));
  std::string msg = dataset_load_error(d.tmp.path());
  EXPECT_THAT(msg, HasSubstr(d.file.string()));
  EXPECT_THAT(msg, HasSubstr("shorter than its header"));
}

TEST(Data, TruncatedFileIsReported) {
  std::string bytes = idx_bytes({60000, 28, 28}, std::vector<uint8_t>(60000 * 784));
  bytes.resize(bytes.size() - 1000);
  BrokenDir d("train-images-idx3-ubyte", bytes);
  std::string msg = dataset_load_error(d.tmp.path());
  EXPECT_THAT(msg, HasSubstr("corrupt IDX file " + d.file.string()));
  EXPECT_THAT(msg, HasSubstr("(truncated)"));
  // The fetch script as this binary finds it (installed, or the source tree's): a command that
  // works from any directory.
  EXPECT_THAT(msg, ::testing::ContainsRegex("re-fetch it with: /[^ ]+/fetch_data\\.sh mnist "));
}

TEST(Data, TrailingDataIsReported) {
  BrokenDir d("t10k-labels-idx1-ubyte", idx_bytes({10000}, labels(10000)) + "x");
  std::string msg = dataset_load_error(d.tmp.path());
  EXPECT_THAT(msg, HasSubstr(d.file.string()));
  EXPECT_THAT(msg, HasSubstr("(trailing data)"));
}

TEST(Data, ZeroDimensionIsReported) {
  BrokenDir d("train-labels-idx1-ubyte", idx_bytes({0}, {}));
  std::string msg = dataset_load_error(d.tmp.path());
  EXPECT_THAT(msg, HasSubstr(d.file.string()));
  EXPECT_THAT(msg, HasSubstr("dimension 0 is 0"));
}

TEST(Data, WrongCountIsReported) {
  // Consistent files, but not the 60000 the MNIST loader requires.
  TempDir tmp;
  link_synthetic_mnist(tmp.path());
  for (int i : {0, 1}) fs::remove(tmp / kIdxFileNames[i]);
  const auto l = labels(59999);
  actbench::write_idx_file(tmp / kIdxFileNames[0], {59999, 28, 28},
                           actbench_test::synthetic_images(1, l, true));
  actbench::write_idx_file(tmp / kIdxFileNames[1], {59999}, l);
  std::string msg = dataset_load_error(tmp.path());
  EXPECT_THAT(msg, HasSubstr("59999 images"));
  EXPECT_THAT(msg, HasSubstr("60000"));
  EXPECT_THAT(msg, HasSubstr("data.train_limit"));
}

TEST(Data, ImageLabelCountMismatchIsReported) {
  BrokenDir d("t10k-labels-idx1-ubyte", idx_bytes({9999}, labels(9999)));
  std::string msg = dataset_load_error(d.tmp.path());
  EXPECT_THAT(msg, HasSubstr("10000 images"));
  EXPECT_THAT(msg, HasSubstr("9999 labels"));
}

TEST(Data, WrongImageSizeIsReported) {
  BrokenDir d("t10k-images-idx3-ubyte",
              idx_bytes({10000, 32, 32}, std::vector<uint8_t>(10000 * 32 * 32)));
  std::string msg = dataset_load_error(d.tmp.path());
  EXPECT_THAT(msg, HasSubstr(d.file.string()));
  EXPECT_THAT(msg, HasSubstr("32x32"));
}

TEST(Data, LabelOutOfRangeIsReported) {
  std::vector<uint8_t> l = labels(60000);
  l[4242] = 10;
  BrokenDir d("train-labels-idx1-ubyte", idx_bytes({60000}, l));
  std::string msg = dataset_load_error(d.tmp.path());
  EXPECT_THAT(msg, HasSubstr("corrupt IDX label file " + d.file.string()));
  EXPECT_THAT(msg, HasSubstr("label 10 at index 4242"));
}

TEST(Data, CheckDatasetFilesAcceptsGoodDataWithoutLoading) {
  EXPECT_NO_THROW(actbench::check_dataset_files(config_for(synthetic_mnist_dir())));
}

TEST(Data, IdxWriterAndCheckerAgree) {
  TempDir tmp;
  const fs::path f = tmp / "x-idx3-ubyte";
  actbench::write_idx_file(f, {3, 2, 5}, std::vector<uint8_t>(30, 7));
  const actbench::IdxInfo info = actbench::check_idx_file(f, 3, "");
  EXPECT_EQ(info.dims, (std::vector<int64_t>{3, 2, 5}));
  EXPECT_EQ(info.header_bytes, 16);
  EXPECT_EQ(info.type_code, 0x08);
  EXPECT_EQ(fs::file_size(f), 16u + 30u);
  // No fetch hint: no "fetch it with" advice.
  std::string msg = input_error_message([&] { actbench::check_idx_file(tmp / "nope", 1, ""); });
  EXPECT_THAT(msg, HasSubstr("nope not found"));
  EXPECT_THAT(msg, ::testing::Not(HasSubstr("fetch")));
}

}  // namespace
