// The order in which a sweep's workers take its runs (sweep/run_order.h): the costliest first,
// ties in plan order, by an estimate that grows with a run's work. (Which activation is slower is
// this machine's business: no test depends on it.)
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "sweep/run_order.h"
#include "test_support.h"

namespace {

using actbench::PlannedRun;
using actbench_test::plan_of;

std::vector<const PlannedRun*> pointers(const actbench::Plan& plan) {
  std::vector<const PlannedRun*> runs;
  for (const auto& r : plan.runs) runs.push_back(&r);
  return runs;
}

TEST(RunOrder, CostliestFirstTiesInPlanOrder) {
  const actbench::Plan plan = plan_of({"activations=relu,tanh,sigmoid,gelu"});
  const std::map<std::string, double> cost{
      {"ReLU", 1.0}, {"Tanh", 3.0}, {"Sigmoid", 3.0}, {"GELU", 2.0}};
  const std::vector<size_t> order = actbench::longest_first(
      pointers(plan), [&](const PlannedRun& r) { return cost.at(r.config.activations[0].label); });
  EXPECT_EQ(order, (std::vector<size_t>{1, 2, 3, 0}));
  EXPECT_TRUE(actbench::longest_first({}, [](const PlannedRun&) { return 0.0; }).empty());
}

TEST(RunOrder, EstimateGrowsWithTheWork) {
  const actbench::Plan plan = plan_of(
      {"activations=relu"}, "sweep:\n  train.epochs: [1, 2]\n  model.hidden: [[16], [256]]\n");
  ASSERT_EQ(plan.runs.size(), 4u);
  const actbench::RunCost cost = actbench::estimated_run_cost();
  std::map<std::pair<int64_t, int64_t>, double> by;  // (epochs, width) -> cost
  for (const auto& r : plan.runs) {
    by[{r.config.train.epochs, r.config.model.hidden.at(0)}] = cost(r);
  }
  EXPECT_GT(by.at({1, 16}), 0.0);
  EXPECT_DOUBLE_EQ(by.at({2, 16}), 2 * by.at({1, 16}));  // one activation timing for all
  EXPECT_DOUBLE_EQ(by.at({2, 256}), 2 * by.at({1, 256}));
  EXPECT_GT(by.at({1, 256}), by.at({1, 16}));
  const std::vector<size_t> order = actbench::longest_first(pointers(plan), cost);
  EXPECT_EQ(plan.runs[order.front()].config.train.epochs, 2);
  EXPECT_EQ(plan.runs[order.front()].config.model.hidden.at(0), 256);
  EXPECT_EQ(plan.runs[order.back()].config.train.epochs, 1);
  EXPECT_EQ(plan.runs[order.back()].config.model.hidden.at(0), 16);
}

}  // namespace
