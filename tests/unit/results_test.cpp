// Results stage: results.json's layout (schema actbench.results/5) and atomic writing. (Agreement
// with the published JSON Schemas in docs/: e2e/results_schema_test.cpp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

#include <torch/torch.h>

#include "data/dataset.h"
#include "device/device.h"
#include "plan/plan.h"
#include "results/results.h"
#include "summary/summary.h"
#include "test_support.h"
#include "train/trainer.h"
#include "util/json_checksum.h"

namespace {

namespace fs = std::filesystem;
using actbench::Json;
using actbench::RunResult;
using actbench_test::plan_of;
using actbench_test::TempDir;
using ::testing::HasSubstr;

RunResult hand_made_run() {
  RunResult r;
  r.activation =
      actbench::resolve_activation(Json{{"name", "leaky_relu"}, {"negative_slope", 0.2}}, "test");
  r.seed = 7;
  r.parameters = 1234;
  const double test_acc[3] = {90.0, 95.5, 94.0};
  for (int i = 0; i < 3; ++i) {
    actbench::EpochMetrics m;
    m.epoch = i + 1;
    m.train_loss = 1.0 / (i + 1);
    m.train_accuracy = 80.0 + i;
    m.test_loss = 0.5 / (i + 1);
    m.test_accuracy = test_acc[i];
    m.train_seconds = 1.5;
    m.test_seconds = 0.25;
    m.seconds = 1.75;
    r.epochs.push_back(m);
  }
  return r;
}

RunResult diverged_run() {
  RunResult r = hand_made_run();
  r.activation = actbench::resolve_activation("relu", "test");
  r.status = "diverged";
  r.epochs.resize(2);
  r.epochs[1].train_loss = std::numeric_limits<double>::quiet_NaN();
  r.epochs[1].test_loss = std::numeric_limits<double>::infinity();
  r.epochs[1].test_accuracy = 9.8;
  return r;
}

TEST(Results, RunToJsonHasPerEpochMetricsAndFinalSummary) {
  const Json j = actbench::run_to_json(hand_made_run());
  EXPECT_EQ(j["activation"], "leaky_relu");
  EXPECT_EQ(j["label"], "LeakyReLU(negative_slope=0.2)");
  EXPECT_EQ(j["params"], (Json{{"negative_slope", 0.2}}));
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["parameters"], 1234);
  EXPECT_EQ(j["status"], "completed");
  ASSERT_EQ(j["epochs"].size(), 3u);
  for (const char* key :
       {"epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds"}) {
    EXPECT_TRUE(j["epochs"][0].contains(key)) << key;
  }
  EXPECT_EQ(j["epochs"][1]["epoch"], 2);
  EXPECT_DOUBLE_EQ(j["epochs"][1]["train_loss"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["epochs"][1]["test_accuracy"].get<double>(), 95.5);
  EXPECT_DOUBLE_EQ(j["epochs"][2]["seconds"].get<double>(), 1.75);
  const Json& f = j["final"];
  EXPECT_EQ(f.size(), 7u);
  EXPECT_EQ(f["best_chosen_on"], "test");  // no validation split: chosen on the test set
  EXPECT_DOUBLE_EQ(f["test_loss"].get<double>(), 0.5 / 3);
  EXPECT_DOUBLE_EQ(f["seconds_per_epoch"].get<double>(), 1.75);
  EXPECT_DOUBLE_EQ(f["test_accuracy"].get<double>(), 94.0);  // the last epoch's
  EXPECT_DOUBLE_EQ(f["best_test_accuracy"].get<double>(), 95.5);
  EXPECT_EQ(f["best_epoch"], 2);
  EXPECT_DOUBLE_EQ(f["total_seconds"].get<double>(), 3 * 1.75);
}

TEST(Results, NonFiniteLossesAreWrittenAsTheirNames) {
  const Json j = actbench::run_to_json(diverged_run());
  EXPECT_EQ(j["status"], "diverged");
  EXPECT_EQ(j["epochs"][1]["train_loss"], "NaN");  // not null: NaN and infinity stay apart
  EXPECT_EQ(j["epochs"][1]["test_loss"], "Infinity");
  EXPECT_EQ(j["final"]["test_loss"], "Infinity");
  EXPECT_TRUE(j["epochs"][0]["train_loss"].is_number());
  EXPECT_EQ(actbench::metric_to_json(-std::numeric_limits<double>::infinity()), "-Infinity");
  // The dump is strict JSON (no bare NaN / Infinity tokens).
  const std::string text = j.dump();
  EXPECT_EQ(text.find(": NaN"), std::string::npos);
  EXPECT_EQ(text.find(":NaN"), std::string::npos);
  EXPECT_EQ(text.find("nan"), std::string::npos);
  EXPECT_TRUE(Json::accept(text));
}

TEST(Results, SummaryPicksTheFirstBestEpoch) {
  RunResult r = hand_made_run();
  r.epochs[2].test_accuracy = 95.5;  // a tie with epoch 2
  const actbench::RunSummary s = actbench::summarize(r);
  EXPECT_EQ(s.best_epoch, 2);
  EXPECT_DOUBLE_EQ(s.last_test_accuracy, 95.5);
  EXPECT_DOUBLE_EQ(s.last_train_loss, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.seconds_per_epoch, 1.75);
  const actbench::RunSummary empty = actbench::summarize(RunResult{});
  EXPECT_EQ(empty.best_epoch, 0);
  EXPECT_EQ(empty.total_seconds, 0.0);
}

// With a validation split the best epoch is the one with the best validation accuracy (epoch 3
// here), reported with that epoch's test accuracy -- not the best test accuracy (epoch 2).
TEST(Results, BestEpochIsChosenOnTheValidationSplitWhenThereIsOne) {
  RunResult r = hand_made_run();
  const double val_acc[3] = {91.0, 92.0, 93.5};
  for (int i = 0; i < 3; ++i) {
    r.epochs[i].val_accuracy = val_acc[i];
    r.epochs[i].val_loss = 0.3;
  }
  const actbench::RunSummary s = actbench::summarize(r);
  EXPECT_TRUE(s.best_on_validation);
  EXPECT_EQ(s.best_epoch, 3);
  EXPECT_DOUBLE_EQ(s.best_test_accuracy, 94.0);
  const Json j = actbench::run_to_json(r);
  EXPECT_EQ(j["final"]["best_chosen_on"], "validation");
  EXPECT_EQ(j["final"]["best_epoch"], 3);
  EXPECT_DOUBLE_EQ(j["epochs"][0]["val_accuracy"].get<double>(), 91.0);
  EXPECT_DOUBLE_EQ(j["epochs"][0]["val_loss"].get<double>(), 0.3);
  // Without one, no val_ fields, and the choice is said to be the test set's.
  const Json plain = actbench::run_to_json(hand_made_run());
  EXPECT_FALSE(plain["epochs"][0].contains("val_accuracy"));
  EXPECT_EQ(plain["final"]["best_chosen_on"], "test");
  EXPECT_EQ(plain["final"]["best_epoch"], 2);
}

TEST(Results, RunEntryAddsIdPointIdentityAndProvenance) {
  const actbench::Plan plan =
      plan_of({"activations=[{name: leaky_relu, negative_slope: 0.2}]", "train.lr=0.1,0.01"});
  ASSERT_EQ(plan.runs.size(), 2u);
  const Json e = actbench_test::run_entries(plan, {hand_made_run()})[0];
  Json expected = actbench::run_to_json(hand_made_run());
  for (const char* k :
       {"id", "name", "point", "config", "device", "device_name", "actbench_version",
        "libtorch_version", "started_at", "finished_at", "provenance"}) {
    ASSERT_TRUE(e.contains(k)) << k;
    expected[k] = e[k];
  }
  EXPECT_EQ(e, expected);  // the metrics are run_to_json's, untouched
  EXPECT_EQ(e["id"], plan.runs[0].id);
  EXPECT_EQ(e["point"], (Json{{"train.lr", 0.1}}));
  EXPECT_EQ(e["config"]["train"]["lr"], 0.1);
  EXPECT_EQ(e["device"], "cpu");
  EXPECT_EQ(e["final"]["test_loss"], 0.5 / 3);
  EXPECT_DOUBLE_EQ(e["final"]["seconds_per_epoch"].get<double>(), 1.75);
  // Provenance: the host's facts, the command and the run's times.
  const Json& p = e["provenance"];
  EXPECT_EQ(p["command"], (Json{"actbench", "run", "configs/quick.yaml"}));
  EXPECT_EQ(p["finished_at"], e["finished_at"]);
  EXPECT_EQ(p["build"]["version"], ACTBENCH_VERSION);
  EXPECT_THAT(p["build"]["git_commit"].get<std::string>(),
              ::testing::MatchesRegex("[0-9a-f]{40}|unknown"));
  EXPECT_EQ(p["libtorch"], e["libtorch_version"]);
  EXPECT_FALSE(p["host"].get<std::string>().empty());
  EXPECT_GE(p["cpu"]["usable_cores"].get<int>(), 1);
  for (const char* k : {"os", "blas"}) EXPECT_TRUE(p[k].is_object()) << k;
}

TEST(Results, ResultsDocumentHasSchemaEnvironmentConfigAndRuns) {
  const actbench::Plan plan = plan_of({"name=res", "activations=[leaky_relu, relu]"});
  const Json plan_json = actbench::plan_to_json(plan);
  const std::vector<Json> runs =
      actbench_test::run_entries(plan, {hand_made_run(), diverged_run()});
  const Json j =
      actbench::results_document(plan_json["config"], actbench_test::run_environment(), runs, {});
  EXPECT_EQ(j["schema"], "actbench.results/5");
  EXPECT_EQ(j["provenance"]["command"], j["command"]);
  EXPECT_EQ(j["provenance"]["started_at"], j["started_at"]);
  EXPECT_EQ(j["actbench_version"], ACTBENCH_VERSION);
  EXPECT_TRUE(j["libtorch_version"].is_string());
  EXPECT_FALSE(j["libtorch_version"].get<std::string>().empty());
  EXPECT_EQ(j["device"], "cpu");
  EXPECT_EQ(j["threads"], 1);
  EXPECT_THAT(j["started_at"].get<std::string>(),
              ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"));
  EXPECT_EQ(j["command"], (Json{"actbench", "run", "configs/quick.yaml"}));
  EXPECT_EQ(j["config"], plan_json["config"]);
  EXPECT_EQ(j["config"]["name"], "res");
  EXPECT_EQ(j["config"]["sweep"], Json::object());
  EXPECT_EQ(j["complete"], true);
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0], runs[0]);
  EXPECT_EQ(j["runs"][1]["status"], "diverged");
  const Json partial = actbench::results_document(
      plan_json["config"], actbench_test::run_environment(), {runs[0]}, {plan.runs[1].id});
  EXPECT_EQ(partial["complete"], false);
  EXPECT_EQ(partial["missing"], (Json{plan.runs[1].id}));
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Results, WriteResultsIsAtomicAndLeavesNoTempFiles) {
  TempDir dir;
  const Json j = {{"schema", actbench::kResultsSchema},
                  {"runs", {actbench::run_to_json(hand_made_run())}}};
  actbench::write_results(dir.path(), j);
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"results.json"}));
  // Written with the checksum of its content, which every reader checks.
  EXPECT_EQ(Json::parse(actbench_test::read_text(dir / "results.json")),
            actbench::with_checksum(j));
  // Overwriting replaces the file (a new inode via rename, never a partial write in place).
  struct stat before {};
  ASSERT_EQ(::stat((dir / "results.json").c_str(), &before), 0);
  EXPECT_EQ(before.st_mode & 0777, 0644u);
  Json j2 = j;
  j2["runs"] = Json::array();
  actbench::write_results(dir.path(), j2);
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"results.json"}));
  EXPECT_EQ(Json::parse(actbench_test::read_text(dir / "results.json")),
            actbench::with_checksum(j2));
  struct stat after {};
  ASSERT_EQ(::stat((dir / "results.json").c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
}

TEST(Results, WriteResultsIntoMissingDirectoryIsAnInputError) {
  TempDir dir;
  std::string msg = actbench_test::input_error_message(
      [&] { actbench::write_results(dir / "missing", Json::object()); });
  EXPECT_THAT(msg, HasSubstr((dir / "missing" / "results.json").string()));
  EXPECT_FALSE(fs::exists(dir / "missing"));
}

}  // namespace
