// Hardening (issue 14) of the outputs, through the binary: another tool's results.json,
// summary.json or plan.json is never overwritten or moved, and damaged sweep layouts are bad input
// (exit 2), not crashes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using actbench_test::expect_user_error;
using actbench_test::read_text;
using actbench_test::TempDir;
using actbench_test::write_text;
using ::testing::HasSubstr;

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
