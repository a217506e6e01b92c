// Per-activation tuning (sweep/tuning.h) and the settings it hands to the final comparison
// (per_activation in plan/plan.h): the tune section's space and rungs, the choice on validation
// only with its tie rule, promotion, the rung and final plans, and summary.json's `comparison`
// (every pair, Friedman, Nemenyi, letters) against the same formulas the baseline form uses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "stats/paired.h"
#include "stats/rank_tests.h"
#include "summary/summary.h"
#include "sweep/tuning.h"
#include "test_support.h"
#include "util/error.h"

namespace {

using actbench::ConfigSource;
using actbench::Json;
using actbench::Plan;
using actbench::TrialScore;
using actbench::TuneSpec;
using ::testing::HasSubstr;

// A tuned config source: relu and tanh, a validation split, the final seeds 0..2.
ConfigSource tuned_source(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> o{"activations=relu,tanh", "data.validation=500", "train.epochs=10",
                             "train.seed=0,1,2",
                             "tune.space={train.lr: {log: [0.0001, 0.01], trials: 9}}"};
  o.insert(o.end(), extra.begin(), extra.end());
  return actbench::read_config_source(std::nullopt, o);
}

std::string spec_error(const std::vector<std::string>& extra) {
  return actbench_test::input_error_message([&] { actbench::tune_spec(tuned_source(extra)); });
}

TEST(Tuning, ALogRangeGivesRoundedValuesAndTheRungsScaleWithTheBudget) {
  const TuneSpec spec = actbench::tune_spec(tuned_source());
  ASSERT_EQ(spec.space.size(), 1u);
  EXPECT_EQ(spec.space[0].key, "train.lr");
  EXPECT_EQ(spec.space[0].values, (std::vector<Json>{0.0001, 0.000178, 0.000316, 0.000562, 0.001,
                                                     0.00178, 0.00316, 0.00562, 0.01}));
  ASSERT_EQ(spec.trials.size(), 9u);
  EXPECT_EQ(spec.trials[4], (Json{{"train.lr", 0.001}}));
  EXPECT_EQ(spec.seeds, (std::vector<int64_t>{1000}));
  EXPECT_EQ(spec.epochs, 10);
  // 9 trials, eta 3: 9 x 1 epoch, 3 x 3, 1 x 10.
  ASSERT_EQ(spec.rungs.size(), 3u);
  EXPECT_EQ(spec.rungs[0].epochs, 1);
  EXPECT_EQ(spec.rungs[0].trials, 9);
  EXPECT_EQ(spec.rungs[1].epochs, 3);
  EXPECT_EQ(spec.rungs[1].trials, 3);
  EXPECT_EQ(spec.rungs[2].epochs, 10);
  EXPECT_EQ(spec.rungs[2].trials, 1);
  // A 2-epoch budget still halves: 9 x 1 epoch, then the best at 2.
  const TuneSpec small = actbench::tune_spec(tuned_source({"train.epochs=2"}));
  ASSERT_EQ(small.rungs.size(), 2u);
  EXPECT_EQ(small.rungs[0].epochs, 1);
  EXPECT_EQ(small.rungs[1].epochs, 2);
  EXPECT_EQ(small.rungs[1].trials, 1);
  // Halving off: every trial at the full budget.
  const TuneSpec grid = actbench::tune_spec(tuned_source({"tune.halving=false"}));
  ASSERT_EQ(grid.rungs.size(), 1u);
  EXPECT_EQ(grid.rungs[0].epochs, 10);
  EXPECT_EQ(grid.rungs[0].trials, 9);
  // A list and a second key: their product, keys in alphabetical order, the last one fastest.
  const TuneSpec two = actbench::tune_spec(
      tuned_source({"tune.space={train.lr: [0.01, 0.001], model.init: [default, kaiming]}"}));
  ASSERT_EQ(two.trials.size(), 4u);
  EXPECT_EQ(two.trials[1], (Json{{"model.init", "default"}, {"train.lr", 0.001}}));
}

TEST(Tuning, BadSectionsAreInputErrorsNamingTheKey) {
  EXPECT_THAT(spec_error({"tune.space={train.seed: [1, 2]}"}),
              HasSubstr("cannot tune 'train.seed'"));
  EXPECT_THAT(spec_error({"tune.space={train.epochs: [1, 2]}"}), HasSubstr("tune.epochs"));
  EXPECT_THAT(spec_error({"tune.space={train.lrr: [1, 2]}"}), HasSubstr("train.lrr"));
  EXPECT_THAT(spec_error({"tune.space={train.lr: {log: [0, 1], trials: 3}}"}),
              HasSubstr("low > 0"));
  EXPECT_THAT(spec_error({"tune.space={train.lr: {log: [0.1, 1], trials: 1}}"}),
              HasSubstr("tune.space.train.lr.trials must be an integer from 2"));
  EXPECT_THAT(spec_error({"tune.space={train.lr: [0.1, 0.1]}"}), HasSubstr("distinct"));
  EXPECT_THAT(spec_error({"tune.spac=1"}), HasSubstr("did you mean 'tune.space'"));
  EXPECT_THAT(spec_error({"tune.eta=1"}), HasSubstr("tune.eta must be an integer from 2"));
  EXPECT_THAT(spec_error({"tune.halving=maybe"}), HasSubstr("tune.halving must be true or false"));
  EXPECT_THAT(spec_error({"data.validation=0"}), HasSubstr("validation split"));
  EXPECT_THAT(spec_error({"tune.seed=1"}), HasSubstr("tuning seed 1 is also a final seed"));
  EXPECT_THAT(spec_error({"sweep.model.hidden=[[32],[64]]"}), HasSubstr("sweeps only train.seed"));
  EXPECT_THAT(spec_error({"per_activation.relu.train.lr=0.01"}), HasSubstr("per_activation"));
}

TEST(Tuning, TheChoiceTakesTheBestValidationAccuracyAndBreaksNearTiesByLoss) {
  using S = TrialScore;
  // Clear winner.
  EXPECT_EQ(actbench::choose_trial({S{90, 0.3}, S{95, 0.2}, S{93, 0.1}}, 0.1), 1u);
  // Within the tie of the best (0.1 points): the lower loss wins.
  EXPECT_EQ(actbench::choose_trial({S{95.00, 0.30}, S{95.05, 0.40}, S{94.95, 0.25}}, 0.1), 2u);
  // Exactly equal: the first in the space's order.
  EXPECT_EQ(actbench::choose_trial({S{95, 0.3}, S{95, 0.3}}, 0.1), 0u);
  // A tie of 0: only the best accuracy counts.
  EXPECT_EQ(actbench::choose_trial({S{95.00, 0.30}, S{95.05, 0.40}}, 0.0), 1u);
  // A diverged trial (NaN) never wins.
  EXPECT_EQ(actbench::choose_trial({S{NAN, NAN}, S{10, 2.0}}, 0.1), 1u);
  // Promotion: the choice first, then by accuracy.
  EXPECT_EQ(actbench::promote({S{90, 0.3}, S{95, 0.2}, S{NAN, NAN}, S{93, 0.1}}, 0.1, 2),
            (std::vector<size_t>{1, 3}));
}

// A rung's run entries: only their validation numbers differ between trials; the test numbers
// are the opposite order. Nothing of the test set may change the scores.
std::map<std::string, Json> rung_entries(const Plan& plan, bool with_test) {
  std::map<std::string, Json> entries;
  for (const auto& r : plan.runs) {
    const double lr = r.point.at("train.lr").get<double>();
    Json epoch = {{"epoch", 1}, {"val_accuracy", 90 + 100 * lr}, {"val_loss", 1 - lr}};
    if (with_test) {
      epoch["test_accuracy"] = 99 - 100 * lr;
      epoch["test_loss"] = lr;
    }
    entries[r.id] = {{"status", "completed"}, {"epochs", {epoch}}};
  }
  return entries;
}

TEST(Tuning, ScoresComeFromTheValidationSplitAndNeverFromTheTestSet) {
  const ConfigSource source = tuned_source();
  const TuneSpec spec = actbench::tune_spec(source);
  std::map<std::string, std::vector<size_t>> all;
  for (const char* label : {"ReLU", "Tanh"}) {
    for (size_t t = 0; t < spec.trials.size(); ++t) all[label].push_back(t);
  }
  const Plan plan = actbench::rung_plan(source, spec, 0, all);
  ASSERT_EQ(plan.runs.size(), 18u);  // 2 activations x 9 trials x 1 tuning seed
  EXPECT_EQ(plan.runs[0].config.train.seed, 1000);
  EXPECT_EQ(plan.runs[0].config.train.epochs, 1);
  EXPECT_THAT(plan.base.out, HasSubstr("tuning/rung-1"));
  // Entries without any test numbers score the same as entries with them: the choice cannot
  // have read them (a missing field would throw).
  const auto with = actbench::rung_scores(plan, spec, rung_entries(plan, true));
  const auto without = actbench::rung_scores(plan, spec, rung_entries(plan, false));
  ASSERT_EQ(with.size(), 2u);
  for (const auto& [label, trials] : with) {
    ASSERT_EQ(trials.size(), 9u);
    for (const auto& [t, s] : trials) {
      EXPECT_EQ(s.val_accuracy, without.at(label).at(t).val_accuracy);
      EXPECT_EQ(s.val_loss, without.at(label).at(t).val_loss);
    }
  }
  std::vector<TrialScore> relu;
  for (const auto& [t, s] : with.at("ReLU")) relu.push_back(s);
  EXPECT_EQ(actbench::choose_trial(relu, spec.tie), 8u);  // the highest lr has the best val
  // A diverged run makes its trial NaN.
  auto entries = rung_entries(plan, true);
  entries[plan.runs[0].id]["status"] = "diverged";
  EXPECT_TRUE(std::isnan(actbench::rung_scores(plan, spec, entries).at("ReLU").at(0).val_accuracy));
}

TEST(Tuning, TheFinalPlanRunsEachActivationAtItsOwnSettingsOnTheFinalSeeds) {
  const ConfigSource source = tuned_source();
  const Plan plan = actbench::final_plan(
      source, {{"ReLU", {{"train.lr", 0.00316}}}, {"Tanh", {{"train.lr", 0.000562}}}});
  ASSERT_EQ(plan.runs.size(), 6u);
  for (const auto& r : plan.runs) {
    const bool relu = r.config.activations[0].label == "ReLU";
    EXPECT_EQ(r.config.train.lr, relu ? 0.00316 : 0.000562);
    EXPECT_EQ(r.config.train.epochs, 10);
    EXPECT_FALSE(r.point.contains("train.lr"));  // seeds pair across activations
    EXPECT_THAT(r.name, HasSubstr("lr="));
  }
  // The plan file records the settings, and rebuilding from it gives the same runs.
  EXPECT_EQ(plan.config_json["per_activation"]["Tanh"]["train.lr"], 0.000562);
  ConfigSource again;
  again.tree = actbench::default_config_json();
  actbench::merge_config_document(again, plan.config_json, "plan.json");
  const Plan rebuilt = actbench::make_plan(again);
  ASSERT_EQ(rebuilt.runs.size(), plan.runs.size());
  for (size_t i = 0; i < plan.runs.size(); ++i) EXPECT_EQ(rebuilt.runs[i].id, plan.runs[i].id);
}

TEST(Tuning, PerActivationSettingsAreCheckedLikeSweptKeys) {
  auto error = [](const std::vector<std::string>& o) {
    return actbench_test::input_error_message([&] { actbench_test::plan_of(o); });
  };
  EXPECT_THAT(error({"activations=relu,tanh", "per_activation.gelu.train.lr=0.1"}),
              HasSubstr("not one of the sweep's activations"));
  EXPECT_THAT(error({"activations=relu,tanh", "per_activation.tanh.train.lr=fast"}),
              HasSubstr("train.lr"));
  EXPECT_THAT(error({"activations=relu,tanh", "per_activation.tanh.train.seed=1"}),
              HasSubstr("the same for every activation"));
  EXPECT_THAT(
      error({"activations=relu,tanh", "train.lr=0.1,0.01", "per_activation.tanh.train.lr=0.1"}),
      HasSubstr("also sweeps"));
  EXPECT_THAT(error({"per_activation.tanh=5"}), HasSubstr("per_activation.LABEL.KEY=VALUE"));
  EXPECT_THAT(actbench_test::input_error_message(
                  [] { actbench_test::plan_of({}, "per_activation:\n  tanh: 5\n"); }),
              HasSubstr("must map config keys to values"));
}

// The summary's `comparison`: the numbers of stats/rank_tests.h over the seeds as blocks, every
// pair's Holm-adjusted paired t-test the same as the baseline form's formulas, the letters.
TEST(Tuning, TheSummaryComparesEveryPairWithTheBaselineFormsFormulas) {
  const Plan plan = actbench_test::plan_of({"activations=relu,tanh,gelu", "train.seed=0,1,2,3"});
  ASSERT_EQ(plan.runs.size(), 12u);
  const double acc[4][3] = {
      {97.0, 96.0, 97.1}, {98.0, 96.5, 98.2}, {96.0, 95.0, 96.3}, {97.5, 95.2, 97.4}};
  std::map<std::string, Json> entries;
  std::vector<std::vector<double>> values;
  for (size_t s = 0; s < 4; ++s) {
    values.push_back({acc[s][0], acc[s][1], acc[s][2]});
    for (size_t a = 0; a < 3; ++a) {
      entries[plan.runs[s * 3 + a].id] = {
          {"status", "completed"},
          {"final", {{"test_accuracy", acc[s][a]}, {"test_loss", 0.1}}},
          {"epochs", Json::array()}};
    }
  }
  const Json summary = actbench::build_summary(plan, entries, {"ReLU"});
  const Json& c = summary.at("comparison");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["activations"], (Json{"ReLU", "Tanh", "GELU"}));
  EXPECT_EQ(c["blocks"], 4);
  const auto ranks = actbench::rank_within_blocks(values, true);
  const auto f = actbench::friedman_test(ranks);
  EXPECT_EQ(c["mean_ranks"], Json(ranks.mean_ranks));
  EXPECT_DOUBLE_EQ(c["friedman"]["chi2"].get<double>(), f.chi2);
  EXPECT_DOUBLE_EQ(c["friedman"]["p_value"].get<double>(), f.p_value);
  EXPECT_DOUBLE_EQ(c["nemenyi"]["cd"].get<double>(),
                   actbench::nemenyi_critical_difference(3, 4, 0.05));
  ASSERT_EQ(c["pairs"].size(), 3u);
  // Pair (ReLU, Tanh): the baseline form's difference Tanh - ReLU has the same t p-value.
  std::vector<double> d;
  std::vector<double> p;
  for (const auto& pair : c["pairs"]) p.push_back(pair["p_t"].get<double>());
  for (size_t s = 0; s < 4; ++s) d.push_back(acc[s][0] - acc[s][1]);
  EXPECT_DOUBLE_EQ(p[0], actbench::paired_t_p_value(d));
  const Json& tanh_vs_relu = summary.at("differences").at(0);
  EXPECT_EQ(tanh_vs_relu["activation"], "Tanh");
  EXPECT_DOUBLE_EQ(tanh_vs_relu["tests"]["t_p"].get<double>(), p[0]);
  const std::vector<double> holm = actbench::holm_adjust(p);
  for (size_t i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(c["pairs"][i]["holm_t"].get<double>(), holm[i]);
  // Tanh is best in every block; GELU worst: the letters say which pairs differ.
  for (const auto& pair : c["pairs"]) {
    const bool differ = pair["holm_t"].get<double>() < 0.05;
    const std::string a = c["letters"][pair["a"].get<std::string>()];
    const std::string b = c["letters"][pair["b"].get<std::string>()];
    const bool share = a.find_first_of(b) != std::string::npos;
    EXPECT_EQ(share, !differ) << pair.dump();
  }
  // The table has the letters' column.
  EXPECT_THAT(summary["table"]["columns"].dump(), HasSubstr("\"group\""));
}

}  // namespace
