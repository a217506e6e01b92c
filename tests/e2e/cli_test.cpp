// The command line, end to end: the real binary, its exit codes, what goes to stdout (results)
// and stderr (logs, errors), and that a failed run leaves no output behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>

#include <torch/cuda.h>

#include "activations/registry.h"
#include "process.h"
#include "test_support.h"
#include "util/json_checksum.h"

namespace {

namespace fs = std::filesystem;
using actbench::Json;
using actbench_test::CommandResult;
using actbench_test::expect_user_error;
using actbench_test::lines_of;
using actbench_test::run_actbench;
using actbench_test::TempDir;
using actbench_test::write_tiny_config;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(Cli, VersionMentionsActbenchAndLibTorch) {
  TempDir cwd;
  const CommandResult r = run_actbench({"--version"}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr(std::string("actbench ") + ACTBENCH_VERSION));
  EXPECT_THAT(r.out, HasSubstr("LibTorch "));
  EXPECT_THAT(r.out, HasSubstr("cpu"));
}

TEST(Cli, HelpShowsSubcommandsAndExamples) {
  TempDir cwd;
  CommandResult r = run_actbench({"--help"}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("Examples"));
  EXPECT_THAT(r.out, HasSubstr("run"));
  EXPECT_THAT(r.out, HasSubstr("list"));
  r = run_actbench({"run", "--help"}, cwd.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("--config"));
  EXPECT_THAT(r.out, HasSubstr("--out"));
  EXPECT_THAT(r.out, HasSubstr("Examples"));
}

TEST(Cli, ListActivationsShowsEveryRegistryEntry) {
  TempDir cwd;
  const CommandResult r = run_actbench({"list", "activations"}, cwd.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = lines_of(r.out);
  for (const auto& a : actbench::activation_registry()) {
    const bool listed = std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
      return l.rfind(a.name + " ", 0) == 0;
    });
    EXPECT_TRUE(listed) << a.name << " not listed:\n" << r.out;
  }
  EXPECT_THAT(r.out, HasSubstr("negative_slope=0.01"));
  EXPECT_THAT(r.out, HasSubstr("[learnable]"));
  EXPECT_EQ(r.err, "");
}

TEST(Cli, RunWritesResultsAndPrintsRankingOnStdoutWithLogsOnStderr) {
  TempDir tmp;
  const fs::path config =
      write_tiny_config(tmp / "tiny.yaml", actbench_test::synthetic_mnist_dir());
  const fs::path out = tmp / "out";
  const CommandResult r = run_actbench(
      {"run", "--config", config.string(), "--out", out.string(), "--device", "cpu"}, tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();

  // results.json: both runs, the resolved config; beside it the plan, the summary and one file
  // per run, and nothing else.
  ASSERT_TRUE(fs::exists(out / "results.json"));
  const Json j = Json::parse(actbench_test::read_text(out / "results.json"));
  EXPECT_EQ(j["schema"], "actbench.results/5");
  EXPECT_EQ(j["complete"], true);
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["activation"], "relu");
  EXPECT_EQ(j["runs"][1]["activation"], "tanh");
  EXPECT_EQ(j["runs"][0]["epochs"].size(), 1u);
  EXPECT_GT(j["runs"][0]["final"]["test_accuracy"].get<double>(), 50.0);
  EXPECT_EQ(j["config"]["data"]["train_limit"], 2000);
  EXPECT_EQ(j["config"]["out"], out.string());
  EXPECT_EQ(j["device"], "cpu");
  EXPECT_EQ(j["threads"], 1);
  EXPECT_EQ(j["command"][1], "run");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(out)) files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  // The hidden lock files guard the directory against another sweep and its readers against a
  // move to history (flock: nothing to clean up).
  EXPECT_EQ(files,
            (std::vector<std::string>{".actbench.active", ".actbench.lock", ".actbench.readers",
                                      "plan.json", "results.json", "runs", "summary.json"}));
  for (const auto& run : j["runs"]) {
    // The run file is results.json's run and the checksum of its own content.
    Json file = Json::parse(
        actbench_test::read_text(out / "runs" / (run["id"].get<std::string>() + ".json")));
    EXPECT_EQ(actbench::checksum_problem(file), "");
    file.erase("checksum");
    EXPECT_EQ(file, run);
  }

  // stdout: only the tables: header + one row per activation, then the paired difference.
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.describe();
  EXPECT_THAT(lines[5], ::testing::ContainsRegex("Tanh +is [0-9.]+ points (above|below) ReLU"));
  EXPECT_THAT(lines[0], HasSubstr("rank"));
  EXPECT_THAT(lines[1], ::testing::StartsWith("1 "));
  EXPECT_THAT(lines[2], ::testing::StartsWith("2 "));
  EXPECT_THAT(r.out, HasSubstr("ReLU"));
  EXPECT_THAT(r.out, HasSubstr("Tanh"));
  for (const char* log : {"info", "results in", "LibTorch"}) {
    EXPECT_THAT(r.out, Not(HasSubstr(log))) << "log output on stdout";
  }
  EXPECT_THAT(r.out, Not(::testing::ContainsRegex("epoch +1/1"))) << "log output on stdout";
  for (const auto& line : lines) {
    EXPECT_THAT(line, Not(::testing::StartsWith("["))) << "log line on stdout: " << line;
  }
  // stderr: the logs.
  EXPECT_THAT(r.err, HasSubstr("info"));
  EXPECT_THAT(r.err, ::testing::ContainsRegex("ReLU +epoch +1/1"));
  EXPECT_THAT(r.err, ::testing::ContainsRegex("Tanh +epoch +1/1"));
  EXPECT_THAT(r.err, HasSubstr("results in " + (out / "results.json").string()));
  // Not a terminal: no progress bar escape codes.
  EXPECT_THAT(r.err, Not(HasSubstr("\x1b[K")));
}

