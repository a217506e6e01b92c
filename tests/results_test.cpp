// Results stage: results.json's layout (schema actbench.results/1), atomic writing, and agreement
// with the published JSON Schema in docs/results.schema.json.
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

#include "cli/device.h"
#include "data/dataset.h"
#include "results/results.h"
#include "results/table.h"
#include "test_support.h"
#include "train/trainer.h"

namespace {

namespace fs = std::filesystem;
using actbench::Json;
using actbench::RunResult;
using actbench_test::TempDir;
using ::testing::HasSubstr;

RunResult hand_made_run() {
  RunResult r;
  r.activation = actbench::resolve_activation(
      Json{{"name", "leaky_relu"}, {"negative_slope", 0.2}}, "test");
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

actbench::RunEnvironment environment() {
  actbench::RunEnvironment env;
  env.device = "cpu";
  env.threads = 1;
  env.started_at = actbench::utc_timestamp();
  env.finished_at = actbench::utc_timestamp();
  env.command = {"actbench", "run", "configs/quick.yaml"};
  return env;
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
  EXPECT_EQ(f.size(), 4u);
  EXPECT_DOUBLE_EQ(f["test_accuracy"].get<double>(), 94.0);  // the last epoch's
  EXPECT_DOUBLE_EQ(f["best_test_accuracy"].get<double>(), 95.5);
  EXPECT_EQ(f["best_epoch"], 2);
  EXPECT_DOUBLE_EQ(f["total_seconds"].get<double>(), 3 * 1.75);
}

TEST(Results, NonFiniteLossesAreWrittenAsNull) {
  const Json j = actbench::run_to_json(diverged_run());
  EXPECT_EQ(j["status"], "diverged");
  EXPECT_TRUE(j["epochs"][1]["train_loss"].is_null());
  EXPECT_TRUE(j["epochs"][1]["test_loss"].is_null());
  EXPECT_TRUE(j["epochs"][0]["train_loss"].is_number());
  // The dump is strict JSON (no NaN / Infinity tokens).
  const std::string text = j.dump();
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("nan"), std::string::npos);
  EXPECT_EQ(text.find("inf"), std::string::npos);
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

TEST(Results, ResultsToJsonHasSchemaEnvironmentConfigAndRuns) {
  const actbench::Config config = actbench::load_config(std::nullopt, {"name=res"});
  const Json j = actbench::results_to_json(config, environment(), {hand_made_run(), diverged_run()});
  EXPECT_EQ(j["schema"], "actbench.results/1");
  EXPECT_EQ(j["actbench_version"], ACTBENCH_VERSION);
  EXPECT_TRUE(j["libtorch_version"].is_string());
  EXPECT_FALSE(j["libtorch_version"].get<std::string>().empty());
  EXPECT_EQ(j["device"], "cpu");
  EXPECT_EQ(j["threads"], 1);
  EXPECT_THAT(j["started_at"].get<std::string>(),
              ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"));
  EXPECT_EQ(j["command"], (Json{"actbench", "run", "configs/quick.yaml"}));
  EXPECT_EQ(j["config"], actbench::config_to_json(config));
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0], actbench::run_to_json(hand_made_run()));
  EXPECT_EQ(j["runs"][1]["status"], "diverged");
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Results, WriteResultsIsAtomicAndLeavesNoTempFiles) {
  TempDir dir;
  const actbench::Config config = actbench::load_config(std::nullopt, {});
  const Json j = actbench::results_to_json(config, environment(), {hand_made_run()});
  actbench::write_results(dir.path(), j);
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"results.json"}));
  EXPECT_EQ(Json::parse(actbench_test::read_text(dir / "results.json")), j);
  // Overwriting replaces the file (a new inode via rename, never a partial write in place).
  struct stat before {};
  ASSERT_EQ(::stat((dir / "results.json").c_str(), &before), 0);
  EXPECT_EQ(before.st_mode & 0777, 0644u);
  Json j2 = j;
  j2["runs"] = Json::array();
  actbench::write_results(dir.path(), j2);
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"results.json"}));
  EXPECT_EQ(Json::parse(actbench_test::read_text(dir / "results.json")), j2);
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

TEST(Results, RankingTableListsRunsBestFirstAndDivergedLast) {
  RunResult a = hand_made_run();  // 94.0 final
  RunResult b = hand_made_run();
  b.activation = actbench::resolve_activation("tanh", "test");
  b.epochs.back().test_accuracy = 97.25;
  RunResult d = diverged_run();
  d.epochs.back().test_accuracy = 99.0;  // better accuracy, but diverged: still last
  std::ostringstream out;
  actbench::print_ranking(out, {d, a, b});
  const auto lines = actbench_test::lines_of(out.str());
  ASSERT_EQ(lines.size(), 4u) << out.str();
  EXPECT_THAT(lines[0], HasSubstr("rank"));
  EXPECT_THAT(lines[0], HasSubstr("activation"));
  EXPECT_THAT(lines[1], ::testing::StartsWith("1 "));
  EXPECT_THAT(lines[1], HasSubstr("Tanh"));
  EXPECT_THAT(lines[1], HasSubstr("97.25"));
  EXPECT_THAT(lines[2], HasSubstr("LeakyReLU(negative_slope=0.2)"));
  EXPECT_THAT(lines[2], HasSubstr("95.50 (2)"));
  EXPECT_THAT(lines[3], HasSubstr("ReLU"));
  EXPECT_THAT(lines[3], HasSubstr("diverged"));
}

