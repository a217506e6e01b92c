// The run file (runs/<id>.json, results.json's runs[]) has one description:
// docs/results.schema.json's $defs.run. The writer's output is validated against it
// (ResultsSchema), the Python scripts read with it (scripts/plotting/jsonfile.py), and the C++
// readers' check, run_shape_problem, is held to it here: it may check less than the schema (only
// what the readers rely on), never something the schema does not say. So every damaged copy of a
// real run file that the schema still accepts must pass the check too; and the check's own refusals
// are each a refusal of the schema.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "process.h"
#include "results/run_shape.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Copies of `run` with one change each: every key removed, every value replaced by a value of
// another kind. Arrays are changed in their first element only (the others are alike).
void mutate(const Json& run, const Json::json_pointer& at, std::vector<Json>& out) {
  static const std::vector<Json> kOthers{"x",
                                         "NaN",
                                         1,
                                         -1,
                                         1.5,
                                         1e300,
                                         nullptr,
                                         true,
                                         Json::array(),
                                         Json::object(),
                                         Json::array({1})};
  const Json& here = run.at(at);
  for (const Json& other : kOthers) {
    if (other == here) continue;
    Json copy = run;
    copy[at] = other;
    out.push_back(std::move(copy));
  }
  if (here.is_object()) {
    for (const auto& [key, value] : here.items()) {
      Json copy = run;
      copy[at].erase(key);
      out.push_back(std::move(copy));
      mutate(run, at / key, out);
    }
  } else if (here.is_array() && !here.empty()) {
    mutate(run, at / 0, out);
  }
}

// For each document: does the schema's $defs.run accept it? (Debian's python3-jsonschema.)
std::vector<bool> schema_accepts(const std::vector<Json>& docs) {
  actbench_test::TempDir tmp;
  {
    std::ofstream lines(tmp.path() / "docs.jsonl");
    for (const Json& d : docs) lines << d.dump() << "\n";
  }
  const std::string script = R"(
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
run = {"$schema": schema.get("$schema"), "$defs": schema["$defs"], "$ref": "#/$defs/run"}
validator = jsonschema.validators.validator_for(schema)(run)
for line in open(sys.argv[2]):
    print(1 if validator.is_valid(json.loads(line)) else 0)
)";
  actbench_test::write_text(tmp.path() / "check.py", script);
  const auto r = actbench_test::run_captured(
      ACTBENCH_PYTHON, {(tmp.path() / "check.py").string(),
                        std::string(ACTBENCH_SOURCE_DIR) + "/docs/results.schema.json",
                        (tmp.path() / "docs.jsonl").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<bool> accepted;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) accepted.push_back(line == "1");
  EXPECT_EQ(accepted.size(), docs.size());
  return accepted;
}

// Real run files, as actbench wrote them: the plot fixture's (tests/fixtures/plot/regenerate.sh),
// one plain and one with learned activation parameters.
std::vector<Json> fixture_runs() {
  std::ifstream in(fs::path(ACTBENCH_SOURCE_DIR) / "tests" / "fixtures" / "plot" / "results.json");
  const Json results = Json::parse(in);
  std::vector<Json> runs{results.at("runs").at(0)};
  for (const Json& r : results.at("runs")) {
    if (r.at("epochs").at(0).contains("learned")) {
      runs.push_back(r);
      break;
    }
  }
  return runs;
}

TEST(RunFile, TheReadersCheckNeverRefusesWhatTheSchemaAccepts) {
  if (std::string(ACTBENCH_PYTHON).empty()) GTEST_SKIP() << "no /usr/bin/python3";
  const std::vector<Json> runs = fixture_runs();
  ASSERT_EQ(runs.size(), 2u) << "the fixture should hold a run with learned parameters";
  std::vector<Json> docs = runs;
  for (const Json& r : runs) mutate(r, Json::json_pointer(), docs);
  ASSERT_GT(docs.size(), 500u);
  const std::vector<bool> accepted = schema_accepts(docs);
  ASSERT_EQ(accepted.size(), docs.size());
  EXPECT_TRUE(accepted[0] && accepted[1]) << "the fixture's runs no longer match the schema";
  size_t refused_by_schema = 0, refused_by_check = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    const std::string problem = actbench::run_shape_problem(docs[i]);
    refused_by_schema += !accepted[i];
    refused_by_check += !problem.empty();
    if (accepted[i]) {
      EXPECT_EQ(problem, "") << "the schema accepts this run, the readers' check refuses it:\n"
                             << docs[i].dump().substr(0, 2000);
    }
  }
  // The check is not empty: it refuses a share of what the schema refuses (about a quarter: the
  // schema also bounds every value and refuses unknown fields, which the readers do not need).
  EXPECT_GT(refused_by_check, refused_by_schema / 8);
  EXPECT_THAT(actbench::run_shape_problem([&] {
                Json r = runs[0];
                r["final"].erase("test_accuracy");
                return r;
              }()),
              ::testing::HasSubstr("final.test_accuracy is missing"));
}

}  // namespace
