// A tuned sweep through the binary: the search (successive halving on the validation split) and
// the final comparison at each activation's chosen settings, kill -9 in the search resuming to
// the same choice, final seeds changed without training the search again, `plan` showing both
// stages, and bad sections.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "process.h"
#include "sweep_fixture.h"
#include "test_support.h"
#include "util/text.h"

namespace {

namespace fs = std::filesystem;
using actbench::Json;
using actbench_test::CommandResult;
using actbench_test::read_text;
using ::testing::HasSubstr;

// The fixture's tiny config (synthetic data, 3 final seeds), ReLU and Tanh, with the learning
// rate tuned over 4 values on a validation split: rungs of 4 trials x 1 epoch and 1 x 3.
class TuningCli : public actbench_test::SweepFixture {
 protected:
  static std::vector<std::string> tuned_args(const std::string& cmd, const fs::path& out,
                                             const std::vector<std::string>& extra = {}) {
    std::vector<std::string> a{cmd,
                               "--config",
                               config().string(),
                               "activations=relu,tanh",
                               "train.epochs=3",
                               "data.validation=500",
                               "tune.space={train.lr: [0.3, 0.03, 0.003, 0.0003]}",
                               "--out",
                               out.string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  CommandResult run_tuned(const fs::path& out, const std::vector<std::string>& extra = {}) const {
    return actbench_test::run_actbench(tuned_args("run", out, extra), tmp_.path());
  }
  static Json tuning(const fs::path& dir) {
    return Json::parse(read_text(dir / "summary.json")).at("tuning");
  }
  // The uninterrupted tuned sweep, in its own store, once per process.
  static const fs::path& whole() {
    static const fs::path dir = [] {
      const fs::path d = shared() / "tuned";
      const CommandResult r = actbench_test::run_actbench(
          tuned_args("run", d, {"--store", (shared() / "store-t").string()}), shared().path());
      EXPECT_EQ(r.exit_code, 0) << r.describe();
      return d;
    }();
    return dir;
  }
};

TEST_F(TuningCli, SearchesOnValidationThenComparesEveryActivationAtItsOwnSettings) {
  const fs::path out = tmp_ / "tuned";
  const CommandResult r = run_tuned(out);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("tuning: rung 1 of 2: 4 trial(s) per activation at 1 epoch(s)"));
  EXPECT_THAT(r.out, HasSubstr("Tuning on the validation split"));
  EXPECT_THAT(r.out, HasSubstr("Successive halving trained 14 epochs (the full grid: 24)"));
  const Json t = tuning(out);
  ASSERT_EQ(t["activations"].size(), 2u);
  EXPECT_EQ(t["rungs"], Json::parse(R"([{"rung":1,"epochs":1,"trials":4},
                                         {"rung":2,"epochs":3,"trials":1}])"));
  const Json plan = Json::parse(read_text(out / "plan.json"));
  for (const auto& a : t["activations"]) {
    const std::string label = a["label"];
    // Every trial scored at rung 1, the chosen one promoted and trained at the full budget.
    const size_t chosen = a["chosen_trial"];
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(a["trials"][i]["rungs"][0]["promoted"], i == chosen) << label;
      EXPECT_EQ(a["trials"][i]["rungs"].size(), i == chosen ? 2u : 1u) << label;
    }
    // The final runs train at the chosen rate, on the final seeds only.
    EXPECT_EQ(plan["config"]["per_activation"][label], a["chosen"]);
    for (const auto& run : plan["runs"]) {
      if (run["activation"] != label) continue;
      EXPECT_EQ(run["config"]["train"]["lr"], a["chosen"]["train.lr"]);
      EXPECT_LT(run["seed"].get<int64_t>(), 3);
    }
  }
  const Json summary = Json::parse(read_text(out / "summary.json"));
  EXPECT_EQ(summary["comparison"]["pairs"].size(), 1u);
  EXPECT_THAT(summary["table"]["columns"].dump(), HasSubstr("\"lr\""));
  // The rungs are sweeps of their own, readable by show.
  const CommandResult show =
      actbench_test::run_actbench({"show", (out / "tuning" / "rung-1").string()}, tmp_.path());
  EXPECT_EQ(show.exit_code, 0) << show.describe();
  // show, compare and export say each activation's rate.
  const std::string relu_lr =
      "lr=" + actbench::value_text(plan["config"]["per_activation"]["ReLU"]["train.lr"]);
  const CommandResult compared =
      actbench_test::run_actbench({"compare", out.string()}, tmp_.path());
  EXPECT_THAT(compared.out, HasSubstr("(" + relu_lr + ")")) << compared.describe();
  const CommandResult exported =
      actbench_test::run_actbench({"export", out.string(), "-f", "csv"}, tmp_.path());
  ASSERT_EQ(exported.exit_code, 0) << exported.describe();
  EXPECT_THAT(exported.out, HasSubstr("activation,train.lr,letters,n,"));
  // Rerun: nothing trained, the same outputs; plan shows both stages done.
  const Json before = outputs(out);
  const CommandResult again = run_tuned(out);
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_THAT(again.err, ::testing::Not(HasSubstr("to train")));
  EXPECT_EQ(outputs(out), before);
  const CommandResult p = actbench_test::run_actbench(tuned_args("plan", out), tmp_.path());
  ASSERT_EQ(p.exit_code, 0) << p.describe();
  EXPECT_THAT(p.out, HasSubstr("rung 2: 1 trial(s) x 3 epoch(s) per activation  done"));
  EXPECT_THAT(p.out, HasSubstr("the search trains 14 epochs in all; the full grid would train 24"));
  EXPECT_THAT(p.out, HasSubstr("final comparison: 6 run(s)"));
}

// kill -9 in the search, then the same command: the same choice, the same outputs.
TEST_F(TuningCli, KillNineInTheSearchResumesToTheSameChoice) {
  const fs::path killed = tmp_ / "killed";
  const std::vector<std::string> store{"--store", (tmp_ / "store-k").string()};
  std::vector<std::string> kill = store;
  kill.insert(kill.end(), {"--jobs", "2", "--debug-raise-after", "3:KILL"});
  EXPECT_EQ(run_tuned(killed, kill).exit_code, 128 + SIGKILL);
  EXPECT_FALSE(fs::exists(killed / "tuning.json"));  // killed in rung 1
  const CommandResult resumed = run_tuned(killed, store);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
  EXPECT_EQ(tuning(killed), tuning(whole()));
  EXPECT_EQ(outputs(killed), outputs(whole())) << Json::diff(outputs(whole()), outputs(killed));
}

// Other final seeds: the search comes from the store (nothing of it trained), the choice is
// the same, and only the new seeds' final runs train.
TEST_F(TuningCli, ChangingOnlyTheFinalSeedsReusesTheSearch) {
  const fs::path store = tmp_ / "store-s";
  fs::copy(shared() / "store-t", store, fs::copy_options::recursive);
  ASSERT_FALSE(whole().empty());
  const fs::path out = tmp_ / "more-seeds";
  const CommandResult r = run_tuned(out, {"--store", store.string(), "train.seed=0,1,2,3"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  // The rungs are copied from the store into DIR/tuning; only the final runs of seed 3 train.
  for (const char* rung : {"rung-1", "rung-2"}) {
    EXPECT_TRUE(fs::exists(out / "tuning" / rung / "results.json")) << rung;
  }
  EXPECT_THAT(r.err, HasSubstr("8 run(s) taken from the run store")) << r.err;
  size_t trainings = 0;
  for (const auto& line : actbench_test::lines_of(r.err)) {
    trainings += line.find("info training ") != std::string::npos;
  }
  EXPECT_EQ(trainings, 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("training 2 run(s)")) << r.err;
  EXPECT_EQ(tuning(out)["chosen_settings"], tuning(whole())["chosen_settings"]);
  EXPECT_EQ(Json::parse(read_text(out / "summary.json"))["seeds"], (Json{0, 1, 2, 3}));
}

// Two shards at once (as a Slurm array runs them): each trains its part of every rung and waits
// for the other's; both end with the unsharded sweep's outputs, and merge --expect-plan with the
// plan `plan --json` printed at submission (the first rung's) accepts the directory.
TEST_F(TuningCli, ShardsWaitAtEachRungAndMergeAcceptsTheSubmittedPlan) {
  const fs::path sharded = tmp_ / "sharded";
  const std::vector<std::string> store{"--store", (tmp_ / "store-h").string()};
  std::vector<std::string> plan_args = tuned_args("plan", sharded, store);
  plan_args.push_back("--json");
  const CommandResult submitted = actbench_test::run_actbench(plan_args, tmp_.path());
  ASSERT_EQ(submitted.exit_code, 0) << submitted.describe();
  actbench_test::write_text(tmp_ / "submitted.json", submitted.out);
  std::vector<std::string> first = tuned_args("run", sharded, store);
  first.insert(first.end(), {"--shard", "1/2"});
  const fs::path log = tmp_ / "shard1.log";
  const pid_t pid = actbench_test::spawn_actbench(first, tmp_.path(), log);
  ASSERT_GT(pid, 0);
  std::vector<std::string> second = store;
  second.insert(second.end(), {"--shard", "2/2"});
  const CommandResult two = run_tuned(sharded, second);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_text(log);
  ASSERT_EQ(two.exit_code, 0) << two.describe();
  EXPECT_EQ(outputs(sharded), outputs(whole())) << Json::diff(outputs(whole()), outputs(sharded));
  const CommandResult merged = actbench_test::run_actbench(
      {"merge", "--expect-plan", (tmp_ / "submitted.json").string(), sharded.string()},
      tmp_.path());
  EXPECT_EQ(merged.exit_code, 0) << merged.describe();
  // Another sweep's submission is refused.
  plan_args = tuned_args("plan", tmp_ / "other", {"train.epochs=2", "--json"});
  const CommandResult other = actbench_test::run_actbench(plan_args, tmp_.path());
  ASSERT_EQ(other.exit_code, 0) << other.describe();
  actbench_test::write_text(tmp_ / "other.json", other.out);
  actbench_test::expect_user_error(
      actbench_test::run_actbench(
          {"merge", "--expect-plan", (tmp_ / "other.json").string(), sharded.string()},
          tmp_.path()),
      "holds another sweep than the one submitted");
}

// One shard of two and the other never starts: it takes over the idle shard's part of every
// rung and of the final comparison, and ends as the unsharded sweep did.
TEST_F(TuningCli, AShardAloneTakesOverTheIdleShardsPartOfEveryRung) {
  const fs::path alone = tmp_ / "alone";
  const fs::path log = tmp_ / "alone.log";
  const pid_t pid = actbench_test::spawn_actbench(
      tuned_args("run", alone, {"--store", (tmp_ / "store-a").string(), "--shard", "1/2"}),
      tmp_.path(), log);
  ASSERT_GT(pid, 0);
  const std::optional<int> ended = actbench_test::wait_at_most(pid, std::chrono::minutes(4));
  ASSERT_TRUE(ended) << "a lone shard still waits after 4 minutes:\n" << read_text(log);
  const int status = *ended;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_text(log);
  EXPECT_THAT(read_text(log),
              HasSubstr("trains the unfinished runs of shard 2/2 of tuning rung 1"));
  // The final comparison's results are written by `merge` (or the last shard): here the lone
  // shard, which finished shard 2's part last.
  EXPECT_EQ(outputs(alone), outputs(whole())) << Json::diff(outputs(whole()), outputs(alone));
}

TEST_F(TuningCli, BadSectionsAreOneLineAndWriteNothing) {
  const fs::path out = tmp_ / "bad";
  actbench_test::expect_user_error(run_tuned(out, {"data.validation=0"}),
                                   "tune chooses on the validation split");
  actbench_test::expect_user_error(run_tuned(out, {"tune.seed=2"}),
                                   "tuning seed 2 is also a final seed");
  actbench_test::expect_user_error(run_tuned(out, {"tune.space={train.lr: {log: [1, 0.1]}}"}),
                                   "tune.space.train.lr must be");
  actbench_test::expect_user_error(run_tuned(out, {"tune.eta=one"}), "tune.eta must be");
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
