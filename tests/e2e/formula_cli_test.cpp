// Formula activations through the binary: a formula's runs kept in and taken from the run store by
// identity, the learned constants in results.json and summary.json, refusal before anything is
// written, `list activations`, and resume mid-epoch with the learned constants. (The formulas
// themselves: unit/formula_test.cpp.)
#include <csignal>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.h"
#include "test_support.h"

namespace {

using actbench_test::TempDir;
using actbench_test::write_text;
namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// The whole loop through the binary: a formula's runs are kept in and taken from the run store
// by identity, results.json and summary.json carry the learned constants, and a formula that is
// not finite on the data is refused before anything is written.
TEST(FormulaCli, StoreResultsSummaryAndRefusalBeforeAnythingIsWritten) {
  TempDir tmp;
  const fs::path config =
      actbench_test::write_tiny_config(tmp / "f.yaml", actbench_test::synthetic_mnist_dir());
  const std::string swish_b =
      "activations=[relu, {name: formula, expr: 'x*sigmoid(beta*x)', params: {beta: {init: 1.0, "
      "learnable: true}}, label: Swish-b}]";
  auto run = [&](const std::string& out, const std::string& activations) {
    return actbench_test::run_actbench({"run", config.string(), "--out", (tmp / out).string(),
                                        "model.hidden=[16,16]", activations},
                                       tmp.path());
  };
  const actbench_test::CommandResult first = run("a", swish_b);
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  const json results = json::parse(actbench_test::read_text(tmp / "a" / "results.json"));
  const json& swish = results.at("runs").at(1);
  EXPECT_EQ(swish.at("label"), "Swish-b");
  EXPECT_EQ(swish.at("params").at("expr"), "x * sigmoid(beta * x)");
  EXPECT_EQ(swish.at("epochs").at(0).at("learned").at("beta").size(), 2u);
  EXPECT_FALSE(results.at("runs").at(0).at("epochs").at(0).contains("learned"));
  const json summary = json::parse(actbench_test::read_text(tmp / "a" / "summary.json"));
  bool learned = false;
  for (const auto& g : summary.at("groups")) learned = learned || g.contains("learned");
  EXPECT_TRUE(learned);
  // The same formula spelt with other spacing is the same run: taken from the store.
  const actbench_test::CommandResult again =
      run("b",
          "activations=[relu, {name: formula, expr: 'x * sigmoid( beta * x )', params: "
          "{beta: {init: 1.0, learnable: true}}, label: Swish-b}]");
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_THAT(again.err, HasSubstr("2 run(s) taken from the run store"));
  const json b = json::parse(actbench_test::read_text(tmp / "b" / "results.json"));
  EXPECT_EQ(b.at("runs").at(1).at("epochs"), swish.at("epochs"));
  // Another constant is another run.
  const actbench_test::CommandResult other =
      run("c", "activations=[{name: formula, expr: 'x*sigmoid(beta*x)', params: {beta: 2}}]");
  ASSERT_EQ(other.exit_code, 0) << other.describe();
  EXPECT_THAT(other.err, Not(HasSubstr("taken from the run store")));
  // Not finite on the data: exit 2, one line, nothing written (not even the directory).
  const actbench_test::CommandResult bad =
      run("d", "activations=[relu, {name: formula, expr: 'log(x)'}]");
  actbench_test::expect_user_error(bad, "the formula 'log(x)' gives NaN at x = ");
  EXPECT_FALSE(fs::exists(tmp / "d"));
  // `plan` refuses what `run` would (a Slurm submission is checked with it).
  actbench_test::expect_user_error(
      actbench_test::run_actbench({"plan", config.string(), "--out", (tmp / "d").string(),
                                   "activations=[relu, {name: formula, expr: 'log(x)'}]"},
                                  tmp.path()),
      "the formula 'log(x)' gives NaN at x = ");
  // A bad formula in the config: exit 2 before anything, the position named.
  actbench_test::expect_user_error(run("e", "activations=[{name: formula, expr: 'x * sigmod(x)'}]"),
                                   "unknown function 'sigmod' at position 5");
  EXPECT_FALSE(fs::exists(tmp / "e"));
  // `list activations CONFIG` shows the formula as written, and its constants.
  write_text(tmp / "g.yaml",
             "activations:\n  - {name: formula, expr: 'x*sigmoid(beta*x)', "
             "params: {beta: {init: 1.0, learnable: true}}}\n");
  const actbench_test::CommandResult list =
      actbench_test::run_actbench({"list", "activations", (tmp / "g.yaml").string()}, tmp.path());
  ASSERT_EQ(list.exit_code, 0) << list.describe();
  EXPECT_THAT(list.out, HasSubstr("x*sigmoid(beta*x)"));  // as written
  EXPECT_THAT(list.out, HasSubstr("beta=1 [learnable]"));
}

// Killed in the middle of an epoch and run again, a formula run resumes from its checkpoint with
// its learned constants (and their recorded history) and ends with the uninterrupted run's numbers.
TEST(FormulaCli, KilledMidEpochResumesWithTheSameLearnedConstants) {
  TempDir tmp;
  const fs::path config =
      actbench_test::write_tiny_config(tmp / "f.yaml", actbench_test::synthetic_mnist_dir());
  auto run = [&](const std::string& out, const std::vector<std::string>& extra) {
    std::vector<std::string> args{
        "run",
        config.string(),
        "--out",
        (tmp / out).string(),
        "--store",
        (tmp / (out + "-store")).string(),
        "--jobs",
        "1",
        "train.epochs=3",
        "model.hidden=[16,16]",
        "activations=[{name: formula, expr: 'x * sigmoid(beta * x)', params: {beta: {init: 1.0, "
        "learnable: true, per_unit: true}}}]"};
    args.insert(args.end(), extra.begin(), extra.end());
    return actbench_test::run_actbench(args, tmp.path());
  };
  const actbench_test::CommandResult whole = run("whole", {});
  ASSERT_EQ(whole.exit_code, 0) << whole.describe();
  // 2000 examples in batches of 64: 32 steps an epoch; killed 8 steps into the third.
  const actbench_test::CommandResult killed = run("cut", {"--debug-raise-after", "72steps:KILL"});
  ASSERT_EQ(killed.exit_code, 128 + SIGKILL) << killed.describe();
  const actbench_test::CommandResult resumed = run("cut", {});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
  EXPECT_THAT(resumed.err, HasSubstr("resuming from its checkpoint after epoch 2 of 3"));
  auto epochs = [&](const std::string& out) {
    const json r = json::parse(actbench_test::read_text(tmp / out / "results.json"));
    return actbench_test::without_keys(r.at("runs").at(0).at("epochs"));
  };
  const json cut = epochs("cut");
  ASSERT_EQ(cut.size(), 3u);
  EXPECT_EQ(cut, epochs("whole"));
  EXPECT_EQ(cut.at(2).at("learned").at("beta").at(0).size(), 16u);
}

}  // namespace
