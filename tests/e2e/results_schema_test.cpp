// results.json and summary.json against the published JSON Schemas in docs/
// (results.schema.json, summary.schema.json), checked by Python's jsonschema: real (tiny) runs,
// one diverged, an unfinished sweep's summary, and broken documents that must fail. Needs Debian's
// python3 with python3-jsonschema; without it the tests skip with a message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "data/dataset.h"
#include "device/device.h"
#include "plan/plan.h"
#include "process.h"
#include "results/results.h"
#include "summary/summary.h"
#include "test_support.h"
#include "train/trainer.h"

namespace {

namespace fs = std::filesystem;
using actbench::Json;
using actbench::RunResult;
using actbench_test::plan_of;
using actbench_test::TempDir;

const fs::path kSchema = fs::path(ACTBENCH_SOURCE_DIR) / "docs" / "results.schema.json";
const fs::path kSummarySchema = fs::path(ACTBENCH_SOURCE_DIR) / "docs" / "summary.schema.json";

// Validates each of `instances` against `schema_file` in one Python process (importing jsonschema
// takes a while): per instance, 0 when valid and 3 when it violates the schema. When the check
// itself fails (a schema that is not a valid JSON Schema, say) that is recorded as a test failure
// and every instance gets -1.
std::vector<int> validate(const std::vector<fs::path>& instances,
                          const fs::path& schema_file = kSchema) {
  const std::string script =
      "import json, sys, jsonschema\n"
      "schema = json.load(open(sys.argv[1]))\n"
      "jsonschema.validators.validator_for(schema).check_schema(schema)\n"
      "for path in sys.argv[2:]:\n"
      "    try:\n"
      "        jsonschema.validate(json.load(open(path)), schema)\n"
      "        print('valid')\n"
      "    except jsonschema.ValidationError as e:\n"
      "        print('violation:', ' '.join(e.message.split()))\n";
  std::vector<std::string> args{"-c", script, schema_file.string()};
  for (const auto& i : instances) args.push_back(i.string());
  const actbench_test::CommandResult r =
      actbench_test::run_captured(actbench_test::shell_quote(ACTBENCH_PYTHON), args);
  const std::vector<std::string> lines = actbench_test::lines_of(r.out);
  if (r.exit_code != 0 || lines.size() != instances.size()) {
    ADD_FAILURE() << "the schema check itself failed: " << r.describe();
    return std::vector<int>(instances.size(), -1);
  }
  std::vector<int> codes;
  for (const auto& line : lines) codes.push_back(line == "valid" ? 0 : 3);
  return codes;
}
int validate(const fs::path& instance, const fs::path& schema_file = kSchema) {
  return validate(std::vector<fs::path>{instance}, schema_file).at(0);
}

// results.json of real (tiny) training runs (two seeds) plus a diverged one, and its summary;
// trained once per process.
struct RealResults {
  Json results, summary;
  Json partial_summary;  // of the same sweep with one activation's runs all missing
};

RealResults make_real_results() {
  const actbench::Plan plan = plan_of(
      {"data.dir=" + actbench_test::synthetic_mnist_dir().string(), "data.train_limit=500",
       "data.test_limit=200", "train.epochs=1", "model.hidden=[32]", "train.seed=0,1",
       "activations=[relu, {name: prelu, per_unit: true}, {name: gelu, approximate: tanh}]"});
  actbench::configure_cpu_threads(1);
  const torch::Device cpu(torch::kCPU);
  const actbench::Dataset& data = actbench_test::cpu_dataset(plan.base.data);
  std::vector<RunResult> runs;
  for (const auto& r : plan.runs) {
    runs.push_back(actbench::train_run(r.config, r.config.activations[0], data, cpu));
  }
  // The last run made to really diverge (non-finite losses become null).
  actbench::Config wild = plan.runs.back().config;
  wild.train.optimizer = actbench::Optimizer::kSgd;
  wild.train.lr = 1e38;
  wild.train.momentum = 0.9;
  runs.back() = actbench::train_run(wild, wild.activations[0], data, cpu);
  std::vector<Json> entries = actbench_test::run_entries(plan, runs);
  const Json plan_json = actbench::plan_to_json(plan);
  RealResults out;
  out.results = actbench::results_document(plan_json["config"], actbench_test::run_environment(),
                                           entries, {});
  std::map<std::string, Json> by_id;
  for (const auto& e : entries) by_id[e["id"].get<std::string>()] = e;
  out.summary = actbench::build_summary(plan, by_id, {plan.base.baseline});
  for (const auto& r : plan.runs) {
    if (r.config.activations[0].name == "prelu") by_id.erase(r.id);
  }
  out.partial_summary = actbench::build_summary(plan, by_id, {plan.base.baseline});
  return out;
}

class ResultsSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    static const std::string missing = []() -> std::string {
      if (std::string(ACTBENCH_PYTHON).empty()) {
        return "no /usr/bin/python3 found at configure time; install python3-jsonschema";
      }
      const std::string probe =
          actbench_test::shell_quote(ACTBENCH_PYTHON) + " -c 'import jsonschema' 2>/dev/null";
      if (std::system(probe.c_str()) != 0) {
        return std::string(ACTBENCH_PYTHON) +
               " cannot import jsonschema; install python3-jsonschema";
      }
      return "";
    }();
    if (!missing.empty()) GTEST_SKIP() << missing;
    ASSERT_TRUE(fs::exists(kSchema)) << kSchema << " is missing";
  }

  static const RealResults& real() {
    static const RealResults r = make_real_results();
    return r;
  }

  TempDir dir_;
};