// ---- the published JSON Schema ----

const fs::path kSchema = fs::path(ACTBENCH_SOURCE_DIR) / "docs" / "results.schema.json";

// Exit 0: valid; 3: the instance violates the schema; anything else: the check itself failed.
int validate(const fs::path& instance) {
  const std::string script =
      "import json, sys, jsonschema\n"
      "instance = json.load(open(sys.argv[1]))\n"
      "schema = json.load(open(sys.argv[2]))\n"
      "try:\n"
      "    jsonschema.validators.validator_for(schema).check_schema(schema)\n"
      "    jsonschema.validate(instance, schema)\n"
      "except jsonschema.ValidationError as e:\n"
      "    print('schema violation:', e.message, file=sys.stderr)\n"
      "    sys.exit(3)\n";
  const std::string cmd = actbench_test::shell_quote(ACTBENCH_PYTHON) + " -c " +
                          actbench_test::shell_quote(script) + " " +
                          actbench_test::shell_quote(instance.string()) + " " +
                          actbench_test::shell_quote(kSchema.string());
  const int status = std::system(cmd.c_str());
  return (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
}

class ResultsSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(ACTBENCH_PYTHON).empty()) {
      GTEST_SKIP() << "no /usr/bin/python3 found at configure time; install python3-jsonschema";
    }
    const std::string probe =
        actbench_test::shell_quote(ACTBENCH_PYTHON) + " -c 'import jsonschema' 2>/dev/null";
    if (std::system(probe.c_str()) != 0) {
      GTEST_SKIP() << ACTBENCH_PYTHON << " cannot import jsonschema; install python3-jsonschema";
    }
    ASSERT_TRUE(fs::exists(kSchema)) << kSchema << " is missing";
  }

  // results.json of a real (tiny) training run plus a diverged one, written by write_results.
  Json real_results() {
    const actbench::Config config = actbench_test::synthetic_config(
        {"data.train_limit=500", "data.test_limit=200", "train.epochs=1",
         "activations=[relu, {name: prelu, per_unit: true}, {name: gelu, approximate: tanh}]"});
    actbench::configure_cpu_threads(1);
    const torch::Device cpu(torch::kCPU);
    const actbench::Dataset data = actbench::load_dataset(config.data, cpu);
    std::vector<RunResult> runs;
    for (const auto& a : config.activations) {
      runs.push_back(actbench::train_run(config, a, data, cpu));
    }
    // A run that really diverged (non-finite losses become null) and a hand-made one.
    actbench::Config wild = config;
    wild.train.optimizer = "sgd";
    wild.train.lr = 1e38;
    wild.train.momentum = 0.9;
    runs.push_back(actbench::train_run(wild, config.activations[0], data, cpu));
    EXPECT_EQ(runs.back().status, "diverged");
    runs.push_back(diverged_run());
    return actbench::results_to_json(config, environment(), runs);
  }

  TempDir dir_;
};

TEST_F(ResultsSchema, RealResultsFileValidates) {
  const Json j = real_results();
  ASSERT_EQ(j["runs"].size(), 5u);
  EXPECT_TRUE(j["runs"][3]["epochs"][0]["train_loss"].is_null());
  actbench::write_results(dir_.path(), j);
  EXPECT_EQ(validate(dir_ / "results.json"), 0) << j.dump(2);
}

TEST_F(ResultsSchema, BrokenResultsFilesFailValidation) {
  const Json good = real_results();
  struct Case {
    std::string what;
    std::function<void(Json&)> breakit;
  };
  const std::vector<Case> cases{
      {"missing runs", [](Json& j) { j.erase("runs"); }},
      {"wrong schema id", [](Json& j) { j["schema"] = "actbench.results/2"; }},
      {"accuracy as text", [](Json& j) { j["runs"][0]["epochs"][0]["test_accuracy"] = "97%"; }},
      {"unknown status", [](Json& j) { j["runs"][0]["status"] = "crashed"; }},
      {"missing final", [](Json& j) { j["runs"][0].erase("final"); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Json broken = good;
    c.breakit(broken);
    const fs::path p = dir_ / "broken.json";
    actbench_test::write_text(p, broken.dump(2));
    EXPECT_EQ(validate(p), 3);
  }
}

}  // namespace