TEST(Cli, PositionalConfigAndOverridesAndDefaultOutDir) {
  TempDir tmp;
  const fs::path config =
      write_tiny_config(tmp / "tiny.yaml", actbench_test::synthetic_mnist_dir());
  const CommandResult r = run_actbench(
      {"run", config.string(), "activations=sigmoid", "data.train_limit=1000", "name=pos"},
      tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const fs::path results = tmp / "results" / "pos" / "results.json";  // results/<name>
  ASSERT_TRUE(fs::exists(results)) << r.describe();
  const Json j = Json::parse(actbench_test::read_text(results));
  ASSERT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["activation"], "sigmoid");
  EXPECT_EQ(j["config"]["data"]["train_limit"], 1000);
}

// Runs `args` in a fresh directory with --out OUT, expecting a one-line user error containing
// `expected`, and that OUT was neither written nor left behind.
void expect_failed_run(std::vector<std::string> args, const std::string& expected,
                       const TempDir& tmp, const fs::path& out) {
  args.insert(args.begin(), "run");
  args.push_back("--out");
  args.push_back(out.string());
  const CommandResult r = run_actbench(args, tmp.path());
  expect_user_error(r, expected);
  EXPECT_FALSE(fs::exists(out / "results.json"));
  EXPECT_FALSE(fs::exists(out)) << "a failed run left " << out << " behind";
  EXPECT_FALSE(fs::exists(tmp / "results")) << "a failed run created results/";
}

TEST(Cli, UnknownConfigKeyExitsTwo) {
  TempDir tmp;
  const fs::path config = write_tiny_config(tmp / "tiny.yaml", actbench_test::synthetic_mnist_dir(),
                                            "trian:\n  epochs: 1\n");
  expect_failed_run({"--config", config.string()}, "unknown key 'trian'", tmp, tmp / "out");
  const CommandResult r = run_actbench({"run", config.string()}, tmp.path());
  EXPECT_THAT(r.err, HasSubstr(config.string()));
}

TEST(Cli, BadOverrideExitsTwo) {
  TempDir tmp;
  const fs::path config =
      write_tiny_config(tmp / "tiny.yaml", actbench_test::synthetic_mnist_dir());
  expect_failed_run({config.string(), "train.epochs=0"}, "command line: 'train.epochs'", tmp,
                    tmp / "out");
  expect_failed_run({config.string(), "activations=relu,swoosh"}, "unknown activation 'swoosh'",
                    tmp, tmp / "out");
}

// An empty value for a number is an error naming the option, not 0 (CLI11 reads "" as 0).
TEST(Cli, EmptyValueForANumberExitsTwo) {
  TempDir tmp;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"plan", "--jobs", ""},
           {"curves", "--points", "", "--out", (tmp / "c.json").string()},
           {"peak", "--seconds", " "}}) {
    const CommandResult r = actbench_test::run_actbench(args, tmp.path());
    actbench_test::expect_user_error(r, args[1] + ": an empty value is not a number");
  }
  EXPECT_FALSE(fs::exists(tmp / "c.json"));
}

TEST(Cli, MissingConfigFileExitsTwo) {
  TempDir tmp;
  expect_failed_run({"--config", (tmp / "nope.yaml").string()}, "nope.yaml", tmp, tmp / "out");
  expect_failed_run({(tmp / "nope.yaml").string()}, "nope.yaml", tmp, tmp / "out");
}

