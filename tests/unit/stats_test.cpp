// The statistics over seeds (stats/estimate.h, summary/summary.h): Student's t intervals, summary
// groups by settings, paired differences by seed and their tests, and the printed table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "stats/estimate.h"
#include "summary/summary.h"
#include "test_support.h"

namespace {

using actbench::Json;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

TEST(Stats, StudentTQuantilesAndIntervals) {
  EXPECT_NEAR(actbench::student_t_quantile(0.975, 1), 12.706204736174707, 1e-9);
  EXPECT_NEAR(actbench::student_t_quantile(0.975, 2), 4.302652729749464, 1e-9);
  EXPECT_NEAR(actbench::student_t_quantile(0.975, 30), 2.042272456301238, 1e-9);
  const actbench::Estimate e = actbench::estimate({1.0, 2.0, 6.0});
  EXPECT_EQ(e.n, 3);
  EXPECT_DOUBLE_EQ(e.mean, 3.0);
  EXPECT_DOUBLE_EQ(e.std, std::sqrt(7.0));  // ((4 + 1 + 9) / 2)
  EXPECT_NEAR(e.half_width, 4.302652729749464 * std::sqrt(7.0) / std::sqrt(3.0), 1e-9);
  const actbench::Estimate one = actbench::estimate({5.0});
  EXPECT_EQ(one.mean, 5.0);
  EXPECT_TRUE(std::isnan(one.std));
}

// A run entry with the given final metrics.
Json entry(const std::string& id, double acc, double loss,
           const std::string& status = "completed") {
  return {{"id", id},
          {"status", status},
          {"final",
           {{"test_accuracy", acc},
            {"best_test_accuracy", acc + 0.5},
            {"best_chosen_on", "validation"},
            {"test_loss", loss},
            {"seconds_per_epoch", 1.0}}},
          {"epochs", Json::array()}};
}

TEST(Stats, SummaryGroupsBySettingsAndPairsDifferencesBySeed) {
  // 3 activations x 3 seeds at one swept lr: runs in plan order r0 t0 g0 r1 t1 g1 r2 t2 g2.
  const actbench::Plan plan = actbench::make_plan(actbench::read_config_source(
      std::nullopt, {"activations=[relu,tanh,gelu]", "train.seed=0,1,2", "sweep.train.lr=[0.1]"}));
  ASSERT_EQ(plan.runs.size(), 9u);
  auto id = [&](size_t act, size_t seed) { return plan.runs[seed * 3 + act].id; };
  std::map<std::string, Json> entries;
  const double relu[3] = {97.0, 98.0, 96.0};
  const double tanh_[3] = {96.0, 97.5, 95.0};
  for (size_t s = 0; s < 3; ++s) {
    entries[id(0, s)] = entry(id(0, s), relu[s], 0.1);
    entries[id(1, s)] = entry(id(1, s), tanh_[s], 0.2);
  }
  entries[id(2, 0)] = entry(id(2, 0), 99.0, 0.1);
  entries[id(2, 1)] = entry(id(2, 1), 10.0, 9.0, "diverged");  // counted, not averaged, not paired
  // GELU's seed 2 is missing (not run yet).
  const Json s = actbench::build_summary(plan, entries, {"ReLU"});
  EXPECT_EQ(s["schema"], "actbench.summary/3");
  EXPECT_EQ(s["spread"], "ci95");
  EXPECT_EQ(s["runs_planned"], 9);
  EXPECT_EQ(s["runs_finished"], 8);
  EXPECT_EQ(s["complete"], false);
  EXPECT_EQ(s["axes"], (Json{"train.seed", "train.lr"}));
  ASSERT_EQ(s["groups"].size(), 3u);
  const Json& g_relu = s["groups"][0];
  EXPECT_EQ(g_relu["activation"], "ReLU");
  EXPECT_EQ(g_relu["point"], (Json{{"train.lr", 0.1}}));  // the seed is what is averaged
  EXPECT_EQ(g_relu["completed"], 3);
  EXPECT_DOUBLE_EQ(g_relu["final_test_accuracy"]["mean"].get<double>(), 97.0);
  EXPECT_DOUBLE_EQ(g_relu["final_test_accuracy"]["std"].get<double>(), 1.0);
  EXPECT_NEAR(g_relu["final_test_accuracy"]["ci95_half_width"].get<double>(),
              4.302652729749464 / std::sqrt(3.0), 1e-9);
  EXPECT_DOUBLE_EQ(g_relu["best_test_accuracy"]["mean"].get<double>(), 97.5);
  const Json& g_gelu = s["groups"][2];
  EXPECT_EQ(g_gelu["completed"], 1);
  EXPECT_EQ(g_gelu["diverged"], 1);
  EXPECT_EQ(g_gelu["missing"], 1);
  EXPECT_EQ(g_gelu["seeds"], (Json{0}));
  EXPECT_TRUE(g_gelu["final_test_accuracy"]["ci95_half_width"].is_null());

  ASSERT_EQ(s["differences"].size(), 2u);
  const Json& d = s["differences"][0];
  EXPECT_EQ(d["activation"], "Tanh");
  EXPECT_EQ(d["baseline"], "ReLU");
  EXPECT_EQ(d["seeds"], (Json{0, 1, 2}));
  // Paired: differences -1, -0.5, -1 -> mean -5/6, std of the differences (not of each group).
  const Json& acc = d["final_test_accuracy"];
  EXPECT_NEAR(acc["mean"].get<double>(), -2.5 / 3, 1e-12);
  const double sd = std::sqrt(((1.0 / 6) * (1.0 / 6) * 2 + (1.0 / 3) * (1.0 / 3)) / 2);
  EXPECT_NEAR(acc["std"].get<double>(), sd, 1e-12);
  EXPECT_NEAR(acc["ci95_half_width"].get<double>(), 4.302652729749464 * sd / std::sqrt(3.0), 1e-9);
  // The tests, by hand: t = -5/6 / (sd / sqrt 3) = -5 on 2 df, whose two-sided p is
  // 1 - 5 / sqrt(27) (Student's t with 2 df: F(t) = 1/2 + t / (2 sqrt(t^2 + 2))). Only one
  // comparison is tested (GELU has one paired seed), so Holm leaves it as it is. Wilcoxon: all
  // three negative, W+ = 0, exact p = 2 / 2^3. d_z = mean / sd = -5 / sqrt 3.
  const Json& t = d["tests"];
  EXPECT_NEAR(t["t_p"].get<double>(), 1 - 5 / std::sqrt(27.0), 1e-12);
  EXPECT_NEAR(t["holm_p"].get<double>(), t["t_p"].get<double>(), 1e-15);
  EXPECT_EQ(t["comparisons"], 1);
  EXPECT_DOUBLE_EQ(t["wilcoxon_p"].get<double>(), 0.25);
  EXPECT_NEAR(t["effect_size_dz"].get<double>(), -5 / std::sqrt(3.0), 1e-12);
  EXPECT_GT(t["detectable_difference"].get<double>(), 0);
  EXPECT_EQ(d["verdict"], "worse");
  EXPECT_EQ(s["differences"][1]["verdict"], "too few seeds");
  EXPECT_FALSE(s["differences"][1]["tests"].contains("t_p"));
  EXPECT_NEAR(d["final_test_loss"]["mean"].get<double>(), 0.1, 1e-12);
  EXPECT_EQ(s["differences"][1]["seeds"], (Json{0}));  // GELU: only seed 0 completed
  // The tests as the report's table and the figures write them.
  EXPECT_EQ(d["text"]["t_p"], "0.038");
  EXPECT_EQ(d["text"]["holm_p"], "0.038");
  EXPECT_EQ(d["text"]["wilcoxon_p"], "0.250");
  EXPECT_EQ(d["text"]["effect_size_dz"], "-2.89");
  EXPECT_EQ(d["text"]["holm"], "Holm p = 0.038");
  EXPECT_EQ(s["differences"][1]["text"]["holm"], "no test");
  EXPECT_EQ(s["differences"][1]["text"]["t_p"], "-");
  const Json& dt = s["differences_table"];
  EXPECT_EQ(dt["columns"],
            (Json{"lr", "paired difference in final test accuracy (\u00b195% CI)", "n", "t-test p",
                  "Holm p", "Wilcoxon p", "d_z", "detectable (points)", "verdict"}));
  ASSERT_EQ(dt["rows"].size(), 2u);
  EXPECT_EQ(dt["rows"][0][0], "0.1");
  EXPECT_EQ(dt["rows"][0][1], d["sentence"]);
  EXPECT_EQ(dt["rows"][0][2], "3");
  EXPECT_EQ(dt["rows"][0][8], "worse");
  EXPECT_EQ(dt["rows"][1][3], "-");
  // What was trained, in words, for titles and captions.
  EXPECT_EQ(s["setup"]["text"], "MNIST; MLP with hidden layers [128, 128]; 3 activations; 3 seeds");

  // The table: best group first, the differences as sentences.
  std::ostringstream out;
  actbench::print_summary(out, s);
  const auto lines = actbench_test::lines_of(out.str());
  ASSERT_GE(lines.size(), 7u) << out.str();
  EXPECT_THAT(lines[0], ContainsRegex("rank +activation +lr +n +test acc %"));
  EXPECT_THAT(lines[1], ContainsRegex("^1 +GELU +0.1 +1 +99.00 "));
  EXPECT_THAT(lines[1], HasSubstr("1 diverged, 1 not run"));
  EXPECT_THAT(lines[2], ContainsRegex("^2 +ReLU +0.1 +3 +97.00 \u00b1 2.48 "));
  EXPECT_THAT(out.str(),
              ContainsRegex("\\[lr=0.1\\] Tanh is 0.83 \u00b1 0.72 points below ReLU +\\(3 seeds, "
                            "significant: paired t p = 0.038, Holm p = 0.038; Wilcoxon p = 0.250"));
  EXPECT_THAT(out.str(),
              ContainsRegex("\\[lr=0.1\\] GELU is 2.00 points above ReLU +\\(1 seed: no test"));
  EXPECT_THAT(out.str(), HasSubstr("Holm-adjusted over 1 comparison)"));
  // With ± as one standard deviation: the headers and sentences say so.
  const Json sd_summary = actbench::build_summary(plan, entries, {"ReLU", actbench::Spread::kSd});
  std::ostringstream sd_out;
  actbench::print_summary(sd_out, sd_summary);
  EXPECT_THAT(sd_out.str(), HasSubstr("test acc % (\u00b1SD)"));
  EXPECT_THAT(sd_out.str(), ContainsRegex("ReLU +0.1 +3 +97.00 \u00b1 1.00 "));
  EXPECT_THAT(sd_out.str(), HasSubstr("Tanh is 0.83 \u00b1 0.29 points below ReLU"));
}

}  // namespace

