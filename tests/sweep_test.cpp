// Sweeps: the plan (grid expansion, stable run ids, shards), the statistics (Student's t
// intervals, paired differences), and end to end through the binary: a 4 activations x 3 seeds
// sweep with its table, kill -9 and SIGINT followed by a rerun, shards merged, resume, diverged
// runs, bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <torch/torch.h>

#include "model/mlp.h"
#include "sweep/plan.h"
#include "stats/estimate.h"
#include "sweep/summary.h"
#include "sweep_fixture.h"
#include "test_support.h"
#include "util/error.h"

namespace {

namespace fs = std::filesystem;
using actbench::Json;
using actbench::Plan;
using actbench_test::CommandResult;
using actbench_test::expect_user_error;
using actbench_test::plan_of;
using actbench_test::TempDir;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

std::string plan_error(const std::vector<std::string>& overrides, const std::string& yaml = "") {
  return actbench_test::input_error_message([&] { plan_of(overrides, yaml); });
}

// ---- the plan ----

TEST(Plan, ExpandsTheGridSeedOutermostOtherKeysSortedActivationsInnermost) {
  const Plan plan = plan_of({"activations=relu,tanh"},
                            "sweep:\n  train.seed: [0, 1]\n  train.lr: [0.01, 0.001]\n"
                            "  model.hidden: [[64], [32, 32]]\n");
  ASSERT_EQ(plan.runs.size(), 16u);
  ASSERT_EQ(plan.axes.size(), 3u);
  EXPECT_EQ(plan.axes[0].key, "train.seed");
  EXPECT_EQ(plan.axes[1].key, "model.hidden");
  EXPECT_EQ(plan.axes[2].key, "train.lr");
  const auto& r0 = plan.runs[0];
  EXPECT_EQ(r0.config.activations.size(), 1u);
  EXPECT_EQ(r0.config.activations[0].label, "ReLU");
  EXPECT_EQ(plan.runs[1].config.activations[0].label, "Tanh");
  EXPECT_EQ(r0.point, (Json{{"train.seed", 0}, {"model.hidden", {64}}, {"train.lr", 0.01}}));
  EXPECT_EQ(plan.runs[2].point["train.lr"], 0.001);
  EXPECT_EQ(plan.runs[4].config.model.hidden, (std::vector<int64_t>{32, 32}));
  EXPECT_EQ(plan.runs[8].config.train.seed, 1);
  EXPECT_EQ(plan.runs[15].config.train.lr, 0.001);
  EXPECT_EQ(plan.runs[15].name, "Tanh seed=1 hidden=[32,32] lr=0.001");
  for (size_t i = 0; i < plan.runs.size(); ++i) EXPECT_EQ(plan.runs[i].index, i);
  // The base config keeps the unswept values and lists the sweep.
  EXPECT_EQ(plan.base.train.lr, 0.001);
  EXPECT_EQ(plan.config_json["sweep"]["train.lr"], (Json{0.01, 0.001}));
}

TEST(Plan, WithoutASweepThereIsOneRunPerActivation) {
  const Plan plan = plan_of({"activations=relu,sigmoid,gelu"});
  ASSERT_EQ(plan.runs.size(), 3u);
  EXPECT_TRUE(plan.axes.empty());
  EXPECT_EQ(plan.runs[2].point, Json::object());
  EXPECT_EQ(plan.runs[2].name, "GELU");
  EXPECT_EQ(plan.base.baseline, "ReLU");  // the first listed
}

TEST(Plan, CommandLineCommasSweepAndPlainValuesFix) {
  const std::string yaml = "sweep:\n  train.seed: [0, 1, 2]\n";
  EXPECT_EQ(plan_of({}, yaml).runs.size(), 12u);
  // KEY=v fixes a key the file sweeps; KEY=a,b sweeps another.
  const Plan p = plan_of({"train.seed=5", "train.lr=0.1,0.01"}, yaml);
  ASSERT_EQ(p.axes.size(), 1u);
  EXPECT_EQ(p.axes[0].key, "train.lr");
  EXPECT_EQ(p.axes[0].values, (std::vector<Json>{0.1, 0.01}));
  EXPECT_EQ(p.runs.size(), 8u);
  EXPECT_EQ(p.runs[0].config.train.seed, 5);
  // Lists stay whole; commas between them sweep.
  EXPECT_TRUE(plan_of({"model.hidden=[64, 64]"}).axes.empty());
  const Plan h = plan_of({"model.hidden=[64,64],[32]", "activations=relu"});
  ASSERT_EQ(h.runs.size(), 2u);
  EXPECT_EQ(h.runs[1].config.model.hidden, (std::vector<int64_t>{32}));
  // sweep.KEY=[...] is the explicit form; a command-line list replaces the file's.
  EXPECT_EQ(plan_of({"sweep.train.seed=[7]"}, yaml).runs[0].config.train.seed, 7);
  EXPECT_EQ(plan_of({"train.seed=3,4"}, yaml).runs.size(), 8u);
  EXPECT_EQ(actbench::split_top_level("a,'b,c',[1,2],{x: 1, y: 2}"),
            (std::vector<std::string>{"a", "'b,c'", "[1,2]", "{x: 1, y: 2}"}));
}

TEST(Plan, RunIdsAreStableAndDependOnlyOnWhatDeterminesTheNumbers) {
  const Plan a = plan_of({"train.seed=0,1"});
  const Plan b = plan_of(
      {"train.seed=0,1", "name=other", "out=/elsewhere", "jobs=3", "threads=2", "baseline=Tanh"});
  ASSERT_EQ(a.runs.size(), b.runs.size());
  std::set<std::string> ids;
  for (size_t i = 0; i < a.runs.size(); ++i) {
    EXPECT_EQ(a.runs[i].id, b.runs[i].id);
    ids.insert(a.runs[i].id);
  }
  EXPECT_EQ(ids.size(), a.runs.size());
  EXPECT_NE(plan_of({"train.lr=0.01"}).runs[0].id, a.runs[0].id);
  EXPECT_NE(plan_of({"train.epochs=3"}).runs[0].id, a.runs[0].id);
  EXPECT_THAT(a.runs[0].id, ::testing::MatchesRegex("relu-[0-9a-f]{16}"));
  EXPECT_THAT(a.runs[3].id, ::testing::MatchesRegex("leakyrelu-[0-9a-f]{16}"));
  // The id is the hash of the identity, which is the run's resolved config minus what only says
  // how or where it runs. Pinned: a changed id would make every stored sweep rerun everything.
  EXPECT_FALSE(a.runs[0].identity.contains("out"));
  EXPECT_FALSE(a.runs[0].identity.contains("jobs"));
  EXPECT_EQ(a.runs[0].identity["activations"].size(), 1u);
  EXPECT_EQ(actbench::run_id(Json{{"a", 1}}, "Leaky ReLU (0.2)"),
            "leaky-relu-0-2-" + actbench::run_id(Json{{"a", 1}}, "x").substr(2));
  EXPECT_EQ(actbench::run_id(Json::object(), "relu"), "relu-08f44b07b5901a25");
}

TEST(Plan, BadSweepsAreClearErrors) {
  EXPECT_THAT(plan_error({"train.lrr=0.1,0.2"}),
              HasSubstr("unknown key 'train.lrr' (did you mean 'train.lr'?)"));
  EXPECT_THAT(plan_error({}, "sweep:\n  train.lr: []\n"),
              HasSubstr("sweep 'train.lr' is an empty list"));
  EXPECT_THAT(plan_error({}, "sweep:\n  train.lr: 0.1\n"),
              HasSubstr("sweep 'train.lr' must be a list of values"));
  EXPECT_THAT(plan_error({}, "sweep: [train.lr]\n"), HasSubstr("'sweep' must map config keys"));
  EXPECT_THAT(plan_error({}, "sweep:\n  train.lr: [0.1, abc]\n"),
              HasSubstr("(sweep 'train.lr'): 'train.lr' must be a number > 0, got \"abc\""));
  EXPECT_THAT(plan_error({"train.epochs=2,0"}),
              HasSubstr("'train.epochs' must be an integer >= 1"));
  EXPECT_THAT(plan_error({"train.lr=0.1,1e-1"}), HasSubstr("lists 0.1 twice"));
  EXPECT_THAT(plan_error({"out=a,b"}), HasSubstr("'out' cannot be swept"));
  EXPECT_THAT(plan_error({}, "sweep:\n  activations: [relu]\n"), HasSubstr("cannot be swept"));
  EXPECT_THAT(plan_error({"train=1,2"}), HasSubstr("'train' is a section"));
  EXPECT_THAT(plan_error({"baseline=GELU"}), HasSubstr("'baseline' must be one of ReLU, Sigmoid"));
  // Values valid alone but not together are still caught, at the grid point.
  EXPECT_THAT(plan_error({"train.optimizer=adam,sgd", "train.momentum=0.5"}),
              HasSubstr("'train.momentum' must be left unset with adam"));
}

TEST(Plan, ShardsPartitionThePlan) {
  EXPECT_EQ(actbench::parse_shard("2/4").k, 2);
  EXPECT_EQ(actbench::parse_shard("2/4").n, 4);
  for (const char* bad : {"3/2", "0/2", "1/0", "a/b", "2", "-1/2", "1/2/3", ""}) {
    EXPECT_THAT(actbench_test::input_error_message([&] { actbench::parse_shard(bad); }),
                HasSubstr("--shard must be K/N with 1 <= K <= N"))
        << bad;
  }
  for (int64_t n : {1, 3, 5, 13}) {
    std::vector<int> owners(12, 0);
    for (int64_t k = 1; k <= n; ++k) {
      const actbench::Shard s{k, n};
      for (size_t i = 0; i < owners.size(); ++i) owners[i] += s.contains(i);
    }
    EXPECT_EQ(owners, std::vector<int>(12, 1)) << "n=" << n;
  }
}

TEST(Plan, ForAGivenSeedEveryActivationStartsFromTheSameWeights) {
  auto weights = [](const std::string& act) {
    torch::manual_seed(3);
    actbench::MLP m(
        actbench::MLPOptions(784, {16, 16}, 10, actbench::resolve_activation(act, "test")));
    std::vector<torch::Tensor> w;
    for (const auto& p : m->named_parameters()) {
      if (p.key().rfind("fc", 0) == 0) w.push_back(p.value().clone());
    }
    return w;
  };
  const auto relu = weights("relu");
  for (const char* act : {"tanh", "rrelu", "prelu", "sigmoid"}) {
    const auto other = weights(act);
    ASSERT_EQ(other.size(), relu.size());
    for (size_t i = 0; i < relu.size(); ++i) EXPECT_TRUE(torch::equal(other[i], relu[i])) << act;
  }
}

// ---- statistics ----

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
  EXPECT_NEAR(acc["ci95_half_width"].get<double>(), 4.302652729749464 * sd / std::sqrt(3.0),
              1e-9);
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
  EXPECT_THAT(
      out.str(),
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

// ---- end to end ----

class Sweep : public actbench_test::SweepFixture {
 protected:
  // The runs a `run` says it trained, and took from the run store ("N run(s) ..."; 0 if absent).
  static size_t count_before(const CommandResult& r, const std::string& words) {
    std::smatch m;
    const std::regex re("([0-9]+) run\\(s\\)" + words);
    return std::regex_search(r.err, m, re) ? std::stoul(m[1].str()) : 0;
  }
  static size_t trained(const CommandResult& r) {
    std::smatch m;
    return std::regex_search(r.err, m, std::regex("training ([0-9]+) run\\(s\\)"))
               ? std::stoul(m[1].str())
               : 0;
  }
  static size_t from_store(const CommandResult& r) {
    return count_before(r, " taken from the run store");
  }
};

TEST_F(Sweep, FourActivationsThreeSeedsPrintTheTableWithIntervalsAndPairedDifferences) {
  const fs::path out = reference().dir;
  const CommandResult& r = reference().result;
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(run_files(out), kRuns);
  const Json results = Json::parse(actbench_test::read_text(out / "results.json"));
  const Json summary = Json::parse(actbench_test::read_text(out / "summary.json"));
  const Json plan = Json::parse(actbench_test::read_text(out / "plan.json"));
  EXPECT_EQ(plan["schema"], "actbench.plan/1");
  ASSERT_EQ(results["runs"].size(), kRuns);
  EXPECT_EQ(results["complete"], true);
  for (size_t i = 0; i < kRuns; ++i) {
    EXPECT_EQ(results["runs"][i]["id"], plan["runs"][i]["id"]);  // plan order
    EXPECT_EQ(results["runs"][i]["seed"], int64_t(i / 4));
    EXPECT_EQ(results["runs"][i]["epochs"].size(), 2u);
  }
  ASSERT_EQ(summary["groups"].size(), 4u);
  for (const auto& g : summary["groups"]) {
    EXPECT_EQ(g["completed"], 3);
    EXPECT_EQ(g["seeds"], (Json{0, 1, 2}));
    EXPECT_TRUE(g["final_test_accuracy"]["ci95"].is_array());
  }
  ASSERT_EQ(summary["differences"].size(), 3u);
  EXPECT_EQ(summary["baseline"], "ReLU");
  // The table on stdout: header, 4 groups with intervals, the paired differences.
  EXPECT_THAT(r.out, ContainsRegex("ReLU +3 +[0-9.]+ \u00b1 [0-9.]+"));
  for (const char* act : {"Sigmoid", "Tanh", "LeakyReLU"}) {
    EXPECT_THAT(r.out, ContainsRegex(std::string(act) +
                                     " +is [0-9.]+ \u00b1 [0-9.]+ points (above|below) ReLU"));
  }
  // Another baseline, through merge (of a copy: the reference stays as it is).
  const fs::path copy = tmp_ / "copy";
  copy_reference_runs(copy);
  const CommandResult m =
      actbench_test::run_actbench({"merge", copy.string(), "--baseline", "Tanh"}, tmp_.path());
  ASSERT_EQ(m.exit_code, 0) << m.describe();
  EXPECT_THAT(m.out, ContainsRegex("ReLU +is [0-9.]+ \u00b1 [0-9.]+ points (above|below) Tanh"));
  EXPECT_EQ(Json::parse(actbench_test::read_text(copy / "summary.json"))["baseline"], "Tanh");
}

// kill -9 at deterministic points (--debug-raise-after N:KILL: once N runs of that invocation are
// written; 0: right after plan.json), two jobs at a time so that a run in progress is abandoned
// mid-way. What resume must guarantee: nothing but whole runs of the plan is ever stored, runs
// already stored are kept as they are, and the rerun ends with the uninterrupted sweep's numbers.
TEST_F(Sweep, KillNineAtAnyMomentThenRerunEndsWithTheSameResultsAsAnUninterruptedSweep) {
  const fs::path out = tmp_ / "killed";
  std::map<std::string, std::string> stored;
  size_t before = 0;
  for (const size_t n : {0, 1, 3}) {
    SCOPED_TRACE("killed after " + std::to_string(n) + " run(s)");
    const CommandResult r =
        run(out, {"--jobs", "2", "--debug-raise-after", std::to_string(n) + ":KILL"});
    EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.describe();
    const auto now = expect_only_whole_runs(out);
    if (n == 0) {
      EXPECT_EQ(now.size(), before) << "killed before training, yet a run was written";
    } else {
      // With two jobs the other run may have been written too: at least N new runs.
      EXPECT_GE(now.size(), before + n);
    }
    for (const auto& [name, text] : stored) {
      EXPECT_EQ(now.count(name) ? now.at(name) : "", text) << name << " was not kept as it was";
    }
    stored = now;
    before = now.size();
  }
  const CommandResult resumed = run(out, {"--jobs", "2"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
  EXPECT_THAT(resumed.err,
              HasSubstr(std::to_string(before) + " of these run(s) already finished"));
  // A run stored by the other job just before the kill (its own file not yet written) is taken
  // from the run store, not trained again: between them, exactly the missing runs.
  EXPECT_EQ(trained(resumed) + from_store(resumed), kRuns - before) << resumed.err;
  expect_reference_outputs(out);
  for (const auto& [name, text] : stored) {
    EXPECT_EQ(actbench_test::read_text(out / "runs" / name), text) << name << " was redone";
  }
}

TEST_F(Sweep, SigintAbandonsTheRunsInProgressAndSaysWhatToRerun) {
  const fs::path out = tmp_ / "sigint";
  const CommandResult r = run(out, {"--jobs", "2", "--debug-raise-after", "2:INT"});
  EXPECT_EQ(r.exit_code, 128 + SIGINT) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("interrupted by SIGINT"));
  EXPECT_THAT(r.err, HasSubstr("run the same command again"));
  EXPECT_THAT(r.err, HasSubstr("--out " + out.string()));
  EXPECT_EQ(r.out, "");
  const size_t done = expect_only_whole_runs(out).size();
  EXPECT_GE(done, 2u);
  // SIGTERM before any run starts: the same path, and nothing trained.
  const CommandResult t = run(out, {"--debug-raise-after", "0:TERM"});
  EXPECT_EQ(t.exit_code, 128 + SIGTERM) << t.describe();
  EXPECT_THAT(t.err, HasSubstr("interrupted by SIGTERM"));
  EXPECT_EQ(t.out, "");
  EXPECT_EQ(expect_only_whole_runs(out).size(), done);
  // The rerun trains only what is missing and ends as if never interrupted.
  const CommandResult resumed = run(out);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
  EXPECT_THAT(resumed.err, HasSubstr(std::to_string(done) + " of these run(s) already finished"));
  EXPECT_EQ(trained(resumed) + from_store(resumed), kRuns - done) << resumed.err;
  expect_reference_outputs(out);
}

TEST_F(Sweep, ThreeShardsMergedEqualTheUnshardedSweep) {
  const fs::path sharded = tmp_ / "sharded";
  // The shards' plans partition the plan.
  std::set<std::string> ids;
  size_t listed = 0;
  for (int k = 1; k <= 3; ++k) {
    const CommandResult p = actbench_test::run_actbench(
        args("plan", sharded, {"--shard", std::to_string(k) + "/3", "--json"}), tmp_.path());
    ASSERT_EQ(p.exit_code, 0) << p.describe();
    const Json listing = Json::parse(p.out);
    for (const auto& r : listing["runs"]) {
      ids.insert(r["id"].get<std::string>());
      ++listed;
    }
  }
  EXPECT_EQ(listed, kRuns);
  EXPECT_EQ(ids.size(), kRuns);
  EXPECT_FALSE(fs::exists(sharded)) << "plan wrote something";
  for (int k = 1; k <= 3; ++k) {
    const CommandResult s = run(sharded, {"--shard", std::to_string(k) + "/3"});
    ASSERT_EQ(s.exit_code, 0) << s.describe();
    EXPECT_EQ(run_files(sharded), size_t(4 * k));
    EXPECT_EQ(fs::exists(sharded / "summary.json"), k == 3) << "k=" << k;  // the last one merges
  }
  const Json merged_by_last_shard = outputs(sharded);
  fs::remove(sharded / "results.json");
  fs::remove(sharded / "summary.json");
  const CommandResult m = actbench_test::run_actbench({"merge", sharded.string()}, tmp_.path());
  ASSERT_EQ(m.exit_code, 0) << m.describe();
  expect_reference_outputs(sharded);
  EXPECT_TRUE(merged_by_last_shard == reference().outputs)
      << Json::diff(reference().outputs, merged_by_last_shard).dump(1);
  EXPECT_THAT(m.out, HasSubstr("points"));
}

TEST_F(Sweep, ResumeSkipsFinishedRunsAndRedoesMissingOrDamagedOnes) {
  const fs::path out = tmp_ / "resume";
  copy_reference_runs(out);
  const Json plan = Json::parse(actbench_test::read_text(out / "plan.json"));
  const std::string gone = plan["runs"][5]["id"], damaged = plan["runs"][7]["id"];
  fs::remove(out / "runs" / (gone + ".json"));
  actbench_test::write_text(out / "runs" / (damaged + ".json"), "{\"id\": \"");
  const CommandResult r = run(out);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("10 of these run(s) already finished"));
  EXPECT_THAT(r.err, HasSubstr(damaged + ".json: not valid JSON"));
  EXPECT_THAT(r.err, HasSubstr("training 2 run(s)"));
  expect_reference_outputs(out);  // bit for bit, timings aside
  // Nothing left to do: nothing trained, same outputs.
  const CommandResult again = run(out);
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_THAT(again.err, HasSubstr("12 of these run(s) already finished"));
  EXPECT_THAT(again.err, ::testing::Not(HasSubstr("training")));
  expect_reference_outputs(out);
}

TEST_F(Sweep, ADivergingRunIsRecordedAndTheSweepGoesOn) {
  const fs::path out = tmp_ / "diverge";
  const CommandResult r =
      actbench_test::run_actbench({"run", "--config", config().string(), "--out", out.string(),
                                   "train.optimizer=sgd", "train.lr=0.05,1e38", "train.seed=0"},
                                  tmp_.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const Json results = Json::parse(actbench_test::read_text(out / "results.json"));
  ASSERT_EQ(results["runs"].size(), 4u);
  EXPECT_EQ(results["runs"][0]["status"], "completed");
  EXPECT_EQ(results["runs"][1]["status"], "completed");
  EXPECT_EQ(results["runs"][2]["status"], "diverged");
  EXPECT_EQ(results["runs"][3]["status"], "diverged");
  EXPECT_TRUE(results["runs"][2]["epochs"][0]["train_loss"].is_null());
  const Json summary = Json::parse(actbench_test::read_text(out / "summary.json"));
  EXPECT_EQ(summary["groups"][2]["diverged"], 1);
  EXPECT_TRUE(summary["groups"][2]["final_test_accuracy"].is_null());
  EXPECT_THAT(r.out, HasSubstr("1 diverged"));
  EXPECT_THAT(r.err, HasSubstr("DIVERGED"));
}

TEST_F(Sweep, BadInputExitsTwoAndWritesNothing) {
  const fs::path out = tmp_ / "bad";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--shard", "3/2"}, "--shard must be K/N with 1 <= K <= N"},
      {{"train.lrr=0.1,0.01"}, "unknown key 'train.lrr'"},
      {{"sweep.train.lr=[]"}, "is an empty list"},
      {{"train.lr=0.1,fast"}, "'train.lr' must be a number > 0, got \"fast\""},
      {{"jobs=1,2"}, "'jobs' cannot be swept"},
      {{"--debug-raise-after", "1:HUP"}, "--debug-raise-after must be N:KILL, N:INT, N:TERM or N:STOP"},
  };
  for (const auto& [extra, expected] : cases) {
    SCOPED_TRACE(expected);
    expect_user_error(run(out, extra), expected);
    EXPECT_FALSE(fs::exists(out));
  }
  // merge leaves a sweep directory as it was, whatever is wrong.
  const fs::path other = tmp_ / "other";
  copy_reference_runs(other);
  const auto listing = [&] {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(other)) {
      files[e.path().string()] = e.is_directory() ? "" : actbench_test::read_text(e.path());
    }
    return files;
  };
  const auto files = listing();
  // merge: not a sweep directory, a damaged run file, a baseline the sweep does not have.
  expect_user_error(actbench_test::run_actbench({"merge", (tmp_ / "nope").string()}, tmp_.path()),
                    "not found");
  expect_user_error(actbench_test::run_actbench({"merge", tmp_.path().string()}, tmp_.path()),
                    "is not a sweep directory");
  expect_user_error(
      actbench_test::run_actbench({"merge", other.string(), "--baseline", "GELU"}, tmp_.path()),
      "--baseline 'GELU' is not one of the sweep's activations");
  EXPECT_EQ(listing(), files);
  const Json plan = Json::parse(actbench_test::read_text(other / "plan.json"));
  actbench_test::write_text(other / "runs" / (plan["runs"][1]["id"].get<std::string>() + ".json"),
                            "[]");
  expect_user_error(actbench_test::run_actbench({"merge", other.string()}, tmp_.path()),
                    "remove it and rerun the sweep");
}

}  // namespace