TEST(Cli, MissingDataDirExitsTwoAndPointsToFetchScript) {
  TempDir tmp;
  const fs::path config = write_tiny_config(tmp / "tiny.yaml", tmp / "no-data");
  expect_failed_run({"--config", config.string()}, "scripts/fetch_data.sh mnist", tmp, tmp / "out");
}

TEST(Cli, CorruptIdxFileExitsTwoWithoutAStackTrace) {
  TempDir tmp;
  const fs::path data = tmp / "data";
  fs::create_directory(data);
  actbench_test::link_synthetic_mnist(data);
  fs::remove(data / "t10k-images-idx3-ubyte");
  actbench_test::write_text(data / "t10k-images-idx3-ubyte", "not an IDX file at all, sorry");
  const fs::path config = write_tiny_config(tmp / "tiny.yaml", data);
  expect_failed_run({"--config", config.string()}, "bad magic number", tmp, tmp / "out");
}

TEST(Cli, CudaOnMachineWithoutCudaExitsTwo) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "CUDA is available here";
  TempDir tmp;
  const fs::path config =
      write_tiny_config(tmp / "tiny.yaml", actbench_test::synthetic_mnist_dir());
  expect_failed_run({"--config", config.string(), "--device", "cuda"}, "CUDA is not available", tmp,
                    tmp / "out");
  expect_failed_run({"--config", config.string(), "--device", "tpu"}, "'device'", tmp, tmp / "out");
  // Planning for CUDA needs no GPU (a login node plans for its GPU nodes): it warns, exit 0.
  const actbench_test::CommandResult plan = actbench_test::run_actbench(
      {"plan", "--config", config.string(), "--device", "cuda", "--out", (tmp / "out").string()},
      tmp.path());
  EXPECT_EQ(plan.exit_code, 0) << plan.describe();
  EXPECT_THAT(plan.err, ::testing::HasSubstr("CUDA is not available on this machine"));
  EXPECT_THAT(plan.out, ::testing::HasSubstr("to train"));
}

TEST(Cli, OutputUnderARegularFileExitsTwo) {
  TempDir tmp;
  const fs::path config =
      write_tiny_config(tmp / "tiny.yaml", actbench_test::synthetic_mnist_dir());
  actbench_test::write_text(tmp / "file", "I am a file\n");
  expect_failed_run({"--config", config.string()}, "cannot create output directory", tmp,
                    tmp / "file" / "sub");
  // --out naming the regular file itself.
  const CommandResult r = run_actbench(
      {"run", "--config", config.string(), "--out", (tmp / "file").string()}, tmp.path());
  expect_user_error(r, "is not a directory");
  EXPECT_EQ(actbench_test::read_text(tmp / "file"), "I am a file\n");
}

TEST(Cli, ReadOnlyOutputDirExitsTwo) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: permissions do not stop root";
  TempDir tmp;
  const fs::path config =
      write_tiny_config(tmp / "tiny.yaml", actbench_test::synthetic_mnist_dir());
  const fs::path ro = tmp / "ro";
  fs::create_directory(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  // A new directory inside a read-only one cannot be made.
  expect_failed_run({"--config", config.string()}, "cannot create output directory", tmp,
                    ro / "sub");
  // An existing read-only directory cannot be written; it stays, empty.
  const CommandResult r =
      run_actbench({"run", "--config", config.string(), "--out", ro.string()}, tmp.path());
  expect_user_error(r, "is not writable");
  EXPECT_TRUE(fs::is_empty(ro));
}

TEST(Cli, UnknownSubcommandOrFlagExitsTwo) {
  TempDir cwd;
  for (const std::vector<std::string>& args : {std::vector<std::string>{"frobnicate"},
                                               {"run", "--frobnicate"},
                                               {"--frobnicate"},
                                               {"list", "optimizers"},
                                               {}}) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    SCOPED_TRACE(joined);
    const CommandResult r = run_actbench(args, cwd.path());
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_NE(r.err, "") << r.describe();
    EXPECT_THAT(r.err, Not(HasSubstr("terminate")));
  }
  EXPECT_FALSE(fs::exists(cwd / "results"));
}

TEST(Cli, TwoConfigFilesIsAnError) {
  TempDir tmp;
  const fs::path config =
      write_tiny_config(tmp / "tiny.yaml", actbench_test::synthetic_mnist_dir());
  expect_failed_run({config.string(), config.string()}, "unexpected argument", tmp, tmp / "out");
}

}  // namespace