namespace {

// Timings of runs taken from the run store were measured when another sweep trained them: a
// group reports the timings of the runs this sweep trained when it has any, marks the ones that
// only have stored runs, and the summary says so.
TEST(Stats, TimingsOfRunsFromTheStoreAreKeptApartAndMarked) {
  const actbench::Plan plan = actbench::make_plan(
      actbench::read_config_source(std::nullopt, {"activations=[relu,tanh]", "train.seed=0,1"}));
  ASSERT_EQ(plan.runs.size(), 4u);  // r0 t0 r1 t1
  std::map<std::string, Json> entries;
  auto timed = [&](size_t i, double seconds, bool stored) {
    Json e = entry(plan.runs[i].id, 97.0 + double(i), 0.1);
    e["final"]["seconds_per_epoch"] = seconds;
    if (stored) e["from_store"] = true;
    entries[plan.runs[i].id] = e;
  };
  timed(0, 5.0, true);  // ReLU: both from the store
  timed(2, 5.0, true);
  timed(1, 9.0, true);  // Tanh: one from the store (left out), one trained here
  timed(3, 1.0, false);
  const Json s = actbench::build_summary(plan, entries, {"ReLU"});
  const Json& relu = s["groups"][0];
  const Json& tanh_ = s["groups"][1];
  EXPECT_EQ(relu["seconds_per_epoch"]["mean"], 5.0);
  EXPECT_EQ(relu["timing"], (Json{{"runs", 2}, {"from_store", true}, {"runs_from_store", 2}}));
  EXPECT_EQ(tanh_["seconds_per_epoch"]["mean"], 1.0);
  EXPECT_EQ(tanh_["timing"], (Json{{"runs", 1}, {"from_store", false}, {"runs_from_store", 1}}));
  // Accuracy is over every completed run, wherever it was trained.
  EXPECT_EQ(tanh_["final_test_accuracy"]["n"], 2);
  std::ostringstream printed;
  actbench::print_summary(printed, s);
  EXPECT_THAT(printed.str(), ContainsRegex("ReLU .* 5\\.00\u2020 "));
  EXPECT_THAT(printed.str(), ContainsRegex("Tanh .* 1\\.00 "));
  EXPECT_THAT(s["timing_note"].get<std::string>(), HasSubstr("taken from the run store"));
  EXPECT_THAT(s["timing_note"].get<std::string>(),
              HasSubstr("(1 taken from the run store left out)"));
}

}  // namespace