namespace {

// A stand-in for Slurm's sbatch: runs an array job's tasks one after another (with the variables
// Slurm sets) and a dependent job right away; logs each submission.
const char* kFakeSbatch = R"(#!/usr/bin/env bash
set -u
log="$(dirname "$0")/sbatch.log"
array="" dep=""
while [ $# -gt 0 ] && [ "${1#--}" != "$1" ]; do
  case "$1" in
    --array=*) array=${1#--array=} ;;
    --dependency=*) dep=${1#--dependency=} ;;
  esac
  shift
done
script=$1; shift
echo "submit array=$array dependency=$dep args=$*" >> "$log"
if [ -n "$array" ]; then
  first=${array%-*} last=${array#*-}
  for ((k = first; k <= last; k++)); do
    SLURM_JOB_ID=100 SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_MIN=$first \
      SLURM_ARRAY_TASK_COUNT=$((last - first + 1)) SLURM_SUBMIT_DIR=$PWD \
      bash "$script" "$@" >> "$log.tasks" 2>&1 || echo "task $k failed" >> "$log"
  done
  echo "100;cluster"
else
  SLURM_JOB_ID=101 SLURM_SUBMIT_DIR=$PWD bash "$script" "$@" >> "$log.tasks" 2>&1 ||
    echo "merge failed" >> "$log"
  echo "101"
fi
)";

}  // namespace

TEST_F(Sweep, SlurmScriptRunsTheSweepAsAnArrayOfShardsThenMerges) {
  const fs::path bin = tmp_ / "bin";
  fs::create_directories(bin);
  actbench_test::write_text(bin / "sbatch", kFakeSbatch);
  fs::permissions(bin / "sbatch", fs::perms::owner_all);
  const fs::path script = fs::path(ACTBENCH_SOURCE_DIR) / "scripts" / "slurm" / "sweep.sbatch";
  auto submit = [&](const std::string& dir, const std::string& tasks) {
    std::string cmd = "cd " + actbench_test::shell_quote(tmp_.path().string()) +
                      " && PATH=" + actbench_test::shell_quote(bin.string()) +
                      ":\"$PATH\" ACTBENCH=" + actbench_test::shell_quote(ACTBENCH_BINARY) +
                      " bash " + actbench_test::shell_quote(script.string()) + " " +
                      actbench_test::shell_quote(config().string()) + " " + dir + " " + tasks;
    // The overrides of args(): everything after the config file, before --out.
    const std::vector<std::string> a = args("run", "");
    for (size_t i = 3; i + 2 < a.size(); ++i) cmd += " " + actbench_test::shell_quote(a[i]);
    cmd += " >" + (tmp_ / "submit.out").string() + " 2>&1";
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  ASSERT_EQ(submit("swept", "3"), 0) << actbench_test::read_text(tmp_ / "submit.out");
  const std::string log = actbench_test::read_text(bin / "sbatch.log");
  EXPECT_THAT(log, HasSubstr("submit array=1-3 dependency= args=--task"));
  EXPECT_THAT(log, HasSubstr("submit array= dependency=afterany:100 args=--merge swept"));
  EXPECT_THAT(log, Not(HasSubstr("failed"))) << actbench_test::read_text(bin / "sbatch.log.tasks");
  const std::string tasks = actbench_test::read_text(bin / "sbatch.log.tasks");
  for (const char* shard : {"shard 1/3: 4 run(s)", "shard 2/3: 4 run(s)", "shard 3/3: 4 run(s)"}) {
    EXPECT_THAT(tasks, HasSubstr(shard));
  }
  EXPECT_THAT(actbench_test::read_text(tmp_ / "submit.out"),
              HasSubstr("12 runs in 3 array tasks: job 100; merge: job 101"));
  const fs::path out = tmp_ / "swept";
  EXPECT_EQ(run_files(out), kRuns);
  expect_reference_outputs(out);
  // Checked before anything is queued.
  fs::remove(bin / "sbatch.log");
  EXPECT_EQ(submit("other", "0"), 2);
  EXPECT_EQ(submit("other", "13"), 2);
  EXPECT_THAT(actbench_test::read_text(tmp_ / "submit.out"), HasSubstr("use at most 12"));
  EXPECT_FALSE(fs::exists(bin / "sbatch.log"));
}