TEST_F(ResultsSchema, RealResultsAndSummaryFilesValidate) {
  const Json& j = real().results;
  ASSERT_EQ(j["runs"].size(), 6u);
  EXPECT_EQ(j["runs"][5]["status"], "diverged");
  EXPECT_TRUE(j["runs"][5]["epochs"][0]["train_loss"].is_string());
  EXPECT_EQ(j["runs"][0]["epochs"][0]["diagnostics"]["grad_norm"].size(), 2u);
  actbench::write_results(dir_.path(), j);
  EXPECT_EQ(validate(dir_ / "results.json"), 0) << j.dump(2);
  const Json& summary = real().summary;
  EXPECT_EQ(summary["groups"][2]["diverged"], 1);
  actbench_test::write_text(dir_ / "summary.json", summary.dump(2));
  EXPECT_EQ(validate(dir_ / "summary.json", kSummarySchema), 0) << summary.dump(2);
  // An unfinished sweep (a group with no run yet: its estimates are null) validates too.
  actbench_test::write_text(dir_ / "partial.json", real().partial_summary.dump(2));
  EXPECT_EQ(validate(dir_ / "partial.json", kSummarySchema), 0) << real().partial_summary.dump(2);
}

TEST_F(ResultsSchema, BrokenResultsFilesFailValidation) {
  const Json& good = real().results;
  struct Case {
    std::string what;
    std::function<void(Json&)> breakit;
  };
  const std::vector<Case> cases{
      {"missing runs", [](Json& j) { j.erase("runs"); }},
      {"wrong schema id", [](Json& j) { j["schema"] = "actbench.results/1"; }},
      {"run without id", [](Json& j) { j["runs"][0].erase("id"); }},
      {"dead fraction above 1",
       [](Json& j) { j["runs"][0]["epochs"][0]["diagnostics"]["dead"][0] = 1.5; }},
      {"diagnostics without grad_norm",
       [](Json& j) { j["runs"][0]["epochs"][0]["diagnostics"].erase("grad_norm"); }},
      {"malformed id", [](Json& j) { j["runs"][0]["id"] = "relu"; }},
      {"accuracy as text", [](Json& j) { j["runs"][0]["epochs"][0]["test_accuracy"] = "97%"; }},
      {"unknown status", [](Json& j) { j["runs"][0]["status"] = "crashed"; }},
      {"missing final", [](Json& j) { j["runs"][0].erase("final"); }},
  };
  // The unbroken document first: each case fails because of what it breaks.
  std::vector<fs::path> files{dir_ / "good.json"};
  actbench_test::write_text(files[0], good.dump(2));
  for (size_t i = 0; i < cases.size(); ++i) {
    Json broken = good;
    cases[i].breakit(broken);
    files.push_back(dir_ / ("broken" + std::to_string(i) + ".json"));
    actbench_test::write_text(files.back(), broken.dump(2));
  }
  const std::vector<int> codes = validate(files);
  ASSERT_EQ(codes.size(), files.size());
  EXPECT_EQ(codes[0], 0) << "the unbroken document";
  for (size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(codes[i + 1], 3) << cases[i].what;
}

}  // namespace
