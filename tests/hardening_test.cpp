// Hardening (issue 14): no silent acceptance (junk after a command-line list, empty list
// elements, limits beyond the data, a data set key that does not match the files), no misleading
// message (a path of the wrong kind called "not found", NaN called null, formulas that are not what
// is computed), other tools' files never overwritten, damaged sweep layouts answered with exit 2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cmath>
#include <string>

#include "activations/registry.h"
#include "config/config.h"
#include "data/dataset.h"
#include "test_support.h"
#include "train/memory.h"

namespace {

namespace fs = std::filesystem;
using actbench_test::expect_user_error;
using actbench_test::input_error_message;
using actbench_test::read_text;
using actbench_test::TempDir;
using actbench_test::write_text;
using ::testing::HasSubstr;
using ::testing::Not;

std::string override_error(const std::string& kv) {
  return input_error_message([&] { actbench::load_config(std::nullopt, {kv}); });
}

TEST(Hardening, CommandLineValuesAreWholeAndHaveNoEmptyElements) {
  EXPECT_THAT(override_error("model.hidden=[128,128]x"),
              HasSubstr("has 'x' after the closing ']'"));
  EXPECT_THAT(override_error("activations=[relu,tanh]zz"), HasSubstr("has 'zz' after the closing"));
  EXPECT_THAT(override_error("train.lr=[0.1,0.2]junk"), HasSubstr("has 'junk' after"));
  EXPECT_THAT(override_error("sweep.train.lr=[0.1]x"), HasSubstr("has 'x' after"));
  EXPECT_THAT(override_error("model.hidden=[64,[1]"), HasSubstr("opens a '[' it never closes"));
  // Empty elements: refused the same way for every key.
  for (const std::string kv : {"activations=relu,,tanh", "activations=relu,", "train.seed=1,,2",
                               "train.seed=1,", "train.lr=0.1,,0.2", "model.hidden=[64],,[32]"}) {
    EXPECT_THAT(override_error(kv), HasSubstr("has an empty element")) << kv;
  }
  // What is whole stays accepted.
  const actbench::Plan plan =
      actbench_test::plan_of({"model.hidden=[64],[32,32]", "activations=relu,tanh"});
  EXPECT_EQ(plan.runs.size(), 4u);
}

TEST(Hardening, NonFiniteValuesAreNamedNotNull) {
  TempDir dir;
  write_text(dir / "c.yaml", "activations: [{name: leaky_relu, negative_slope: .inf}]\n");
  const std::string msg = input_error_message([&] { actbench::load_config(dir / "c.yaml", {}); });
  EXPECT_THAT(msg, HasSubstr("must be finite, got inf"));
  EXPECT_THAT(msg, Not(HasSubstr("null")));
  EXPECT_THAT(override_error("model.hidden=[64, .nan]"), HasSubstr("got [64,nan]"));
  EXPECT_THAT(override_error("train.lr=-.inf"), HasSubstr("got -inf"));
}

TEST(Hardening, PathsOfTheWrongKindSayWhatIsThere) {
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

TEST(Hardening, LimitsBeyondTheDataAndAMismatchedDataSetAreRefused) {
  TempDir dir;
  const std::string data = "data.dir=" + actbench_test::synthetic_mnist_dir().string();
  expect_user_error(
      actbench_test::run_actbench({"plan", data, "data.train_limit=60001"}, dir.path()),
      "data.train_limit is 60001, more than the 60000 training examples");
  expect_user_error(
      actbench_test::run_actbench({"plan", data, "data.test_limit=10001"}, dir.path()),
      "data.test_limit is 10001, more than the 10000 test examples");
  // The data set's identity is checked on the files' SHA-256; official files of the other data
  // set cannot be made here, so the check is tested on the library function with their hashes.
  actbench::DataConfig c = actbench::default_config().data;
  c.dataset = actbench::DatasetKind::kFashionMnist;
  const std::map<std::string, std::string> mnist{
      {"train-images-idx3-ubyte",
       "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"}};
  EXPECT_THAT(
      input_error_message([&] { actbench::check_dataset_identity(c, mnist); }),
      HasSubstr("holds mnist's train-images-idx3-ubyte, but data.dataset is fashion-mnist"));
  c.dataset = actbench::DatasetKind::kMnist;
  EXPECT_NO_THROW(actbench::check_dataset_identity(c, mnist));
  EXPECT_NO_THROW(actbench::check_dataset_identity(c, {{"train-images-idx3-ubyte", "00"}}));
}

TEST(Hardening, ListActivationsPrintsWhatIsComputed) {
  TempDir dir;
  const auto r = actbench_test::run_actbench({"list", "activations"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("scale = 1.0507009873554804934193349852946"));
  EXPECT_THAT(r.out, HasSubstr("alpha = 1.6732632423543772848170429916717"));
  EXPECT_THAT(r.out, HasSubstr("0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))"));
  EXPECT_THAT(r.out, HasSubstr("or x where beta * x > threshold"));
  // ... and those formulas are what the modules compute.
  const auto module = [](const std::string& yaml_entry) {
    const actbench::ActivationSpec spec =
        actbench::resolve_activation(nlohmann::json::parse(yaml_entry), "test");
    return actbench::make_activation(spec, 1);
  };
  const torch::Tensor x = torch::linspace(-8, 30, 1001, torch::kDouble);
  auto gelu = module(R"({"name": "gelu", "approximate": "tanh"})");
  const torch::Tensor g =
      0.5 * x * (1 + torch::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x.pow(3))));
  EXPECT_TRUE(torch::allclose(gelu.forward(x), g, 1e-12, 1e-12));
  auto selu = module(R"({"name": "selu"})");
  const double scale = 1.0507009873554804934193349852946, alpha = 1.6732632423543772848170429916717;
  EXPECT_TRUE(torch::allclose(
      selu.forward(x), scale * torch::where(x > 0, x, alpha * (torch::exp(x) - 1)), 1e-12, 1e-12));
  auto softplus = module(R"({"name": "softplus", "beta": 2, "threshold": 5})");
  const torch::Tensor sp = torch::where(2 * x > 5, x, torch::log1p(torch::exp(2 * x)) / 2);
  EXPECT_TRUE(torch::allclose(softplus.forward(x), sp, 1e-12, 1e-12));
}

// A sweep directory made by a tiny sweep, for the output tests.
class HardeningOutputs : public ::testing::Test {
 protected:
  actbench_test::CommandResult run(const fs::path& out,
                                   const std::vector<std::string>& extra = {}) {
    const fs::path config =
        actbench_test::write_tiny_config(tmp_ / "tiny.yaml", actbench_test::synthetic_mnist_dir());
    std::vector<std::string> a{"run", "--config", config.string(), "--out", out.string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return actbench_test::run_actbench(a, tmp_.path());
  }
  TempDir tmp_;
};

TEST_F(HardeningOutputs, AnotherToolsResultsSummaryOrPlanIsNeverOverwrittenOrMoved) {
  for (const std::string file : {"results.json", "summary.json", "plan.json"}) {
    for (const std::string content :
         {"{\"mine\": 1}\n", "not json\n", "{\"schema\": \"other/1\"}\n"}) {
      SCOPED_TRACE(file + " holding " + content);
      const fs::path out = tmp_ / "theirs";
      fs::remove_all(out);
      fs::create_directories(out);
      write_text(out / file, content);
      expect_user_error(run(out), file + " is not actbench's");
      EXPECT_EQ(read_text(out / file), content);
      EXPECT_FALSE(fs::exists(out / "history"));
      EXPECT_FALSE(fs::exists(out / "runs"));
      // merge: no actbench plan there, nothing to merge, nothing written.
      expect_user_error(actbench_test::run_actbench({"merge", out.string()}, tmp_.path()),
                        "plan.json");
      EXPECT_EQ(read_text(out / file), content);
    }
  }
  // curves --out over another tool's file.
  write_text(tmp_ / "mine.json", "{\"a\": 1}\n");
  expect_user_error(
      actbench_test::run_actbench({"curves", "--out", (tmp_ / "mine.json").string()}, tmp_.path()),
      "mine.json is not actbench's");
  EXPECT_EQ(read_text(tmp_ / "mine.json"), "{\"a\": 1}\n");
}

TEST_F(HardeningOutputs, DamagedSweepLayoutsAreBadInputNotCrashes) {
  const fs::path base = tmp_ / "base";
  ASSERT_EQ(run(base).exit_code, 0);
  const auto copy = [&](const std::string& name) {
    const fs::path d = tmp_ / name;
    fs::copy(base, d, fs::copy_options::recursive);
    return d;
  };
  // merge rewrites results.json with its own end time, also in the provenance.
  ASSERT_EQ(actbench_test::run_actbench({"merge", base.string()}, tmp_.path()).exit_code, 0);
  const nlohmann::json merged = nlohmann::json::parse(read_text(base / "results.json"));
  EXPECT_FALSE(merged["provenance"]["finished_at"].get<std::string>().empty());
  EXPECT_EQ(merged["provenance"]["finished_at"], merged["finished_at"]);
  std::vector<fs::path> run_files;
  for (const auto& e : fs::directory_iterator(base / "runs"))
    run_files.push_back(e.path().filename());
  ASSERT_FALSE(run_files.empty());

  fs::path d = copy("runs-is-a-file");
  fs::remove_all(d / "runs");
  write_text(d / "runs", "x");
  expect_user_error(run(d), "runs is not a directory");
  expect_user_error(actbench_test::run_actbench({"merge", d.string()}, tmp_.path()),
                    "runs is not a directory");

  d = copy("run-is-a-directory");
  fs::remove(d / "runs" / run_files[0]);
  fs::create_directories(d / "runs" / run_files[0]);
  expect_user_error(run(d), "is not a run file (it is a directory)");
  expect_user_error(actbench_test::run_actbench({"merge", d.string()}, tmp_.path()),
                    "is not a run file");

  // A run file with the right keys and the wrong types inside: merge names it; show and run treat
  // it as missing (run trains it again).
  d = copy("wrong-types");
  nlohmann::json j = nlohmann::json::parse(read_text(d / "runs" / run_files[0]));
  j["final"]["test_loss"] = "low";
  j["epochs"][0]["test_accuracy"] = {1, 2};
  write_text(d / "runs" / run_files[0], j.dump());
  expect_user_error(
      actbench_test::run_actbench({"merge", d.string()}, tmp_.path()),
      "it is not a whole run: final.test_loss is not a number, null, \"NaN\" or \"Infinity\"");
  const auto shown = actbench_test::run_actbench({"show", d.string()}, tmp_.path());
  EXPECT_EQ(shown.exit_code, 0) << shown.describe();
  const auto rerun = run(d);
  EXPECT_EQ(rerun.exit_code, 0) << rerun.describe();
  EXPECT_THAT(rerun.err, HasSubstr("not a whole run"));
}

}  // namespace

namespace {

TEST(Hardening, AModelThatCannotFitInMemoryIsRefusedBeforeAnythingIsWritten) {
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

TEST(Hardening, TheMemoryEstimateCoversTheModelsParametersAndOptimizerState) {
  actbench::Config c = actbench::default_config();
  c.model.hidden = {300, 200};
  const actbench::MemoryEstimate e = actbench::estimate_run_memory(c);
  const double count = 784.0 * 300 + 300 + 300.0 * 200 + 200 + 200.0 * 10 + 10;
  EXPECT_GE(e.parameters, 2 * 4 * count);  // values and gradients, float
  EXPECT_LE(e.parameters, 2 * 4 * (count + 500));
  EXPECT_GE(e.optimizer, 2 * 4 * count);  // Adam's two moments
  EXPECT_GT(e.buffers, 4.0 * 64 * 784);   // at least the batch's inputs
  EXPECT_EQ(actbench::parse_memory_size("1.5GiB", "--x"), uint64_t(1.5 * (1ull << 30)));
  EXPECT_EQ(actbench::parse_memory_size("512M", "--x"), 512ull << 20);
  EXPECT_EQ(actbench::parse_memory_size("2000", "--x"), 2000u);
  EXPECT_GT(actbench::machine_memory_bytes(), 0u);
}

}  // namespace
