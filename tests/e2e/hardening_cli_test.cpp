// Hardening (issue 14) through the binary: a path of the wrong kind says what is there (not "not
// found"), limits beyond the data are refused, `list activations` prints the formulas that are
// computed (unit/hardening_test.cpp checks the modules against them), and a model that cannot fit
// in memory is refused before anything is written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <string>
#include <vector>

#include "process.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using actbench_test::expect_user_error;
using actbench_test::TempDir;
using actbench_test::write_text;
using ::testing::HasSubstr;

TEST(HardeningCli, PathsOfTheWrongKindSayWhatIsThere) {
  TempDir dir;
  write_text(dir / "file", "x");
  fs::create_directories(dir / "data");
  ASSERT_EQ(::mkfifo((dir / "pipe").c_str(), 0600), 0);
  const auto cli = [&](std::vector<std::string> args) {
    return actbench_test::run_actbench(args, dir.path());
  };
  expect_user_error(cli({"plan", (dir / "pipe").string()}), "is a pipe, not a file");
  expect_user_error(cli({"plan", dir.path().string()}), "is a directory, not a file");
  expect_user_error(cli({"plan", "data.dir=" + (dir / "file").string()}),
                    "data directory " + (dir / "file").string() + " is a file, not a directory");
  expect_user_error(cli({"merge", (dir / "file").string()}), "is a file, not a directory");
  expect_user_error(cli({"show", (dir / "file").string()}), "is a file, not a directory");
  expect_user_error(cli({"ls", (dir / "file").string()}), "is a file, not a directory");
  // A data file that is a directory.
  actbench_test::link_synthetic_mnist(dir / "data");
  fs::remove(dir / "data" / "t10k-labels-idx1-ubyte");
  fs::create_directories(dir / "data" / "t10k-labels-idx1-ubyte");
  expect_user_error(cli({"plan", "data.dir=" + (dir / "data").string()}),
                    "t10k-labels-idx1-ubyte is a directory, not a file");
  fs::create_symlink(dir / "nowhere", dir / "dangling.yaml");
  expect_user_error(cli({"plan", (dir / "dangling.yaml").string()}), "is a broken symbolic link");
}

TEST(HardeningCli, LimitsBeyondTheDataAreRefused) {
  TempDir dir;
  const std::string data = "data.dir=" + actbench_test::synthetic_mnist_dir().string();
  expect_user_error(
      actbench_test::run_actbench({"plan", data, "data.train_limit=60001"}, dir.path()),
      "data.train_limit is 60001, more than the 60000 training examples");
  expect_user_error(
      actbench_test::run_actbench({"plan", data, "data.test_limit=10001"}, dir.path()),
      "data.test_limit is 10001, more than the 10000 test examples");
}

TEST(HardeningCli, ListActivationsPrintsWhatIsComputed) {
  TempDir dir;
  const auto r = actbench_test::run_actbench({"list", "activations"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("scale = 1.0507009873554804934193349852946"));
  EXPECT_THAT(r.out, HasSubstr("alpha = 1.6732632423543772848170429916717"));
  EXPECT_THAT(r.out, HasSubstr("0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))"));
  EXPECT_THAT(r.out, HasSubstr("or x where beta * x > threshold"));
}

TEST(HardeningCli, AModelThatCannotFitInMemoryIsRefusedBeforeAnythingIsWritten) {
  TempDir dir;
  const std::string data = "data.dir=" + actbench_test::synthetic_mnist_dir().string();
  const fs::path out = dir / "huge";
  const auto r = actbench_test::run_actbench(
      {"run", data, "model.hidden=[65536,65536,65536,65536]", "--out", out.string()}, dir.path());
  expect_user_error(r, "the sweep needs about");
  EXPECT_THAT(r.err, HasSubstr("more than this machine's"));
  EXPECT_THAT(r.err, HasSubstr("model.hidden [65536,65536,65536,65536]"));
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(dir / ".actbench-store"));
  // --max-memory: the limit instead of the machine's; the same check in plan (a cluster
  // submission is refused before anything is queued).
  for (const std::string cmd : {"run", "plan"}) {
    const auto limited = actbench_test::run_actbench(
        {cmd, data, "model.hidden=[1024]", "--max-memory", "100M", "--out", out.string()},
        dir.path());
    expect_user_error(limited, "more than the --max-memory limit of 100.0 MiB");
    EXPECT_FALSE(fs::exists(out));
  }
  expect_user_error(actbench_test::run_actbench({"plan", data, "--max-memory", "4X"}, dir.path()),
                    "--max-memory must be a size such as 4G");
  expect_user_error(actbench_test::run_actbench({"plan", data, "--max-memory", "0"}, dir.path()),
                    "--max-memory must be at least 1 byte");
  const auto fits = actbench_test::run_actbench(
      {"plan", data, "model.hidden=[64]", "--max-memory", "2G", "--out", out.string()}, dir.path());
  EXPECT_EQ(fits.exit_code, 0) << fits.describe();
}

}  // namespace
