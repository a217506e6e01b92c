// Runs trained side by side (--jobs) through the binary: a run's numbers whatever the number of
// runs trained beside it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.h"
#include "test_support.h"

namespace {

// The "runs" of a results.json without the timings.
nlohmann::json metrics_of(const std::string& results_json) {
  return actbench_test::without_keys(nlohmann::json::parse(results_json).at("runs"));
}

TEST(Parallel, RunsGiveTheSameNumbersWhateverTheNumberOfJobs) {
  actbench_test::TempDir tmp;
  const auto config =
      actbench_test::write_tiny_config(tmp / "tiny.yaml", actbench_test::synthetic_mnist_dir());
  std::vector<nlohmann::json> seen;
  for (const char* jobs : {"1", "2", "4"}) {
    const auto out = tmp / (std::string("jobs") + jobs);
    auto r = actbench_test::run_actbench(
        {"run", "--config", config.string(), "--out", out.string(), "--jobs", jobs,
         "train.epochs=2", "activations=[relu, rrelu, sigmoid, {name: prelu, per_unit: true}]"},
        tmp.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    seen.push_back(metrics_of(actbench_test::read_text(out / "results.json")));
  }
  ASSERT_EQ(seen[0].size(), 4u);
  EXPECT_EQ(seen[0], seen[1]);
  EXPECT_EQ(seen[0], seen[2]);
}

}  // namespace
